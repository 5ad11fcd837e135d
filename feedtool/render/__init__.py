"""Render stage: turn published ``NewsItem``s into files.

A renderer is a plain function ``(site) -> Iterator[(relative_path, bytes)]``
registered with :func:`renderer`; a new format is one new module that
registers itself, imported at the bottom. Renderers never read the clock or
the file system: all they know is the ``Site``, so output is deterministic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from feedtool.config import Config
from feedtool.model import NewsItem, Tag

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
    """One feed: the main one (``prefix=''``) or a tag's (``prefix='tags/pakistan/'``)."""

    prefix: str
    title: str
    description: str
    items: tuple[NewsItem, ...]
    tag: Tag | None = None

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
    def channels(self) -> tuple[Channel, ...]:
        """The main feed followed by every per-tag feed."""
        return (self.main, *self.tag_channels)


def _item_updated(item: NewsItem) -> dt.datetime:
    stamp = item.date_modified or item.date_published
    if stamp is None:
        raise ValueError(f"{item.source_path}: rendered before publication (no date)")
    return stamp


def item_updated(item: NewsItem) -> dt.datetime:
    """``date_modified`` if set, else ``date_published`` (Atom's ``updated``)."""
    return _item_updated(item)


def tag_channels(items: Sequence[NewsItem], config: Config) -> tuple[Channel, ...]:
    """One channel per tag slug carried by at least ``feeds_min_items`` items."""
    by_slug: dict[str, list[NewsItem]] = {}
    first_tag: dict[str, Tag] = {}
    for item in items:
        for tag in item.tags:
            group = by_slug.setdefault(tag.slug, [])
            if not group or group[-1] is not item:
                group.append(item)
            first_tag.setdefault(tag.slug, tag)
    channels = []
    for slug in sorted(by_slug):
        group = by_slug[slug]
        if len(group) < config.tags.feeds_min_items:
            continue
        tag = first_tag[slug]
        channels.append(
            Channel(
                prefix=f"tags/{slug}/",
                title=f"{config.title}: {tag.name}",
                description=f"Articles of {config.title} tagged '{tag.name}' ({tag.kind}).",
                items=tuple(group[: config.feed_size]),
                tag=tag,
            )
        )
    return tuple(channels)


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
