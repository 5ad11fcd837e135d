"""Sitemaps, the OPML subscription list and IPTC ninjs, read back with real parsers.

The items are built directly from the model, so these tests do not depend on
the parser or the enrichers; one test at the end renders the seed article
through the whole pipeline and validates its ninjs against the IPTC schema.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import shutil
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from _validators import ninjs_validator
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from feedtool.config import Config, PublisherConfig
from feedtool.model import (
    EmbeddedPost,
    Evidence,
    Heading,
    Image,
    NewsItem,
    Paragraph,
    Person,
    Publisher,
    Tag,
)
from feedtool.render import Channel, Site, render_site
from feedtool.render._common import iso, isos
from feedtool.render.ninjs import ninjs
from feedtool.render.sitemap import NEWS_NS, SITEMAP_NS, _lastmods_fingerprint, news_language

ROOT = Path(__file__).resolve().parents[1]
TEHRAN = dt.timezone(dt.timedelta(hours=3, minutes=30))
NS = {"s": SITEMAP_NS, "news": NEWS_NS}


def _config(**extra: Any) -> Config:
    return Config(
        title="Regional Desk",
        description="News on the region.",
        base_url="https://news.example.org/",
        publisher=PublisherConfig(name="Regional Desk Publishing", url="https://news.example.org/"),
        **extra,
    )


def _tag(kind: str, name: str, **extra: Any) -> Tag:
    slug = name.lower().replace(" ", "-")
    return Tag.model_validate(
        {"kind": kind, "name": name, "slug": slug, "evidence": Evidence(mentions=1), **extra}
    )


def _item(number: int, published: dt.datetime, **extra: Any) -> NewsItem:
    slug = f"story-{number}"
    fields: dict[str, Any] = {
        "id": f"tag:news.example.org,{published.date().isoformat()}:{slug}",
        "url": f"https://news.example.org/articles/{slug}.html",
        "slug": slug,
        "headline": f"Story {number} & <friends>",
        "description": f"What happened in story {number}.",
        "body": (
            Paragraph(text="First paragraph with <b>markup-like</b> text.", line=3),
            Heading(text="Context", line=4),
            EmbeddedPost(
                text="ہم بھائی ہیں",
                author="Ali Larijani",
                handle="alilarijani_ir",
                line=5,
                language="ur",
            ),
        ),
        "publisher": Publisher(name="Regional Desk Publishing", url="https://news.example.org/"),
        "date_published": published,
        "language": "en",
        "word_count": 12,
        "source_path": f"{slug}.txt",
        "content_hash": "0" * 64,
    }
    fields.update(extra)
    return NewsItem.model_validate(fields)


def _site(items: list[NewsItem], config: Config | None = None) -> Site:
    config = config or _config()
    items = sorted(items, key=lambda i: i.date_published or dt.datetime.min, reverse=True)
    tags: dict[str, list[NewsItem]] = {}
    for item in items:
        for tag in item.tags:
            tags.setdefault(tag.slug, []).append(item)
    channels = tuple(
        Channel(
            prefix=f"tags/{slug}/",
            title=f"{config.title}: {slug}",
            description=f"Tagged {slug}",
            items=tuple(group),
        )
        for slug, group in sorted(tags.items())
    )
    return Site(config=config, items=tuple(items), tag_channels=channels)


def _render(site: Site, name: str) -> dict[str, bytes]:
    return dict(render_site(site, (name,)))


NEWEST = dt.datetime(2025, 10, 28, 12, 0, tzinfo=TEHRAN)


# --------------------------------------------------------------------------- sitemap.xml


def test_sitemap_lists_home_and_every_article_with_lastmod() -> None:
    edited = NEWEST + dt.timedelta(hours=5)
    items = [
        _item(1, NEWEST, date_modified=edited),
        _item(2, NEWEST - dt.timedelta(days=10)),
    ]
    files = _render(_site(items), "sitemap")
    root = etree.fromstring(files["sitemap.xml"])
    assert root.tag == f"{{{SITEMAP_NS}}}urlset"
    entries = {
        url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS)
        for url in root.findall("s:url", NS)
    }
    assert entries == {
        "https://news.example.org/index.html": "2025-10-28T17:00:00+03:30",
        "https://news.example.org/articles/story-1.html": "2025-10-28T17:00:00+03:30",
        "https://news.example.org/articles/story-2.html": "2025-10-18T12:00:00+03:30",
    }


def test_sitemap_splits_into_an_index_past_50000_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    from feedtool.render import sitemap

    monkeypatch.setattr(sitemap, "MAX_URLS", 2)
    items = [_item(n, NEWEST - dt.timedelta(hours=n)) for n in range(1, 5)]
    files = _render(_site(items), "sitemap")
    index = etree.fromstring(files["sitemap.xml"])
    assert index.tag == f"{{{SITEMAP_NS}}}sitemapindex"
    locs = [e.text for e in index.findall("s:sitemap/s:loc", NS)]
    assert locs == [f"https://news.example.org/sitemap-{n}.xml" for n in (1, 2, 3)]
    listed = [
        loc.text
        for n in (1, 2, 3)
        for loc in etree.fromstring(files[f"sitemap-{n}.xml"]).findall("s:url/s:loc", NS)
    ]
    assert len(listed) == 5 and len(set(listed)) == 5


@pytest.mark.parametrize(
    "loc",
    [
        "https://news.example.org/articles/plain.html",
        "https://news.example.org/a.html?q=1&r=<2>&s='\"'",
        "https://news.example.org/caf\u00e9/\u00fc ber\u00a0\u2028.html",
        "https://news.example.org/tab\there\r\n.html",
    ],
)
def test_sitemap_text_is_what_lxml_writes(loc: str) -> None:
    """The urlset is written as text (an edit re-renders it): byte for byte the
    tree lxml would serialise, escaping included."""
    from feedtool.render.sitemap import _urlset, _urlset_tree

    for entries in (
        [(loc, NEWEST), (loc + "2", None)],
        [("https://news.example.org/index.html", None)],
        [],
    ):
        assert _urlset(entries) == _urlset_tree(entries)
    with pytest.raises(ValueError):
        _urlset([("https://news.example.org/\x00.html", NEWEST)])


def test_sitemap_text_escapes_only_the_urls_that_need_it() -> None:
    """One URL that needs escaping among plain ones: the plain ones are looked
    at all at once, that one alone as lxml writes it."""
    from feedtool.render.sitemap import _urlset, _urlset_tree

    entries = [
        ("https://news.example.org/a.html", NEWEST),
        ("https://news.example.org/b.html?q=1&r=<2>", None),
        ("https://news.example.org/caf\u00e9.html", NEWEST - dt.timedelta(days=400)),
    ]
    for order in (entries, entries[::-1], entries[:1] + entries[2:]):
        assert _urlset(order) == _urlset_tree(order)


_OFFSETS = st.one_of(
    st.integers(-23 * 60, 23 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m))),
    st.integers(-86399, 86399).map(lambda s: dt.timezone(dt.timedelta(seconds=s))),
    st.sampled_from([dt.UTC, ZoneInfo("Asia/Tehran"), ZoneInfo("America/St_Johns")]),
)


@given(
    st.lists(
        st.builds(
            lambda when, zone: when.replace(tzinfo=zone),
            st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),
            _OFFSETS,
        ),
        max_size=8,
    )
)
def test_times_all_at_once_are_each_ones_iso(stamps: list[dt.datetime]) -> None:
    """``isos`` (orjson for fixed offsets of whole minutes, else ``iso`` each)
    writes every time as ``iso`` does: offsets to the second, zones, years
    before 1000, microseconds dropped."""
    assert isos(stamps) == [iso(stamp) for stamp in stamps]


# --------------------------------------------------------------------------- sitemap-news.xml


def test_news_sitemap_window_is_two_days_before_the_newest_article() -> None:
    items = [
        _item(1, NEWEST),
        _item(2, NEWEST - dt.timedelta(days=2)),  # exactly at the edge: kept
        _item(3, NEWEST - dt.timedelta(days=2, seconds=1)),  # just outside
        _item(4, NEWEST - dt.timedelta(days=30)),
    ]
    root = etree.fromstring(_render(_site(items), "sitemap")["sitemap-news.xml"])
    urls = root.findall("s:url", NS)
    assert [u.findtext("s:loc", namespaces=NS) for u in urls] == [
        "https://news.example.org/articles/story-1.html",
        "https://news.example.org/articles/story-2.html",
    ]
    news = urls[0].find("news:news", NS)
    assert news is not None
    assert news.findtext("news:publication/news:name", namespaces=NS) == "Regional Desk Publishing"
    assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
    assert news.findtext("news:publication_date", namespaces=NS) == "2025-10-28T12:00:00+03:30"
    assert news.findtext("news:title", namespaces=NS) == "Story 1 & <friends>"


def test_news_sitemap_is_anchored_on_the_newest_article_not_the_clock() -> None:
    # Articles from 2004 still make a non-empty news sitemap: nothing compares to "now".
    old = dt.datetime(2004, 5, 1, 9, 30, tzinfo=dt.UTC)
    root = etree.fromstring(_render(_site([_item(1, old)]), "sitemap")["sitemap-news.xml"])
    assert len(root.findall("s:url", NS)) == 1


def test_news_sitemap_holds_at_most_1000_newest_first() -> None:
    items = [_item(n, NEWEST - dt.timedelta(minutes=n)) for n in range(1, 1006)]
    root = etree.fromstring(_render(_site(items), "sitemap")["sitemap-news.xml"])
    locs = [u.findtext("s:loc", namespaces=NS) for u in root.findall("s:url", NS)]
    assert len(locs) == 1000
    assert locs[0].endswith("/story-1.html") and locs[-1].endswith("/story-1000.html")


def test_news_language_codes() -> None:
    assert news_language("en-GB") == "en"
    assert news_language("ur") == "ur"
    assert news_language("zh-Hant-TW") == "zh-tw"
    assert news_language("zh-CN") == "zh-cn"


def test_sitemaps_of_an_empty_site_are_well_formed() -> None:
    files = _render(_site([]), "sitemap")
    assert etree.fromstring(files["sitemap.xml"]).findall("s:url", NS)[0] is not None
    assert etree.fromstring(files["sitemap-news.xml"]).findall("s:url", NS) == []


# --------------------------------------------------------------------------- feeds.opml


def test_opml_lists_main_and_tag_feeds() -> None:
    items = [
        _item(1, NEWEST, tags=(_tag("place", "Pakistan"), _tag("person", "Ali Larijani"))),
        _item(2, NEWEST - dt.timedelta(days=1), tags=(_tag("place", "Pakistan"),)),
    ]
    site = _site(items)
    root = etree.fromstring(_render(site, "opml")["feeds.opml"])
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") == "Regional Desk: feeds"
    outlines = [o for o in root.iter("outline") if o.get("xmlUrl")]
    urls = [o.get("xmlUrl") for o in outlines]
    base = "https://news.example.org/"
    # The main feeds, then tag feeds by kind (people before places), then authors.
    tags = [u for u in urls if "/tags/" in u]
    assert urls[:3] == [base + "rss.xml", base + "atom.xml", base + "feed.json"]
    assert tags == [base + "tags/ali-larijani/rss.xml", base + "tags/pakistan/rss.xml"]
    assert all("/authors/" in u for u in urls[3 + len(tags) :])
    titles = [o.get("text") for o in outlines]
    assert len(set(titles)) == len(titles)  # a reader tells every subscription apart
    for outline in outlines:
        assert outline.get("type") == "rss"
        url = outline.get("xmlUrl")
        # Author feeds link their page; these test tag channels carry no tag (no page).
        page = url.rsplit("/", 1)[0] + "/" if "/authors/" in url else None
        assert outline.get("htmlUrl") == (page or base + "index.html")
        assert outline.get("text") and outline.get("text") == outline.get("title")
    # dateModified is the newest item's date as RFC 822, never the clock.
    modified = email.utils.parsedate_to_datetime(root.findtext("head/dateModified") or "")
    assert modified == NEWEST


def test_opml_tag_feeds_sit_in_a_folder() -> None:
    """Readers show an outline without ``xmlUrl`` as a folder of the ones inside it."""
    site = _site([_item(1, NEWEST, tags=(_tag("topic", "Diplomacy"),))])
    root = etree.fromstring(_render(site, "opml")["feeds.opml"])
    folder = root.find("body/outline[@text='Tags']")
    assert folder is not None and folder.get("xmlUrl") is None
    assert [o.get("xmlUrl") for o in folder] == ["https://news.example.org/tags/diplomacy/rss.xml"]


# --------------------------------------------------------------------------- ninjs


def _assert_valid(data: dict[str, Any]) -> None:
    errors = sorted(ninjs_validator().iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def _rich_item() -> NewsItem:
    return _item(
        1,
        NEWEST,
        date_modified=NEWEST + dt.timedelta(hours=1),
        authors=(Person(name="Sara Ahmadi", url="https://news.example.org/sara"),),
        image=Image(
            url="https://img.example.org/a.jpg", caption="Two men shake hands", credit="WANA"
        ),
        tags=(
            _tag("person", "Ali Larijani", same_as=("https://www.wikidata.org/wiki/Q355720",)),
            _tag("organization", "Supreme National Security Council"),
            _tag("place", "Pakistan", code="PK", uri="https://www.wikidata.org/wiki/Q843"),
            _tag(
                "topic",
                "diplomacy",
                code="medtop:20000638",
                scheme="http://cv.iptc.org/newscodes/mediatopic/",
            ),
            _tag("keyword", "strategic partnership"),
        ),
    )


def test_ninjs_maps_the_item() -> None:
    data = ninjs(_rich_item(), _config())
    _assert_valid(data)
    assert data["uri"] == "tag:news.example.org,2025-10-28:story-1"
    assert data["type"] == "text"
    assert data["firstCreated"] == "2025-10-28T12:00:00+03:30"
    assert data["versionCreated"] == "2025-10-28T13:00:00+03:30"
    assert data["headlines"] == [
        {"role": "main", "contentType": "text/plain", "value": "Story 1 & <friends>"}
    ]
    bodies = {b["contentType"]: b for b in data["bodies"]}
    html = etree.fromstring(f"<div>{bodies['text/html']['value']}</div>", etree.HTMLParser())
    # The body's "<b>" is text, not markup, in both bodies.
    assert html.find(".//b") is None
    assert "<b>markup-like</b>" in bodies["text/plain"]["value"]
    post = html.find(".//blockquote")
    assert post is not None and post.get("lang") == "ur" and post.get("dir") == "rtl"
    assert bodies["text/plain"]["charCount"] == len(bodies["text/plain"]["value"])
    assert data["people"] == [
        {"name": "Sara Ahmadi", "rel": "author", "uri": "https://news.example.org/sara"},
        {
            "name": "Ali Larijani",
            "rel": "mentioned",
            "uri": "https://www.wikidata.org/wiki/Q355720",
            "literal": "ali-larijani",
        },
    ]
    assert data["places"][0]["uri"] == "https://www.wikidata.org/wiki/Q843"
    assert data["places"][0]["literal"] == "PK"
    topic, keyword = data["subjects"]
    assert topic["uri"] == "http://cv.iptc.org/newscodes/mediatopic/20000638"
    assert topic["literal"] == "medtop:20000638"
    assert keyword == {
        "name": "strategic partnership",
        "rel": "keyword",
        "literal": "strategic-partnership",
    }
    (picture,) = data["associations"]
    assert picture["type"] == "picture" and picture["uri"] == "https://img.example.org/a.jpg"
    assert picture["descriptions"][0]["value"] == "Two men shake hands"


def test_ninjs_of_a_minimal_item_is_valid() -> None:
    data = ninjs(_item(2, NEWEST), _config())
    _assert_valid(data)
    assert "associations" not in data and "people" not in data


def test_ninjs_refuses_a_non_uri_in_uri_fields() -> None:
    # A tag with a relative "uri" must not make the document invalid.
    item = _item(3, NEWEST, tags=(_tag("person", "X Y", uri="not a uri"),))
    data = ninjs(item, _config())
    _assert_valid(data)
    assert "uri" not in data["people"][0]


def test_ninjs_schema_rejects_what_it_should() -> None:
    """The validator is strict: an unknown property is an error (so the tests above can fail)."""
    data = ninjs(_item(2, NEWEST), _config())
    data["keywords"] = ["x"]
    assert list(ninjs_validator().iter_errors(data))


def test_ninjs_files_are_written_per_article() -> None:
    files = _render(_site([_rich_item(), _item(2, NEWEST)]), "ninjs")
    assert sorted(files) == ["articles/story-1.ninjs.json", "articles/story-2.ninjs.json"]
    assert json.loads(files["articles/story-2.ninjs.json"])["slugline"] == "story-2"


def test_seed_article_ninjs_is_valid(tmp_path: Path) -> None:
    """The founding seed through the whole pipeline gives schema-valid ninjs."""
    from feedtool.config import load_config
    from feedtool.publish import build

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(ROOT / "seeds" / "000_ae4195037769579a.txt", seeds)
    report = build(seeds, tmp_path / "out", load_config(ROOT / "feedtool.toml"), ping=False)
    assert report.errors == ()
    (path,) = (tmp_path / "out" / "articles").glob("*.ninjs.json")
    data = json.loads(path.read_text("utf-8"))
    _assert_valid(data)
    assert data["headlines"][0]["value"] == "Iran, Pakistan discuss expanding strategic partnership"
    assert data["language"] == "en"


@pytest.mark.parametrize(
    "zone",
    [
        dt.timezone(dt.timedelta(hours=3, minutes=30)),
        dt.timezone(dt.timedelta(hours=-5)),
        dt.timezone(dt.timedelta(hours=3, minutes=30, seconds=15)),  # an offset to the second
        ZoneInfo("Asia/Tehran"),
    ],
)
def test_the_sitemap_fingerprint_tells_apart_what_the_sitemap_shows(zone: dt.tzinfo) -> None:
    """``sitemap.xml`` is planned again when a URL or a shown time changes: the
    fingerprint of the URLs and times differs for a second more, another
    offset (to the second) or another URL."""
    when = dt.datetime(2025, 3, 26, 9, 30, tzinfo=zone)
    lastmods = [("https://x.org/a.html", when), ("https://x.org/b.html", when)]
    digest = _lastmods_fingerprint(lastmods)
    assert _lastmods_fingerprint(list(lastmods)) == digest
    later = [lastmods[0], (lastmods[1][0], when + dt.timedelta(seconds=1))]
    moved = [lastmods[0], (lastmods[1][0], when.replace(tzinfo=dt.timezone(dt.timedelta(0))))]
    shifted = dt.timezone((when.utcoffset() or dt.timedelta(0)) + dt.timedelta(seconds=1))
    second = [lastmods[0], (lastmods[1][0], when.replace(tzinfo=shifted))]
    renamed = [lastmods[0], ("https://x.org/c.html", when)]
    others = [_lastmods_fingerprint(changed) for changed in (later, moved, second, renamed)]
    assert digest not in others and len(set(others)) == 4


# --------------------------------------------------------------------------- newest first


class _Dated:
    """An item of the news sitemap: a URL and a publication date that counts its reads."""

    reads = 0

    def __init__(self, url: str, stamp: dt.datetime) -> None:
        self.url, self._stamp = url, stamp

    @property
    def date_published(self) -> dt.datetime:
        _Dated.reads += 1
        return self._stamp


_MINUTES = st.lists(
    st.tuples(st.integers(0, 6000), st.sampled_from(["a", "b", "c"]), st.sampled_from([0, 210])),
    max_size=40,
)


@given(_MINUTES, st.integers(1, 8))
def test_news_items_of_newest_first_items_are_those_of_the_sort(
    minutes: list[tuple[int, str, int]], most: int
) -> None:
    """Items already newest first (as a build's refs are) give the news sitemap the
    list the sort gives: the same window, ties in the order of their URLs, the
    same cut (every offset, equal instants in other offsets, equal URLs)."""
    from feedtool.render import sitemap

    base = dt.datetime(2025, 11, 1, tzinfo=dt.UTC)
    items = [
        _Dated(
            f"https://news.example.org/{name}.html",
            (base - dt.timedelta(minutes=minute)).astimezone(
                dt.timezone(dt.timedelta(minutes=offset))
            ),
        )
        for minute, name, offset in sorted(minutes)
    ]
    old, sitemap.NEWS_MAX_ITEMS = sitemap.NEWS_MAX_ITEMS, most
    try:
        fast = sitemap.news_items(items, newest_first=True)  # type: ignore[arg-type]
        assert fast == sitemap.news_items(items)  # type: ignore[arg-type]
    finally:
        sitemap.NEWS_MAX_ITEMS = old


def test_news_items_of_newest_first_items_read_only_the_window() -> None:
    from feedtool.render.sitemap import news_items

    base = dt.datetime(2025, 11, 1, tzinfo=dt.UTC)
    items = [_Dated(f"{n}.html", base - dt.timedelta(hours=n)) for n in range(10_000)]
    _Dated.reads = 0
    found = news_items(items, newest_first=True)  # type: ignore[arg-type]
    assert [i.url for i in found] == [f"{n}.html" for n in range(49)]
    # The 49 items of the two days and the one after them, a few reads each;
    # the sort read every item's date (10,000 items) more than once.
    assert _Dated.reads < 500


def test_a_site_knows_whether_its_refs_are_newest_first() -> None:
    """``Site.newest_first``: a build's refs are; lists sorted by publication then
    are the refs themselves (the home and month listings, the news sitemap)."""
    from feedtool.render import html

    stamps = [dt.datetime(2025, 10, 31, 23, 0, tzinfo=TEHRAN), dt.datetime(2025, 11, 1, 1, 0)]
    # Two months in Tehran, one in UTC; the newest first.
    ordered = [
        _item(2, stamps[1].replace(tzinfo=dt.UTC)),
        _item(1, stamps[1].replace(tzinfo=TEHRAN)),
        _item(3, stamps[0]),
    ]
    site = Site(config=_config(timezone="Asia/Tehran"), items=tuple(ordered))
    assert site.newest_first
    assert html._newest_first(site) is site.refs
    shuffled = Site(config=site.config, items=(ordered[2], ordered[0], ordered[1]))
    assert not shuffled.newest_first
    assert list(html._newest_first(shuffled)) == list(site.refs)
    assert html._months(shuffled) == html._months(site)
    assert [len(month) for month in html._months(site).values()] == [2, 1]
