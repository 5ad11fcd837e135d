"""Enrich stage: fill a parsed ``NewsItem``'s languages, dates and tags.

Each enricher is a plain function ``(item, config) -> item`` registered under a
name with :func:`enricher`; a new tagger is one new module that registers
itself, imported below, or a plugin found by name (see ``feedtool.plugins``).
``enrich_item`` runs the enrichers named in ``config.enrich.enabled`` in order,
then applies the user's overrides (front matter tags win; ``[tags] drop`` and
``rename``). It is a pure function of the
item and the config, so its results can be cached and computed in parallel.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import cast

from feedtool.config import Config
from feedtool.errors import FeedtoolWarning
from feedtool.model import NewsItem
from feedtool.plugins import ENRICHERS, import_modules

Enricher = Callable[[NewsItem, Config], NewsItem]


def enricher(
    name: str, *, needs: Sequence[str] = (), after: Sequence[str] = ()
) -> Callable[[Enricher], Enricher]:
    """Register ``function`` as the enricher called ``name``.

    ``needs``: enrichers that must be enabled and run before this one (their
    tags are its input); ``after``: enrichers that must run before it when
    they are enabled. ``load_config`` checks both.
    """
    return cast(Callable[[Enricher], Enricher], ENRICHERS.register(name, needs=needs, after=after))


def check_enrichers(config: Config) -> None:
    """Raise ``ConfigError`` unless every enabled enricher loads, in an order that works."""
    ENRICHERS.check(config.enrich.enabled)


def enrich_item(item: NewsItem, config: Config) -> NewsItem:
    """Run the configured enrichers on ``item``, then the tag overrides."""
    check_enrichers(config)
    for name in config.enrich.enabled:
        item = cast(Enricher, ENRICHERS[name])(item, config)
    return _capped(_apply_overrides(item, config), config.limits.max_tags)


def _capped(item: NewsItem, limit: int) -> NewsItem:
    """``item`` with at most ``limit`` inferred tags, the best scored (given tags all stay).

    Each tag can make feeds of its own: one long article naming thousands of
    people must not make thousands of feeds.
    """
    inferred = [tag for tag in item.tags if not tag.given]
    if len(inferred) <= limit:
        return item
    ranked = sorted(range(len(inferred)), key=lambda n: (-inferred[n].score, n))
    kept = {id(inferred[n]) for n in ranked[:limit]}
    warnings.warn(
        FeedtoolWarning(
            f"{len(inferred)} tags inferred; the {limit} best scored are kept",
            hint="raise [limits] max_tags to keep more, or give tags in front matter",
        ),
        stacklevel=3,
    )
    tags = tuple(tag for tag in item.tags if tag.given or id(tag) in kept)
    return item.model_copy(update={"tags": tags})


def _apply_overrides(item: NewsItem, config: Config) -> NewsItem:
    from feedtool.enrich._overrides import apply_overrides
    from feedtool.enrich.newsroom import drop_credits

    return apply_overrides(drop_credits(item), config)


# Importing its modules registers the built-in enrichers (a new one is one new module).
import_modules(__name__, __path__)
