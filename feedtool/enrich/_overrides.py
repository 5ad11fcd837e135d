"""User overrides applied after the enrichers (to be written)."""

from __future__ import annotations

from feedtool.config import Config
from feedtool.model import NewsItem


def apply_overrides(item: NewsItem, config: Config) -> NewsItem:
    return item
