"""Bounded feeds with RFC 5005 archives: readers page back to the first item."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest
from _validators import atom_grammar
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from feedtool import build, load_config
from feedtool.config import Config
from feedtool.render.archive import HISTORY_NS, archive_pages, subscription_size

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://news.example.org/"


@pytest.fixture
def config() -> Config:
    config = load_config(ROOT / "feedtool.toml")
    return config.model_copy(
        update={
            "feed_size": 3,
            "enrich": config.enrich.model_copy(update={"enabled": ()}),
        }
    )


def _write(seeds: Path, day: int) -> None:
    (seeds / f"{day:02d}.txt").write_text(
        f'+++\npublished = "2025-10-{day:02d}T09:00:00Z"\ntags = ["harbour"]\n+++\n'
        f"Harbour story number {day}\n\nThe harbour authority reported item {day}.\n",
        "utf-8",
    )


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    for day in range(1, 11):
        _write(folder, day)
    return folder


def _page_back(out: Path, start: str) -> list[list[str]]:
    """Entry titles of each document from ``start`` along ``prev-archive`` links."""
    pages = []
    url: str | None = BASE + start
    seen = set()
    while url is not None:
        assert url.startswith(BASE) and url not in seen
        seen.add(url)
        parsed = feedparser.parse((out / url.removeprefix(BASE)).read_bytes())
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        pages.append([entry.title for entry in parsed.entries])
        links = {link.rel: link.href for link in parsed.feed.get("links", [])}
        url = links.get("prev-archive")
    return pages


@pytest.mark.parametrize("feed", ["atom.xml", "rss.xml", "tags/harbour/atom.xml"])
def test_readers_page_back_to_the_first_item(
    seeds: Path, tmp_path: Path, config: Config, feed: str
) -> None:
    out = tmp_path / "out"
    assert build(seeds, out, config, ping=False).ok
    pages = _page_back(out, feed)
    # The subscription feed holds the newest three; the archives the rest, oldest last.
    assert pages[0] == [f"Harbour story number {n}" for n in (10, 9, 8)]
    assert pages[-1] == [f"Harbour story number {n}" for n in (3, 2, 1)]
    seen = {title for page in pages for title in page}
    assert seen == {f"Harbour story number {n}" for n in range(1, 11)}


def test_archive_pages_are_marked_and_linked(seeds: Path, tmp_path: Path, config: Config) -> None:
    out = tmp_path / "out"
    build(seeds, out, config, ping=False)
    grammar = atom_grammar()
    for page in (1, 2, 3):
        document = etree.parse(str(out / "history" / str(page) / "atom.xml"))
        assert grammar.validate(document), grammar.error_log
        root = document.getroot()
        assert root.find(f"{{{HISTORY_NS}}}archive") is not None
        links = {
            link.get("rel"): link.get("href")
            for link in root.iterfind("{http://www.w3.org/2005/Atom}link")
        }
        assert links["current"] == BASE + "atom.xml"
        assert links["self"] == f"{BASE}history/{page}/atom.xml"
        assert ("next-archive" in links) == (page < 3)
        assert ("prev-archive" in links) == (page > 1)
    subscription = etree.parse(str(out / "atom.xml")).getroot()
    assert subscription.find(f"{{{HISTORY_NS}}}archive") is None


def test_full_archive_pages_never_change_when_articles_are_added(
    seeds: Path, tmp_path: Path, config: Config
) -> None:
    out = tmp_path / "out"
    build(seeds, out, config, ping=False)
    before = {p: (out / p).read_bytes() for p in ("history/1/atom.xml", "history/2/rss.xml")}
    _write(seeds, 11)
    report = build(seeds, out, config, ping=False)
    assert not any("history/" in path for path in report.rendered)
    assert {p: (out / p).read_bytes() for p in before} == before
    # The twelfth article fills a fourth page: only the newest pages change.
    _write(seeds, 12)
    report = build(seeds, out, config, ping=False)
    assert {p for p in report.rendered if p.startswith("history/")} >= {
        "history/4/atom.xml",
        "history/3/atom.xml",  # gains its next-archive link; its entries stay
    }
    assert (out / "history/1/atom.xml").read_bytes() == before["history/1/atom.xml"]
    assert _page_back(out, "atom.xml")[-1] == [f"Harbour story number {n}" for n in (3, 2, 1)]


# --------------------------------------------------------------------------- every channel size

_ATOM = "{http://www.w3.org/2005/Atom}"
#: Channel sizes around the page size (3): none, one, exactly one page, one full page
#: and a partial one (which once made a lone archive page), two pages, two and a bit.
_SIZES = {"one": 1, "page": 3, "page-and-one": 4, "page-and-two": 5, "two-pages": 6, "more": 7}


def _sized_seeds(folder: Path) -> None:
    """Seven articles; article ``n`` carries the tag and author of every size ≥ ``n``."""
    folder.mkdir()
    for n in range(1, 8):
        names = [name for name, size in _SIZES.items() if size >= n]
        (folder / f"{n:02d}.txt").write_text(
            f'+++\npublished = "2025-10-{n:02d}T09:00:00Z"\n'
            f"tags = {names!r}\n"
            f"authors = {[f'Writer {name}' for name in names]!r}\n+++\n"
            f"Sized story number {n}\n\nThe desk reported item {n}.\n".replace("'", '"'),
            "utf-8",
        )


def _links(root: etree._Element, rss: bool) -> dict[str, str]:
    parent = root.find("channel") if rss else root
    assert parent is not None
    return {link.get("rel"): link.get("href") for link in parent.iterfind(f"{_ATOM}link")}


def _entries(root: etree._Element, rss: bool) -> list[str]:
    if rss:
        return [guid.text for guid in root.iterfind("channel/item/guid")]
    return [ident.text for ident in root.iterfind(f"{_ATOM}entry/{_ATOM}id")]


@pytest.mark.parametrize("name", ["atom.xml", "rss.xml"])
def test_every_archive_links_a_neighbour_whatever_the_channel_size(
    tmp_path: Path, config: Config, name: str
) -> None:
    """The W3C validator's archive rules, checked without it, for main, tag and author
    feeds of every size: an archive document (``fh:archive``) has ``current`` and a
    ``prev-archive`` or ``next-archive`` (else "Archive incomplete"); the links form
    one chain, newest to oldest and back; full pages only; the subscription feed
    stays bounded; following the chain gives every item of the channel once."""
    seeds, out = tmp_path / "seeds", tmp_path / "out"
    _sized_seeds(seeds)
    config = config.model_copy(
        update={"tags": config.tags.model_copy(update={"feeds_min_items": 1})}
    )
    assert build(seeds, out, config, ping=False).ok
    rss = name == "rss.xml"
    size = config.feed_size
    checked: dict[str, int] = {}
    channels = {"": 7} | {f"tags/{n}/": s for n, s in _SIZES.items()}
    channels |= {f"authors/writer-{n}/": s for n, s in _SIZES.items()}
    documents = {p.relative_to(out).as_posix() for p in out.rglob(name)}
    archives = {d for d in documents if "/history/" in f"/{d}"}
    for prefix, count in channels.items():
        url = BASE + prefix + name
        root = etree.parse(str(out / prefix / name)).getroot()
        assert root.find(f".//{{{HISTORY_NS}}}archive") is None
        ids = _entries(root, rss)
        assert len(ids) <= 2 * size - 1
        seen = list(ids)
        newer, page_url = url, _links(root, rss).get("prev-archive")
        pages = 0
        while page_url is not None:
            path = page_url.removeprefix(BASE)
            assert path in archives, page_url
            page = etree.parse(str(out / path)).getroot()
            assert page.find(f".//{{{HISTORY_NS}}}archive") is not None
            links = _links(page, rss)
            assert links["current"] == url
            assert "prev-archive" in links or "next-archive" in links, path
            if newer != url:
                assert links["next-archive"] == newer
            page_ids = _entries(page, rss)
            assert len(page_ids) == size
            seen += page_ids
            pages += 1
            checked[path] = 1
            newer, page_url = page_url, links.get("prev-archive")
        if newer != url:
            assert "next-archive" in links
        assert pages == (count // size if count >= 2 * size else 0), prefix
        assert len(set(seen)) == count, prefix
    # Every archive document belongs to one of the chains above.
    assert set(checked) == archives
    # Main: two pages; the tags and authors "two-pages" and "more": two each.
    assert len(archives) == 2 + 2 * 2 + 2 * 2


@given(st.integers(0, 10_000), st.integers(1, 200))
def test_paging_policy_for_any_channel_size(count: int, size: int) -> None:
    """Never one archive page alone; the subscription feed bounded; every item shown."""
    pages = archive_pages(count, size)
    shown = subscription_size(count, size)
    assert pages != 1
    assert shown <= min(count, 2 * size - 1)
    assert pages * size + shown >= count  # the archives and the feed hold every item
    assert pages * size <= count  # archive pages are full
    if pages:
        assert shown == size  # once archived, the feed holds the newest feed_size
    assert subscription_size(count, size, archives=False) == min(count, size)
