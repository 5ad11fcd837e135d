"""feedtool: plain-text news articles → enriched RSS, Atom, JSON Feed, JSON-LD and HTML.

The public API is what this module exports; everything else is internal.

>>> from feedtool import load_config, build
>>> report = build("seeds", "feeds", load_config("feedtool.toml"))  # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

# Not `from typing import TYPE_CHECKING`: importing typing costs a no-op
# `feedtool build` (see feedtool._noop) a tenth of its time; mypy reads any
# `TYPE_CHECKING` name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from feedtool.config import Config, load_config
    from feedtool.enrich import enrich_item, enricher
    from feedtool.errors import ConfigError, FeedtoolError, ParseError, PublishError
    from feedtool.model import (
        DateMention,
        EmbeddedPost,
        Evidence,
        Heading,
        Image,
        ListBlock,
        NewsItem,
        Paragraph,
        Person,
        Publisher,
        Tag,
    )
    from feedtool.parse import parse_article
    from feedtool.publish import BuildReport, build, load_article
    from feedtool.render import Site, renderer

# Imported on first use (PEP 562): `feedtool build` with nothing to do must not
# pay for pydantic, lxml, jinja2 and the enrichment data it never touches.
_EXPORTS = {
    "Config": "feedtool.config",
    "load_config": "feedtool.config",
    "enrich_item": "feedtool.enrich",
    "enricher": "feedtool.enrich",
    "ConfigError": "feedtool.errors",
    "FeedtoolError": "feedtool.errors",
    "ParseError": "feedtool.errors",
    "PublishError": "feedtool.errors",
    "DateMention": "feedtool.model",
    "EmbeddedPost": "feedtool.model",
    "Evidence": "feedtool.model",
    "Heading": "feedtool.model",
    "Image": "feedtool.model",
    "ListBlock": "feedtool.model",
    "NewsItem": "feedtool.model",
    "Paragraph": "feedtool.model",
    "Person": "feedtool.model",
    "Publisher": "feedtool.model",
    "Tag": "feedtool.model",
    "parse_article": "feedtool.parse",
    "BuildReport": "feedtool.publish",
    "build": "feedtool.publish",
    "load_article": "feedtool.publish",
    "Site": "feedtool.render",
    "renderer": "feedtool.render",
}


def __getattr__(name: str) -> Any:
    import importlib

    module = _EXPORTS.get(name)
    if module is None and not name.startswith("__"):
        try:
            # `feedtool.render` and friends, as after an eager `import feedtool`.
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


__all__ = [
    "BuildReport",
    "Config",
    "ConfigError",
    "DateMention",
    "EmbeddedPost",
    "Evidence",
    "FeedtoolError",
    "Heading",
    "Image",
    "ListBlock",
    "NewsItem",
    "Paragraph",
    "ParseError",
    "Person",
    "PublishError",
    "Publisher",
    "Site",
    "Tag",
    "__version__",
    "build",
    "enrich_item",
    "enricher",
    "load_article",
    "load_config",
    "parse_article",
    "renderer",
]
