"""Real feed readers against ``feedtool serve``: newsboat (Debian's terminal reader)
and feedparser over HTTP.

newsboat reloads the RSS and the Atom feed from a served build and stores what
it understood in its SQLite cache; the test reads the cache. Then the seed
article's body is edited, ``serve --watch`` rebuilds, and a second reload must
show the same item (stable guid) with the new content, not a second one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import feedparser
import pytest
from _servers import Server, copy_seeds, feedtool_serve, free_port, write_config

from feedtool.config import Config, load_config
from feedtool.publish import build, load_article

NEWSBOAT = shutil.which("newsboat")
SEED_NAME = "000_ae4195037769579a.txt"
MARKER = "Officials later added a correction numbered 7431 to the record."


@dataclass
class Site:
    server: Server
    seeds: Path
    out: Path
    config: Config
    home: Path

    def url(self, path: str) -> str:
        return self.server.url + path


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """The seeds built for ``http://127.0.0.1:PORT/`` and served with ``--watch``."""
    port = free_port()
    config_path = write_config(tmp_path / "feedtool.toml", f"http://127.0.0.1:{port}/")
    seeds = copy_seeds(tmp_path / "seeds")
    out = tmp_path / "feeds"
    config = load_config(config_path)
    report = build(seeds, out, config, ping=False)
    assert report.errors == ()
    home = tmp_path / "home"
    home.mkdir()
    args = ("--watch", "--seeds", str(seeds), "-c", str(config_path))
    with feedtool_serve(out, *args, port=port, cwd=tmp_path) as server:
        yield Site(server, seeds, out, config, home)


# --------------------------------------------------------------------------- newsboat


