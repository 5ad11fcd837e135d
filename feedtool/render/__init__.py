"""Render stage: turn published ``NewsItem``s into files.

A renderer is a plain function ``(site) -> Iterator[(relative_path, bytes)]``
registered with :func:`renderer`; a new format is one new module that
registers itself, imported at the bottom. Renderers never read the clock or
the file system: all they know is the ``Site``, so output is deterministic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from feedtool.config import Config
from feedtool.model import NewsItem, Person, Tag

Output = tuple[str, bytes]
T = TypeVar("T")
Renderer = Callable[["Site"], Iterator[Output]]

RENDERERS: dict[str, Renderer] = {}


def renderer(name: str) -> Callable[[Renderer], Renderer]:
    """Register ``function`` as the renderer called ``name``."""

    def register(function: Renderer) -> Renderer:
        RENDERERS[name] = function
        return function

    return register


@dataclass(frozen=True)
class Channel:
    """One feed: the main one (``prefix=''``), a tag's (``prefix='tags/pakistan/'``)
    or an author's (``prefix='authors/jane-doe/'``)."""

    prefix: str
    title: str
    description: str
    items: tuple[NewsItem, ...]
    tag: Tag | None = None
    author: Person | None = None

    @property
    def updated(self) -> dt.datetime:
        """Newest date among the items: feed-level dates never come from the clock."""
        return max(_item_updated(i) for i in self.items)


@dataclass(frozen=True)
class Site:
    """Everything a renderer may use: the config and the items, newest first."""

    config: Config
    items: tuple[NewsItem, ...]
    tag_channels: tuple[Channel, ...] = field(default=())
    _memo: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, once per site and key.

        An item appears in the main feed and in one feed per tag, in three
        formats: its HTML body is rendered once, not a dozen times.
        """
        try:
            return cast(T, self._memo[key])
        except KeyError:
            value = self._memo[key] = compute()
            return value

    @property
    def main(self) -> Channel:
        """The main feed: the newest ``feed_size`` items."""
        return Channel(
            prefix="",
            title=self.config.title,
            description=self.config.description or self.config.title,
            items=self.items[: self.config.feed_size],
        )

    @property
    def author_channels(self) -> tuple[Channel, ...]:
        """One feed per author (the configured default author included), by folder."""
        return self.memo("author_channels", self._author_channels)

    def _author_channels(self) -> tuple[Channel, ...]:
        from feedtool.render._common import author_dir, authors_of

        groups: dict[str, tuple[Person, list[NewsItem]]] = {}
        for item in self.items:
            for person in authors_of(item, self.config):
                _, group = groups.setdefault(author_dir(person), (person, []))
                if not group or group[-1] is not item:
                    group.append(item)
        return tuple(
            Channel(
                prefix=prefix,
                title=f"{self.config.title}: {person.name}",
                description=f"Articles of {self.config.title} by {person.name}.",
                items=tuple(items[: self.config.feed_size]),
                author=person,
            )
            for prefix, (person, items) in sorted(groups.items())
        )

    @property
    def channels(self) -> tuple[Channel, ...]:
        """The main feed, every per-tag feed, then every author's feed."""
        return (self.main, *self.tag_channels, *self.author_channels)

    def items_of(self, channel: Channel) -> tuple[NewsItem, ...]:
        """Every item of a tag's or an author's channel, not only the newest ``feed_size``.

        The HTML pages list them all, page by page; the feeds keep the newest.
        """
        return self.memo(("items_of", channel.prefix), lambda: self._items_of(channel))

    def _items_of(self, channel: Channel) -> tuple[NewsItem, ...]:
        from feedtool.render._common import author_dir, authors_of

        if channel.tag is not None:
            slug = channel.tag.slug
            return tuple(i for i in self.items if any(t.slug == slug for t in i.tags))
        if channel.author is not None:
            folder = author_dir(channel.author)
            return tuple(
                i
                for i in self.items
                if any(author_dir(p) == folder for p in authors_of(i, self.config))
            )
        return self.items


def _item_updated(item: NewsItem) -> dt.datetime:
    stamp = item.date_modified or item.date_published
    if stamp is None:
        raise ValueError(f"{item.source_path}: rendered before publication (no date)")
    return stamp


def item_updated(item: NewsItem) -> dt.datetime:
    """``date_modified`` if set, else ``date_published`` (Atom's ``updated``)."""
    return _item_updated(item)


def render_site(site: Site, names: tuple[str, ...] | None = None) -> Iterator[Output]:
    """Run the named renderers (all by default), yielding ``(path, bytes)``."""
    for name in names or tuple(RENDERERS):
        yield from RENDERERS[name](site)


# Importing the modules registers their renderers.
from feedtool.render import (  # noqa: E402
    atom,  # noqa: F401
    html,  # noqa: F401
    jsonfeed,  # noqa: F401
    jsonld,  # noqa: F401
    ninjs,  # noqa: F401
    opml,  # noqa: F401
    rss,  # noqa: F401
    sitemap,  # noqa: F401
)
