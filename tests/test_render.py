"""The render stage, read back the way real consumers read it.

Feeds go through feedparser (and, for Atom, the RFC 4287 RELAX NG grammar);
JSON Feed through its JSON Schema; JSON-LD through the schema.org 30.0
vocabulary and pyld; pages through lxml.html and extruct. Golden files pin the
exact bytes: ``FEEDTOOL_REGEN_GOLDEN=1 pytest tests/test_render.py`` rewrites them.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import extruct
import feedparser
import lxml.html
import pytest
from _validators import atom_grammar, jsonfeed_validator, schemaorg
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from feedtool._text import HEADLINE_LIMIT, is_rtl
from feedtool.model import NewsItem
from feedtool.render import Fragments, Site, item_updated, render_site
from feedtool.render._common import (
    body_html,
    content_html,
    json_bytes,
    lang_attrs,
    summary_text,
)
from feedtool.render.jsonld import article_jsonld, headline, script_json
from feedtool.render.rss import _hex_references

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "render"
RENDERERS = ("rss", "atom", "jsonfeed", "jsonld", "html")

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
IPTC = "http://cv.iptc.org/newscodes/mediatopic/"
HUB = "https://hub.example.org/"
PWNED = "</script><script>window.__pwned"


def _render(site: Site) -> dict[str, bytes]:
    outputs: dict[str, bytes] = {}
    for path, data in render_site(site, RENDERERS):
        assert path not in outputs, f"{path} written twice"
        outputs[path] = data
    return outputs


def _html_text(fragment: str) -> str:
    return str(lxml.html.fragment_fromstring(fragment, create_parent="div").text_content())


def _stamp(struct: Any) -> int:
    return calendar.timegm(struct)


def _seconds(moment: dt.datetime) -> int:
    return int(moment.timestamp())


@pytest.fixture
def outputs(sample_site: Site) -> dict[str, bytes]:
    return _render(sample_site)


def _by_slug(site: Site, slug: str) -> NewsItem:
    return next(item for item in site.items if item.slug == slug)


# --------------------------------------------------------------------------- file set


def test_every_channel_gets_every_feed(sample_site: Site, outputs: dict[str, bytes]) -> None:
    expected = {"index.html"}
    for channel in sample_site.channels:
        expected |= {channel.prefix + n for n in ("rss.xml", "atom.xml", "feed.json")}
    for item in sample_site.items:
        expected |= {f"articles/{item.slug}.html", f"articles/{item.slug}.jsonld"}
    assert set(outputs) == expected
    assert {c.prefix for c in sample_site.tag_channels} == {"tags/pakistan/", "tags/politics/"}


def test_rendering_is_deterministic(site_factory: Callable[..., Site]) -> None:
    assert _render(site_factory()) == _render(site_factory())


def test_control_characters_never_reach_the_output(outputs: dict[str, bytes]) -> None:
    # The hostile body has a form feed, which XML 1.0 cannot carry.
    assert all(b"\x0c" not in data for data in outputs.values())


# --------------------------------------------------------------------------- RSS


def test_rss_reads_back_in_feedparser(sample_site: Site, outputs: dict[str, bytes]) -> None:
    config = sample_site.config
    for channel in sample_site.channels:
        data = outputs[channel.prefix + "rss.xml"]
        parsed = feedparser.parse(data, sanitize_html=False)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert parsed.version == "rss20"
        assert _stamp(parsed.feed.updated_parsed) == _seconds(channel.updated)
        assert parsed.feed.link == config.absolute("index.html")
        links = {(link.rel, link.href) for link in parsed.feed.links}
        assert ("self", config.absolute(channel.prefix + "rss.xml")) in links
        assert ("hub", HUB) in links
        assert len(parsed.entries) == len(channel.items)
        # Tag feeds carry summaries: the body only in the main and author feeds.
        bodies = [e.find(CONTENT) is not None for e in etree.fromstring(data).iter("item")]
        assert bodies == [channel.tag is None] * len(channel.items)
        for entry, item in zip(parsed.entries, channel.items, strict=True):
            assert entry.id == item.id
            assert entry.guidislink is False
            assert entry.link == item.url
            assert entry.title == item.headline
            assert item.date_published is not None
            assert _stamp(entry.published_parsed) == _seconds(item.date_published)
            # <description> is HTML to a reader: the plain standfirst comes back as its text.
            assert _html_text(entry.summary) == item.description
            assert [a.name for a in entry.get("authors", [])] == [a.name for a in item.authors]
            assert [t.term for t in entry.tags] == [t.name for t in item.tags]
            for tag, parsed_tag in zip(item.tags, entry.tags, strict=True):
                assert parsed_tag.scheme == (IPTC if tag.kind == "topic" else None)


def test_rss_channel_dates_and_content_are_exact(
    sample_site: Site, outputs: dict[str, bytes]
) -> None:
    root = etree.fromstring(outputs["rss.xml"])
    channel = root.find("channel")
    assert channel.findtext("lastBuildDate") == "Wed, 29 Oct 2025 14:00:00 +0330"
    assert channel.findtext("pubDate") == "Wed, 29 Oct 2025 10:30:00 +0330"
    assert channel.findtext("generator") == "feedtool"
    for element, item in zip(channel.iterfind("item"), sample_site.items, strict=True):
        assert element.findtext(CONTENT) == content_html(item, sample_site.config)
        assert element.find("guid").get("isPermaLink") == "false"
        # The image's length is unknown: RSS requires the attribute, 0 says so.
        enclosure = element.find("enclosure")
        if item.image is not None and item.image.url:
            assert (enclosure.get("url"), enclosure.get("length")) == (item.image.url, "0")
        else:
            assert enclosure is None


# --------------------------------------------------------------------------- Atom


def test_atom_reads_back_in_feedparser(sample_site: Site, outputs: dict[str, bytes]) -> None:
    config = sample_site.config
    for channel in sample_site.channels:
        parsed = feedparser.parse(outputs[channel.prefix + "atom.xml"], sanitize_html=False)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert parsed.version == "atom10"
        assert parsed.feed.id == config.absolute(channel.prefix + "atom.xml")
        assert _stamp(parsed.feed.updated_parsed) == _seconds(channel.updated)
        assert parsed.feed.author_detail.name == config.publisher.name
        rels = {(link.rel, link.href) for link in parsed.feed.links}
        assert ("hub", HUB) in rels
        assert ("alternate", config.absolute("index.html")) in rels
        assert len(parsed.entries) == len(channel.items)
        for entry, item in zip(parsed.entries, channel.items, strict=True):
            assert entry.id == item.id
            assert entry.link == item.url
            assert item.date_published is not None
            assert _stamp(entry.published_parsed) == _seconds(item.date_published)
            assert _stamp(entry.updated_parsed) == _seconds(item_updated(item))
            if channel.tag is not None:
                # Tag feeds carry summaries ([tags] feed_content = "summary"): no body.
                assert "content" not in entry
                assert entry.summary == summary_text(item)
            else:
                assert entry.content[0].type == "text/html"
                # feedparser re-serialises HTML (attribute order), so compare what it read.
                assert _html_text(entry.content[0].value) == _html_text(content_html(item, config))
            assert [a.name for a in entry.get("authors", [])] == [a.name for a in item.authors]
            assert [t.label for t in entry.tags] == [t.name for t in item.tags]


def test_atom_entries_have_typed_alternate_links_and_categories(
    sample_site: Site, outputs: dict[str, bytes]
) -> None:
    root = etree.fromstring(outputs["atom.xml"])
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    self_link = root.find(f"{ATOM}link[@rel='self']")
    assert self_link.get("type") == "application/atom+xml"
    for entry, item in zip(root.iterfind(f"{ATOM}entry"), sample_site.items, strict=True):
        (link,) = entry.findall(f"{ATOM}link[@rel='alternate']")
        assert (link.get("rel"), link.get("type"), link.get("href")) == (
            "alternate",
            "text/html",
            item.url,
        )
        assert entry.find(f"{ATOM}content").text == content_html(item, sample_site.config)
        assert entry.find(f"{ATOM}content").get("type") == "html"
        lang = entry.get("{http://www.w3.org/XML/1998/namespace}lang")
        assert lang == (None if item.language == "en" else item.language)
    seed = root.findall(f"{ATOM}entry")[1]
    topic = seed.find(f"{ATOM}category[@label='politics']")
    assert (topic.get("term"), topic.get("scheme")) == ("11000000", IPTC)
    assert (
        topic.get("scheme") + topic.get("term")
        == "http://cv.iptc.org/newscodes/mediatopic/11000000"
    )
    place = seed.find(f"{ATOM}category[@label='Pakistan']")
    assert (place.get("term"), place.get("scheme")) == (
        "pakistan",
        "https://news.example.org/tags/",
    )


def test_atom_validates_against_rfc4287_grammar(outputs: dict[str, bytes]) -> None:
    relaxng = atom_grammar()
    feeds = [path for path in outputs if path.endswith("atom.xml")]
    assert len(feeds) == 6  # main, two tags, three authors
    for path in feeds:
        document = etree.fromstring(outputs[path])
        assert relaxng.validate(document), f"{path}: {relaxng.error_log}"
    # The grammar does reject what RFC 4287 forbids: an entry without an id.
    broken = etree.fromstring(outputs["atom.xml"])
    entry_id = broken.find(f"{ATOM}entry/{ATOM}id")
    entry_id.getparent().remove(entry_id)
    assert not relaxng.validate(broken)


# --------------------------------------------------------------------------- hub


def test_no_hub_link_without_websub(site_factory: Callable[..., Site]) -> None:
    outputs = _render(site_factory(hub=None))
    for path in ("rss.xml", "atom.xml", "tags/pakistan/rss.xml"):
        parsed = feedparser.parse(outputs[path])
        assert parsed.bozo == 0
        assert all(link.rel != "hub" for link in parsed.feed.links)
    assert "hubs" not in json.loads(outputs["feed.json"])


# --------------------------------------------------------------------------- JSON Feed


def test_jsonfeed_validates_against_schema(outputs: dict[str, bytes]) -> None:
    validator = jsonfeed_validator()
    feeds = [path for path in outputs if path.endswith("feed.json")]
    assert len(feeds) == 6  # main, two tags, three authors
    for path in feeds:
        errors = [e.message for e in validator.iter_errors(json.loads(outputs[path]))]
        assert errors == [], path
    assert list(validator.iter_errors({"version": "https://jsonfeed.org/version/1.1"}))


def test_jsonfeed_items(sample_site: Site, outputs: dict[str, bytes]) -> None:
    raw = outputs["feed.json"]
    assert raw.endswith(b"}\n") and "لاریجانی".encode() in raw  # UTF-8, not \u escapes
    feed = json.loads(raw)
    assert next(iter(feed)) == "version" and feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "https://news.example.org/feed.json"
    assert feed["hubs"] == [{"type": "WebSub", "url": HUB}]
    items = feed["items"]
    assert [i["id"] for i in items] == [i.id for i in sample_site.items]
    persian, seed, hostile = items
    assert seed["date_published"] == "2025-10-28T00:00:00+03:30"
    assert "date_modified" not in seed
    assert persian["date_modified"] == "2025-10-29T14:00:00+03:30"
    assert hostile["date_published"] == "2025-10-27T08:00:00+00:00"
    assert seed["content_html"] == body_html(sample_site.items[1])
    assert seed["image"] == "https://news.example.org/images/larijani-naqvi.jpg"
    assert "image" not in hostile
    staff = "https://news.example.org/authors/regional-desk-staff/"
    assert seed["authors"] == [{"name": "Regional Desk staff", "url": staff}]
    # The javascript: URL is dropped; the author page stands in for it.
    mallory = "https://news.example.org/authors/mallory-b/"
    assert hostile["authors"] == [{"name": "Mallory <b>", "url": mallory}]
    assert seed["tags"][:2] == ["strategic partnership", "barter trade"]
    assert "Supreme National Security Council" in seed["tags"]
    assert persian["language"] == "fa"


def test_summary_in_another_language_keeps_the_link_in_the_feeds_language(
    sample_site: Site, outputs: dict[str, bytes]
) -> None:
    # A tag feed's JSON Feed items carry a summary and a link as content_html.
    feed = json.loads(outputs["tags/pakistan/feed.json"])
    (persian,) = [i for i in feed["items"] if i.get("language") == "fa"]
    root = lxml.html.fragment_fromstring(persian["content_html"], create_parent="div")
    (marked,) = root.xpath("./*[@lang]")
    assert marked.get("lang") == "fa" and marked.get("dir") == "rtl"
    assert marked.text_content().strip() and not marked.xpath(".//a")
    (link,) = root.xpath(".//a")
    # The link's words are the publication's: no ancestor marks them as Persian.
    assert not link.xpath("ancestor::*[@lang]") and link.text_content().strip()
    assert link.get("href") == _by_slug(sample_site, persian["url"].rsplit("/", 1)[-1][:-5]).url


# --------------------------------------------------------------------------- JSON-LD


@pytest.fixture(scope="module")
def vocabulary() -> Any:
    return schemaorg()


def test_jsonld_uses_only_schemaorg_terms_where_allowed(sample_site: Site, vocabulary: Any) -> None:
    for item in sample_site.items:
        assert list(vocabulary.problems(article_jsonld(item, sample_site.config))) == []
    # The checker itself catches the mistakes it is there for.
    bad = {
        "@type": "NewsArticle",
        "headlin": "x",
        "caption": "only on media",
        "author": {"@type": "Persn"},
        "contentLocation": {"@type": "Person", "name": "x"},
    }
    where = {problem.split(":")[0] for problem in vocabulary.problems(bad)}
    assert where == {"$.headlin", "$.caption", "$.author", "$.author[0]", "$.contentLocation[0]"}


def test_jsonld_files_match_article_jsonld(sample_site: Site, outputs: dict[str, bytes]) -> None:
    for item in sample_site.items:
        data = outputs[f"articles/{item.slug}.jsonld"]
        assert json.loads(data) == article_jsonld(item, sample_site.config)


def test_jsonld_of_the_seed(sample_site: Site) -> None:
    item = _by_slug(sample_site, "iran-pakistan-discuss-expanding-strategic-partnership")
    data = article_jsonld(item, sample_site.config)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["@id"] == item.url + "#article"
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": item.url}
    assert data["identifier"] == item.id
    assert data["datePublished"] == data["dateModified"] == "2025-10-28T00:00:00+03:30"
    assert data["author"] == [
        {
            "@type": "Organization",
            "name": "Regional Desk staff",
            "url": "https://news.example.org/authors/regional-desk-staff/",
        }
    ]
    assert data["publisher"]["logo"] == {
        "@type": "ImageObject",
        "url": "https://news.example.org/logo.png",
    }
    assert data["image"]["creditText"] == "WANA"
    assert data["image"]["caption"].startswith("Secretary of the Supreme")
    assert data["about"] == [
        {
            "@type": "DefinedTerm",
            "@id": "http://cv.iptc.org/newscodes/mediatopic/11000000",
            "name": "politics",
            "termCode": "medtop:11000000",
            "inDefinedTermSet": IPTC,
            "url": "http://cv.iptc.org/newscodes/mediatopic/11000000",
        }
    ]
    kinds = {m["name"]: m["@type"] for m in data["mentions"]}
    assert kinds == {
        "Ali Larijani": "Person",
        "Mohsin Naqvi": "Person",
        "Supreme National Security Council": "Organization",
        "Pakistan": "Country",
        "Iran": "Country",
        "Tehran": "Place",
    }
    assert data["contentLocation"][0] == {
        "@type": "Country",
        "name": "Pakistan",
        "sameAs": ["https://www.wikidata.org/wiki/Q843"],
    }
    assert [p["name"] for p in data["contentLocation"]] == ["Pakistan", "Iran", "Tehran"]
    assert data["keywords"][:2] == ["strategic partnership", "barter trade"]
    assert data["wordCount"] == item.word_count
    assert "Wider context" in data["articleBody"]
    assert "ہم بھائی ہیں" in data["articleBody"]
    assert "<" not in data["articleBody"]


def test_jsonld_expands_with_pyld_offline(sample_site: Site) -> None:
    from pyld import jsonld

    def loader(url: str, options: object = None) -> dict[str, Any]:
        # https://schema.org's context maps every term into the vocabulary; no network.
        assert url.rstrip("/") == "https://schema.org", url
        context = {"@context": {"@vocab": "https://schema.org/"}}
        return {"contextUrl": None, "documentUrl": url, "document": context}

    for item in sample_site.items:
        data = article_jsonld(item, sample_site.config)
        (node,) = jsonld.expand(data, {"documentLoader": loader})
        assert node["@type"] == ["https://schema.org/NewsArticle"]
        assert node["@id"] == item.url + "#article"
        expanded = {key.removeprefix("https://schema.org/") for key in node if key[0] != "@"}
        assert expanded == {key for key in data if key[0] != "@"}


def test_headline_is_cut_at_a_word_boundary() -> None:
    text = "Iran and Pakistan " * 10
    cut = headline(text)
    assert len(cut) <= HEADLINE_LIMIT and cut.endswith("…")
    assert text.startswith(cut[:-1]) and text[len(cut) - 1] == " "
    assert headline("Short headline") == "Short headline"
    exact = "x" * HEADLINE_LIMIT
    assert headline(exact) == exact


def test_script_json_cannot_close_its_script() -> None:
    value = {"a": "</script><!-- & \u2028 \u2029 >", "b": ["<b>"]}
    text = script_json(value)
    for forbidden in ("<", ">", "&", "\u2028", "\u2029"):
        assert forbidden not in text
    assert json.loads(text) == value


# --------------------------------------------------------------------------- HTML


def _page(outputs: dict[str, bytes], item: NewsItem) -> tuple[str, Any]:
    raw = outputs[f"articles/{item.slug}.html"].decode("utf-8")
    return raw, lxml.html.document_fromstring(raw)


def test_article_pages_embed_exactly_their_jsonld(
    sample_site: Site, outputs: dict[str, bytes]
) -> None:
    for item in sample_site.items:
        raw, doc = _page(outputs, item)
        assert raw.startswith("<!DOCTYPE html>\n")
        (script,) = doc.xpath("//script")
        assert script.get("type") == "application/ld+json"
        assert raw.lower().count("<script") == 1
        assert json.loads(script.text) == article_jsonld(item, sample_site.config)
        assert PWNED not in raw


def test_hostile_text_stays_text(sample_site: Site, outputs: dict[str, bytes]) -> None:
    item = _by_slug(sample_site, "hostile-markup")
    _, doc = _page(outputs, item)
    assert doc.xpath("//b | //i | //img | //*[@onerror]") == []
    assert all(not href.lower().startswith("javascript:") for href in doc.xpath("//@href"))
    assert doc.findtext(".//h1") == item.headline
    assert doc.xpath("string(//p[@class='standfirst'])") == item.description
    # The link in the post is kept, with its '&' escaped once.
    assert doc.xpath("//blockquote//a/@href")[0] == "https://example.org/a?b=1&c=2"
    for feed in ("rss.xml", "atom.xml"):
        parsed = feedparser.parse(outputs[feed], sanitize_html=False)
        assert parsed.bozo == 0
        assert parsed.entries[2].title == item.headline


def test_article_page_head(sample_site: Site, outputs: dict[str, bytes]) -> None:
    for item in sample_site.items:
        _, doc = _page(outputs, item)
        html = doc.getroottree().getroot()
        assert html.get("lang") == item.language
        assert html.get("dir") == ("rtl" if is_rtl(item.language) else None)
        assert doc.xpath("//meta/@charset") == ["utf-8"]
        assert doc.xpath("//link[@rel='canonical']/@href") == [item.url]
        discovery = {
            (link.get("type"), link.get("href")) for link in doc.xpath("//link[@rel='alternate']")
        }
        assert discovery == {
            ("application/rss+xml", "https://news.example.org/rss.xml"),
            ("application/atom+xml", "https://news.example.org/atom.xml"),
            ("application/feed+json", "https://news.example.org/feed.json"),
        }
        assert (
            doc.xpath("//time/@datetime")[0]
            == article_jsonld(item, sample_site.config)["datePublished"]
        )


def test_seed_page_body(sample_site: Site, outputs: dict[str, bytes]) -> None:
    item = _by_slug(sample_site, "iran-pakistan-discuss-expanding-strategic-partnership")
    _, doc = _page(outputs, item)
    posts = doc.xpath("//blockquote[@class='post']")
    assert [(p.get("lang"), p.get("dir")) for p in posts] == [("ur", "rtl"), ("ar", "rtl")]
    for post in posts:
        (footer,) = post.xpath("footer")
        assert (footer.get("lang"), footer.get("dir")) == ("en", "ltr")
        (alternate,) = footer.xpath("span")
        assert (alternate.get("lang"), alternate.get("dir"), alternate.text) == (
            "fa",
            "rtl",
            "علی لاریجانی",
        )
        assert footer.xpath("a/@href") == ["https://x.com/alilarijani_ir"]
        assert footer.xpath("time/@datetime") == ["2025-10-28"]
    assert posts[0].xpath("p/a/@href") == ["https://pic.twitter.com/6oeuaaB65m"]
    assert [h.text for h in doc.xpath("//article//h2")] == [
        "Wider context",
        "On Saudi-Pakistani agreement",
    ]
    (figure,) = doc.xpath("//figure")
    assert figure.xpath("img/@src") == ["https://news.example.org/images/larijani-naqvi.jpg"]
    assert figure.xpath("string(figcaption/small)") == "(WANA)"
    tags = {a.text: a.get("href") for a in doc.xpath("//ul[@class='tags']//a")}
    assert tags == {
        "Pakistan": "../tags/pakistan/index.html",
        "politics": "../tags/politics/index.html",
    }
    assert "Iran" in doc.xpath("//ul[@class='tags']/li/text()")


def test_rtl_page_marks_its_ltr_parts(sample_site: Site, outputs: dict[str, bytes]) -> None:
    item = _by_slug(sample_site, "iran-pakistan-cooperation-fa")
    _, doc = _page(outputs, item)
    (english,) = doc.xpath("//article/p[@lang]")
    assert (english.get("lang"), english.get("dir")) == ("en", "ltr")
    assert doc.xpath("//header[@class='site']/@lang") == ["en"]


def test_extruct_finds_one_news_article(sample_site: Site, outputs: dict[str, bytes]) -> None:
    for item in sample_site.items:
        found = extruct.extract(
            outputs[f"articles/{item.slug}.html"].decode("utf-8"),
            base_url=item.url,
            syntaxes=["json-ld", "opengraph"],
        )
        articles = [d for d in found["json-ld"] if d.get("@type") == "NewsArticle"]
        assert len(articles) == len(found["json-ld"]) == 1
        assert articles[0]["identifier"] == item.id
        (graph,) = found["opengraph"]
        properties = dict(graph["properties"])
        assert properties["og:type"] == "article"
        assert properties["og:url"] == item.url
        assert properties["og:title"] == item.headline
        assert properties["article:published_time"] == articles[0]["datePublished"]
        assert ("og:image" in properties) == bool(item.image and item.image.url)


def test_pages_parse_without_html5_errors(outputs: dict[str, bytes]) -> None:
    html5lib = pytest.importorskip("html5lib")
    pages = [path for path in outputs if path.endswith(".html")]
    assert len(pages) == 4
    for path in pages:
        parser = html5lib.HTMLParser()
        parser.parse(outputs[path].decode("utf-8"))
        assert parser.errors == [], path


@pytest.mark.parametrize(
    ("language", "rtl"),
    [
        ("ur", True),
        ("fa-IR", True),
        ("he", True),
        ("az-Arab", True),
        ("ar-Latn", False),
        ("en", False),
        ("pa-Arab-PK", True),
        ("", False),
        # The cases where enrich and render used to disagree (one set now):
        ("ks", True),  # Kashmiri: Arabic script by default
        ("ji", True),  # the old code of Yiddish
        ("ku", False),  # Kurmanji: Latin script by default...
        ("ku-Arab", True),  # ...Sorani written in Arabic script
    ],
)
def test_rtl_languages(language: str, rtl: bool) -> None:
    assert is_rtl(language) is rtl


def test_lang_attrs_only_where_the_language_changes() -> None:
    assert lang_attrs("en", "en") == ""
    assert lang_attrs(None, "en") == ""
    assert lang_attrs("ur", "en") == ' lang="ur" dir="rtl"'
    assert lang_attrs("ar", "fa") == ' lang="ar"'
    assert lang_attrs("en", "fa") == ' lang="en" dir="ltr"'


def test_index_lists_articles_newest_first(sample_site: Site, outputs: dict[str, bytes]) -> None:
    doc = lxml.html.document_fromstring(outputs["index.html"].decode("utf-8"))
    hrefs = doc.xpath("//ol[@class='articles']//h2/a/@href")
    assert hrefs == [f"articles/{item.slug}.html" for item in sample_site.items]
    entries = doc.xpath("//ol[@class='articles']/li")
    assert (entries[0].get("lang"), entries[0].get("dir")) == ("fa", "rtl")
    assert entries[1].get("lang") is None
    assert doc.xpath("//script") == []
    assert len(doc.xpath("//link[@rel='alternate']")) == 3
    nav = doc.xpath("//nav[@class='site']/a/@href")
    assert nav == ["index.html", "archive/index.html", "tags/index.html", "authors/index.html"]


def test_feeds_share_the_page_body(sample_site: Site, outputs: dict[str, bytes]) -> None:
    seed = _by_slug(sample_site, "iran-pakistan-discuss-expanding-strategic-partnership")
    persian = _by_slug(sample_site, "iran-pakistan-cooperation-fa")
    assert content_html(seed, sample_site.config) == body_html(seed)
    wrapped = content_html(persian, sample_site.config)
    assert wrapped.startswith('<div lang="fa" dir="rtl">') and body_html(persian) in wrapped
    assert body_html(seed).encode() in outputs[f"articles/{seed.slug}.html"]


# --------------------------------------------------------------------------- golden files


def test_golden_files(outputs: dict[str, bytes]) -> None:
    if os.environ.get("FEEDTOOL_REGEN_GOLDEN") == "1":
        for old in GOLDEN.rglob("*"):
            if old.is_file() and old.relative_to(GOLDEN).as_posix() not in outputs:
                old.unlink()
        for path, data in outputs.items():
            target = GOLDEN / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
    stored = {
        p.relative_to(GOLDEN).as_posix(): p.read_bytes() for p in GOLDEN.rglob("*") if p.is_file()
    }
    assert sorted(stored) == sorted(outputs), "set FEEDTOOL_REGEN_GOLDEN=1 to rewrite"
    changed = [path for path in sorted(outputs) if stored[path] != outputs[path]]
    assert changed == [], "set FEEDTOOL_REGEN_GOLDEN=1 to rewrite"


def test_no_author_in_front_matter_means_no_author_in_any_format(
    site_factory: Callable[..., Site],
) -> None:
    # `authors = []` in front matter is the editor's choice; the configured
    # default author is the parse stage's to give, and it did not.
    from conftest import seed_item

    item = seed_item().model_copy(update={"authors": ()})
    site = site_factory((item,))
    assert site.config.author is not None
    out = dict(render_site(site))
    rss = feedparser.parse(out["rss.xml"]).entries[0]
    assert "author" not in rss and "authors" not in rss
    assert "authors" not in json.loads(out["feed.json"])["items"][0]
    assert "author" not in article_jsonld(item, site.config)
    assert b"Regional Desk staff" not in out[f"articles/{item.slug}.html"]


# --------------------------------------------------------------------------- entries spliced


def _full_tag_feeds(site: Site) -> Site:
    tags = site.config.tags.model_copy(update={"feed_content": "full"})
    return dataclasses.replace(
        site, config=site.config.model_copy(update={"tags": tags}), fragments=Fragments()
    )


def test_tag_feeds_carry_the_body_when_configured(sample_site: Site) -> None:
    site = _full_tag_feeds(sample_site)
    outputs = _render(site)
    for channel in site.tag_channels:
        parsed = feedparser.parse(outputs[channel.prefix + "atom.xml"], sanitize_html=False)
        assert parsed.bozo == 0
        for entry, item in zip(parsed.entries, channel.items, strict=True):
            assert _html_text(entry.content[0].value) == _html_text(content_html(item, site.config))
        root = etree.fromstring(outputs[channel.prefix + "rss.xml"])
        for element, item in zip(root.iterfind("channel/item"), channel.items, strict=True):
            assert element.findtext(CONTENT) == content_html(item, site.config)
        feed = json.loads(outputs[channel.prefix + "feed.json"])
        assert [i["content_html"] for i in feed["items"]] == [
            content_html(item, site.config) for item in channel.items
        ]


class _Recorder:
    """A fragment store that records what it is asked."""

    def __init__(self) -> None:
        self.saved: dict[str, bytes] = {}

    def fragment(self, key: str) -> bytes | None:
        return self.saved.get(key)

    def put_fragment(self, path: str, stamp: str, key: str, value: bytes) -> None:
        self.saved[key] = value


def test_each_entry_is_rendered_once_and_spliced_into_every_feed(sample_site: Site) -> None:
    store = _Recorder()
    site = dataclasses.replace(sample_site, fragments=Fragments(store, salt="build"))
    first = _render(site)
    made = site.fragments.made
    # One entry per item, format and variant, however many feeds carry the item:
    # the full one (main and author feeds), the summary one (tag feeds).
    assert len(made) == len(set(made))
    for feed in ("rss", "atom", "jsonfeed"):
        assert sorted(p for k, p in made if k == f"{feed}/full") == sorted(
            i.source_path for i in site.items
        )
        in_tags = {i.source_path for c in site.tag_channels for i in c.items}
        assert sorted(p for k, p in made if k == f"{feed}/summary") == sorted(in_tags)
    # A later build with the same store renders no entry and writes the same bytes.
    again = dataclasses.replace(sample_site, fragments=Fragments(store, salt="build"))
    assert _render(again) == first
    assert again.fragments.made == []
    # The spliced documents are the ones a parser reads and writes back.
    for path, data in first.items():
        if path.endswith((".xml", ".json")):
            if path.endswith(".xml"):
                reparsed = etree.fromstring(data)
                etree.indent(reparsed, space="  ")
                written = etree.tostring(reparsed, encoding="UTF-8", xml_declaration=True)
                # RSS writes '<' and '&' of plain-text elements as hex references.
                if path.endswith("rss.xml"):
                    written = _hex_references(written)
                assert written + b"\n" == data
            else:
                assert json_bytes(json.loads(data)) == data


def test_a_site_keeps_the_newest_megabyte_of_feed_entries(sample_site: Site) -> None:
    """Feed entries stay in memory up to 1 MB, the newest (4 MB were as much of each
    process rendering a 20,000-article build): an older one is read from the store."""
    asked: list[str] = []

    class Store(_Recorder):
        def fragment(self, key: str) -> bytes | None:
            asked.append(key.partition(".")[0])
            return super().fragment(key)

    fragments = Fragments(Store(), salt="b")
    ref = sample_site.refs[0]
    for number in range(150):  # 1.5 MB of entries
        fragments.get(f"k{number}", ref, lambda number=number: b"%03d" % number * 3_400)
    asked.clear()
    assert fragments.get("k149", ref, lambda: b"") == b"149" * 3_400
    assert fragments.get("k60", ref, lambda: b"") == b"060" * 3_400
    assert asked == []  # the newest megabyte: in memory
    assert fragments.get("k0", ref, lambda: b"") == b"000" * 3_400
    assert asked == ["k0"]


def test_clean_skips_only_text_it_would_leave_alone() -> None:
    """``clean`` returns printable text as it is: no character its pattern
    removes is printable (every code point checked), and others go."""
    from feedtool.render._common import _NOT_XML, clean

    removed = [chr(c) for c in range(0x110000) if _NOT_XML.match(chr(c))]
    assert len(removed) == 29 + 2048 + 2
    assert not any(c.isprintable() for c in removed)
    assert clean("a\x07b\ud800c\ufffe") == "abc"
    assert clean("tab\tand\nline") == "tab\tand\nline"


def test_rendering_loads_lxml_without_rnc2rng_and_leaves_it_importable() -> None:
    """lxml would import rnc2rng (installed with the test extra) for a RELAX NG
    syntax feedtool never uses, and rnc2rng builds its parser on import: the
    renderers load lxml without it, and it can still be imported afterwards."""
    pytest.importorskip("rnc2rng")
    code = (
        "import sys\n"
        "import feedtool.render\n"
        "assert 'lxml.etree' in sys.modules, 'lxml not loaded'\n"
        "assert 'rnc2rng' not in sys.modules, 'rnc2rng loaded'\n"
        "import rnc2rng\n"
        "from lxml import etree\n"
        "assert etree.tostring(etree.fromstring('<a/>')) == b'<a/>'\n"
        "print(rnc2rng.__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "rnc2rng"


@given(
    st.datetimes(
        min_value=dt.datetime(1, 1, 1),
        max_value=dt.datetime(9999, 12, 30),
        timezones=st.integers(-23 * 60, 23 * 60).map(
            lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
        ),
    )
)
def test_rss_dates_are_written_as_feedgen_writes_them(date: dt.datetime) -> None:
    """``rfc2822`` is feedgen's ``formatRFC2822`` (C locale names) without its
    ``setlocale`` calls: the same characters for any aware date."""
    from feedgen.util import formatRFC2822

    from feedtool.render.rss import rfc2822

    assert rfc2822(date) == formatRFC2822(date)


def _feeds_of(
    items: tuple[NewsItem, ...], names: tuple[str, ...], feed_size: int = 3
) -> tuple[dict[str, bytes], list[str], list[tuple[str, str]]]:
    """The feeds (and archive pages) ``names`` render of a site of ``items`` whose
    items are loaded on demand, with no cache in front: the outputs, the source
    path of every load, and the feed entries made."""
    from conftest import make_config

    from feedtool.render import ItemRef, LazyItems, tag_channels_of
    from feedtool.render.archive import archived

    config = make_config(feed_size=feed_size)
    by_path = {item.source_path: item for item in items}
    loads: list[str] = []

    def load(ref: ItemRef) -> NewsItem:
        loads.append(ref.source_path)
        return by_path[ref.source_path]

    refs = [ItemRef.of(item) for item in items]
    site = Site(
        config=config,
        items=LazyItems(refs, load),
        tag_channels=tag_channels_of(refs, config, load),
        refs=tuple(refs),
    )
    site = archived(site, load)
    outputs = dict(render_site(site, names))
    return outputs, loads, site.fragments.made


def test_an_item_loaded_for_one_feed_format_gets_its_entries_in_the_others() -> None:
    """The RSS, Atom and JSON feeds of a channel are rendered apart; an item loaded
    for its entry in one gets its entries in the others then (the same bytes, the
    same entries made, never one a format's feeds would not use)."""
    from conftest import TEHRAN, seed_item

    seed = seed_item()
    items = tuple(
        seed.model_copy(
            update={
                "id": f"tag:news.example.org,2025:story-{n}",
                "slug": f"story-{n}",
                "url": seed.url.replace(seed.slug, f"story-{n}"),
                "source_path": f"story-{n}.txt",
                "date_published": dt.datetime(2025, 11, 30, 12, tzinfo=TEHRAN)
                - dt.timedelta(days=n),
                "date_modified": None,
                "tags": seed.tags[: 1 + n % len(seed.tags)],
            }
        )
        for n in range(10)
    )
    names = ("rss", "atom", "jsonfeed")
    together, loads, made = _feeds_of(items, names)
    alone: dict[str, bytes] = {}
    made_alone: set[tuple[str, str]] = set()
    loads_alone = {}
    for name in names:
        outputs, format_loads, format_made = _feeds_of(items, (name,))
        alone.update((path, data) for path, data in outputs.items() if path in together)
        made_alone.update((kind, path) for kind, path in format_made if kind.startswith(name))
        loads_alone[name] = len(format_loads)
    assert any("/history/" in path for path in together)  # archive pages too
    assert together == alone
    assert set(made) == made_alone and len(made) == len(set(made))
    # JSON Feed has no archive pages: only the items of subscription feeds have its entries.
    assert {p for k, p in made if k.startswith("jsonfeed/")} < {i.source_path for i in items}
    # RSS, rendered first, loads what it needs; the other formats load nothing more.
    assert len(loads) == loads_alone["rss"] < sum(loads_alone.values())


class _Batches(_Recorder):
    """A fragment store that also reads many entries at once, and counts its queries."""

    def __init__(self) -> None:
        super().__init__()
        self.one_at_a_time = 0
        self.batches = 0

    def fragment(self, key: str) -> bytes | None:
        self.one_at_a_time += 1
        return super().fragment(key)

    def fragments(self, keys: list[str]) -> dict[str, bytes]:
        self.batches += 1
        return {key: self.saved[key] for key in keys if key in self.saved}


def test_feeds_read_their_cached_entries_a_feed_at_a_time(sample_site: Site) -> None:
    """With a store that reads many entries at once, a feed's cached entries are
    read in one query and its missing ones made without asking again: the same
    bytes, the same entries made, as with a store read one entry at a time."""
    reference = dataclasses.replace(sample_site, fragments=Fragments(_Recorder(), salt="b"))
    expected = _render(reference)
    store = _Batches()
    site = dataclasses.replace(sample_site, fragments=Fragments(store, salt="b"))
    assert _render(site) == expected
    assert sorted(site.fragments.made) == sorted(reference.fragments.made)
    assert store.batches and store.one_at_a_time == 0
    # A later build finds them all, a feed at a time, and makes none.
    again = dataclasses.replace(sample_site, fragments=Fragments(store, salt="b"))
    before = store.batches
    assert _render(again) == expected and again.fragments.made == []
    assert store.one_at_a_time == 0 and store.batches > before


def _hex_references_everywhere(document: bytes) -> bytes:
    """``rss._hex_references`` without its shortcut: every leaf element looked at."""
    from feedtool.render import rss

    def fix(match: Any) -> bytes:
        text = match["text"]
        if match["name"] in rss._HTML_ELEMENTS or (b"&lt;" not in text and b"&amp;" not in text):
            return bytes(match[0])
        text = text.replace(b"&lt;", b"&#x3C;").replace(b"&amp;", b"&#x26;")
        return bytes(match[1] + text + match[4])

    return rss._LEAF.sub(fix, document)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["title", "description", "content:encoded", "dc:creator", "link"]),
            st.text(alphabet="ab &<>;lt", max_size=12),
        ),
        max_size=6,
    )
)
def test_hex_references_shortcut_changes_nothing(leaves: list[tuple[str, str]]) -> None:
    """A document with no ``&lt;`` nor ``&amp;`` is returned as it is; any
    document comes out as reading every leaf element makes it."""
    root = etree.Element("rss")
    for name, text in leaves:
        element = etree.SubElement(root, name.replace("content:", "").replace("dc:", ""))
        element.text = text
    document = etree.tostring(root)
    for name, _ in leaves:  # the prefixed names, as in a feed
        bare = name.split(":")[-1].encode()
        document = document.replace(b"<" + bare + b">", b"<" + name.encode() + b">").replace(
            b"</" + bare + b">", b"</" + name.encode() + b">"
        )
    assert _hex_references(document) == _hex_references_everywhere(document)


