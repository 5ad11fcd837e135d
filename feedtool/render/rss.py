"""Renderer ``rss``: ``{prefix}rss.xml``, RSS 2.0 for every channel, written by feedgen.

feedgen is given every value explicitly, then its output is post-processed
with lxml for what it cannot express:

- ``lastBuildDate`` and ``pubDate`` come from the newest item (feedgen would
  use the clock);
- the WebSub hub link (``<atom:link rel="hub">``), which feedgen drops from
  RSS (lkiesow/python-feedgen#122).

Items carry ``description`` (the standfirst, HTML-escaped: readers render
it as HTML), ``content:encoded`` (the full
body, from ``body_html``), one ``dc:creator`` per author, ``guid
isPermaLink="false"`` (the item's tag: URI) and one ``category`` per tag, with
``domain`` set to the vocabulary URI for coded tags (IPTC media topics).
There is no ``enclosure``: RSS requires its byte length, which is unknown.
"""

from __future__ import annotations

import copy
import html
from collections.abc import Iterator
from typing import Any

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
    item_key,
    item_updated,
    renderer,
)
from feedtool.render._common import (
    GENERATOR,
    authors_of,
    clean,
    feed_content_html,
    home_url,
    item_id,
    published,
    whole_seconds,
    xml_bytes,
)
from feedtool.render.archive import HISTORY_NS, format_links
from feedtool.render.formats import RSS

_ATOM_NS = "http://www.w3.org/2005/Atom"


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
    """One channel as an RSS 2.0 document."""
    config = site.config
    self_url = RSS.url(config, channel.prefix)
    fg = _feed(config, channel.title, channel.description)
    fg.link(href=self_url, rel="self", type=RSS.media_type)
    # feedgen takes the channel <link> from the last link given.
    fg.link(href=home_url(config), rel="alternate", type="text/html")
    if config.publisher.logo:
        fg.image(url=config.publisher.logo, title=clean(channel.title), link=home_url(config))
    fg.lastBuildDate(whole_seconds(channel.updated))
    fg.pubDate(whole_seconds(max(published(i) for i in channel.refs)))

    root = etree.fromstring(fg.rss_str(pretty=False))
    channel_element = root.find("channel")
    assert channel_element is not None
    self_link = channel_element.find(f"{{{_ATOM_NS}}}link")
    for rel, href in reversed(format_links(channel, RSS, config.absolute)):
        link = etree.Element(f"{{{_ATOM_NS}}}link", href=href, rel=rel, type=RSS.media_type)
        if self_link is not None:
            self_link.addnext(link)
        else:
            channel_element.insert(0, link)
    if channel.archive:
        archive = etree.Element(f"{{{HISTORY_NS}}}archive", nsmap={"fh": HISTORY_NS})
        if self_link is not None:
            self_link.addprevious(archive)
        else:
            channel_element.insert(0, archive)
    channel_element.extend(copy.deepcopy(_item(site, item, channel)) for item in channel.items)
    hub = config.websub.hub
    if hub:
        self_link = channel_element.find(f"{{{_ATOM_NS}}}link")
        hub_link = etree.Element(f"{{{_ATOM_NS}}}link", href=hub, rel="hub")
        if self_link is not None:
            self_link.addnext(hub_link)
        else:
            channel_element.insert(0, hub_link)
    return xml_bytes(root)


def _feed(config: Config, title: str, description: str) -> FeedGenerator:
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.title(clean(title))
    # RSS requires a non-empty channel description.
    fg.description(clean(description) or clean(title))
    fg.language(config.language)
    fg.generator(GENERATOR)
    return fg


def _item(site: Site, item: NewsItem, channel: Channel) -> Any:
    """The item's ``<item>``, made by feedgen once (per variant) however many feeds carry it."""
    variant, content = feed_content_html(site, item, channel)
    return site.memo(("rss-item", variant, item_key(item)), lambda: _make_item(site, item, content))


def _make_item(site: Site, item: NewsItem, content: str) -> Any:
    config = site.config
    fg = _feed(config, item.headline, "")
    fg.link(href=item.url)
    entry = fg.add_entry()
    entry.id(item_id(item))
    entry.title(clean(item.headline))
    entry.link(href=item.url, rel="alternate")
    if item.description:
        entry.description(_html(item.description))
    entry.content(content, type="html")
    entry.pubDate(whole_seconds(published(item)))
    entry.updated(whole_seconds(item_updated(item)))
    for author in authors_of(item, config):
        entry.dc.dc_creator(clean(author.name))
    if item.language.lower() != config.language.lower():
        entry.dc.dc_language(item.language)
    if item.tags:
        # RSS shows the label; the vocabulary goes in ``domain``. One call
        # with the whole list: feedgen re-checks the list on every call.
        entry.category([_category(tag) for tag in item.tags], replace=True)
    return etree.fromstring(fg.rss_str(pretty=False)).find("channel/item")
