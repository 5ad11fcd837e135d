"""Renderer ``opml``: ``feeds.opml``, an OPML 2.0 subscription list of every feed.

Readers import it to subscribe to the main feeds (RSS, Atom, JSON Feed) and to
the per-tag feeds in one go. OPML 2.0 says ``type="rss"`` for any feed
format; the tag feeds sit in a ``Tags`` folder, as readers show nested
outlines as folders. ``dateModified`` is the newest item's date, never the clock.
"""

from __future__ import annotations

import email.utils
from collections.abc import Iterator

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from feedtool.render import Channel, Output, Planned, Site, fingerprint, renderer
from feedtool.render._common import clean, home_url
from feedtool.render.formats import enabled_formats


def _outline(
    parent: etree._Element,
    text: str,
    xml_url: str,
    html_url: str,
    description: str,
    language: str,
    version: str | None,
) -> None:
    attributes = {
        "type": "rss",
        "text": clean(text),
        "title": clean(text),
        "xmlUrl": xml_url,
        "htmlUrl": html_url,
    }
    if description:
        attributes["description"] = clean(description)
    attributes["language"] = language
    if version:
        attributes["version"] = version
    etree.SubElement(parent, "outline", attributes)


_KINDS = (
    ("topic", "Topics"),
    ("person", "People"),
    ("organization", "Organisations"),
    ("place", "Places"),
    ("keyword", "Keywords"),
)


@renderer("opml")
def render_opml(site: Site) -> Iterator[Output | Planned]:
    """Yield ``feeds.opml``."""
    if not site.owns_rest():
        return
    newest = site.main.updated.isoformat() if site.refs else None
    yield Planned("feeds.opml", fingerprint(site.structure, newest), lambda: _opml(site))


def _opml(site: Site) -> bytes:
    """``feeds.opml``, as ``xml_bytes`` writes the tree of it, written outline by
    outline: a tree of every feed's outline (17,195 tag feeds at 20,000
    articles) was some 40 MB of libxml2's memory in the process that rendered
    it, freed but not given back to the system."""
    config = site.config
    head = etree.Element("head")
    etree.SubElement(head, "title").text = clean(f"{config.title}: feeds")
    if site.items:
        newest = site.main.updated
        etree.SubElement(head, "dateModified").text = email.utils.format_datetime(newest)
    etree.SubElement(head, "ownerName").text = clean(config.publisher.name)
    etree.indent(head, space="  ", level=1)
    parts = [_DECLARATION, b'<opml version="2.0">\n  ', _serial(head), b"\n  "]
    home = home_url(config)
    formats = enabled_formats(config)
    if not formats:
        parts.append(b"<body/>\n</opml>\n")
        return b"".join(parts)
    parts.append(b"<body>\n")
    for feed in formats:
        parts += (
            b"    ",
            _outline_bytes(
                f"{config.title} ({feed.outline_label})",
                feed.url(config, ""),
                home,
                config.description,
                config.language,
                feed.opml_version,
            ),
            b"\n",
        )
    tag_feed = formats[0]
    # Tag feeds grouped by kind, then the authors' feeds: readers show nested
    # outlines as folders. Each outline's page is the tag's or author's page.
    tag_channels = site.all_tag_channels
    groups: list[tuple[str, list[Channel]]] = [
        (title, [c for c in tag_channels if c.items and c.tag and c.tag.kind == kind])
        for kind, title in _KINDS
    ]
    groups.append(("Tags", [c for c in tag_channels if c.items and c.tag is None]))
    if "author_pages" in config.render.renderers():
        groups.append(("Authors", [c for c in site.author_channels if c.items]))
    pages = {"tag_pages", "author_pages"} & set(config.render.renderers())
    for title, channels in groups:
        if not channels:
            continue
        folder = _serial(etree.Element("outline", text=title, title=title))
        parts += (b"    ", folder[: -len(b"/>")], b">\n")
        for channel in channels:
            has_page = (channel.author is not None and "author_pages" in pages) or (
                channel.tag is not None and "tag_pages" in pages
            )
            parts += (
                b"      ",
                _outline_bytes(
                    f"{channel.title} ({tag_feed.outline_label})",
                    tag_feed.url(config, channel.prefix),
                    config.absolute(channel.prefix) if has_page else home,
                    channel.description,
                    config.language,
                    tag_feed.opml_version,
                ),
                b"\n",
            )
        parts.append(b"    </outline>\n")
    parts.append(b"  </body>\n</opml>\n")
    return b"".join(parts)


_DECLARATION = b"<?xml version='1.0' encoding='UTF-8'?>\n"


def _serial(element: etree._Element) -> bytes:
    return bytes(etree.tostring(element, encoding="UTF-8"))


def _outline_bytes(
    text: str,
    xml_url: str,
    html_url: str,
    description: str,
    language: str,
    version: str | None,
) -> bytes:
    """One ``<outline>`` alone, as lxml writes it inside the whole tree."""
    holder = etree.Element("body")
    _outline(holder, text, xml_url, html_url, description, language, version)
    return _serial(holder[0])