# --------------------------------------------------------------------------- summary digests


def _summary_entries(site: Site, item: NewsItem) -> list[bytes]:
    """``item``'s summary entry (what a tag's feeds show of it) in every feed format."""
    from feedtool.render._common import _ENTRY_MAKERS

    return [make(site, item, "summary", "") for make, _ in _ENTRY_MAKERS.values()]


def _variants(item: NewsItem, other: NewsItem) -> list[tuple[str, NewsItem]]:
    """``item`` with one field (of it, of its tags, authors or image) taken from ``other``."""
    found = []
    for name in NewsItem.model_fields:
        if getattr(item, name) != getattr(other, name):
            found.append((name, item.model_copy(update={name: getattr(other, name)})))
    nested = (("tags", other.tags[0]), ("authors", other.authors[0]))
    for name, model in nested:
        for field in type(model).model_fields:
            value = getattr(model, field)
            changed = tuple(part.model_copy(update={field: value}) for part in getattr(item, name))
            if changed != getattr(item, name):
                found.append((f"{name}.{field}", item.model_copy(update={name: changed})))
    if item.image is not None and other.image is not None:
        for field in type(item.image).model_fields:
            image = item.image.model_copy(update={field: getattr(other.image, field)})
            if image != item.image:
                found.append((f"image.{field}", item.model_copy(update={"image": image})))
    return found


