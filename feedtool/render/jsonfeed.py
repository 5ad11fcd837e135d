"""Renderer ``jsonfeed``: ``{prefix}feed.json``, JSON Feed 1.1 for every channel.

Keys are written in a fixed order with ``version`` first (the spec asks for it
at the top), UTF-8 without ``\\u`` escapes, two-space indent, final newline.
Optional members are left out rather than written as ``null``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from feedtool.model import NewsItem
from feedtool.render import Channel, Output, Planned, Site, channel_feeds, renderer
from feedtool.render._common import (
    EntryMode,
    authors_of,
    clean,
    entry_maker,
    feed_entries,
    home_url,
    iso,
    item_id,
    json_bytes,
    lean_content_html,
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
    return channel_feeds(site, JSON_FEED, jsonfeed_bytes)


def jsonfeed_bytes(site: Site, channel: Channel) -> bytes:
    """One channel as a JSON Feed document: its items' cached objects under its header.

    The same bytes as ``json_bytes(jsonfeed(site, channel))``.
    """
    entries = feed_entries(
        site, channel, "jsonfeed", lambda item, mode, content: _entry(site, item, mode, content)
    )
    head = json_bytes({**_head(site, channel), "items": []})
    empty = b"[]\n}\n"
    if not head.endswith(empty):  # pragma: no cover - ``items`` is the last member
        raise ValueError("the feed does not end in its items")
    return b"".join((head[: -len(empty)], b"[\n    ", b",\n    ".join(entries), b"\n  ]\n}\n"))


def jsonfeed(site: Site, channel: Channel) -> dict[str, Any]:
    """One channel as a JSON Feed 1.1 object."""
    return orjson.loads(jsonfeed_bytes(site, channel))  # type: ignore[no-any-return]


def _head(site: Site, channel: Channel) -> dict[str, Any]:
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
    return feed


@entry_maker("jsonfeed", archives=False)
def _entry(site: Site, item: NewsItem, mode: EntryMode, content: str) -> bytes:
    """The item's object, indented as it is in a feed's ``items``."""
    data = orjson.dumps(_item(site, item, mode, content), option=orjson.OPT_INDENT_2)
    return data.replace(b"\n", b"\n    ")


def _item(site: Site, item: NewsItem, mode: EntryMode, content: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": item_id(item),
        "url": item.url,
        "title": clean(item.headline),
        "content_html": lean_content_html(item, site.config) if mode == "summary" else content,
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
