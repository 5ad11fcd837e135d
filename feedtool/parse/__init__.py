"""Parse stage: plain-text article bytes → ``NewsItem`` (to be written)."""

from __future__ import annotations

from pathlib import Path

from feedtool.config import Config
from feedtool.model import NewsItem


def parse_article(
    data: bytes, *, source_path: str, config: Config, path: Path | None = None
) -> NewsItem:
    """Parse one article's bytes. ``source_path`` is relative to the seeds folder
    (it goes into the model); ``path`` is the real file, named in errors."""
    raise NotImplementedError
