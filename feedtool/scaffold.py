"""``feedtool init`` and ``feedtool new``: a project and an article to start from.

``init`` writes a commented ``feedtool.toml`` and one example article in
``seeds/``, so that ``feedtool init && feedtool build`` works in an empty
folder. ``new`` writes an article file whose front matter lists the keys a
writer may set, commented out. Neither ever overwrites a file.
"""

from __future__ import annotations

from pathlib import Path

from feedtool._slug import slugify
from feedtool.config import CONFIG_FILENAME
from feedtool.errors import ConfigError, PublishError

SEEDS_DIRNAME = "seeds"
EXAMPLE_NAME = "welcome.txt"

_CONFIG = """\
# feedtool configuration: the publication. Every key is described in README "Config".
title = "{title}"                       # the publication: feed and page titles
description = "News and notes, as feeds and pages."   # one-line subtitle of the feeds
base_url = "{base_url}"                 # where the output folder is served, ending in '/'
language = "en"                         # default language of articles (BCP 47: en, fa, ur-PK)
timezone = "UTC"                        # IANA zone of dates written without an offset
feed_size = 50                          # how many items each feed holds
page_size = 20                          # how many articles an HTML list page shows

[publisher]                             # who publishes (JSON-LD, feeds)
name = "{title}"
url = "{base_url}"
# logo = "https://example.org/logo.png"
# default_image = "https://example.org/share.png"   # image of articles that have none

[author]                                # the author of articles that name none
name = "{title} newsroom"
kind = "Organization"                   # or "Person"

[tags]
# drop = ["news"]                       # tags never to emit
# rename = {{ "UK" = "United Kingdom" }}
feeds_min_items = 1                     # a feed and a page for tags on this many articles

# [enrich]
# languages = ["en", "ar", "fa", "ur"]  # languages the detector may answer

# [websub]                              # announce new items to a WebSub hub
# hub = "https://hub.example.org/"
"""

_EXAMPLE = """\
+++
# Front matter (TOML): every key is optional; see README "Input format".
tags = {{ topics = ["publishing"], keywords = ["feedtool"] }}
+++
Welcome to {title}
This is the standfirst: one sentence that says what the article is about.

This example article was written by `feedtool init`: edit it, or delete it.
Write your own with feedtool new "Headline", which lists the front matter keys.

A build turns every .txt file in seeds/ into:
- an HTML page, with tag, author and archive pages around it
- RSS, Atom and JSON Feed entries, also per tag and per author
- JSON-LD and IPTC ninjs for machines

Run feedtool build, then feedtool serve, and open http://127.0.0.1:8000/ to read it.
"""

_ARTICLE = """\
+++
# Front matter (TOML): every key is optional; see README "Input format".
# published = 2025-10-28T09:30:00+03:30   # default: when a build first publishes it
# authors = ["Your Name"]
# tags = {{ topics = ["politics"], places = ["Tehran"], keywords = ["trade"] }}
# image = {{ url = "https://example.org/photo.jpg", caption = "…", width = 1200, height = 800 }}
# url = "2025/my-story/"                  # where the page goes, under base_url
{draft}+++
{headline}
One sentence that says what the article is about (the standfirst).

Write the article here: one paragraph per line, or paragraphs separated by blank lines.
"""


def init_project(folder: Path | str, *, title: str = "My News") -> list[Path]:
    """Write ``feedtool.toml`` and ``seeds/welcome.txt`` in ``folder``; return what was written.

    An existing config is never overwritten (``ConfigError``); an existing
    seeds folder keeps its articles and gets no example.
    """
    folder = Path(folder)
    config = folder / CONFIG_FILENAME
    if config.exists():
        raise ConfigError(
            "a config file is already here",
            path=config,
            hint="edit it, or run `feedtool init NEW_FOLDER` to start another project",
        )
    title = " ".join(title.split()) or "My News"
    quoted = title.replace("\\", "\\\\").replace('"', '\\"')
    base_url = "http://127.0.0.1:8000/"
    written: list[Path] = []
    folder.mkdir(parents=True, exist_ok=True)
    config.write_text(_CONFIG.format(title=quoted, base_url=base_url), "utf-8")
    written.append(config)
    seeds = folder / SEEDS_DIRNAME
    if not seeds.is_dir() or not any(seeds.iterdir()):
        seeds.mkdir(exist_ok=True)
        example = seeds / EXAMPLE_NAME
        example.write_text(_EXAMPLE.format(title=title), "utf-8")
        written.append(example)
    return written


def new_article(headline: str, seeds: Path | str = SEEDS_DIRNAME, *, draft: bool = False) -> Path:
    """Write ``seeds/<slug>.txt`` for ``headline`` (``-2``, ``-3``… if taken); return its path."""
    headline = " ".join(headline.split())
    if not headline:
        raise PublishError(
            "the headline is empty", hint='give one: feedtool new "Ferry fares to rise"'
        )
    seeds = Path(seeds)
    if not seeds.is_dir():
        raise PublishError(
            "seeds folder not found",
            path=seeds,
            hint="run `feedtool init` first, or pass --seeds FOLDER",
        )
    stem = slugify(headline) or "article"
    target, number = seeds / f"{stem}.txt", 2
    while target.exists():
        target, number = seeds / f"{stem}-{number}.txt", number + 1
    line = "draft = true                              # remove when it is ready to go out\n"
    text = _ARTICLE.format(headline=headline, draft=line if draft else "")
    # 'x': never overwrite, even if the file appeared since the check above.
    with target.open("x", encoding="utf-8") as handle:
        handle.write(text)
    return target
