"""The HTML site around the articles: paginated index, monthly archives, tag and
author pages, read back with lxml and html5lib's strict (HTML5 algorithm) parser.

Every relative link of every page must name a file the same render wrote.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import posixpath
from urllib.parse import unquote, urlsplit

import feedparser
import html5lib
import lxml.html
import pytest
from conftest import BASE, PUBLISHER, TEHRAN, make_config, make_site, seed_item
from lxml import etree

from feedtool.model import Image, ListBlock, NewsItem, Paragraph, Person, Tag
from feedtool.render import Channel, Site, render_site
from feedtool.render._common import page_path, shows_standfirst

SITE_RENDERERS = (
    "html",
    "archive",
    "tag_pages",
    "author_pages",
    "rss",
    "atom",
    "jsonfeed",
    "jsonld",
)
KINDS = ("topic", "person", "organization", "place", "keyword")


def _item(number: int) -> NewsItem:
    """Article ``number``: one a day back from 30 November 2025, tags cycling."""
    slug = f"story-{number:03d}"
    published = dt.datetime(2025, 11, 30, 12, 0, tzinfo=TEHRAN) - dt.timedelta(days=number)
    tags = (
        Tag(kind=KINDS[number % 5], name=f"Subject {number % 5}", slug=f"subject-{number % 5}"),
        Tag(kind="place", name="Pakistan", slug="pakistan"),
    )
    author = Person(name="Sara Ahmadi" if number % 2 else "Omar Khan")
    return NewsItem(
        id=f"tag:news.example.org,2025:{slug}",
        url=f"{BASE}articles/{slug}.html",
        slug=slug,
        headline=f"Story number {number}",
        description=f"A standfirst for story {number}.",
        body=(Paragraph(line=3, text=f"The body of story {number} says something new."),),
        authors=(author,),
        publisher=PUBLISHER,
        date_published=published,
        language="en",
        tags=tags,
        word_count=8,
        source_path=f"{slug}.txt",
        content_hash=hashlib.sha256(slug.encode()).hexdigest(),
    )


def _site(count: int = 45, page_size: int = 10, feed_size: int = 15) -> Site:
    config = make_config(feed_size=feed_size).model_copy(update={"page_size": page_size})
    items = tuple(_item(n) for n in range(count))
    channels = []
    for slug in ("pakistan", *(f"subject-{k}" for k in range(5))):
        tagged = tuple(i for i in items if any(t.slug == slug for t in i.tags))
        tag = next(t for t in tagged[0].tags if t.slug == slug)
        channels.append(
            Channel(
                prefix=f"tags/{slug}/",
                title=f"Regional Desk: {tag.name}",
                description="",
                items=tagged[:feed_size],
                tag=tag,
            )
        )
    return Site(config=config, items=items, tag_channels=tuple(channels))


def _render(site: Site) -> dict[str, bytes]:
    outputs: dict[str, bytes] = {}
    for path, data in render_site(site, SITE_RENDERERS):
        assert path not in outputs, f"{path} written twice"
        outputs[path] = data
    return outputs


@pytest.fixture(scope="module")
def big() -> tuple[Site, dict[str, bytes]]:
    site = _site()
    return site, _render(site)


def _doc(outputs: dict[str, bytes], path: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(outputs[path].decode("utf-8"))


def _listed(outputs: dict[str, bytes], path: str) -> list[str]:
    """The article hrefs of a listing page, resolved against the page's folder."""
    hrefs = _doc(outputs, path).xpath("//ol[@class='articles']//h2/a/@href")
    return [posixpath.normpath(posixpath.join(posixpath.dirname(path), h)) for h in hrefs]


def _pages(outputs: dict[str, bytes], first: str) -> list[str]:
    """Follow rel=next from ``first`` to the last page."""
    chain = [first]
    while True:
        nexts = _doc(outputs, chain[-1]).xpath("//link[@rel='next']/@href")
        if not nexts:
            return chain
        chain.append(posixpath.normpath(posixpath.join(posixpath.dirname(chain[-1]), nexts[0])))
        assert len(chain) < 100


