"""A third-party plugin as a user would write one: one enricher, one renderer.

``tests/test_plugins.py`` installs it (a ``.dist-info`` with entry points on
``sys.path``) and names them in ``feedtool.toml``; feedtool never imports it
by itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import feedtool
from feedtool import Config, NewsItem, Site, Tag


@feedtool.enricher("shout", needs=("keywords",))
def shout(item: NewsItem, config: Config) -> NewsItem:
    """Tag every article with its keyword count, as a keyword 'shout-N'."""
    count = len(item.tags_of("keyword"))
    tag = Tag(kind="keyword", name=f"shout-{count}", slug=f"shout-{count}")
    return item.model_copy(update={"tags": (*item.tags, tag)})


@feedtool.renderer("headlines")
def headlines(site: Site) -> Iterator[tuple[str, bytes]]:
    """``headlines.txt``: one headline a line, newest first."""
    yield "headlines.txt", "".join(f"{item.headline}\n" for item in site.items).encode()


def undecorated(site: Site) -> Iterator[tuple[str, bytes]]:
    """A renderer named only by its dotted name."""
    yield "count.txt", f"{len(site.items)}\n".encode()