def test_the_summary_digest_covers_everything_a_summary_entry_shows(
    sample_site: Site, sample_items: tuple[NewsItem, ...]
) -> None:
    """A tag's feed is planned from ``ItemRef.summary_fingerprint``: any change to an
    item (any field of it, of its tags, authors or image) that leaves that digest
    as it was leaves every summary entry as it was; the body and the tags'
    evidence and scores are such changes, and a headline is not."""
    from feedtool.model import Evidence
    from feedtool.render import ItemRef

    persian, seed, hostile = sample_items
    left_alone: set[str] = set()
    for item, other in ((seed, hostile), (hostile, persian), (persian, seed)):
        digest, entries = ItemRef.of(item).summary_fingerprint, _summary_entries(sample_site, item)
        for name, variant in _variants(item, other):
            if ItemRef.of(variant).summary_fingerprint == digest:
                left_alone.add(name)
                assert _summary_entries(sample_site, variant) == entries, name
            else:
                assert ItemRef.of(variant).fingerprint != ItemRef.of(item).fingerprint
        scored = item.model_copy(
            update={
                "tags": tuple(
                    t.model_copy(update={"score": 0.25, "evidence": Evidence(mentions=7)})
                    for t in item.tags
                )
            }
        )
        assert ItemRef.of(scored).summary_fingerprint == digest
        assert ItemRef.of(scored).fingerprint != ItemRef.of(item).fingerprint
    # Each sample has a standfirst: its body is not in its summary entries.
    assert {"body", "word_count", "content_hash", "tags.evidence", "tags.score"} <= left_alone
    assert not {"headline", "description", "date_modified", "url", "id"} & left_alone


