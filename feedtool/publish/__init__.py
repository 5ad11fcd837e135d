"""Publish stage: read ``seeds/``, run parse → enrich per article, stamp ids and
dates from the state file, render every format and write ``feeds/``.

The per-article work (:func:`load_article`) is a pure function of the file's
bytes and the config; only :func:`build` touches the state file and the clock,
and it does so once per article ever (first publication, first edit seen).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from feedtool.config import Config
from feedtool.enrich import check_enrichers, enrich_item
from feedtool.enrich.newsroom import newsroom_dates, newsroom_zone
from feedtool.errors import FeedtoolError, ParseError, PublishError
from feedtool.model import NewsItem, Tag
from feedtool.parse import parse_article
from feedtool.publish._state import STATE_FILENAME, State, _Entry, body_fingerprint, parse_time
from feedtool.render import Channel, Site, render_site
from feedtool.render.formats import FEED_FORMATS

#: Below this many articles a process pool costs more than it saves.
_PARALLEL_THRESHOLD = 200

_WRITER_THREADS = 4

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
    return _Stamper(state, config, _now()).stamp(item)


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


def _now() -> dt.datetime:
    """The time of first publication; SOURCE_DATE_EPOCH makes it reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class _Stamper:
    """Gives each item its permanent id, slug and dates from the state."""

    def __init__(self, state: State, config: Config, now: dt.datetime) -> None:
        self.state = state
        self.config = config
        self.now = now
        self.claimed: set[str] = set()
        self.undated = 0
        self.slugs_taken = {e.slug: e.id for e in state.entries.values()}
        self._by_path = {e.path: e.id for e in state.entries.values()}
        self._by_content = {e.content_hash: e.id for e in state.entries.values()}
        self._by_body = {e.body_hash: e.id for e in state.entries.values()}
        self._by_headline = {e.headline: e.id for e in state.entries.values()}

    def _match(self, item: NewsItem, body_hash: str) -> str | None:
        candidates = (
            item.id,
            self._by_path.get(item.source_path),
            self._by_content.get(item.content_hash),
            self._by_body.get(body_hash),
            self._by_headline.get(item.headline),
        )
        for known in candidates:
            if known and known in self.state.entries and known not in self.claimed:
                return known
        return None

    def stamp_all(self, items: Sequence[NewsItem]) -> list[NewsItem]:
        """Stamp every item of a build.

        Items that match a known article claim their ids first, so an added
        file can never take over an existing article's id or slug.
        """
        hashes = [body_fingerprint(item) for item in items]
        order = sorted(range(len(items)), key=lambda n: self._match(items[n], hashes[n]) is None)
        return [self.stamp(items[n], hashes[n]) for n in order]

    def stamp(self, item: NewsItem, body_hash: str | None = None) -> NewsItem:
        body_hash = body_hash or body_fingerprint(item)
        known = self._match(item, body_hash)
        if known is not None:
            entry = self.state.entries[known]
            if entry.content_hash != item.content_hash:
                entry.modified = self.now.isoformat()
            entry.path, entry.content_hash = item.source_path, item.content_hash
            entry.body_hash, entry.headline = body_hash, item.headline
        else:
            published = item.date_published
            if published is None:
                # Undated articles first published by the same build get
                # distinct times, a second apart in path order, so readers
                # order them stably (and Atom entries never share `updated`).
                published = self.now - dt.timedelta(seconds=self.undated)
                self.undated += 1
            slug = self._free_slug(item.slug)
            new_id = item.id or f"tag:{self.config.host},{published.date().isoformat()}:{slug}"
            entry = _Entry(
                id=new_id,
                slug=slug,
                path=item.source_path,
                content_hash=item.content_hash,
                body_hash=body_hash,
                headline=item.headline,
                first_published=published.isoformat(),
            )
            self.state.entries[new_id] = entry
            self.slugs_taken[slug] = new_id
        self.claimed.add(entry.id)
        return self._apply(item, entry)

    def _free_slug(self, slug: str) -> str:
        candidate, number = slug, 2
        while candidate in self.slugs_taken:
            candidate, number = f"{slug}-{number}", number + 1
        return candidate

    def _apply(self, item: NewsItem, entry: _Entry) -> NewsItem:
        update: dict[str, object] = {"id": entry.id}
        if entry.slug != item.slug:
            update["slug"] = entry.slug
            if item.url == self.config.absolute(f"articles/{item.slug}.html"):
                update["url"] = self.config.absolute(f"articles/{entry.slug}.html")
        if item.date_published is None:
            first = parse_time(entry.first_published)
            # A dateline without a year ('Nov 27') takes it from first publication.
            zone = newsroom_zone(item, self.config)
            newsroom = newsroom_dates(item, zone, reference=first)
            update.update(newsroom)
            if "date_published" not in newsroom:
                update["date_published"] = first
                update["date_published_source"] = "first_published"
        if item.date_modified is None and "date_modified" not in update and entry.modified:
            modified = parse_time(entry.modified)
            published = update.get("date_published") or item.date_published
            assert isinstance(published, dt.datetime)
            if modified > published:
                update["date_modified"] = modified
        return item.model_copy(update=update)


