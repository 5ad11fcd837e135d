"""Renderer ``atom``: ``{prefix}atom.xml``, Atom 1.0 (RFC 4287) for every channel, via feedgen.

The feed ``id`` is the absolute URL of the channel's own ``atom.xml``
(``https://news.example.org/atom.xml``, ``…/tags/pakistan/atom.xml``): an IRI
that stays the same from build to build and never depends on the items or the
clock. It changes only if ``base_url`` does, which moves every link anyway.

feedgen's output is post-processed with lxml where it falls short: entry
links lose their ``rel`` and ``type`` (it reads them from the element it has
just created: lkiesow/python-feedgen#135), and entries have no ``xml:lang``
(set when an article's language differs from the feed's).

Categories: coded tags keep their vocabulary (``term='11000000'
scheme='http://cv.iptc.org/newscodes/mediatopic/' label='politics'``); other
tags are ``term=<slug>`` in the scheme ``{base_url}tags/``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from feedgen.feed import FeedGenerator
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from feedtool.config import Config
from feedtool.model import NewsItem
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
    GENERATOR_URI,
    EntryMode,
    authors_of,
    category,
    clean,
    entry_maker,
    feed_entries,
    fill,
    fragment,
    home_url,
    image_type,
    item_id,
    own_image,
    person_json,
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
from feedtool.render.formats import ATOM

_ATOM = "{http://www.w3.org/2005/Atom}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@renderer("atom")
def render_atom(site: Site) -> Iterator[Output | Planned]:
    """Yield ``atom.xml`` for the main channel and each tag channel."""
    return channel_feeds(site, ATOM, atom_bytes, archives=True)


def feed_id(site: Site, channel: Channel) -> str:
    """The channel's permanent Atom ``id``: the URL of its ``atom.xml``."""
    return ATOM.url(site.config, channel.prefix)


def atom_bytes(site: Site, channel: Channel) -> bytes:
    """One channel as an Atom 1.0 document: its items' cached ``<entry>``s under its header."""
    entries = feed_entries(
        site, channel, "atom", lambda item, mode, content: _entry(site, item, mode, content)
    )
    return splice(_head(site, channel), b"\n</feed>\n", b"\n  ", entries)


def _head(site: Site, channel: Channel) -> bytes:
    config = site.config
    title, description = clean(channel.title), clean(channel.description)
    url = feed_id(site, channel)
    updated = whole_seconds(channel.updated)
    links = format_links(channel, ATOM, config.absolute)
    holes = None
    if not (links or channel.archive) and title and description:
        # Most channels differ only in these values: the site's stencil, filled
        # in (tests/test_render_heads.py checks it gives feedgen's bytes).
        holes = site.memo(("atom head",), lambda: _stencil(config))
    if holes is None:
        return _head_xml(config, title, description, url, url, updated, links, channel.archive)
    return fill(
        holes,
        {
            _TITLE: xml_text(title),
            _SUBTITLE: xml_text(description),
            _ID: xml_text(url),
            _SELF: xml_attribute(url),
            _UPDATED: updated.isoformat().encode(),
        },
    )


# Stand-ins for the values that vary between channels (plain ASCII: serialised as is).
_TITLE, _SUBTITLE = b"FeedtoolHoleTitle", b"FeedtoolHoleSubtitle"
_ID, _SELF = b"FeedtoolHoleId", b"FeedtoolHoleSelf"
_STAND_UPDATED = dt.datetime(2001, 2, 3, 4, 5, 6, tzinfo=dt.UTC)
_UPDATED = _STAND_UPDATED.isoformat().encode()


def _stencil(config: Config) -> list[bytes] | None:
    """The head of a channel without archive links, cut at its varying values
    (``None`` should the config's own text contain a stand-in)."""
    document = _head_xml(
        config,
        _TITLE.decode(),
        _SUBTITLE.decode(),
        _ID.decode(),
        _SELF.decode(),
        _STAND_UPDATED,
        [],
        0,
    )
    return stencil(document, [_TITLE, _SUBTITLE, _ID, _SELF, _UPDATED])


def _head_xml(
    config: Config,
    title: str,
    description: str,
    ident: str,
    self_url: str,
    updated: dt.datetime,
    links: list[tuple[str, str]],
    archive: int,
) -> bytes:
    """The head from its values, through feedgen."""
    fg = _feed(config, ident, title, description)
    fg.updated(updated)
    fg.link(href=self_url, rel="self", type=ATOM.media_type)
    fg.link(href=home_url(config), rel="alternate", type="text/html")
    if config.websub.hub:
        fg.link(href=config.websub.hub, rel="hub")
    if config.publisher.logo:
        fg.logo(config.publisher.logo)
    root = etree.fromstring(fg.atom_str(pretty=False))
    for rel, href in links:
        etree.SubElement(root, f"{_ATOM}link", rel=rel, href=href, type=ATOM.media_type)
    if archive:
        etree.SubElement(root, f"{{{HISTORY_NS}}}archive", nsmap={"fh": HISTORY_NS})
    return xml_bytes(root)


