"""Bounded feeds with archives (RFC 5005, "Feed Paging and Archiving", section 4).

A channel's items, oldest first, are cut into pages of ``feed_size``; every
full page is an archive document at ``{prefix}history/{n}/`` (``n = 1`` the
oldest). A page is made only once it is full, and items are only ever added
after it (newest last), so the set of entries of an archive page does not
change when new articles are published; only an edit to one of its articles
or a back-dated article changes it.

Archive pages come at least two at a time: a channel of fewer than
``2 * feed_size`` items has none, and its subscription feed carries all of
its items (at most ``2 * feed_size - 1``); from ``2 * feed_size`` items on,
the two oldest full pages are archived together and the subscription feed
carries the newest ``feed_size``. So no archive document is ever alone, and
every one links to a neighbour (``prev-archive`` or ``next-archive``): an
archive without either cannot be told from a complete feed (RFC 5005
section 2), which is what the W3C validator's "Archive incomplete" warns of.
The items of the newest, partial page are all in the subscription feed, so
a reader that follows ``prev-archive`` from the subscription feed sees every
item.

Main, tag and author feeds follow this policy alike.

Links: the subscription feed has ``prev-archive`` to the newest page; each
page has ``current`` (the subscription feed), ``prev-archive`` and
``next-archive`` to its neighbours, and ``<fh:archive/>``. Atom and RSS carry
them (RSS as ``atom:link``); JSON Feed has no archive convention and keeps
the newest items only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from feedtool.model import NewsItem
from feedtool.render import Channel, ItemRef, LazyItems, Site
from feedtool.render.formats import FeedFormat

HISTORY_NS = "http://purl.org/syndication/history/1.0"


def history_prefix(prefix: str, page: int) -> str:
    """The folder of a channel's archive page: ``tags/pakistan/history/3/``."""
    return f"{prefix}history/{page}/"


def archive_pages(count: int, size: int) -> int:
    """How many archive pages a channel of ``count`` items has: its full pages, once
    there are at least two of them."""
    full = count // size
    return full if full >= 2 else 0


def subscription_size(count: int, size: int, archives: bool = True) -> int:
    """How many of a channel's ``count`` items (newest first) its subscription
    feed carries: ``size``, or all of them while it has no archive pages."""
    if archives and not archive_pages(count, size):
        return count
    return min(count, size)


def paged(
    channel: Channel,
    refs: Sequence[ItemRef],
    size: int,
    load: Callable[[ItemRef], NewsItem],
) -> tuple[Channel, tuple[Channel, ...]]:
    """``channel`` (whose items, newest first, are ``refs``) and its archive pages."""
    pages = archive_pages(len(refs), size)
    if not pages:  # most tags' channels: nothing to copy or cut
        return (channel if not channel.archives else channel.replace(archives=0)), ()
    oldest_first = list(reversed(refs))
    archives = []
    for page in range(1, pages + 1):
        chunk = tuple(reversed(oldest_first[(page - 1) * size : page * size]))
        # A copy keeps the channel's title, description, author and tag as it
        # holds them (a tag channel's as a triple: ``Channel._of_tag``).
        archives.append(
            channel.replace(
                prefix=history_prefix(channel.prefix, page),
                items=LazyItems(chunk, load),
                refs=chunk,
                archive=page,
                archives=pages,
                current=channel.prefix,
            )
        )
    return channel.replace(archives=pages), tuple(archives)


def links(channel: Channel, url: Callable[[str], str]) -> list[tuple[str, str]]:
    """``(rel, href)`` of the RFC 5005 links of a feed document; ``url(prefix)`` is
    the absolute URL of the same format's document of a channel prefix."""
    current = channel.current or ""
    if not channel.archive:
        if channel.archives:
            return [("prev-archive", url(history_prefix(current, channel.archives)))]
        return []
    found = [("current", url(current))]
    if channel.archive > 1:
        found.append(("prev-archive", url(history_prefix(current, channel.archive - 1))))
    if channel.archive < channel.archives:
        found.append(("next-archive", url(history_prefix(current, channel.archive + 1))))
    return found


def format_links(
    channel: Channel, feed: FeedFormat, absolute: Callable[[str], str]
) -> list[tuple[str, str]]:
    """:func:`links` for one feed format; ``absolute`` is ``config.absolute``."""
    return links(channel, lambda prefix: absolute(feed.path(prefix)))


def archived(site: Site, load: Callable[[ItemRef], NewsItem]) -> Site:
    """``site`` with the archive pages of its main, tag and author channels (an
    author's channel counts its pages from ``Site.archives``)."""
    size = site.config.feed_size
    groups = site._refs_by_tag
    _, pages = paged(site.main, site.refs, size, load)
    everything = list(pages)
    channels = []
    for channel in site.tag_channels:
        slug = channel.tag_slug or ""
        channel, more = paged(channel, groups.get(slug, ()), size, load)
        channels.append(channel)
        everything.extend(more)
    for channel in site.author_channels:
        everything.extend(paged(channel, site.refs_of(channel), size, load)[1])
    return site._keep_groups(
        dataclasses.replace(site, tag_channels=tuple(channels), archives=tuple(everything))
    )
