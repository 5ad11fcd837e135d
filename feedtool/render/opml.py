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
from feedtool.render._common import clean, home_url, xml_bytes
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


@renderer("opml")
def render_opml(site: Site) -> Iterator[Output | Planned]:
    """Yield ``feeds.opml``."""
    newest = site.main.updated.isoformat() if site.refs else None
    yield Planned("feeds.opml", fingerprint(site.structure, newest), lambda: _opml(site))


def _opml(site: Site) -> bytes:
    config = site.config
    opml = etree.Element("opml", version="2.0")
    head = etree.SubElement(opml, "head")
    etree.SubElement(head, "title").text = clean(f"{config.title}: feeds")
    if site.items:
        newest = site.main.updated
        etree.SubElement(head, "dateModified").text = email.utils.format_datetime(newest)
    etree.SubElement(head, "ownerName").text = clean(config.publisher.name)
    body = etree.SubElement(opml, "body")
    home = home_url(config)
    formats = enabled_formats(config)
    for feed in formats:
        _outline(
            body,
            f"{config.title} ({feed.outline_label})",
            feed.url(config, ""),
            home,
            config.description,
            config.language,
            feed.opml_version,
        )
    channels: tuple[Channel, ...] = tuple(c for c in site.tag_channels if c.items)
    if channels and formats:
        folder = etree.SubElement(body, "outline", text="Tags", title="Tags")
        tag_feed = formats[0]
        for channel in channels:
            _outline(
                folder,
                channel.title,
                tag_feed.url(config, channel.prefix),
                home,
                channel.description,
                config.language,
                tag_feed.opml_version,
            )
    return xml_bytes(opml)
