"""Publish stage: read ``seeds/``, run parse → enrich per article, stamp ids and
dates from the state file, render every format and write ``feeds/``.

The per-article work (:func:`load_article`) is a pure function of the file's
bytes and the config; only :func:`build` touches the state file and the clock,
and it does so once per article ever (first publication, first edit seen).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from feedtool.publish._files import clean_temporaries
from feedtool.publish._report import BuildReport, Held
from feedtool.publish._seeds import scan_seeds

if TYPE_CHECKING:
    from feedtool.config import Config
    from feedtool.model import NewsItem
    from feedtool.publish._incremental import Progress, build
    from feedtool.publish._state import State


def __getattr__(name: str) -> Any:
    # The pipeline is imported on first use, so that the no-op fast path of
    # `feedtool build` (which needs only the report types above) stays light.
    if name in ("build", "Progress"):
        from feedtool.publish import _incremental

        return getattr(_incremental, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def find_articles(seeds: Path) -> list[Path]:
    """The article files under ``seeds``: ``*.txt``, hidden files excluded, sorted.

    Symbolic links are followed only inside ``seeds``; see :func:`scan_seeds`
    for what is left out and why.
    """
    scan = scan_seeds(seeds)
    scan.check_not_empty(seeds)
    return list(scan.paths)


def other_files(seeds: Path) -> list[Path]:
    """Files in ``seeds`` that are not articles (``.md``, ``.html``…), hidden ones excluded.

    A build reads ``*.txt`` only; the CLI names these in a notice so that a
    Markdown file is not ignored without a word.
    """
    return list(scan_seeds(seeds).others) if seeds.is_dir() else []


def load_article(path: Path, config: Config, seeds: Path | None = None) -> NewsItem:
    """Parse and enrich one file (pure: depends on its bytes and the config only)."""
    from feedtool.enrich import enrich_item
    from feedtool.errors import ParseError
    from feedtool.parse import parse_article

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
    from feedtool.publish import _incremental
    from feedtool.publish._state import State

    item = load_article(path, config)
    state = State.load(out) if out is not None and out.is_dir() else State()
    return stamp_item(item, state, config, _incremental._now())


def stamp_item(item: NewsItem, state: State, config: Config, now: dt.datetime) -> NewsItem:
    """``item`` with the id and dates a build with ``state`` at ``now`` gives it."""
    from feedtool.enrich.newsroom import newsroom_dates, newsroom_zone
    from feedtool.publish import _incremental
    from feedtool.publish._ids import Stamper, apply_stamp

    summary = _incremental._summarise(item, item.model_dump_json().encode("utf-8"))

    def newsroom(_: object, first: dt.datetime) -> tuple[str | None, str | None]:
        found = newsroom_dates(item, newsroom_zone(item, config), reference=first)
        published, modified = found.get("date_published"), found.get("date_modified")
        return (
            published.isoformat() if isinstance(published, dt.datetime) else None,
            modified.isoformat() if isinstance(modified, dt.datetime) else None,
        )

    stamps = Stamper(state, config, now, newsroom).stamp_all([summary])
    return apply_stamp(item, stamps[summary.source_path], config)


__all__ = [
    "BuildReport",
    "Held",
    "Progress",
    "build",
    "clean_temporaries",
    "find_articles",
    "load_article",
    "other_files",
    "preview",
    "scan_seeds",
    "stamp_item",
]