def _sort_key(item: NewsItem) -> tuple[float, str]:
    assert item.date_published is not None and item.id is not None
    return (-item.date_published.timestamp(), item.id)


def tag_channels(items: Sequence[NewsItem], config: Config) -> tuple[Channel, ...]:
    """One channel per tag slug carried by at least ``feeds_min_items`` items."""
    by_slug: dict[str, list[NewsItem]] = {}
    first_tag: dict[str, Tag] = {}
    for item in items:
        for tag in item.tags:
            group = by_slug.setdefault(tag.slug, [])
            if not group or group[-1] is not item:
                group.append(item)
            first_tag.setdefault(tag.slug, tag)
    channels = []
    for slug in sorted(by_slug):
        group = by_slug[slug]
        if len(group) < config.tags.feeds_min_items:
            continue
        tag = first_tag[slug]
        channels.append(
            Channel(
                prefix=f"tags/{slug}/",
                title=f"{config.title}: {tag.name}",
                description=f"Articles of {config.title} tagged '{tag.name}' ({tag.kind}).",
                items=tuple(group[: config.feed_size]),
                tag=tag,
            )
        )
    return tuple(channels)


def _write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` through a temporary file and a rename."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _unchanged(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _write_outputs(
    out: Path, outputs: dict[str, bytes], stale: Iterable[str]
) -> tuple[list[str], list[str]]:
    changed = [
        relative
        for relative in sorted(outputs)
        if not _unchanged(out / relative, outputs[relative])
    ]
    for folder in sorted({(out / relative).parent for relative in changed}):
        folder.mkdir(parents=True, exist_ok=True)
    # Creating a file is a wait on the file system, not work for the CPU:
    # a few threads overlap those waits (the GIL is released meanwhile).
    with ThreadPoolExecutor(max_workers=_WRITER_THREADS) as pool:
        for _ in pool.map(
            lambda relative: _write_atomic(out / relative, outputs[relative]), changed
        ):
            pass
    removed = []
    for relative in sorted(set(stale) - set(outputs)):
        target = out / relative
        if target.is_file():
            target.unlink()
            removed.append(relative)
            _prune_empty_dirs(target.parent, out)
    return changed, removed


def _prune_empty_dirs(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


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
    items = sorted(_Stamper(state, config, _now()).stamp_all(loaded), key=_sort_key)

    site = Site(config=config, items=tuple(items), tag_channels=tag_channels(items, config))
    outputs: dict[str, bytes] = {}
    for relative, data in render_site(site):
        if relative in outputs:
            raise PublishError(f"two renderers wrote {relative}", path=out / relative)
        outputs[relative] = data

    written, removed = _write_outputs(out, outputs, state.files)
    state.files = sorted(outputs)
    _write_state(out, state)

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


def _write_state(out: Path, state: State) -> None:
    target = out / STATE_FILENAME
    data = state.dumps()
    if not _unchanged(target, data):
        out.mkdir(parents=True, exist_ok=True)
        _write_atomic(target, data)


__all__ = ["BuildReport", "build", "find_articles", "load_article", "preview", "tag_channels"]