def test_index_is_paginated_newest_first(big: tuple[Site, dict[str, bytes]]) -> None:
    site, outputs = big
    chain = _pages(outputs, "index.html")
    assert chain == ["index.html", "page/2.html", "page/3.html", "page/4.html", "page/5.html"]
    listed = [href for page in chain for href in _listed(outputs, page)]
    assert listed == [page_path(item, site.config) for item in site.items]
    assert [len(_listed(outputs, p)) for p in chain] == [10, 10, 10, 10, 5]
    # Each page links back to the newer one, and says where it is.
    last = _doc(outputs, "page/5.html")
    assert last.xpath("//link[@rel='prev']/@href") == ["4.html"]
    assert "Page 5 of 5" in last.text_content()
    assert last.xpath("//link[@rel='canonical']/@href") == [BASE + "page/5.html"]


def test_monthly_archives(big: tuple[Site, dict[str, bytes]]) -> None:
    site, outputs = big
    months = _doc(outputs, "archive/index.html").xpath("//ul[@class='directory']//a/@href")
    assert months == ["2025/11/index.html", "2025/10/index.html"]
    for month in (11, 10):
        folder = f"archive/2025/{month:02d}/"
        listed = [h for p in _pages(outputs, folder + "index.html") for h in _listed(outputs, p)]
        expected = [
            page_path(i, site.config)
            for i in site.items
            if i.date_published is not None and i.date_published.astimezone(TEHRAN).month == month
        ]
        assert listed == expected and expected


def test_tag_pages_list_every_article_and_link_their_feeds(
    big: tuple[Site, dict[str, bytes]],
) -> None:
    site, outputs = big
    for channel in site.tag_channels:
        assert channel.tag is not None
        first = channel.prefix + "index.html"
        listed = [h for p in _pages(outputs, first) for h in _listed(outputs, p)]
        # All articles, not only the feed's newest 15.
        tagged = [i for i in site.items if any(t.slug == channel.tag.slug for t in i.tags)]
        assert listed == [page_path(i, site.config) for i in tagged]
        doc = _doc(outputs, first)
        alternates = doc.xpath("//link[@rel='alternate']/@href")
        assert alternates[:3] == [
            BASE + channel.prefix + "rss.xml",
            BASE + channel.prefix + "atom.xml",
            BASE + channel.prefix + "feed.json",
        ]
        assert channel.prefix + "rss.xml" in outputs
    directory = _doc(outputs, "tags/index.html")
    sections = {s.xpath("string(h2)"): s.xpath(".//a/text()") for s in directory.xpath("//section")}
    assert sections["Places"] == ["Pakistan", "Subject 3"]
    assert sections["People"] == ["Subject 1"]
    assert set(sections) == {"Topics", "People", "Organisations", "Places", "Keywords"}


def test_author_pages_and_author_urls(big: tuple[Site, dict[str, bytes]]) -> None:
    site, outputs = big
    page = "authors/sara-ahmadi/index.html"
    listed = [h for p in _pages(outputs, page) for h in _listed(outputs, p)]
    assert listed == [page_path(i, site.config) for i in site.items if i.authors[0].name[0] == "S"]
    assert _doc(outputs, page).xpath("//link[@rel='alternate']/@href")[0] == (
        BASE + "authors/sara-ahmadi/rss.xml"
    )
    assert "authors/sara-ahmadi/feed.json" in outputs
    # Feeds and pages give the author page as the author's URL.
    article = _doc(outputs, page_path(site.items[1], site.config))
    assert article.xpath("//span[@class='author']/a/@href") == ["../authors/sara-ahmadi/index.html"]
    assert b'"url": "https://news.example.org/authors/sara-ahmadi/"' in outputs["feed.json"]


def test_article_pages_link_their_tag_pages(big: tuple[Site, dict[str, bytes]]) -> None:
    _, outputs = big
    doc = _doc(outputs, "articles/story-003.html")
    assert doc.xpath("//ul[@class='tags']//a/@href") == [
        "../tags/subject-3/index.html",
        "../tags/pakistan/index.html",
    ]


def test_every_relative_link_resolves(big: tuple[Site, dict[str, bytes]]) -> None:
    _, outputs = big
    checked = 0
    for path, data in outputs.items():
        if not path.endswith(".html"):
            continue
        doc = lxml.html.document_fromstring(data.decode("utf-8"))
        for href in doc.xpath("//a/@href | //link/@href | //img/@src"):
            if urlsplit(href).scheme:
                if href.startswith(BASE):
                    target = href[len(BASE) :].split("#")[0]
                    target = target + "index.html" if target.endswith("/") or not target else target
                    assert unquote(target) in outputs, f"{path}: {href}"
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), unquote(href)))
            assert target in outputs, f"{path}: {href} -> {target}"
            checked += 1
    assert checked > 500