def _feed(config: Config, ident: str, title: str, description: str) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(ident)
    fg.title(clean(title))
    if description:
        fg.subtitle(clean(description))
    fg.language(config.language)
    fg.generator(GENERATOR, uri=GENERATOR_URI)
    fg.author(name=clean(config.publisher.name), uri=config.publisher.url)
    return fg


@entry_maker("atom", archives=True)
def _entry(site: Site, item: NewsItem, mode: EntryMode, content: str) -> bytes:
    """The item's ``<entry>``, as serialised inside a feed."""
    root = etree.Element(f"{_ATOM}feed", nsmap={None: _ATOM[1:-1]})
    if not _build_entry(root, site, item, mode, content):
        root.append(_make_entry(site, item, mode, content))
    return fragment(root, b"<entry", b"</entry>")


def _build_entry(root: Any, site: Site, item: NewsItem, mode: EntryMode, content: str) -> bool:
    """Append the item's ``<entry>`` to ``root``, element by element, as
    :func:`_make_entry` makes it through feedgen (False, with nothing
    appended, for an item feedgen refuses: it keeps that path and its error).

    feedgen builds a whole feed for the one entry, serialises it and the
    entry is parsed back: twice the body's bytes through the XML writer and
    the parser, per item and variant. Text a round trip would drop (an empty
    string) is left unset here (tests/test_render_heads.py compares both
    ways on every kind of item).
    """
    config = site.config
    title = clean(item.headline)
    ident = item_id(item)
    if not title or not ident:
        return False
    sub = etree.SubElement
    entry = sub(root, f"{_ATOM}entry")
    sub(entry, f"{_ATOM}id").text = ident
    sub(entry, f"{_ATOM}title").text = title
    sub(entry, f"{_ATOM}updated").text = whole_seconds(item_updated(item)).isoformat()
    for author in authors_of(item, config):
        person = person_json(author, "uri")
        if not person["name"]:
            continue  # Atom requires a name: feedgen skips the author
        element = sub(entry, f"{_ATOM}author")
        sub(element, f"{_ATOM}name").text = person["name"]
        if person.get("uri"):
            sub(element, f"{_ATOM}uri").text = person["uri"]
    if mode == "summary":
        summary: str | None = summary_text(item)
    else:
        summary = clean(item.description) if item.description else None
        element = sub(entry, f"{_ATOM}content")
        element.text = content or None
        element.set("type", "html")
    link = sub(entry, f"{_ATOM}link", href=item.url)
    link.set("rel", "alternate")
    link.set("type", "text/html")
    if summary is not None:
        sub(entry, f"{_ATOM}summary").text = summary or None
    for tag in item.tags:
        term, scheme = category(tag, config)
        element = sub(entry, f"{_ATOM}category", term=term)
        if scheme:
            element.set("scheme", scheme)
        label = clean(tag.name)
        if label:
            element.set("label", label)
    sub(entry, f"{_ATOM}published").text = whole_seconds(published(item)).isoformat()
    _finish(entry, item, config)
    return True


def _make_entry(site: Site, item: NewsItem, mode: EntryMode, content: str) -> Any:
    """The item's ``<entry>`` through feedgen (the reference :func:`_build_entry` follows)."""
    config = site.config
    fg = _feed(config, item_id(item), item.headline, "")
    fg.updated(whole_seconds(item_updated(item)))
    entry = fg.add_entry()
    entry.id(item_id(item))
    entry.title(clean(item.headline))
    entry.link(href=item.url, rel="alternate", type="text/html")
    entry.published(whole_seconds(published(item)))
    entry.updated(whole_seconds(item_updated(item)))
    if mode == "summary":
        entry.summary(summary_text(item))
    else:
        if item.description:
            entry.summary(clean(item.description))
        entry.content(content, type="html")
    for author in authors_of(item, config):
        entry.author(person_json(author, "uri"))
    # One call with the whole list: feedgen re-checks every category it
    # already holds on each call, quadratic in the number of tags.
    categories = []
    for tag in item.tags:
        term, scheme = category(tag, config)
        categories.append({"term": term, "scheme": scheme, "label": clean(tag.name)})
    if categories:
        entry.category(categories, replace=True)

    element = etree.fromstring(fg.atom_str(pretty=False)).find(f"{_ATOM}entry")
    for link in element.iterfind(f"{_ATOM}link"):
        if link.get("href") == item.url and link.get("rel") is None:
            link.set("rel", "alternate")
            link.set("type", "text/html")
    _finish(element, item, config)
    return element


def _finish(element: Any, item: NewsItem, config: Config) -> None:
    """What feedgen cannot say of an entry: its language and its image."""
    if item.language.lower() != config.language.lower():
        element.set(_XML_LANG, item.language)
    image = own_image(item)
    if image is not None:
        enclosure = etree.Element(f"{_ATOM}link", rel="enclosure", href=image.url)
        kind = image_type(image.url)
        if kind is not None:
            enclosure.set("type", kind)
        if image.alt:
            enclosure.set("title", image.alt)
        alternate = element.find(f"{_ATOM}link")
        if alternate is not None:
            alternate.addnext(enclosure)
        else:
            element.append(enclosure)
