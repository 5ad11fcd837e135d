"""feedtool: plain-text news articles → enriched RSS, Atom, JSON Feed, JSON-LD and HTML.

The public API is what this module exports; everything else is internal.

>>> from feedtool import load_config, build
>>> report = build("seeds", "feeds", load_config("feedtool.toml"))  # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

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