def test_every_page_is_conforming_html5(big: tuple[Site, dict[str, bytes]]) -> None:
    _, outputs = big
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    pages = [p for p in outputs if p.endswith(".html")]
    for path in pages:
        parser.parse(outputs[path])  # raises ParseError on the first conformance error
    assert len(pages) > 60
    with pytest.raises(html5lib.html5parser.ParseError):
        parser.parse(b"<!DOCTYPE html><title>x</title><p><div></p>")


def test_lead_is_not_printed_twice() -> None:
    derived = seed_item().model_copy(
        update={"description": "Iran’s Supreme National Security Council Secretary, Ali…"}
    )
    assert not shows_standfirst(derived)
    assert shows_standfirst(seed_item())
    outputs = _render(make_site((derived,)))
    doc = _doc(outputs, page_path(derived, make_config()))
    assert doc.xpath("//p[@class='standfirst']") == []
    # The description still serves search engines and link previews.
    assert doc.xpath("//meta[@name='description']/@content") == [derived.description]
    outputs = _render(make_site((seed_item(),)))
    doc = _doc(outputs, page_path(seed_item(), make_config()))
    assert len(doc.xpath("//p[@class='standfirst']")) == 1


def test_pages_name_fonts_for_arabic_script() -> None:
    outputs = _render(make_site())
    css = _doc(outputs, "index.html").xpath("string(//style)")
    urdu = css[css.index(":lang(ur)") :]
    assert urdu.index('"Noto Nastaliq Urdu"') < urdu.index('"Noto Naskh Arabic"')
    assert urdu.index('"Noto Naskh Arabic"') < urdu.index("system-ui")
    arabic = css[css.index(":lang(ar)") :].split("}", 1)[0]
    assert ":lang(fa)" in arabic and 'font-family:"Noto Naskh Arabic"' in arabic


def test_lists_and_bare_links_in_every_format() -> None:
    item = seed_item().model_copy(
        update={
            "body": (
                Paragraph(
                    line=5,
                    text="Read the text at https://example.org/deal?a=1&b=2. Our report: "
                    f"{BASE}reports/1.html, and not javascript:alert(1).",
                ),
                ListBlock(items=("Trade <b>routes</b>", "Border crossings"), line=6),
                ListBlock(ordered=True, start=3, items=("Third", "Fourth"), line=8),
            )
        }
    )
    outputs = _render(make_site((item,)))
    page = _doc(outputs, page_path(item, make_config()))
    (paragraph,) = page.xpath("//article/p[not(@class)]")
    links = [(a.get("href"), a.get("rel")) for a in paragraph.xpath("a")]
    assert links == [
        ("https://example.org/deal?a=1&b=2", "nofollow noopener"),
        (f"{BASE}reports/1.html", None),  # the site's own page: no nofollow
    ]
    assert "javascript:alert(1)" in paragraph.text_content()
    assert page.xpath("//article/ul[not(@class)]/li/text()") == [
        "Trade <b>routes</b>",
        "Border crossings",
    ]
    assert page.xpath("//article/ol/@start") == ["3"]
    assert page.xpath("//article/ol/li/text()") == ["Third", "Fourth"]
    # Feeds carry the same markup in their content.
    rss = feedparser.parse(outputs["rss.xml"]).entries[0].content[0].value
    atom = feedparser.parse(outputs["atom.xml"]).entries[0].content[0].value
    json_feed = json.loads(outputs["feed.json"])["items"][0]["content_html"]
    for content in (rss, atom, json_feed):
        fragment = lxml.html.fragment_fromstring(content, create_parent="div")
        assert fragment.xpath("//ul/li/text()") == ["Trade <b>routes</b>", "Border crossings"]
        assert fragment.xpath("//ol/li/text()") == ["Third", "Fourth"]
        assert "https://example.org/deal?a=1&b=2" in fragment.xpath("//a/@href")
    # Plain-text formats keep each item on its own line.
    jsonld = json.loads(outputs[f"articles/{item.slug}.jsonld"])
    assert "Trade <b>routes</b>\nBorder crossings" in jsonld["articleBody"]


