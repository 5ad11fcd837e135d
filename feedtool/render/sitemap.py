"""Renderer ``sitemap``: ``sitemap.xml`` and the Google News ``sitemap-news.xml``.

``sitemap.xml`` (sitemaps.org 0.9) lists the home page and every article page
with ``<lastmod>``; past 50,000 URLs (the protocol's limit per file) it
becomes a sitemap index of ``sitemap-1.xml``, ``sitemap-2.xml``….

``sitemap-news.xml`` lists the articles published in the two days before the
newest one, at most 1,000 (Google News' limits). The window is anchored on
the newest article, not on the clock, so a rebuild of the same input is
byte-identical.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
from collections.abc import Iterator, Sequence
from typing import cast

import orjson
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from feedtool.model import NewsItem
from feedtool.render import (
    ItemRef,
    Output,
    Planned,
    Site,
    fingerprint,
    item_updated,
    renderer,
)
from feedtool.render._common import clean, home_url, iso, isos, published, xml_bytes, xml_text

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"

MAX_URLS = 50_000
NEWS_MAX_ITEMS = 1_000
NEWS_WINDOW = dt.timedelta(days=2)

# Google News takes ISO 639 codes, except for Chinese, which it wants by script.
_NEWS_LANGUAGES = {"zh-hans": "zh-cn", "zh-cn": "zh-cn", "zh-hant": "zh-tw", "zh-tw": "zh-tw"}


@renderer("sitemap", needs=("html",))
def render_sitemap(site: Site) -> Iterator[Output | Planned]:
    """Yield ``sitemap.xml`` (or an index and its parts) and ``sitemap-news.xml``."""
    if not site.owns_rest():
        return
    # Both are made from the refs alone (URLs, dates, headlines).
    refs = site.refs
    if len(refs) + 1 <= MAX_URLS:
        yield Planned(
            "sitemap.xml",
            _lastmods_fingerprint(_lastmods(site)),
            lambda: dict(_sitemaps(site))["sitemap.xml"],
        )
    else:
        yield from _sitemaps(site)
    news = news_items(refs, newest_first=site.newest_first)
    yield Planned(
        "sitemap-news.xml",
        fingerprint([(i.url, i.headline, i.language, published(i).isoformat()) for i in news]),
        lambda: news_sitemap(site),
    )


def _lastmods(site: Site) -> list[tuple[str, dt.datetime]]:
    """Each item's URL and ``item_updated``, in order: once per site (an edit plans
    and renders the sitemap, and each pass over 20,000 refs counts)."""

    def lastmods() -> list[tuple[str, dt.datetime]]:
        found = [(ref.url, ref.date_modified or ref.date_published) for ref in site.refs]
        if any(stamp is None for _, stamp in found):
            for ref in site.refs:
                item_updated(ref)  # raises for the item that is not published
        return found  # type: ignore[return-value]

    return site.derived("sitemap lastmods", lastmods)


def _lastmods_fingerprint(lastmods: list[tuple[str, dt.datetime]]) -> str:
    """A digest of the URLs and times (``_lastmods``): what ``sitemap.xml`` shows.

    Each time is serialised by orjson when all have fixed offsets of whole
    minutes (orjson writes an offset to the minute; ``iso`` to the second),
    else by ``isoformat``: an edit plans the sitemap of 20,000 URLs, and
    20,000 ``isoformat`` calls were half of it.
    """
    zones = {stamp.tzinfo for _, stamp in lastmods}
    if all(type(zone) is dt.timezone and not zone.utcoffset(None).seconds % 60 for zone in zones):
        return hashlib.sha256(orjson.dumps(lastmods)).hexdigest()[:32]
    return fingerprint([(url, stamp.isoformat()) for url, stamp in lastmods])


def _sitemaps(site: Site) -> Iterator[Output]:
    config = site.config
    lastmods = _lastmods(site)
    entries: list[tuple[str, dt.datetime | None]] = [
        (home_url(config), max((stamp for _, stamp in lastmods), default=None))
    ]
    entries.extend(lastmods)
    if len(entries) <= MAX_URLS:
        yield "sitemap.xml", _urlset(entries)
    else:
        parts = [entries[i : i + MAX_URLS] for i in range(0, len(entries), MAX_URLS)]
        index = etree.Element(f"{{{SITEMAP_NS}}}sitemapindex", nsmap={None: SITEMAP_NS})
        for number, part in enumerate(parts, 1):
            name = f"sitemap-{number}.xml"
            yield name, _urlset(part)
            sitemap = etree.SubElement(index, f"{{{SITEMAP_NS}}}sitemap")
            etree.SubElement(sitemap, f"{{{SITEMAP_NS}}}loc").text = config.absolute(name)
            newest = max((stamp for _, stamp in part if stamp is not None), default=None)
            if newest is not None:
                etree.SubElement(sitemap, f"{{{SITEMAP_NS}}}lastmod").text = iso(newest)
        yield "sitemap.xml", xml_bytes(index)


def _urlset(entries: Sequence[tuple[str, dt.datetime | None]]) -> bytes:
    """The ``<urlset>`` of ``entries``, as :func:`_urlset_tree` serialises it.

    Written as text: every edit of one article re-renders the sitemap, and
    building and serialising a tree of 20,000 URLs is most of an edit build's
    render time. A URL that needs escaping (or is no plain printable text)
    goes through lxml, which escapes it, or refuses it, as the tree would.
    """
    parts = [_URLSET_HEAD]
    # The times all at once (``isos``), and the URLs looked at once when none
    # needs escaping (the usual case): both were per URL, 20,000 times an edit.
    times = iter(isos([lastmod for _, lastmod in entries if lastmod is not None]))
    every = "".join([loc for loc, _ in entries])
    plain = every.isprintable() and not any(char in every for char in _ESCAPED)
    for loc, lastmod in entries:
        if plain or (loc.isprintable() and not _ESCAPED.intersection(loc)):
            text = loc
        else:
            text = _lxml_text(loc)
        if lastmod is None:
            parts.append(f"  <url>\n    <loc>{text}</loc>\n  </url>\n")
        else:
            parts.append(
                f"  <url>\n    <loc>{text}</loc>\n    <lastmod>{next(times)}</lastmod>\n  </url>\n"
            )
    if len(parts) == 1:  # an empty element is written <urlset .../>
        return _urlset_tree(entries)
    parts.append("</urlset>\n")
    return "".join(parts).encode("utf-8")


_URLSET_HEAD = f"<?xml version='1.0' encoding='UTF-8'?>\n<urlset xmlns=\"{SITEMAP_NS}\">\n"
#: Characters lxml writes as references in element text.
_ESCAPED = frozenset("&<>\r")


def _lxml_text(value: str) -> str:
    return xml_text(value).decode("utf-8")


def _urlset_tree(entries: Sequence[tuple[str, dt.datetime | None]]) -> bytes:
    """The ``<urlset>`` of ``entries``, built and serialised by lxml."""
    urlset = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS})
    for loc, lastmod in entries:
        url = etree.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = loc
        if lastmod is not None:
            etree.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = iso(lastmod)
    return xml_bytes(urlset)


def news_items(
    items: Sequence[NewsItem | ItemRef], *, newest_first: bool = False
) -> list[NewsItem | ItemRef]:
    """The items a news sitemap lists: two days back from the newest, newest first.

    ``newest_first``: ``items`` are dated and in order of publication, newest
    first (``Site.newest_first``): the items of the window are the first ones,
    read alone (at 20,000 articles an edit compared and sorted every date).
    """
    if not items:
        return []
    if newest_first:
        return _news_of_newest_first(items)
    # The dates once, as attributes (20,000 calls of ``published`` were most of
    # an edit's sitemap plan); ``published`` names an item that has none.
    stamps = [item.date_published for item in items]
    if None in stamps:
        for item in items:
            published(item)
    dated = cast(list[dt.datetime], stamps)
    oldest = max(dated) - NEWS_WINDOW
    recent = [item for item, stamp in zip(items, dated, strict=True) if stamp >= oldest]
    recent.sort(key=lambda item: (-published(item).timestamp(), item.url))
    return recent[:NEWS_MAX_ITEMS]


def _news_of_newest_first(items: Sequence[NewsItem | ItemRef]) -> list[NewsItem | ItemRef]:
    """``news_items`` of items in order of publication, newest first: the same list,
    read from the start. Items of one instant are a run of them, each run put
    in the order of their URLs (the sort's second key), until the list is full."""
    oldest = published(items[0]) - NEWS_WINDOW
    found: list[NewsItem | ItemRef] = []
    start, count = 0, len(items)
    while start < count and len(found) < NEWS_MAX_ITEMS:
        stamp = published(items[start])
        if stamp < oldest:
            break
        stop = start + 1
        while stop < count and published(items[stop]) == stamp:
            stop += 1
        run = items[start:stop]
        found += run if len(run) == 1 else sorted(run, key=_URL)
        start = stop
    return found[:NEWS_MAX_ITEMS]


_URL = operator.attrgetter("url")


def news_language(language: str) -> str:
    """The ``news:language`` code of a BCP 47 tag ('en-GB' → 'en', 'zh-Hant' → 'zh-tw')."""
    lower = language.lower().replace("_", "-")
    for prefix, code in _NEWS_LANGUAGES.items():
        if lower == prefix or lower.startswith(prefix + "-"):
            return code
    return lower.split("-", 1)[0]


def news_sitemap(site: Site) -> bytes:
    """The Google News sitemap of ``site``."""
    urlset = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS, "news": NEWS_NS})
    publication_name = clean(site.config.publisher.name)
    for item in news_items(site.refs, newest_first=site.newest_first):
        url = etree.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = item.url
        news = etree.SubElement(url, f"{{{NEWS_NS}}}news")
        publication = etree.SubElement(news, f"{{{NEWS_NS}}}publication")
        etree.SubElement(publication, f"{{{NEWS_NS}}}name").text = publication_name
        etree.SubElement(publication, f"{{{NEWS_NS}}}language").text = news_language(item.language)
        etree.SubElement(news, f"{{{NEWS_NS}}}publication_date").text = iso(published(item))
        etree.SubElement(news, f"{{{NEWS_NS}}}title").text = clean(item.headline)
    return xml_bytes(urlset)
