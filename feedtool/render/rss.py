"""Renderer ``rss``: ``{prefix}rss.xml``, RSS 2.0 for every channel, written by feedgen.

feedgen is given every value explicitly, then its output is post-processed
with lxml for what it cannot express:

- ``lastBuildDate`` and ``pubDate`` come from the newest item (feedgen would
  use the clock);
- the WebSub hub link (``<atom:link rel="hub">``), which feedgen drops from
  RSS (lkiesow/python-feedgen#122).

Items carry ``description`` (the standfirst, HTML-escaped: readers render
it as HTML), ``content:encoded`` (the full
body, from ``body_html``; not in tag feeds of summaries), one ``dc:creator`` per author, ``guid
isPermaLink="false"`` (the item's tag: URI) and one ``category`` per tag, with
``domain`` set to the vocabulary URI for coded tags (IPTC media topics).
There is no ``enclosure``: RSS requires its byte length, which is unknown.

Each ``<item>`` is made by feedgen once per item and variant (see
``feed_entries``), serialised, and spliced into every channel that carries it
under that channel's header: the bytes are those of one lxml document.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from typing import Any

from feedgen.ext.dc import DcEntryExtension, DcExtension
from feedgen.feed import FeedGenerator
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from feedtool.config import Config
from feedtool.model import NewsItem, Tag
from feedtool.render import (
    Channel,
    Output,
    Planned,
    Site,
    channel_feeds,
    item_updated,
    renderer,
)
from feedtool.render._common import (
    GENERATOR,
    EntryMode,
    authors_of,
    clean,
    entry_maker,
    feed_entries,
    fill,
    fragment,
    home_url,
    image_type,
    item_id,
    own_image,
    published,
    splice,
    stencil,
    summary_text,
    whole_seconds,
    xml_attribute,
    xml_bytes,
    xml_text,
)
from feedtool.render.archive import HISTORY_NS, format_links
from feedtool.render.formats import RSS

_ATOM_NS = "http://www.w3.org/2005/Atom"
MEDIA_NS = "http://search.yahoo.com/mrss/"


def _html(text: str) -> str:
    # RSS readers treat <description> as HTML; the standfirst is plain text.
    # Quotes stay literal: '&#39;' in a description makes the W3C validator
    # (rightly) suspect markup.
    return html.escape(clean(text), quote=False)


def _category(tag: Tag) -> dict[str, str]:
    # feedgen writes ``label or term`` as the RSS text and ``scheme`` as ``domain``.
    if tag.code and tag.scheme:
        return {"term": clean(tag.name), "scheme": tag.scheme}
    return {"term": clean(tag.name)}


@renderer("rss")
def render_rss(site: Site) -> Iterator[Output | Planned]:
    """Yield ``rss.xml`` for the main channel and each tag channel."""
    return channel_feeds(site, RSS, rss_bytes, archives=True)


def rss_bytes(site: Site, channel: Channel) -> bytes:
    """One channel as an RSS 2.0 document: its items' cached ``<item>``s under its header."""
    entries = feed_entries(
        site, channel, "rss", lambda item, mode, content: _entry(site, item, mode, content)
    )
    head = _head(site, channel, media=any(b"<media:" in entry for entry in entries))
    return splice(head, b"\n  </channel>\n</rss>\n", b"\n    ", entries)


def _head(site: Site, channel: Channel, *, media: bool) -> bytes:
    """The document without its items (``media``: declare the Media RSS namespace)."""
    config = site.config
    title, description = clean(channel.title), clean(channel.description)
    self_url = RSS.url(config, channel.prefix)
    last_build = whole_seconds(channel.updated)
    first = whole_seconds(max(published(i) for i in channel.refs))
    links = format_links(channel, RSS, config.absolute)
    if links or channel.archive or not (title and description):
        values = (title, description, self_url, last_build, first)
        return _hex_references(_head_xml(config, *values, links, channel.archive, media))
    # Most channels (every tag's without archive pages) differ only in these
    # values: their head is the site's stencil with them filled in, not a
    # feedgen document built, parsed and serialised again (tests/test_render.py
    # checks both ways give the same bytes).
    holes = site.memo(("rss head", media), lambda: _stencil(config, media))
    if holes is None:
        values = (title, description, self_url, last_build, first)
        return _hex_references(_head_xml(config, *values, links, channel.archive, media))
    return _hex_references(
        fill(
            holes,
            {
                _TITLE: xml_text(title),
                _DESCRIPTION: xml_text(description),
                _SELF: xml_attribute(self_url),
                _BUILT: rfc2822(last_build).encode(),
                _FIRST: rfc2822(first).encode(),
            },
        )
    )


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def rfc2822(date: dt.datetime) -> str:
    """``date`` as RSS dates are written: feedgen's ``formatRFC2822``, the same
    characters, without its three ``locale.setlocale`` calls a date (slow,
    and process-wide: another thread's formatting would change language).
    Only the day and month names depend on the locale; they are C's here."""
    return date.strftime(f"{_DAYS[date.weekday()]}, %d {_MONTHS[date.month - 1]} %Y %H:%M:%S %z")


