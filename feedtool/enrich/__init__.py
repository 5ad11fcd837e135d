"""Enrich stage: fill a parsed ``NewsItem``'s languages, dates and tags.

Each enricher is a plain function ``(item, config) -> item`` registered under a
name with :func:`enricher`; a new tagger is one new module that registers
itself, imported below. ``enrich_item`` runs the enrichers named in
``config.enrich.enabled`` in order, then applies the user's overrides (front
matter tags win; ``[tags] drop`` and ``rename``). It is a pure function of the
item and the config, so its results can be cached and computed in parallel.
"""

from __future__ import annotations

from collections.abc import Callable

from feedtool.config import Config
from feedtool.errors import ConfigError
from feedtool.model import NewsItem

Enricher = Callable[[NewsItem, Config], NewsItem]

ENRICHERS: dict[str, Enricher] = {}


def enricher(name: str) -> Callable[[Enricher], Enricher]:
    """Register ``function`` as the enricher called ``name``."""

    def register(function: Enricher) -> Enricher:
        ENRICHERS[name] = function
        return function

    return register


def check_enrichers(config: Config) -> None:
    """Raise ``ConfigError`` if the config names an enricher that does not exist."""
    unknown = [name for name in config.enrich.enabled if name not in ENRICHERS]
    if unknown:
        raise ConfigError(
            f"key 'enrich.enabled': unknown enricher {unknown[0]!r}",
            hint=f"use some of {', '.join(sorted(ENRICHERS))}",
        )


def enrich_item(item: NewsItem, config: Config) -> NewsItem:
    """Run the configured enrichers on ``item``, then the tag overrides."""
    check_enrichers(config)
    for name in config.enrich.enabled:
        item = ENRICHERS[name](item, config)
    return _apply_overrides(item, config)


def _apply_overrides(item: NewsItem, config: Config) -> NewsItem:
    from feedtool.enrich._overrides import apply_overrides
    from feedtool.enrich.newsroom import drop_credits

    return apply_overrides(drop_credits(item), config)


# Importing the modules registers their enrichers.
from feedtool.enrich import (  # noqa: E402
    dates,  # noqa: F401
    entities,  # noqa: F401
    keywords,  # noqa: F401
    languages,  # noqa: F401
    places_rtl,  # noqa: F401
    topics,  # noqa: F401
)
