"""Publish stage: read ``seeds/``, run parse → enrich per article, stamp ids and
dates from the state file, render every format and write ``feeds/``.

This module is the build's orchestration; its jobs live apart: the id state
and stamping in ``_state``, atomic file writing in ``_write``, tag channels in
``feedtool.render``, WebSub pings in ``websub`` (the server is ``feedtool.serve``).

The per-article work (:func:`load_article`) is a pure function of the file's
bytes and the config; only :func:`build` touches the state file and the clock,
and it does so once per article ever (first publication, first edit seen).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from feedtool.config import Config
from feedtool.enrich import check_enrichers, enrich_item
from feedtool.errors import FeedtoolError, ParseError, PublishError
from feedtool.model import NewsItem
from feedtool.parse import parse_article
from feedtool.publish._state import Stamper, State, now
from feedtool.publish._write import write_outputs
from feedtool.render import Site, render_site, tag_channels
from feedtool.render.formats import FEED_FORMATS

#: Below this many articles a process pool costs more than it saves.
_PARALLEL_THRESHOLD = 200

_FEED_FILES = frozenset(f.file for f in FEED_FORMATS)


@dataclass(frozen=True)
class BuildReport:
    """What a build did."""

    articles: int
    errors: tuple[FeedtoolError, ...]
    outputs: int
    written: tuple[str, ...]
    removed: tuple[str, ...]
    ping_errors: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        line = (
            f"{self.articles} articles, {self.outputs} outputs "
            f"({len(self.written)} written, {len(self.removed)} removed), "
            f"{len(self.errors)} errors"
        )
        if self.ping_errors:
            line += f", {len(self.ping_errors)} WebSub ping failures"
        return line


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
    return Stamper(state, config, now()).stamp(item)


def _load_or_error(args: tuple[Path, Config, Path]) -> NewsItem | FeedtoolError:
    path, config, seeds = args
    try:
        return load_article(path, config, seeds)
    except FeedtoolError as exc:
        return exc
    except Exception as exc:  # one bad article must never stop the others
        error = ParseError(
            f"internal error while reading this article: {type(exc).__name__}: {exc}",
            path=path,
            hint="please report this with the file attached",
        )
        error.__cause__ = exc
        return error


def _load_all(
    paths: Sequence[Path], config: Config, seeds: Path, jobs: int
) -> list[NewsItem | FeedtoolError]:
    tasks = [(path, config, seeds) for path in paths]
    if jobs > 1 and len(tasks) >= _PARALLEL_THRESHOLD:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            return list(pool.map(_load_or_error, tasks, chunksize=32))
    return [_load_or_error(task) for task in tasks]


def _sort_key(item: NewsItem) -> tuple[float, str]:
    assert item.date_published is not None and item.id is not None
    return (-item.date_published.timestamp(), item.id)


def build(
    seeds: Path | str,
    out: Path | str,
    config: Config,
    *,
    jobs: int | None = None,
    ping: bool = True,
) -> BuildReport:
    """Build ``out`` from the articles in ``seeds``.

    Bad articles are reported in ``BuildReport.errors`` and skipped; the
    others are published. Everything is rendered in memory before the first
    byte is written, and each file is replaced atomically, so a failed build
    leaves the previous output intact.
    """
    seeds, out = Path(seeds), Path(out)
    check_enrichers(config)
    paths = find_articles(seeds)
    results = _load_all(paths, config, seeds, jobs or os.cpu_count() or 1)
    errors = tuple(r for r in results if isinstance(r, FeedtoolError))
    loaded = [r for r in results if isinstance(r, NewsItem)]

    state = State.load(out)
    items = sorted(Stamper(state, config, now()).stamp_all(loaded), key=_sort_key)

    site = Site(config=config, items=tuple(items), tag_channels=tag_channels(items, config))
    outputs: dict[str, bytes] = {}
    for relative, data in render_site(site):
        if relative in outputs:
            raise PublishError(f"two renderers wrote {relative}", path=out / relative)
        outputs[relative] = data

    written, removed = write_outputs(out, outputs, state.files)
    state.files = sorted(outputs)
    state.save(out)

    ping_errors: list[str] = []
    if ping and config.websub.hub:
        changed = [config.absolute(p) for p in written if p.rsplit("/", 1)[-1] in _FEED_FILES]
        if changed:
            from feedtool.publish.websub import ping_hub

            ping_errors = ping_hub(config.websub.hub, changed, config.websub.timeout)

    return BuildReport(
        articles=len(items),
        errors=errors,
        outputs=len(outputs),
        written=tuple(written),
        removed=tuple(removed),
        ping_errors=tuple(ping_errors),
    )


__all__ = ["BuildReport", "build", "find_articles", "load_article", "preview"]