# Stand-ins for the values that vary between channels (plain ASCII: serialised as is).
_TITLE, _DESCRIPTION, _SELF = b"FeedtoolHoleTitle", b"FeedtoolHoleDescription", b"FeedtoolHoleSelf"
_STAND_BUILT = dt.datetime(2001, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
_STAND_FIRST = dt.datetime(2002, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
_BUILT = rfc2822(_STAND_BUILT).encode()
_FIRST = rfc2822(_STAND_FIRST).encode()


def _stencil(config: Config, media: bool) -> list[bytes] | None:
    """The head of a channel without archive links, cut at its varying values
    (``None`` should the config's own text contain a stand-in)."""
    document = _head_xml(
        config,
        _TITLE.decode(),
        _DESCRIPTION.decode(),
        _SELF.decode(),
        _STAND_BUILT,
        _STAND_FIRST,
        [],
        0,
        media,
    )
    # The title twice with a logo: the channel's and the image's.
    titles = [_TITLE] * (2 if config.publisher.logo else 1)
    return stencil(document, [*titles, _DESCRIPTION, _SELF, _BUILT, _FIRST])


def _head_xml(
    config: Config,
    title: str,
    description: str,
    self_url: str,
    last_build: dt.datetime,
    first: dt.datetime,
    links: list[tuple[str, str]],
    archive: int,
    media: bool,
) -> bytes:
    """The head from its values, through feedgen (before ``_hex_references``)."""
    fg = _feed(config, title, description)
    fg.link(href=self_url, rel="self", type=RSS.media_type)
    # feedgen takes the channel <link> from the last link given.
    fg.link(href=home_url(config), rel="alternate", type="text/html")
    if config.publisher.logo:
        fg.image(url=config.publisher.logo, title=title, link=home_url(config))
    fg.lastBuildDate(last_build)
    fg.pubDate(first)

    root = etree.fromstring(fg.rss_str(pretty=False))
    channel_element = root.find("channel")
    assert channel_element is not None
    self_link = channel_element.find(f"{{{_ATOM_NS}}}link")
    for rel, href in reversed(links):
        link = etree.Element(f"{{{_ATOM_NS}}}link", href=href, rel=rel, type=RSS.media_type)
        if self_link is not None:
            self_link.addnext(link)
        else:
            channel_element.insert(0, link)
    if archive:
        marker = etree.Element(f"{{{HISTORY_NS}}}archive", nsmap={"fh": HISTORY_NS})
        if self_link is not None:
            self_link.addprevious(marker)
        else:
            channel_element.insert(0, marker)
    if media:
        # Declared once on the root rather than on every item.
        marker = etree.SubElement(channel_element, f"{{{MEDIA_NS}}}content")
        etree.cleanup_namespaces(
            root, top_nsmap={"media": MEDIA_NS}, keep_ns_prefixes=list(root.nsmap)
        )
        channel_element.remove(marker)
    hub = config.websub.hub
    if hub:
        self_link = channel_element.find(f"{{{_ATOM_NS}}}link")
        hub_link = etree.Element(f"{{{_ATOM_NS}}}link", href=hub, rel="hub")
        if self_link is not None:
            self_link.addnext(hub_link)
        else:
            channel_element.insert(0, hub_link)
    return xml_bytes(root)


# A leaf element and its text, as serialised ('<title>A &lt;B&gt;</title>').
_LEAF = re.compile(rb"(<(?P<name>[\w:.-]+)(?:\s[^<>]*)?>)(?P<text>[^<]*)(</(?P=name)>)")
_HTML_ELEMENTS = frozenset({b"description", b"content:encoded"})


def _hex_references(document: bytes) -> bytes:
    """``<`` and ``&`` in plain-text elements as ``&#x3C;`` and ``&#x26;``.

    RSS never said whether a title is text or HTML; the RSS Profile (and the
    W3C validator) ask for hexadecimal references in plain text, which every
    reader decodes as the character itself. The HTML elements keep ``&lt;``.
    """
    if b"&lt;" not in document and b"&amp;" not in document:
        return document  # nothing to write another way (most heads and summaries)

    def fix(match: re.Match[bytes]) -> bytes:
        text = match["text"]
        if match["name"] in _HTML_ELEMENTS or (b"&lt;" not in text and b"&amp;" not in text):
            return match[0]
        text = text.replace(b"&lt;", b"&#x3C;").replace(b"&amp;", b"&#x26;")
        return match[1] + text + match[4]

    return _LEAF.sub(fix, document)


def _feed(config: Config, title: str, description: str) -> FeedGenerator:
    fg = FeedGenerator()
    # What ``fg.load_extension("dc", atom=False, rss=True)`` does, without its
    # two imports per call (one fails, searching the path: 0.1 ms a feed or entry).
    fg.register_extension("dc", DcExtension, DcEntryExtension, atom=False, rss=True)
    fg.title(clean(title))
    # RSS requires a non-empty channel description.
    fg.description(clean(description) or clean(title))
    fg.language(config.language)
    fg.generator(GENERATOR)
    return fg


#: The namespaces a document's root declares for its items: an ``<item>``
#: serialised under them carries no declarations of its own, so it can be
#: spliced into any channel.
_ITEM_NSMAP = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "atom": _ATOM_NS,
    "content": "http://purl.org/rss/1.0/modules/content/",
    "media": MEDIA_NS,
}


@entry_maker("rss", archives=True)
def _entry(site: Site, item: NewsItem, mode: EntryMode, content: str) -> bytes:
    """The item's ``<item>``, as serialised inside a channel."""
    root = etree.Element("rss", nsmap=_ITEM_NSMAP)
    channel = etree.SubElement(root, "channel")
    if not _build_item(channel, site, item, mode, content):
        channel.append(_make_item(site, item, mode, content))
    return _hex_references(fragment(root, b"<item>", b"</item>"))


_DC = "{http://purl.org/dc/elements/1.1/}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}"


def _build_item(channel: Any, site: Site, item: NewsItem, mode: EntryMode, content: str) -> bool:
    """Append the item's ``<item>`` to ``channel``, element by element, as
    :func:`_make_item` makes it through feedgen (False, with nothing
    appended, for an item feedgen refuses: it keeps that path and its error).

    feedgen builds a whole channel for the one item, serialises it and the
    item is parsed back; text a round trip would drop (an empty string) is
    left unset here (tests/test_render_heads.py compares both ways).
    """
    config = site.config
    title = clean(item.headline)
    ident = item_id(item)
    if not title or not ident:
        return False
    sub = etree.SubElement
    element = sub(channel, "item")
    sub(element, "title").text = title
    sub(element, "link").text = item.url
    full = mode != "summary"
    if full:
        description = _html(item.description) if item.description else ""
    else:
        description = _html(summary_text(item))
    if description:
        sub(element, "description").text = description
        if full:
            sub(element, f"{_CONTENT}encoded").text = content or None
    elif full:
        sub(element, "description").text = content or None
    guid = sub(element, "guid")
    guid.text = ident
    guid.set("isPermaLink", "false")
    for tag in item.tags:
        value = _category(tag)
        node = sub(element, "category")
        node.text = value["term"] or None
        if value.get("scheme"):
            node.set("domain", value["scheme"])
    sub(element, "pubDate").text = rfc2822(whole_seconds(published(item)))
    authors = [clean(author.name) for author in authors_of(item, config)]
    if authors:
        sub(element, f"{_DC}creator").text = ", ".join(authors) or None
    if item.language.lower() != config.language.lower():
        sub(element, f"{_DC}language").text = item.language or None
    _add_image(element, item)
    return True


def _make_item(site: Site, item: NewsItem, mode: EntryMode, content: str) -> Any:
    """The item's ``<item>`` through feedgen (the reference :func:`_build_item` follows)."""
    config = site.config
    fg = _feed(config, item.headline, "")
    fg.link(href=item.url)
    entry = fg.add_entry()
    entry.id(item_id(item))
    entry.title(clean(item.headline))
    entry.link(href=item.url, rel="alternate")
    if mode == "summary":
        entry.description(_html(summary_text(item)))
    else:
        if item.description:
            entry.description(_html(item.description))
        entry.content(content, type="html")
    entry.pubDate(whole_seconds(published(item)))
    entry.updated(whole_seconds(item_updated(item)))
    authors = [clean(author.name) for author in authors_of(item, config)]
    if authors:
        # One dc:creator naming everyone: readers show the first element only.
        entry.dc.dc_creator(", ".join(authors))
    if item.language.lower() != config.language.lower():
        entry.dc.dc_language(item.language)
    if item.tags:
        # RSS shows the label; the vocabulary goes in ``domain``. One call
        # with the whole list: feedgen re-checks the list on every call.
        entry.category([_category(tag) for tag in item.tags], replace=True)
    element = etree.fromstring(fg.rss_str(pretty=False)).find("channel/item")
    _add_image(element, item)
    return element


def _add_image(element: Any, item: NewsItem) -> None:
    """``enclosure`` and Media RSS ``media:content`` / ``media:thumbnail`` for the image.

    RSS requires an enclosure's byte length, which a build does not know
    (the image lives elsewhere): ``0`` is the accepted way to say so.
    Readers such as newsboat show the picture from either element.
    """
    image = own_image(item)
    if image is None:
        return
    kind = image_type(image.url)
    if kind is not None:
        etree.SubElement(element, "enclosure", url=image.url, length="0", type=kind)
    content = etree.SubElement(element, f"{{{MEDIA_NS}}}content", url=image.url, medium="image")
    if kind is not None:
        content.set("type", kind)
    if image.width and image.height:
        content.set("width", str(image.width))
        content.set("height", str(image.height))
    if image.alt:
        etree.SubElement(content, f"{{{MEDIA_NS}}}description", type="plain").text = image.alt
    if image.credit:
        etree.SubElement(content, f"{{{MEDIA_NS}}}credit").text = image.credit
    etree.SubElement(element, f"{{{MEDIA_NS}}}thumbnail", url=image.url)