def test_images_in_every_format() -> None:
    photo = BASE + "images/larijani-naqvi.jpg"
    item = seed_item()
    assert item.image is not None
    item = item.model_copy(
        update={"image": item.image.model_copy(update={"width": 1200, "height": 800})}
    )
    config = make_config().model_copy(
        update={
            "publisher": make_config().publisher.model_copy(
                update={"default_image": BASE + "share.png"}
            )
        }
    )
    bare = item.model_copy(
        update={
            "id": "tag:news.example.org,2025:bare",
            "slug": "bare",
            "url": BASE + "articles/bare.html",
            "source_path": "bare.txt",
            "image": Image(caption="A caption without a picture", line=2),
        }
    )
    site = Site(config=config, items=(item, bare))
    outputs = _render(site)
    # RSS: an enclosure (length unknown: 0) and Media RSS, as newsboat reads them.
    rss = feedparser.parse(outputs["rss.xml"])
    first, second = rss.entries
    assert first.enclosures[0]["href"] == photo and first.enclosures[0]["type"] == "image/jpeg"
    assert first.media_content[0]["url"] == photo
    assert first.media_content[0]["width"] == "1200"
    assert first.media_thumbnail[0]["url"] == photo
    assert not second.get("enclosures") and "media_content" not in second
    root = etree.fromstring(outputs["rss.xml"])
    assert root.nsmap.get("media") == "http://search.yahoo.com/mrss/"
    # Atom: link rel="enclosure"; JSON Feed: image. Never the default image.
    atom = feedparser.parse(outputs["atom.xml"]).entries[0]
    assert [link.href for link in atom.links if link.rel == "enclosure"] == [photo]
    json_items = json.loads(outputs["feed.json"])["items"]
    assert json_items[0]["image"] == photo and "image" not in json_items[1]
    # JSON-LD: an ImageObject always has a url; the default stands in for a missing one.
    own = json.loads(outputs[f"articles/{item.slug}.jsonld"])["image"]
    assert own == {
        "@type": "ImageObject",
        "url": photo,
        "width": 1200,
        "height": 800,
        "caption": item.image.caption,
        "creditText": "WANA",
    }
    default = json.loads(outputs["articles/bare.jsonld"])["image"]
    assert default == {"@type": "ImageObject", "url": BASE + "share.png"}
    # OpenGraph and Twitter cards.
    page = _doc(outputs, page_path(item, config))
    meta = {m.get("property") or m.get("name"): m.get("content") for m in page.xpath("//meta")}
    assert meta["og:image"] == photo and meta["og:image:width"] == "1200"
    assert meta["twitter:card"] == "summary_large_image" and meta["twitter:image"] == photo
    bare_page = _doc(outputs, "articles/bare.html")
    assert bare_page.xpath("//meta[@property='og:image']/@content") == [BASE + "share.png"]


def test_author_groups_are_each_items_authors_once() -> None:
    """Items sharing their Person objects (as a build's refs do), equal ones that
    are other objects, two authors of one item and one named twice: each
    author's group holds the indexes of their items, in order, once each, as
    ``authors_of`` gives them."""
    from feedtool.render._common import author_dir, authors_of

    base = _site(count=12)
    sara = Person(name="Sara Ahmadi")
    items = list(base.items)
    items[1] = items[1].model_copy(update={"authors": (sara,)})
    items[3] = items[3].model_copy(update={"authors": (sara,)})
    items[4] = items[4].model_copy(update={"authors": (sara, Person(name="Omar Khan"))})
    items[6] = items[6].model_copy(update={"authors": (sara, sara)})
    site = Site(config=base.config, items=tuple(items), tag_channels=base.tag_channels)
    expected: dict[str, list[int]] = {}
    people: dict[str, Person] = {}
    for index, ref in enumerate(site.refs):
        for person in authors_of(ref, site.config):
            people.setdefault(author_dir(person), person)
            group = expected.setdefault(author_dir(person), [])
            if not group or group[-1] != index:
                group.append(index)
    groups = site._author_groups
    assert {folder: indexes for folder, (_, indexes) in groups.items()} == expected
    assert {folder: person for folder, (person, _) in groups.items()} == people
    assert {1, 3, 4, 6} <= set(expected["authors/sara-ahmadi/"])
    assert 4 in expected["authors/omar-khan/"]