def _reload(site: Site, feed_url: str, cache: Path) -> None:
    """``newsboat -x reload`` of one feed, non-interactive, in a private HOME."""
    urls = cache.with_suffix(".urls")
    urls.write_text(feed_url + "\n", "utf-8")
    config = cache.with_suffix(".conf")
    config.write_text("download-timeout 30\nreload-threads 1\n", "utf-8")
    env = {
        **os.environ,
        "HOME": str(site.home),
        "XDG_CONFIG_HOME": str(site.home / ".config"),
        "XDG_DATA_HOME": str(site.home / ".local" / "share"),
        "TERM": "dumb",
    }
    assert NEWSBOAT is not None
    result = subprocess.run(
        [NEWSBOAT, "-u", str(urls), "-C", str(config), "-c", str(cache), "-x", "reload"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")


def _items(cache: Path, feed_url: str) -> list[dict[str, object]]:
    with sqlite3.connect(cache) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute(
            "SELECT guid, title, url, pubDate, content FROM rss_item"
            " WHERE feedurl = ? AND deleted = 0",
            (feed_url,),
        ).fetchall()
    return [dict(row) for row in rows]


def _stored_etag(cache: Path, feed_url: str) -> str:
    with sqlite3.connect(cache) as db:
        row = db.execute("SELECT etag FROM rss_feed WHERE rssurl = ?", (feed_url,)).fetchone()
    return str(row[0]) if row else ""


@pytest.mark.reader
@pytest.mark.skipif(NEWSBOAT is None, reason="newsboat is not installed (apt-get install newsboat)")
def test_newsboat_reads_the_feeds_and_sees_an_edit_as_an_update(site: Site, tmp_path: Path) -> None:
    seed = site.seeds / SEED_NAME
    expected = load_article(seed, site.config, site.seeds)
    headline = seed.read_text("utf-8").splitlines()[0]
    caches = {name: tmp_path / f"{name.split('.')[0]}.db" for name in ("rss.xml", "atom.xml")}

    before: dict[str, dict[str, object]] = {}
    for name, cache in caches.items():
        _reload(site, site.url(name), cache)
        (item,) = _items(cache, site.url(name))
        assert item["title"] == headline
        assert item["url"] == expected.url
        assert str(item["url"]).startswith(site.server.url + "articles/")
        assert item["guid"] and str(item["guid"]).startswith("tag:127.0.0.1,")
        if expected.date_published is not None:
            assert item["pubDate"] == int(expected.date_published.timestamp())
        assert "strategic partnership" in str(item["content"])
        before[name] = item
    # RSS and Atom agree on identity and date.
    assert before["rss.xml"]["guid"] == before["atom.xml"]["guid"]
    assert before["rss.xml"]["pubDate"] == before["atom.xml"]["pubDate"]

    # A second reload sends the stored validators and changes nothing.
    for name, cache in caches.items():
        _reload(site, site.url(name), cache)
        status, headers, _ = site.server.request(
            "GET", "/" + name, {"Accept-Encoding": "gzip, deflate"}
        )
        assert status == 200 and _stored_etag(cache, site.url(name)) == headers["etag"]
        assert _items(cache, site.url(name)) == [before[name]]

    text = seed.read_text("utf-8")
    seed.write_text(text.rstrip("\n") + "\n" + MARKER + "\n", "utf-8")
    line = site.server.wait_for_line("built ")
    assert "0 errors" in line, line

    for name, cache in caches.items():
        _reload(site, site.url(name), cache)
        items = _items(cache, site.url(name))
        assert len(items) == 1, f"{name}: the edit made a second item"
        (item,) = items
        assert item["guid"] == before[name]["guid"]
        assert item["url"] == before[name]["url"]
        assert MARKER in str(item["content"])
        assert MARKER not in str(before[name]["content"])


# --------------------------------------------------------------------------- feedparser


@pytest.mark.reader
def test_feedparser_over_http_revalidates_with_etag_and_last_modified(site: Site) -> None:
    tag_feeds = sorted(p.relative_to(site.out).as_posix() for p in site.out.glob("tags/*/atom.xml"))
    for name in ["rss.xml", "atom.xml", *tag_feeds[:1]]:
        first = feedparser.parse(site.url(name))
        assert first.status == 200 and not first.bozo, first.get("bozo_exception")
        assert first.entries and first.entries[0].title
        assert first.etag and first.modified
        by_etag = feedparser.parse(site.url(name), etag=first.etag)
        assert by_etag.status == 304 and not by_etag.entries
        by_date = feedparser.parse(site.url(name), modified=first.modified)
        assert by_date.status == 304
    json_feed = site.server.request("GET", "/feed.json")
    assert json_feed[0] == 200
    assert json_feed[1]["content-type"] == "application/feed+json; charset=utf-8"


@pytest.mark.reader
def test_feedparser_sees_a_rebuild_at_once(site: Site) -> None:
    """After ``--watch`` rebuilt, the old ETag no longer matches: the next poll gets 200."""
    first = feedparser.parse(site.url("atom.xml"))
    seed = site.seeds / SEED_NAME
    seed.write_text(seed.read_text("utf-8").rstrip("\n") + "\n" + MARKER + "\n", "utf-8")
    site.server.wait_for_line("built ")
    second = feedparser.parse(site.url("atom.xml"), etag=first.etag)
    assert second.status == 200
    assert second.etag != first.etag
    assert MARKER in second.entries[0].content[0].value


TWO_AUTHORS = """+++
authors = ["Sara Ahmadi", "Omar Khan"]
image = { url = "https://news.example.org/img/ferry.jpg", caption = "The ferry at dawn" }
published = 2025-10-29T09:30:00Z
+++
Ferry timetable agreed after long talks

The harbour council met on Monday and agreed a new timetable for the ferries.

The change takes effect next month, officials said after the meeting.
"""


@pytest.mark.reader
@pytest.mark.skipif(NEWSBOAT is None, reason="newsboat is not installed (apt-get install newsboat)")
def test_newsboat_shows_the_image_and_one_author_line(site: Site, tmp_path: Path) -> None:
    (site.seeds / "ferry.txt").write_text(TWO_AUTHORS, "utf-8")
    line = site.server.wait_for_line("built ")
    assert "0 errors" in line, line
    cache = tmp_path / "authors.db"
    _reload(site, site.url("rss.xml"), cache)
    with sqlite3.connect(cache) as db:
        rows = db.execute(
            "SELECT title, author, content FROM rss_item WHERE feedurl = ? AND deleted = 0",
            (site.url("rss.xml"),),
        ).fetchall()
    by_title = {title: (author, content) for title, author, content in rows}
    author, content = by_title["Ferry timetable agreed after long talks"]
    # Both authors on the one line newsboat shows (it keeps a single dc:creator).
    assert author == "Sara Ahmadi, Omar Khan"
    # newsboat 2.21 keeps enclosures of podcasts only; it shows a picture from
    # the content's <img>, listed as '[image 1]' with its link in the article view.
    assert '<img src="https://news.example.org/img/ferry.jpg"' in content