def test_without_a_standfirst_the_summary_digest_follows_the_start_of_the_body(
    sample_items: tuple[NewsItem, ...],
) -> None:
    from feedtool.model import Paragraph
    from feedtool.render import ItemRef

    item = sample_items[1].model_copy(update={"description": None})
    first = item.body[0]
    assert isinstance(first, Paragraph)
    opening = item.model_copy(
        update={"body": (first.model_copy(update={"text": "Another opening."}), *item.body[1:])}
    )
    later = item.model_copy(
        update={"body": (*item.body, Paragraph(line=40, text="A paragraph added at the end."))}
    )
    digest = ItemRef.of(item).summary_fingerprint
    assert ItemRef.of(opening).summary_fingerprint != digest
    # Beyond the 300 characters a summary shows, the body is not in it.
    assert summary_text(later) == summary_text(item)
    assert ItemRef.of(later).summary_fingerprint == digest


def test_a_focused_site_looks_through_a_channels_refs_once(
    sample_site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each feed format asks whether a channel's refs show an article of the focus
    (``Site.shows``): the main and author channels hold every article (20,000 in
    a large archive), so a tuple of refs is looked through once and its answer
    kept; any other iterable is looked through each time."""
    import feedtool.render as render

    paths = [ref.source_path for ref in sample_site.refs]
    looked: list[str] = []
    real = render._SOURCE_PATH

    def source_path(ref: Any) -> str:
        looked.append(ref.source_path)
        return str(real(ref))

    monkeypatch.setattr(render, "_SOURCE_PATH", source_path)
    away = dataclasses.replace(sample_site, focus=frozenset({"elsewhere.txt"}))
    assert [away.shows(away.refs) for _ in range(3)] == [False] * 3
    assert looked == paths
    focused = dataclasses.replace(sample_site, focus=frozenset(paths[-1:]))
    assert [focused.shows(focused.refs) for _ in range(3)] == [True] * 3
    assert looked == paths * 2
    # A list may change between two questions: looked through each time.
    assert not away.shows(list(away.refs)) and not away.shows(list(away.refs))
    assert looked == paths * 4
