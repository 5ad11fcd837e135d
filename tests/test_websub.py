"""WebSub: feeds advertise the hub and themselves, and a build pings the hub for
the feeds it changed, and only those.

The hub is a small HTTP server on 127.0.0.1 that records what it is sent.
"""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
from _servers import copy_seeds, unused_url, websub_hub, write_config

from feedtool.config import load_config
from feedtool.publish import build
from feedtool.publish.websub import ping_hub

BASE = "https://news.example.org/"
MAIN_FEEDS = [BASE + "rss.xml", BASE + "atom.xml", BASE + "feed.json"]


# --------------------------------------------------------------------------- ping_hub


def test_ping_hub_posts_one_form_per_topic() -> None:
    with websub_hub() as hub:
        errors = ping_hub(hub.url, MAIN_FEEDS, timeout=5)
    assert errors == []
    assert hub.published() == MAIN_FEEDS
    for post in hub.posts:
        assert post["_content_type"] == ["application/x-www-form-urlencoded"]
        assert post["hub.mode"] == ["publish"]


def test_ping_hub_reports_a_refusing_hub() -> None:
    with websub_hub(status=500) as hub:
        errors = ping_hub(hub.url, MAIN_FEEDS[:2], timeout=5)
    assert len(errors) == 2
    first = errors[0].message
    assert "HTTP 500" in first and MAIN_FEEDS[0] in first and hub.url in first
    assert errors[0].hint is not None and "--no-ping" in errors[0].hint


def test_ping_hub_never_raises_on_a_dead_hub() -> None:
    url = unused_url()
    errors = ping_hub(url, MAIN_FEEDS, timeout=2)
    # One error for the first feed, one saying the rest were not tried.
    assert len(errors) == 2
    assert url in errors[0].message and MAIN_FEEDS[0] in errors[0].message
    assert "2 more" in errors[1].message


def test_ping_hub_never_raises_on_a_bad_url() -> None:
    assert ping_hub("not a url", MAIN_FEEDS[:1], timeout=2)
    assert ping_hub("ftp://hub.example.org/", MAIN_FEEDS[:1], timeout=2)
    assert ping_hub("http://127.0.0.1:1/hub", [], timeout=2) == []


# --------------------------------------------------------------------------- with a build


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    return copy_seeds(tmp_path / "seeds")


def _feed_files(out: Path) -> set[str]:
    names = ("rss.xml", "atom.xml", "feed.json")
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.name in names}


def test_build_pings_changed_feeds_once(seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "feeds"
    with websub_hub() as hub:
        config = load_config(write_config(tmp_path / "feedtool.toml", BASE, hub=hub.url))
        report = build(seeds, out, config)
        assert report.errors == () and report.ping_errors == ()
        first = hub.published()
        # Every feed file of the build, main and per tag, and nothing else.
        assert sorted(first) == sorted(BASE + name for name in _feed_files(out))
        assert set(MAIN_FEEDS) <= set(first)
        assert any("/tags/" in url for url in first)
        assert len(first) == len(set(first))

        again = build(seeds, out, config)
        assert again.written == ()
        assert hub.published() == first, "an identical rebuild must not ping"

        article = next(seeds.glob("*.txt"))
        article.write_text(article.read_text("utf-8") + "\nOne more sentence.\n", "utf-8")
        edited = build(seeds, out, config)
        assert edited.ping_errors == ()
        newly = hub.published()[len(first) :]
        assert set(MAIN_FEEDS) <= set(newly)


def test_dead_hub_is_reported_and_the_build_succeeds(seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "feeds"
    dead = unused_url()
    config = load_config(write_config(tmp_path / "feedtool.toml", BASE, hub=dead))
    report = build(seeds, out, config)
    assert report.errors == ()
    assert report.ping_errors and dead in report.ping_errors[0].message
    assert (out / "rss.xml").is_file() and (out / "atom.xml").is_file()


def test_no_hub_no_ping(seeds: Path, tmp_path: Path) -> None:
    with websub_hub() as hub:
        config = load_config(write_config(tmp_path / "feedtool.toml", BASE))
        build(seeds, tmp_path / "feeds", config)
    assert hub.posts == []


# --------------------------------------------------------------------------- discovery


def _links(feed: feedparser.FeedParserDict) -> dict[str, str]:
    return {link["rel"]: link["href"] for link in feed.feed.get("links", [])}


def test_feeds_advertise_hub_and_self(seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "feeds"
    hub = "https://hub.example.org/"
    config = load_config(write_config(tmp_path / "feedtool.toml", BASE, hub=hub))
    build(seeds, out, config, ping=False)
    tag_rss = next(p for p in out.glob("tags/*/rss.xml"))
    for path in (out / "rss.xml", out / "atom.xml", tag_rss):
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, parsed.get("bozo_exception")
        links = _links(parsed)
        assert links.get("hub") == hub, path
        assert links.get("self") == BASE + path.relative_to(out).as_posix(), path
    feed = json.loads((out / "feed.json").read_text("utf-8"))
    assert feed["feed_url"] == BASE + "feed.json"
    assert {"type": "WebSub", "url": hub} in feed["hubs"]


def test_feeds_without_hub_advertise_none(seeds: Path, tmp_path: Path) -> None:
    out = tmp_path / "feeds"
    build(seeds, out, load_config(write_config(tmp_path / "feedtool.toml", BASE)), ping=False)
    assert "hub" not in _links(feedparser.parse((out / "atom.xml").read_bytes()))
    assert "hubs" not in json.loads((out / "feed.json").read_text("utf-8"))
