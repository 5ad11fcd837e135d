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
import hashlib
import json
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from feedtool.errors import FeedtoolWarning
from feedtool.publish._report import BuildReport, Held
from feedtool.publish._seeds import SeedScan, scan_seeds
from feedtool.publish._state import STATE_FILENAME

if TYPE_CHECKING:
    from feedtool.store import ItemStore

#: The store's meta key of the stamp.
QUICK_META = "quick"
_VERSION = 1


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, separators=(",", ":")).encode()).hexdigest()[:32]


def file_digest(data: bytes) -> str:
    """The digest a stamp keeps of a file's bytes (the config, the state file)."""
    return hashlib.sha256(data).hexdigest()


def code_identity() -> str:
    """feedtool's own files and the installed distributions, from ``stat`` and folder listings.

    Cheaper than :func:`feedtool.store.code_version` (no file is read, no
    package metadata parsed) and at least as strict: any installed, removed
    or upgraded distribution changes it.
    """
    root = Path(__file__).resolve().parents[1]
    parts: list[object] = [sys.version, str(root)]
    for folder, _, names in sorted(os.walk(root)):
        if "__pycache__" in folder:
            continue
        for name in sorted(names):
            if name.endswith(".pyc"):
                continue
            info = os.stat(os.path.join(folder, name))
            parts.append((os.path.relpath(os.path.join(folder, name), root), info.st_size))
            parts.append(info.st_mtime_ns)
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        # Names only, not the folder: sys.path[0] is the script's folder, and
        # `feedtool` and `python -m feedtool.cli` must share a stamp.
        parts.append(sorted(n for n in names if n.endswith((".dist-info", ".egg-info", ".pth"))))
    return _digest(parts)


def seed_stat(path: Path) -> tuple[int, int, int, int]:
    """What a stamp remembers of one article file (``stat`` follows links, as a build reads)."""
    info = path.stat()
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def seeds_digest(
    stats: Iterable[tuple[str, tuple[int, int, int, int]]], notices: Sequence[FeedtoolWarning]
) -> str:
    """A digest of the article files (``(relative path, seed_stat)``) and the scan's notices."""
    return _digest([sorted(stats), [str(note) for note in notices]])


def folders_stamp(out: Path, folders: Sequence[str]) -> str | None:
    """A digest of the modification times of the output ``folders``; ``None`` if one is gone."""
    stamps = []
    root = os.fspath(out)
    for folder in folders:
        try:
            stamps.append((folder, os.stat(os.path.join(root, folder)).st_mtime_ns))
        except OSError:
            return None
    return _digest(stamps)


def quick_key(code: str, config_source: str, seeds: Path, drafts: bool, future: bool) -> str:
    return _digest([_VERSION, code, config_source, os.path.realpath(seeds), drafts, future])


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
        raw: dict[str, Any] = json.loads(text)
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
                    FeedtoolWarning(message, path=path, line=line, hint=hint)
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
) -> QuickStamp | None:
    """The stamp of a build that just finished (``None`` when an output folder is missing)."""
    state_path = out / STATE_FILENAME
    state = file_digest(state_path.read_bytes()) if state_path.is_file() else ""
    stamp = folders_stamp(out, folders)
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
    store: ItemStore,
    seeds: Path,
    out: Path,
    config_source: bytes,
    *,
    drafts: bool,
    future: bool,
) -> tuple[BuildReport, SeedScan] | None:
    """The last build's report if nothing it depends on changed, else ``None``.

    ``store`` must be held under the build lock. The scan is returned too, so
    the caller can name the seeds folder's other files without walking it again.
    """
    started = time.perf_counter()
    text = store.meta(QUICK_META)
    if text is None or store.meta("in_progress"):
        return None
    try:
        stamp = QuickStamp.loads(text)
    except (ValueError, KeyError, TypeError):
        return None
    if stamp.key != quick_key(code_identity(), file_digest(config_source), seeds, drafts, future):
        return None
    if stamp.until is not None and now() >= dt.datetime.fromisoformat(stamp.until):
        return None
    state_path = out / STATE_FILENAME
    try:
        state = file_digest(state_path.read_bytes()) if state_path.exists() else ""
    except OSError:
        return None
    if state != stamp.state or folders_stamp(out, stamp.folders) != stamp.folders_stamp:
        return None
    scan = scan_seeds(seeds)
    try:
        stats = [(p.relative_to(seeds).as_posix(), seed_stat(p)) for p in scan.paths]
    except OSError:
        return None
    if not scan.paths or seeds_digest(stats, scan.warnings) != stamp.seeds:
        return None
    return stamp.report(scan.warnings, time.perf_counter() - started), scan


__all__ = ["QUICK_META", "QuickStamp", "check", "code_identity", "make_stamp", "seeds_digest"]
