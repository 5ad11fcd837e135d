"""Publish stage: read ``seeds/``, run parse → enrich per article, stamp ids and
dates from the state file, render every format and write ``feeds/``.

The per-article work (:func:`load_article`) is a pure function of the file's
bytes and the config; only :func:`build` touches the state file and the clock,
and it does so once per article ever (first publication, first edit seen).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from feedtool.config import Config
from feedtool.enrich import enrich_item
from feedtool.errors import ParseError, PublishError
from feedtool.model import NewsItem
from feedtool.parse import parse_article
from feedtool.publish import _incremental
from feedtool.publish._incremental import (
    BuildReport,
    Held,
    Progress,
    Stamper,
    build,
    clean_temporaries,
    tag_channels_of,
)
from feedtool.publish._state import State
from feedtool.render import Channel, ItemRef


def find_articles(seeds: Path) -> list[Path]:
    """The article files under ``seeds``: ``*.txt``, hidden files excluded, sorted."""
    if not seeds.is_dir():
        raise PublishError(
            "seeds folder not found", path=seeds, hint="create it or pass the right SEEDS path"
        )
    return sorted(
        path
        for path in seeds.rglob("*.txt")
        if path.is_file() and not _hidden(path.relative_to(seeds))
    )


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def load_article(path: Path, config: Config, seeds: Path | None = None) -> NewsItem:
    """Parse and enrich one file (pure: depends on its bytes and the config only)."""
    source_path = path.relative_to(seeds).as_posix() if seeds else path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror}", path=path) from exc
    item = parse_article(data, source_path=source_path, config=config, path=path)
    return enrich_item(item, config)


def preview(path: Path, config: Config, out: Path | None = None) -> NewsItem:
    """One article as a build into ``out`` would publish it, without writing.

    Its id and dates come from ``out``'s state when a build has published it,
    otherwise they are the ones a build would give it now.
    """
    item = load_article(path, config)
    state = State.load(out) if out is not None and out.is_dir() else State()
    summary = _incremental._summarise(item, item.model_dump_json().encode("utf-8"))
    stamps = Stamper(state, config, _now()).stamp_all([summary])
    return item.model_copy(update=stamps[summary.source_path].update())


def _now() -> dt.datetime:
    return _incremental._now()


def tag_channels(items: Sequence[NewsItem], config: Config) -> tuple[Channel, ...]:
    """One channel per tag slug carried by at least ``feeds_min_items`` items (newest first)."""
    by_path = {item.source_path: item for item in items}
    refs = [ItemRef.of(item) for item in items]
    return tag_channels_of(refs, config, lambda ref: by_path[ref.source_path])


__all__ = [
    "BuildReport",
    "Held",
    "Progress",
    "build",
    "clean_temporaries",
    "find_articles",
    "load_article",
    "preview",
    "tag_channels",
]
