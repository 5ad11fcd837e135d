"""Renderer ``jsonfeed``: ``{prefix}feed.json``, JSON Feed 1.1 for every channel.

Keys are written in a fixed order with ``version`` first (the spec asks for it
at the top), UTF-8 without ``\\u`` escapes, two-space indent, final newline.
Optional members are left out rather than written as ``null``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from feedtool.model import NewsItem
from feedtool.render import Channel, Output, Planned, Site, channel_feeds, item_key, renderer
from feedtool.render._common import (
    authors_of,
    clean,
    feed_content_html,
    home_url,
    iso,
    item_id,
    json_bytes,
    own_image,
    person_json,
    published,
    tag_names,
)
from feedtool.render.formats import JSON_FEED

VERSION = "https://jsonfeed.org/version/1.1"


@renderer("jsonfeed")
def render_jsonfeed(site: Site) -> Iterator[Output | Planned]:
    """Yield ``feed.json`` for the main channel and each tag channel."""
    return channel_feeds(site, JSON_FEED, lambda site, channel: json_bytes(jsonfeed(site, channel)))


def jsonfeed(site: Site, channel: Channel) -> dict[str, Any]:
    """One channel as a JSON Feed 1.1 object."""
    config = site.config
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": clean(channel.title),
        "home_page_url": home_url(config),
        "feed_url": JSON_FEED.url(config, channel.prefix),
    }
    if channel.description:
        feed["description"] = clean(channel.description)
    feed["language"] = config.language
    publisher: dict[str, str] = {"name": clean(config.publisher.name), "url": config.publisher.url}
    if config.publisher.logo:
        publisher["avatar"] = config.publisher.logo
    feed["authors"] = [publisher]
    if config.websub.hub:
        feed["hubs"] = [{"type": "WebSub", "url": config.websub.hub}]
    feed["items"] = [_memo_item(site, item, channel) for item in channel.items]
    return feed


def _memo_item(site: Site, item: NewsItem, channel: Channel) -> dict[str, Any]:
    """The item's JSON, made once (per variant) however many feeds carry it."""
    variant, content = feed_content_html(site, item, channel)
    return site.memo(("jsonfeed-item", variant, item_key(item)), lambda: _item(site, item, content))


def _item(site: Site, item: NewsItem, content: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": item_id(item),
        "url": item.url,
        "title": clean(item.headline),
        "content_html": content,
    }
    if item.description:
        entry["summary"] = clean(item.description)
    image = own_image(item)
    if image is not None:
        entry["image"] = image.url
    entry["date_published"] = iso(published(item))
    if item.date_modified:
        entry["date_modified"] = iso(item.date_modified)
    authors = [person_json(author, "url") for author in authors_of(item, site.config)]
    if authors:
        entry["authors"] = authors
    tags = [clean(name) for name in tag_names(item.tags)]
    if tags:
        entry["tags"] = tags
    entry["language"] = item.language
    return entry
