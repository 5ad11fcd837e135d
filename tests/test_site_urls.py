"""URLs that resolve: a front-matter ``url`` decides where the page is written,
and what a build removed answers ``410 Gone`` from ``feedtool serve``."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
from _servers import feedtool_serve

from feedtool import build, load_config
from feedtool.config import Config
from feedtool.errors import ParseError
from feedtool.publish import load_article

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://news.example.org/"

ARTICLE = """+++
{front}
+++
{headline}

The harbour council met on Monday and agreed a new timetable for the ferries.

The change takes effect next month, officials said after the meeting.
"""


def _write(folder: Path, name: str, headline: str, front: str = "") -> Path:
    path = folder / name
    path.write_text(ARTICLE.format(front=front, headline=headline), "utf-8")
    return path


@pytest.fixture
def config() -> Config:
    return load_config(ROOT / "feedtool.toml")


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    _write(folder, "ferry.txt", "Ferry timetable agreed", 'url = "2025/ferry-timetable/"')
    _write(folder, "bridge.txt", "Bridge repairs begin", f'url = "{BASE}news/bridge.html"')
    _write(folder, "plain.txt", "Harbour lights return")
    return folder


def test_front_matter_url_decides_where_the_page_is_written(
    seeds: Path, tmp_path: Path, config: Config
) -> None:
    out = tmp_path / "feeds"
    report = build(seeds, out, config, ping=False)
    assert report.ok, report.errors
    assert (out / "2025/ferry-timetable/index.html").is_file()
    assert (out / "news/bridge.html").is_file()
    assert not (out / "articles/ferry-timetable-agreed.html").exists()
    links = {e.title: e.link for e in feedparser.parse((out / "atom.xml").read_bytes()).entries}
    assert links["Ferry timetable agreed"] == BASE + "2025/ferry-timetable/"
    assert links["Bridge repairs begin"] == BASE + "news/bridge.html"
    sitemap = (out / "sitemap.xml").read_text("utf-8")
    assert f"<loc>{BASE}2025/ferry-timetable/</loc>" in sitemap
    page = (out / "2025/ferry-timetable/index.html").read_text("utf-8")
    assert f'<link rel="canonical" href="{BASE}2025/ferry-timetable/">' in page
    # Relative links from the moved page still reach the rest of the site.
    assert 'href="../../index.html"' in page
    index = (out / "index.html").read_text("utf-8")
    assert 'href="2025/ferry-timetable/index.html"' in index
    assert 'href="news/bridge.html"' in index


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://elsewhere.example.com/story.html", "outside the site"),
        ("2025/story.txt", "ends neither in '/' nor in '.html'"),
        ("../escape.html", "leaves the output folder"),
        ("2025/.hidden/", "leaves the output folder"),
        ("2025/story.html?page=2", "query or fragment"),
        (BASE, "home page"),
    ],
)
def test_front_matter_url_outside_the_output_folder_is_an_error(
    tmp_path: Path, config: Config, url: str, problem: str
) -> None:
    path = _write(tmp_path, "bad.txt", "Ferry timetable agreed", f'url = "{url}"')
    with pytest.raises(ParseError) as caught:
        load_article(path, config)
    assert caught.value.line == 2
    assert "front matter 'url'" in str(caught.value) and problem in str(caught.value)


def test_removed_pages_answer_410_gone(seeds: Path, tmp_path: Path, config: Config) -> None:
    out = tmp_path / "feeds"
    build(seeds, out, config, ping=False)
    page = json.loads((out / "feed.json").read_text())["items"]
    plain = next(i["url"] for i in page if i["title"] == "Harbour lights return")
    plain_path = "/" + plain.removeprefix(BASE)
    (seeds / "plain.txt").unlink()
    (seeds / "ferry.txt").unlink()
    report = build(seeds, out, config, ping=False)
    assert plain_path.lstrip("/") in report.removed
    with feedtool_serve(out) as server:
        status, _, body = server.request("GET", plain_path)
        assert status == 410 and b"Gone" in body
        status, _, _ = server.request("GET", "/2025/ferry-timetable/")
        assert status == 410
        status, _, _ = server.request("GET", "/never-published.html")
        assert status == 404
        status, _, _ = server.request("GET", "/.feedtool-gone")
        assert status == 404  # the tombstone list itself is not served
        # Published again: the tombstone goes.
        _write(seeds, "plain.txt", "Harbour lights return")
        build(seeds, out, config, ping=False)
        status, _, _ = server.request("GET", plain_path)
        assert status == 200
