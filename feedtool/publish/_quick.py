"""The no-op fast path: tell from the file list and the store alone that a build has nothing to do.

A newsroom's publish step runs ``feedtool build`` after every change, and most
of the time nothing changed for the site, or nothing at all. Loading the
config (pydantic), the enrichers' data and the renderers costs far more than
the answer, so the last complete build leaves a *quick stamp* in the store:
digests of everything that decides what it wrote, taken from the file system
as that build saw it. The next ``feedtool build`` compares them before it
imports the pipeline, and when all match it reports the last build's result
without reading an article. Any difference, or any doubt, falls back to the
real build, which does its own, complete checks.

What the stamp covers, and so what makes the next build a real one:

* the config file's bytes, the seeds folder, ``--drafts`` / ``--future``;
* feedtool's own files (size and modification time) and the installed
  distributions on ``sys.path`` (an upgrade of an enrichment package, or a
  plugin installed or removed);
* every article file's size, modification time, change time and inode, and
  the seeds scan's notices (links, hidden files);
* the state file's bytes (ids and dates), and the modification times of the
  output folders (a deleted or added output changes its folder's time);
* the time: a stamp expires when the first embargoed article comes due.

A stamp is only left by a build with no errors whose every article file was
last read more than the file system's time resolution after it was last
modified (a file written in the same tick as it was read may change again
without its modification time changing).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import feedtool._stamp as _stamp
from feedtool._stamp import (
    QUICK_META,
    code_identity,
    file_digest,
    folders_stamp,
    quick_key,
    seeds_digest,
)
from feedtool.errors import FeedtoolWarning
from feedtool.publish._report import BuildReport, Held
from feedtool.publish._seeds import scan_seeds
from feedtool.publish._state import STATE_FILENAME


def seed_stat(path: Path) -> tuple[int, int, int, int]:
    """What a stamp remembers of one article file (``stat`` follows links, as a build reads)."""
    info = path.stat()
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


@dataclass(frozen=True)
class QuickStamp:
    """What the last complete build saw, and what it reported."""

    key: str
    seeds: str
    state: str
    folders: tuple[str, ...]
    folders_stamp: str
    until: str | None
    articles: int
    outputs: int
    #: (message, path, line, hint) of the articles' warnings (the scan's own are taken afresh).
    warnings: tuple[tuple[str, str, int | None, str | None], ...]
    #: (path, draft, until, previewed) of the held articles.
    held: tuple[tuple[str, bool, str | None, bool], ...]

    def dumps(self) -> str:
        return json.dumps(vars(self), separators=(",", ":"))

    @classmethod
    def loads(cls, text: str) -> QuickStamp:
        return cls.loads_dict(json.loads(text))

    @classmethod
    def loads_dict(cls, raw: dict[str, Any]) -> QuickStamp:
        return cls(
            key=raw["key"],
            seeds=raw["seeds"],
            state=raw["state"],
            folders=tuple(raw["folders"]),
            folders_stamp=raw["folders_stamp"],
            until=raw["until"],
            articles=raw["articles"],
            outputs=raw["outputs"],
            warnings=tuple(tuple(w) for w in raw["warnings"]),
            held=tuple(tuple(h) for h in raw["held"]),
        )

    def report(self, scan_warnings: Sequence[FeedtoolWarning], seconds: float) -> BuildReport:
        return BuildReport(
            articles=self.articles,
            errors=(),
            outputs=self.outputs,
            written=(),
            removed=(),
            warnings=(
                *scan_warnings,
                *(
                    FeedtoolWarning(message, path=path or None, line=line, hint=hint)
                    for message, path, line, hint in self.warnings
                ),
            ),
            held=tuple(
                Held(path, draft, dt.datetime.fromisoformat(until) if until else None, previewed)
                for path, draft, until, previewed in self.held
            ),
            timings=(("no-op check", seconds),),
        )


def make_stamp(
    *,
    key: str,
    seeds: str,
    out: Path,
    folders: Sequence[str],
    articles: int,
    outputs: int,
    warnings: Sequence[FeedtoolWarning],
    held: Sequence[Held],
    stamp: str | None = None,
    state: str | None = None,
) -> QuickStamp | None:
    """The stamp of a build that just finished (``None`` when an output folder is missing);
    ``stamp``: the :func:`folders_stamp` of ``folders``, when the build just made it;
    ``state``: the :func:`file_digest` of the state file, when the build just wrote
    it (20 MB at 20,000 articles: not read back)."""
    if state is None:
        state_path = out / STATE_FILENAME
        state = file_digest(state_path.read_bytes()) if state_path.is_file() else ""
    stamp = stamp or folders_stamp(out, folders)
    if stamp is None:
        return None
    embargoes = [h.until for h in held if h.until is not None]
    return QuickStamp(
        key=key,
        seeds=seeds,
        state=state,
        folders=tuple(folders),
        folders_stamp=stamp,
        until=min(embargoes).isoformat() if embargoes else None,
        articles=articles,
        outputs=outputs,
        warnings=tuple(
            (w.message, str(w.path) if w.path else "", w.line, w.hint) for w in warnings
        ),
        held=tuple(
            (h.path, h.draft, h.until.isoformat() if h.until else None, h.previewed) for h in held
        ),
    )


def now() -> dt.datetime:
    """The build's clock; ``SOURCE_DATE_EPOCH`` makes it reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def check(
    seeds: Path,
    out: Path,
    config_source: bytes,
    *,
    drafts: bool,
    future: bool,
) -> tuple[BuildReport, tuple[Path, ...]] | None:
    """The last build's report and the seeds folder's other files, if nothing
    the build depends on changed; else ``None``.

    The caller holds the build lock. The checks are :func:`feedtool._stamp.check`'s
    (the console entry point's, before click is imported); this one also
    answers when the seeds folder has something to warn about.
    """
    started = time.perf_counter()
    found = _stamp.check(
        os.fspath(seeds), os.fspath(out), config_source, drafts=drafts, future=future, walk=_walk
    )
    if found is None:
        return None
    raw, notices, others = found
    try:
        stamp = QuickStamp.loads_dict(raw)
    except (KeyError, TypeError, ValueError):
        return None
    scan_warnings = tuple(n for n in notices if isinstance(n, FeedtoolWarning))
    report = stamp.report(scan_warnings, time.perf_counter() - started)
    return report, tuple(sorted(o if isinstance(o, Path) else seeds / o for o in others))


def _walk(seeds: str) -> tuple[list[tuple[str, _stamp.Stat]], Sequence[object], Sequence[Any]]:
    """The light walk; the full scan (with its notices) when the light one is unsure."""
    try:
        return _stamp.light_walk(seeds)
    except _stamp.Unsure:
        pass
    root = Path(seeds)
    scan = scan_seeds(root)
    stats = [(p.relative_to(root).as_posix(), seed_stat(p)) for p in scan.paths]
    return stats, scan.warnings, scan.others


__all__ = [
    "QUICK_META",
    "QuickStamp",
    "check",
    "code_identity",
    "file_digest",
    "folders_stamp",
    "make_stamp",
    "quick_key",
    "seeds_digest",
]
