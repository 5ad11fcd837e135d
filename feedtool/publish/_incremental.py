"""An incremental build: parse what changed, render what depends on it, write atomically.

Phases, each bounded in memory:

1. **scan**: list the article files; a file whose size and modification time
   match the store's record (and was not modified in the second it was read)
   is not even read; another is read and hashed, and reused when its bytes
   are the same.
2. **parse + enrich** the others, in a process pool for large batches; each
   result goes to the store at once (only a small summary stays in memory).
3. **stamp** ids and dates from the state file (a known article always keeps
   its id; a new one can never take a published id).
4. **plan**: every renderer yields its outputs with a fingerprint of their
   inputs; outputs whose fingerprint the store already holds are skipped, the
   others are rendered in batches, loading only the items they show.
5. **commit**: changed files are first written beside their targets as
   temporary files, then the state file (ids) is written, then the files are
   renamed into place and stale ones removed, then the store commits. A
   crash at any point leaves every file old or new, never half, and the
   next build finishes the job with the same ids and bytes.
"""

from __future__ import annotations

import bisect
import contextlib
import copy
import datetime as dt
import functools
import gc
import hashlib
import heapq
import itertools
import operator
import os
import signal
import stat
import struct
import sys
import tempfile
import threading
import time
import warnings
from array import array
from collections import deque
from collections.abc import (
    Callable,
    Collection,
    Generator,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol, TypeVar

import orjson

import feedtool._tables as _tables
from feedtool._beside import Beside
from feedtool._lingua import Question, full_models
from feedtool._lock import build_lock
from feedtool._stamp import (
    RACY_NS,
    folder_times,
    keep_until_exit,
    rows_digest,
    stat_vouches,
    take_known,
    take_seeds_digest,
    take_state,
)
from feedtool.config import Config
from feedtool.enrich import check_enrichers, enrich_item
from feedtool.enrich.languages import ModelsElsewhere, ask_models_in, keep_models_elsewhere
from feedtool.enrich.newsroom import newsroom_dates, newsroom_zone
from feedtool.errors import FeedtoolError, FeedtoolWarning, ParseError, PublishError
from feedtool.model import NewsItem, Person
from feedtool.parse import parse_article
from feedtool.plugins import RENDERERS
from feedtool.publish import _quick, _snapshot
from feedtool.publish._answers import Answers
from feedtool.publish._files import (
    clean_temporaries,
    discard_staging,
    existing_files,
    inside,
    place_folders,
    prune_empty_dirs,
    rename_staged,
    stage_output,
    stage_parts,
    temp_name,
    temp_of,
    unchanged,
    write_chunks_atomic,
    write_error,
    write_parts_atomic,
)
from feedtool.publish._gone import update_gone
from feedtool.publish._ids import Stamper, _Stamp, apply_stamp
from feedtool.publish._ledger import Ledger
from feedtool.publish._lists import FileLists
from feedtool.publish._preload import drop_babel, preload, preload_kept, release, trim_heap
from feedtool.publish._report import BuildReport, Held
from feedtool.publish._seeds import SeedScan, quick_scan
from feedtool.publish._state import (
    STATE_FILENAME,
    FileList,
    State,
    _Entry,
    body_fingerprint,
    safe_relative,
)
from feedtool.render import (
    Channel,
    Fragments,
    ItemRef,
    LazyItems,
    Part,
    Planned,
    Site,
    files_first,
    fingerprint,
    found_keywords,
    item_updated,
    keyword_slugs,
    partition,
    placement,
    plan_part,
    plan_site,
    shown_digest,
    summary_digest,
    tag_channels_of,
)
from feedtool.render.archive import archived
from feedtool.render.formats import FEED_FORMATS
from feedtool.store import (
    CACHE_DIRNAME,
    CachedItem,
    ItemStore,
    Placement,
    SqliteStore,
    cache_dir,
    code_version,
)

if TYPE_CHECKING:
    # Imported where a pool, the workers or a model process are made: an
    # edit's build makes none, and loading the module (and the multiprocessing
    # parts it needs) was ~5-10 ms of it; with multiprocessing, logging (for
    # concurrent.futures) and the workers' subprocess, some 5 ms more.
    from concurrent.futures import Future, ProcessPoolExecutor

    from feedtool._workers import Workers

#: Below this many files to parse a process pool costs more than it saves.
PARALLEL_THRESHOLD = 64
#: From this many output folders their times are looked at by a child process
#: beside the build (``_Build._look_beside``); fewer cost less than a fork.
BESIDE_FOLDERS = 2_000
#: Files a parse worker (or the build process) takes at a time.
_PARSE_CHUNK = 16
# Languages whose lingua models for short texts the model process holds at
# most (all five n-gram sizes: 30-70 MB each), ten times as many for long texts
# (trigrams alone): most questions at a news site are between two or three
# languages, and a process that would need more is replaced.
_MODEL_LANGUAGES = 4
#: Outputs rendered and staged per batch: bounds the bytes held in memory.
_BATCH = 256
_FEED_FILES = frozenset(f.file for f in FEED_FORMATS)
#: Items a process rendering keeps loaded (most recently used): an item's
#: outputs are rendered one after the other, so it is met again soon or not
#: at all; 512 were some 16 MB of each process at 20,000 articles.
_ITEM_CACHE = 128
#: Items a process rendering a full plan's parts keeps loaded: it renders an
#: item's files one after the other and makes its feed entries at that one
#: load (``render.prime_entries``), so no item is asked for again later (a
#: cold BBC build loads each of its 2,225 items once with 8 or 128 kept); 128
#: were ~5 MB of the build process and of the part worker at 20,000 articles.
_PART_ITEM_CACHE = 8
_PR_SET_PDEATHSIG = 1
#: Below this many outputs to render, forking a render pool costs more than it saves.
RENDER_THRESHOLD = 512
#: Tasks a worker is given ahead (``_schedule``): the one it does and those
#: it does next, while this process does one of its own (parts vary from a
#: tenth of a second to a second).
_WAITING = 3
#: Outputs a render worker takes at a time (consecutive in the plan).
_RENDER_RUN = 64
#: What one task of ``_Build._in_pool`` gives back.
_Result = TypeVar("_Result")
_Covariant = TypeVar("_Covariant", covariant=True)
#: About how many outputs one part of a full plan has (``render.partition``):
#: what bounds the plans a process holds at once.
_PART_OUTPUTS = 1024
#: The store's meta key of what a focused plan needs unchanged (``_Build._focus``).
_FOCUS_META = "focus"
#: The store's meta key of what the refs the last build left need unchanged
#: (``_Build._light_stamp``): its focus key and its clock.
_REFS_META = "refs"
#: The store's meta key of the digest of the state file the last build wrote.
_STATE_META = "state"
#: The store's meta key of the digest of the state file the last build wrote when
#: no two of its records have the same path (``State.paths_unique``), as that
#: build knew: a light build need not look for the paths in 19 MB (~9 ms).
_UNIQUE_META = "state_paths_unique"
#: The store's meta key of the last complete build's ``Site.structure`` (valid
#: with its focus key): what a narrowed focused site takes as its own.
_STRUCTURE_META = "structure"
#: Set (to anything) in the environment, every build plans every output.
FULL_PLAN_ENV = "FEEDTOOL_FULL_PLAN"


class Progress(Protocol):
    """Where a build reports how far it is (the CLI draws a bar)."""

    def phase(self, label: str, total: int) -> None: ...

    def advance(self, count: int = 1) -> None: ...


class _Silent:
    def phase(self, label: str, total: int) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass


# --------------------------------------------------------------------------- summaries


@dataclass(frozen=True)
class _Summary:
    """What stamping and planning need of a parsed article (no body)."""

    source_path: str
    content_hash: str
    body_hash: str
    front_id: str | None
    slug: str
    url: str
    headline: str
    description: str | None
    language: str
    date_published: str | None
    date_modified: str | None
    tags: tuple[tuple[str, str, str], ...]
    digest: str
    # Undated, with newsroom lines whose dates need the first-publication time.
    newsroom: bool = False
    # (message, line, hint) of the warnings reading it gave: repeated by every
    # build that publishes it from the store, as long as the file is unchanged.
    warnings: tuple[tuple[str, int | None, str | None], ...] = ()
    authors: tuple[tuple[str, str | None, str], ...] = ()  # (name, url, kind)
    draft: bool = False
    found_keywords: tuple[str, ...] = ()  # slugs of keyword tags enrichment found
    # ``shown_digest`` of the item: what its summary entries in the feeds show.
    shown: str = ""

    def dumps(self) -> bytes:
        return orjson.dumps(vars(self))

    @classmethod
    def loads(cls, data: bytes) -> _Summary:
        raw: dict[str, Any] = orjson.loads(data)
        # The same few thousand tags and authors recur across an archive:
        # one shared tuple each (20,000 summaries: 101 MB -> 36 MB).
        raw["tags"] = tuple(_shared(tuple(tag)) for tag in raw["tags"])
        raw["authors"] = tuple(_shared(tuple(author)) for author in raw.get("authors", ()))
        raw["warnings"] = tuple(tuple(warning) for warning in raw.get("warnings", ()))
        raw["found_keywords"] = tuple(raw.get("found_keywords", ()))
        return cls(**raw)

    @property
    def published(self) -> dt.datetime | None:
        return dt.datetime.fromisoformat(self.date_published) if self.date_published else None


#: Tag and author tuples of the summaries loaded, shared (see ``_Summary.loads``);
#: emptied when a build starts, so a long-lived process does not collect them all.
_SHARED: dict[tuple[Any, ...], tuple[Any, ...]] = {}


def _shared(value: tuple[Any, ...]) -> Any:
    return _SHARED.setdefault(value, value)


def _summarise(item: NewsItem, item_json: bytes) -> _Summary:
    return _Summary(
        source_path=item.source_path,
        content_hash=item.content_hash,
        body_hash=body_fingerprint(item),
        front_id=item.id,
        slug=item.slug,
        url=item.url,
        headline=item.headline,
        description=item.description,
        language=item.language,
        date_published=item.date_published.isoformat() if item.date_published else None,
        date_modified=item.date_modified.isoformat() if item.date_modified else None,
        tags=tuple((t.slug, t.name, t.kind) for t in item.tags),
        digest=hashlib.sha256(item_json).hexdigest()[:32],
        newsroom=item.date_published is None
        and bool(item.dateline or item.date_lines or item.corrections),
        authors=tuple((a.name, a.url, a.kind) for a in item.authors),
        draft=item.draft,
        found_keywords=tuple(sorted(found_keywords(item))),
        shown=shown_digest(item),
    )


def _worker_init(lock_fd: int | None, parent: int) -> None:
    """In a pool worker: let go of the build lock, and die with the build."""
    if lock_fd is not None:
        with contextlib.suppress(OSError):
            os.close(lock_fd)
    # Linux: killed with the build at once (a worker left running would stage
    # files after the next build cleaned up); elsewhere the watcher below.
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _parse_worker_init(lock_fd: int | None, parent: int) -> None:
    """In a parse worker: as ``_worker_init``, and lingua's models stay in the build process."""
    _worker_init(lock_fd, parent)
    keep_models_elsewhere()


#: What ``_parse_task`` gives: ``(path, item JSON, summary)``, the error, or,
#: in a parse worker, for an article that needs lingua's models, the question
#: lingua was to answer (the build process parses it again, see
#: ``_Build._parse_all``).
_Parsed = tuple[str, bytes, bytes] | FeedtoolError | Question


def _parse_task(task: tuple[Path, str, bytes | None, Config]) -> _Parsed:
    """Parse and enrich one file's bytes: ``(path, item JSON, summary)`` or the error.

    ``None`` bytes are read here, in the worker: a cold build of a large
    archive never holds every article's text in the build process (nor in
    the pages each forked worker inherits).
    """
    path, relative, data, config = task
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            return ParseError(f"cannot read file: {exc.strerror}", path=path)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", FeedtoolWarning)
            item = enrich_item(
                parse_article(data, source_path=relative, config=config, path=path), config
            )
        item_json = item.model_dump_json().encode("utf-8")
        found = tuple(
            (w.message.message, w.message.line, w.message.hint)
            for w in caught
            if isinstance(w.message, FeedtoolWarning)
        )
        summary = replace(_summarise(item, item_json), warnings=found)
        return relative, item_json, summary.dumps()
    except FeedtoolError as exc:
        return exc
    except ModelsElsewhere as exc:
        return exc.question
    except Exception as exc:  # one bad article must never stop the others
        error = ParseError(
            f"internal error while reading this article: {type(exc).__name__}: {exc}",
            path=path,
            hint="please report this with the file attached",
        )
        error.__cause__ = exc
        return error


def _parse_here(
    task: tuple[Path, str, bytes | None, Config],
) -> tuple[str, bytes, bytes] | FeedtoolError:
    """``_parse_task`` in the build process, which loads lingua's models itself."""
    result = _parse_task(task)
    assert not isinstance(result, Question)
    return result


def _parse_chunk(tasks: Sequence[tuple[Path, str, bytes | None, Config]]) -> list[_Parsed]:
    return [_parse_task(task) for task in tasks]


def _map_helping(
    pool: ProcessPoolExecutor,
    workers: int,
    tasks: Sequence[tuple[Path, str, bytes | None, Config]],
) -> Iterator[tuple[int, _Parsed]]:
    """``(index, _parse_task(task))`` of every task, in order: ``pool`` takes
    chunks while fewer than two a worker are waiting, this process parses the
    next one itself otherwise. Results wait only for the chunks before them
    (a few chunks)."""
    from concurrent.futures import Future

    window: deque[tuple[int, Future[list[_Parsed]] | list[_Parsed]]] = deque()

    def results(
        start: int, part: Future[list[_Parsed]] | list[_Parsed]
    ) -> Iterator[tuple[int, _Parsed]]:
        return enumerate(part if isinstance(part, list) else part.result(), start)

    for start in range(0, len(tasks), _PARSE_CHUNK):
        chunk = tasks[start : start + _PARSE_CHUNK]
        if sum(1 for _, part in window if isinstance(part, Future)) < 2 * workers:
            window.append((start, pool.submit(_parse_chunk, chunk)))
        else:
            window.append((start, _parse_chunk(chunk)))
        while window and (isinstance(window[0][1], list) or window[0][1].done()):
            yield from results(*window.popleft())
    while window:
        yield from results(*window.popleft())


def _by_models(later: Sequence[tuple[int, frozenset[str]]], most: int) -> list[int]:
    """The articles handed back (index, languages lingua was to choose from),
    in an order that loads few models: those with the same languages together,
    and as many groups as fit in ``most`` languages one after another (a model
    process is replaced when the next needs more), the most common first."""
    groups: dict[frozenset[str], list[int]] = {}
    for index, languages in later:
        groups.setdefault(languages, []).append(index)

    def rank(languages: frozenset[str]) -> tuple[int, list[str]]:
        return -len(groups[languages]), sorted(languages)

    order: list[int] = []
    loaded: frozenset[str] = frozenset()
    while groups:
        fits = [g for g in groups if len(loaded | g) <= most]
        if not fits:  # a new process
            loaded = frozenset()
            fits = list(groups)
        chosen = min(fits, key=lambda g: (len(g - loaded), *rank(g)))
        loaded |= chosen
        order += groups.pop(chosen)
    return order


_PATH = operator.itemgetter(0)


def _indexed(
    walked: Sequence[tuple[str, tuple[int, int, int, int]]],
) -> Iterator[tuple[int, str, tuple[int, int, int, int] | None]]:
    for index, (relative, seed_stat) in enumerate(walked):
        yield index, relative, seed_stat


def _ref(article: _Summary, stamp: _Stamp) -> ItemRef:
    return ItemRef(
        source_path=article.source_path,
        id=stamp.id,
        slug=stamp.slug,
        url=stamp.url,
        headline=article.headline,
        description=article.description,
        language=sys.intern(article.language),
        date_published=stamp.date_published,
        date_modified=stamp.date_modified,
        tags=article.tags,
        found_keywords=keyword_slugs(article.tags, article.found_keywords),
        authors=tuple(_person(name, url, kind) for name, url, kind in article.authors),
        fingerprint=fingerprint(
            article.digest,
            stamp.id,
            stamp.slug,
            stamp.url,
            stamp.date_published.isoformat(),
            stamp.date_modified.isoformat() if stamp.date_modified else None,
        ),
        # A summary stored by an older feedtool has none: the whole item's
        # digest stands in (its tag feeds are rendered whenever it changes).
        summary_fingerprint=summary_digest(
            article.shown or article.digest,
            stamp.id,
            stamp.slug,
            stamp.url,
            stamp.date_published,
            stamp.date_modified,
        ),
    )


def _ref_row(
    ref: ItemRef, by_first_publication: bool, warnings: tuple[tuple[Any, ...], ...]
) -> bytes:
    """What the next build needs of a published article it does not read again
    (``SqliteStore.refs``): its ref, whether it is dated by its first
    publication, and the warnings reading it gave."""
    assert ref.date_published is not None
    return orjson.dumps(
        [
            ref.id,
            ref.slug,
            ref.url,
            ref.headline,
            ref.description,
            ref.language,
            ref.date_published.isoformat(),
            ref.date_modified.isoformat() if ref.date_modified else None,
            ref.tags,
            sorted(ref.found_keywords),
            [(person.name, person.url, person.kind) for person in ref.authors],
            ref.fingerprint,
            by_first_publication,
            warnings,
            ref.summary_fingerprint,
        ]
    )


#: The fields of an ``ItemRef`` its constructor takes, in its order.
_REF_FIELDS = tuple(f.name for f in fields(ItemRef) if f.init)
#: How :func:`_refs_of_columns` fills a ref's slots: each field's slot setter,
#: and those of the fields the constructor does not take with their defaults.
_REF_SETTERS = tuple(vars(ItemRef)[name].__set__ for name in _REF_FIELDS)
_REF_DEFAULTS = tuple(
    (vars(ItemRef)[f.name].__set__, f.default) for f in fields(ItemRef) if not f.init
)


def _refs_of_columns(columns: Sequence[Sequence[Any]]) -> list[ItemRef]:
    """``[ItemRef(*row) for row in zip(*columns)]``, ``columns`` one per field of
    :data:`_REF_FIELDS`, made a column at a time: each slot is set by its own
    setter (the frozen class's constructor calls ``object.__setattr__`` once a
    field, by name: at 20,000 refs an edit's ~29 -> ~15 ms). ``ItemRef`` has no
    ``__post_init__``: the constructor only sets the slots."""
    refs = list(map(object.__new__, itertools.repeat(ItemRef, len(columns[0]))))
    for setter, column in zip(_REF_SETTERS, columns, strict=True):
        # The setters return None: ``any`` runs them all, keeping nothing.
        any(map(setter, refs, column))
    for setter, default in _REF_DEFAULTS:
        any(map(setter, refs, itertools.repeat(default, len(refs))))
    return refs


def _ref_values(ref: ItemRef) -> list[Any]:
    """``ref``'s :data:`_REF_FIELDS`, its authors as ``(name, url, kind)``."""
    values = [getattr(ref, name) for name in _REF_FIELDS]
    values[_REF_FIELDS.index("authors")] = [
        (person.name, person.url, person.kind) for person in ref.authors
    ]
    return values


#: A ref, whether its article is dated by its first publication, and its warnings.
_RefRow = tuple[ItemRef, bool, tuple[tuple[str, int | None, str | None], ...]]


def _ref_of_row(path: str, data: bytes) -> _RefRow:
    """The ref, first-publication flag and warnings of a :func:`_ref_row`."""
    (
        id_,
        slug,
        url,
        headline,
        description,
        language,
        published,
        modified,
        tags,
        keywords,
        authors,
        digest,
        by_first,
        warnings,
        summary,
    ) = orjson.loads(data)
    shared = _SHARED.setdefault
    triples = tuple([shared(tag, tag) for tag in map(tuple, tags)])
    ref = ItemRef(
        source_path=path,
        id=id_,
        slug=slug,
        url=url,
        headline=headline,
        description=description,
        language=sys.intern(language),
        date_published=_from_iso(published),
        date_modified=_from_iso(modified) if modified else None,
        tags=triples,
        found_keywords=keyword_slugs(triples, keywords),
        authors=tuple([_person(name, link, kind) for name, link, kind in authors])
        if authors
        else (),
        fingerprint=digest,
        summary_fingerprint=summary,
    )
    return ref, by_first, tuple(tuple(warning) for warning in warnings) if warnings else ()


#: One fixed-offset zone per UTC offset, for the dates read back from rows:
#: ``fromisoformat`` makes a zone (and its offset) for each date, 80 of the
#: 128 bytes of a date; a site has two or three dates an article (60,000 at
#: 20,000 articles, in every process holding the site).
_ZONES: dict[dt.timedelta | None, dt.tzinfo] = {}


def _from_iso(text: str) -> dt.datetime:
    """``datetime.fromisoformat(text)``, its zone the one shared by its offset's dates."""
    value = dt.datetime.fromisoformat(text)
    zone = value.tzinfo
    if zone is None or zone is dt.UTC:
        return value
    shared = _ZONES.setdefault(zone.utcoffset(None), zone)
    return value if shared is zone else value.replace(tzinfo=shared)


class _Stamps(Mapping[str, _Stamp]):
    """The stamps of a light build (``_Build._light_stamp``): the edited articles',
    and the others' made on demand from their refs and records, as the build
    that stamped them last made them."""

    def __init__(
        self,
        refs: Sequence[ItemRef],
        entries: Mapping[str, _Entry],
        undated: set[str],
        edited: Mapping[str, _Stamp],
    ) -> None:
        self._refs = {ref.source_path: ref for ref in refs}
        self._entries, self._undated, self._edited = entries, undated, edited

    def __getitem__(self, path: str) -> _Stamp:
        stamp = self._edited.get(path)
        if stamp is not None:
            return stamp
        ref = self._refs[path]
        assert ref.id is not None
        entry = self._entries[ref.id]
        return _stamp_of(
            ref,
            entry.first_published,
            entry.modified,
            path in self._undated,
            entry.tiebreak,
            entry.published_shift,
        )

    def __iter__(self) -> Iterator[str]:
        return iter(self._refs)

    def __len__(self) -> int:
        return len(self._refs)


@dataclass
class _Scanned:
    """What the scan found: the articles parsed, and the others (left in the store)."""

    #: Summaries of the articles parsed, in path order.
    changed: list[_Summary] = field(default_factory=list)
    #: Content hash of every other article read without error, by path (scan order).
    kept: dict[str, str] = field(default_factory=dict)
    errors: list[FeedtoolError] = field(default_factory=list)
    parsed: list[str] = field(default_factory=list)
    #: Content hash of the articles parsed whose summaries were left in the store
    #: rather than in ``changed`` (a parse of many: see ``_scan_and_parse``), by path.
    stored: dict[str, str] = field(default_factory=dict)

    def sources(self) -> list[tuple[str, str]]:
        """``(path, content hash)`` of every article, sorted."""
        return sorted(
            [
                *self.kept.items(),
                *self.stored.items(),
                *((s.source_path, s.content_hash) for s in self.changed),
            ]
        )


#: A light build's state, stamps, refs, undated paths and warnings by path.
_Light = tuple[
    State,
    Mapping[str, _Stamp],
    list[ItemRef],
    set[str],
    dict[str, tuple[tuple[str, int | None, str | None], ...]],
]


@functools.lru_cache(maxsize=16384)
def _person(name: str, url: str | None, kind: str) -> Person:
    """One shared (frozen) ``Person`` per author: an archive has few authors and
    many articles, and validating one costs more than the rest of a ref."""
    return Person(name=name, url=url, kind="Person" if kind == "Person" else "Organization")


def hold_back(
    summaries: Sequence[_Summary], now: dt.datetime, *, drafts: bool, future: bool
) -> tuple[list[_Summary], list[_Summary], list[Held]]:
    """Split articles into the published ones, the previewed ones and what is held back.

    A draft waits for ``draft = true`` to go; an article whose ``published``
    is after ``now`` waits for a build after that time. ``drafts`` and
    ``future`` preview them (as Hugo's ``-D`` and ``-F``).
    """
    ready: list[_Summary] = []
    previewed: list[_Summary] = []
    held: list[Held] = []
    for summary in summaries:
        published = summary.published
        embargo = published is not None and published > now
        if not summary.draft and not embargo:
            ready.append(summary)
            continue
        show = (not summary.draft or drafts) and (not embargo or future)
        held.append(
            Held(
                summary.source_path,
                draft=summary.draft,
                until=published if embargo else None,
                previewed=show,
            )
        )
        if show:
            previewed.append(summary)
    return ready, previewed, held


def _record(entry: _Entry) -> tuple[Any, ...]:
    return tuple(vars(entry).values())


_SOURCE_PATH = operator.attrgetter("source_path")


def _sorted_unique(values: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """``tuple(sorted(set(values)))``, without the set and the list when ``values``
    is sorted and unique already (a full plan's feed entries, 120,000 at 20,000 articles)."""
    if all(a < b for a, b in itertools.pairwise(values)):
        return tuple(values)
    return tuple(sorted(set(values)))


def _union(first: Iterable[str], second: Iterable[str]) -> Iterator[str]:
    """The strings of two sorted iterables, sorted, each once."""
    last = None
    for name in heapq.merge(first, second):
        if name != last:
            yield name
            last = name


def _missing(first: Iterable[str], second: Sequence[str]) -> Iterator[str]:
    """The strings of ``first`` not in ``second``, both sorted (no set of either)."""
    index, count = 0, len(second)
    for name in first:
        while index < count and second[index] < name:
            index += 1
        if index == count or second[index] != name:
            yield name


def _is_file(path: Path) -> bool:
    """Whether ``path`` is there and no folder (as ``existing_files`` counts files)."""
    try:
        return not stat.S_ISDIR(path.lstat().st_mode)
    except OSError:
        return False


def _sources_digest(sources: Sequence[tuple[str, str]]) -> str:
    """A digest of every article's ``(path, content hash)``: what a build's
    ``last_build`` (which a build with nothing to do compares) is made from."""
    return hashlib.sha256(orjson.dumps(sources)).hexdigest()


def _sort_key(ref: ItemRef) -> tuple[float, str]:
    assert ref.date_published is not None and ref.id is not None
    return (-ref.date_published.timestamp(), ref.id)


#: The store's meta key of ``code_version()`` and the code identity it was made for.
_CODE_META = "code_version"


def _code_version(store: ItemStore) -> str:
    """:func:`~feedtool.store.code_version`, read from the store while the code's
    identity (:func:`feedtool._stamp.code_identity`: the stat of feedtool's files
    and the installed distributions, what the no-op answer trusts) is the one it
    was made for: hashing the package's files and reading the packages'
    metadata is a few hundredths of a second of every build."""
    identity = _quick.code_identity()
    known = store.meta(_CODE_META)
    if known is not None:
        made_for, _, version = known.partition(" ")
        if made_for == identity and version:
            return version
    version = code_version()
    store.put_meta(_CODE_META, f"{identity} {version}")
    return version


# --------------------------------------------------------------------------- the build


def _now() -> dt.datetime:
    """The time of first publication; SOURCE_DATE_EPOCH makes it reproducible."""
    return _quick.now()


def _make_site(
    config: Config,
    refs: Sequence[ItemRef],
    load: Callable[[ItemRef], NewsItem],
    fragments: Fragments,
    focus: frozenset[str] | None,
    slugs: frozenset[str] | None = None,
    narrowed: tuple[str, Callable[[], tuple[Channel, ...]]] | None = None,
) -> Site:
    """The site of ``refs`` (newest first): its channels and archive pages
    (``slugs``, ``narrowed``: a focused site's, see ``_Build._narrowed``).

    The build process and each part worker (:func:`_part_worker_start`) make
    a full site alike from the same refs, so they plan the same outputs."""
    groups: dict[str, Sequence[ItemRef]] = {}
    site = Site(
        config=config,
        items=LazyItems(refs, load),
        tag_channels=tag_channels_of(refs, config, load, groups, slugs),
        refs=tuple(refs),
        fragments=fragments,
        focus=focus,
        tag_groups=groups,
        narrowed=narrowed,
    )
    if config.feed_archives:
        site = archived(site, load)
    return site


def _item_loader(
    reader: Callable[[], ItemStore],
    stamps: Mapping[str, _Stamp],
    config: Config,
    kept: int | None = None,
) -> Callable[[ItemRef], NewsItem]:
    """Load a ref's item from the store (``reader()``), as published (its stamp),
    keeping the ``kept`` (``_ITEM_CACHE``) items loaded last."""

    @functools.lru_cache(maxsize=_ITEM_CACHE if kept is None else kept)
    def load_path(source_path: str) -> NewsItem:
        data = reader().item_json(source_path)
        if data is None:  # pragma: no cover - the store was just filled
            raise PublishError("article vanished from the store", path=source_path)
        return apply_stamp(NewsItem.model_validate_json(data), stamps[source_path], config)

    return lambda ref: load_path(ref.source_path)


#: The collector's thresholds while many objects are made that mostly live long
#: or die young (a cold build's parse and render): the first generation is
#: collected every 100,000 allocations instead of 700, the others as often as
#: before relative to it. Cyclic garbage waits a little longer (rendering makes
#: little: peak RSS unchanged at 20,000 articles); the walks of the young
#: objects that survive are far fewer (seconds of CPU at 20,000 articles).
_BUSY_THRESHOLDS = (100_000, 10, 10)


class _Answer(Protocol[_Covariant]):
    def done(self) -> bool: ...
    def result(self) -> _Covariant: ...


def _schedule(
    count: int,
    width: int,
    submit: Callable[[int], _Answer[_Result]],
    here: Callable[[int], _Result],
    record: Callable[[_Result], None],
    barrier: int | None = None,
) -> None:
    """Tasks ``0 … count - 1``, each recorded once: ``submit``-ted to the
    ``width`` workers while fewer than :data:`_WAITING` a worker wait, done
    ``here`` otherwise (so this process works beside them). No task from
    ``barrier`` on starts before every task before it is recorded.

    Before the barrier and the end, the workers are given no more tasks than
    are left for this process: it would wait, idle, for the ones queued
    behind a worker's while the worker did them in turn."""
    waiting: deque[_Answer[_Result]] = deque()
    ends = [count] if barrier is None or not 0 < barrier < count else [barrier, count]
    number = 0
    for end in ends:
        while number < end:
            while waiting and waiting[0].done():
                record(waiting.popleft().result())
            if len(waiting) < _WAITING * width and (end - number) * width > len(waiting):
                waiting.append(submit(number))
            else:
                record(here(number))
            number += 1
        while waiting:
            record(waiting.popleft().result())


def _render_worker_died(out: Path) -> PublishError:
    return PublishError(
        "a worker process died while rendering (killed, or out of memory)",
        path=out,
        hint="build again: the previous output is unchanged; if it recurs,"
        " run with --jobs 1 and check the memory limit",
    )


def _collect_less() -> tuple[int, int, int]:
    """Set :data:`_BUSY_THRESHOLDS` (if the collector's are lower); the thresholds before."""
    before = gc.get_threshold()
    gc.set_threshold(*(max(a, b) for a, b in zip(before, _BUSY_THRESHOLDS, strict=True)))
    return before


def _set_aside(target: Path) -> str | None:
    """A second name of ``target`` (a hidden temporary of the build cache, which
    :func:`clean_temporaries` removes if the build is interrupted); ``None``
    when it cannot be made (no file, or the file system has no hard links)."""
    aside = os.path.join(os.path.dirname(target), CACHE_DIRNAME, f".{target.name}.old.tmp")
    try:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(aside)
        os.link(target, aside)
    except OSError:
        return None
    return aside


def _unlink_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


class _EarlyState:
    """The state file's bytes (``parts``) hashed and written to its temporary
    name by a thread (:func:`stage_parts`): :meth:`finish` puts it in place."""

    def __init__(self, target: Path, previous: bytes, parts: list[bytes | memoryview]) -> None:
        self.target, self.previous = target, previous
        self._digest: str | None = None
        #: The thread removing the replaced file's second name (:meth:`finish`).
        self.dropping: threading.Thread | None = None
        self._thread = threading.Thread(
            target=self._write, args=(parts,), name="feedtool-state", daemon=True
        )
        self._thread.start()

    def _write(self, parts: list[bytes | memoryview]) -> None:
        # A failure leaves no digest: the write phase writes the file itself,
        # and reports what fails then.
        with contextlib.suppress(OSError):
            self._digest = stage_parts(self.target, parts)

    def finish(self) -> str | None:
        """The digest of the bytes now in place; ``None`` (nothing moved) if
        writing them failed.

        The file replaced is linked under a second name first and removed
        by a thread (:attr:`dropping`): replacing the last name of 19 MB
        (20,000 articles) frees its blocks there and then, some 15 ms of
        the write phase; the thread frees them while the build writes the rest."""
        self._thread.join()
        if self._digest is None:
            return None
        aside = _set_aside(self.target)
        try:
            os.replace(temp_of(self.target), self.target)
        except OSError:
            if aside is not None:
                with contextlib.suppress(OSError):
                    os.unlink(aside)
            self.abandon()
            return None
        if aside is not None:
            self.dropping = threading.Thread(
                target=_unlink_quietly, args=(aside,), name="feedtool-drop", daemon=True
            )
            self.dropping.start()
        return self._digest

    def abandon(self) -> None:
        self._thread.join()
        temp_of(self.target).unlink(missing_ok=True)


class _Build:
    def __init__(
        self,
        seeds: Path,
        out: Path,
        config: Config,
        store: ItemStore,
        jobs: int,
        progress: Progress,
        drafts: bool = False,
        future: bool = False,
        config_source: bytes | None = None,
    ) -> None:
        self.seeds, self.out, self.config, self.store = seeds, out, config, store
        self.jobs, self.progress = jobs, progress
        self.drafts, self.future = drafts, future
        self.key = fingerprint(_code_version(store), config.model_dump_json())
        self.timings: list[tuple[str, float]] = []
        self.warnings: list[FeedtoolWarning] = []
        self._clock = time.perf_counter()
        self._undated: tuple[str, ...] = ()
        self.lock_fd: int | None = None
        #: Where items are read when rendering (a render worker's own connection).
        self.reader: ItemStore = store
        #: The files the output folder held when planning (dot folders excepted;
        #: ``None``: not listed).
        self.existing: set[str] | None = None
        # The no-op fast path's key (None: this build leaves no quick stamp).
        self.quick_key = (
            _quick.quick_key(
                _quick.code_identity(), _quick.file_digest(config_source), seeds, drafts, future
            )
            if config_source is not None
            else None
        )
        # What the scan saw of each article file, and whether one was read in
        # the same time-resolution window as it was modified.
        self.seed_stats: list[tuple[str, tuple[int, int, int, int]]] = []
        self.racy = False
        #: The no-op stamp's digest of ``seed_stats`` (``_quick.seeds_digest``),
        #: made once the scan is done; ``None``: no stamp (no key, or racy).
        self._seeds_digest: str | None = None
        self.scan_warnings: tuple[FeedtoolWarning, ...] = ()
        #: Output folders found inside the output folder (``_files.inside``).
        self.resolved: dict[str, bool] = {}
        #: The state's records as read, before stamping (``_changed_records``).
        self._records: dict[str, tuple[Any, ...]] = {}
        self._gc_paused = False
        self._frozen = False
        #: The collector's thresholds before :meth:`_freeze` (``None``: not changed).
        self._thresholds: tuple[int, int, int] | None = None
        #: The output folders' times as ``_folders_stamp`` last saw them.
        self._folder_times: list[tuple[str, int]] | None = None
        #: The last build's folder list and the child looking at their times
        #: (``_look_beside``), until ``_folders_stamp`` takes its answer.
        self._beside: tuple[str, Beside] | None = None
        #: The articles a light build stamped (``_light_stamp``); ``None``: all were.
        self._light: frozenset[str] | None = None
        #: Whether no two records of the state a full plan spilled have one path
        #: (``State.paths_unique``, asked before its records went to the file).
        self._spilled_unique: bool | None = None
        #: The stamps of the site's refs, by path (what part workers are given).
        self._stamps: Mapping[str, _Stamp] = {}
        #: The refs and stamps a full plan's part workers make their site from.
        self._site_file: Path | None = None
        #: The warnings of each article that gave some, by path.
        self._warned: dict[str, tuple[tuple[str, int | None, str | None], ...]] = {}
        #: The SHA-256 (hex) of the state file as this build last wrote it.
        self.state_digest: str | None = None
        #: Whether an article of a focused plan moved in the order (``_focus``).
        self._moved = False
        #: The state file's bytes as read and their digest (``_digest_of``).
        self._read_digest: tuple[bytes, str] | None = None
        #: The state file a focused build writes while it renders (``_EarlyState``).
        self._early_state: _EarlyState | None = None
        #: The thread removing the state file that file replaced (``_EarlyState.finish``).
        self._dropping: threading.Thread | None = None
        #: A full plan's file lists (:meth:`_plan_and_render`), until the build ends.
        self._lists: FileLists | None = None
        #: Where a full plan's state records wait for the write phase (``State.spill``).
        self._spill: IO[bytes] | None = None
        #: Part workers started once a cold build's articles are stamped
        #: (:meth:`_start_ahead`), until a full plan gives them their parts.
        self._ahead: Workers[Any] | None = None

    def _digest_of(self, state_bytes: bytes) -> str:
        """The SHA-256 (hex) of the state file's bytes as this build read them,
        made once: at 20,000 articles they are 19 MB, and stamping and planning
        each compare the digest."""
        known = self._read_digest
        if known is None or known[0] is not state_bytes:
            known = self._read_digest = (state_bytes, hashlib.sha256(state_bytes).hexdigest())
        return known[1]

    def _pause_gc(self) -> None:
        if gc.isenabled():
            gc.disable()
            self._gc_paused = True

    def _resume_gc(self, freeze: bool = False) -> None:
        """Enable the collector again; with ``freeze``, first set aside every object
        made so far (``gc.freeze``, until :meth:`_thaw`): a focused build's
        refs, channels and plan (some hundreds of MB at 20,000 articles) are not
        garbage, and the collection that enabling it soon starts would walk them
        all (a tenth of a second or more) for the little garbage rendering a few
        outputs makes."""
        if self._gc_paused:
            if freeze:
                gc.freeze()
                self._frozen = True
            gc.enable()
            self._gc_paused = False

    def _freeze(self) -> None:
        """Set aside every object made so far from the collector, and collect
        less often (:func:`_collect_less`), until :meth:`_thaw`.

        For a full render: the refs, the site and its channels live until the
        end, and rendering thousands of outputs starts hundreds of collections
        that would walk them each time (seconds of a cold build's CPU)."""
        if not self._frozen:
            gc.freeze()
            self._frozen = True
        self._collect_less()

    def _collect_less(self) -> None:
        """:func:`_collect_less` until :meth:`_thaw` (the thresholds before kept once)."""
        if self._thresholds is None:
            self._thresholds = _collect_less()

    def _thaw(self) -> None:
        """Undo :meth:`_resume_gc`'s and :meth:`_freeze`'s changes to the collector
        (a long-lived process collects as it did before the build)."""
        if self._frozen:
            gc.unfreeze()
            self._frozen = False
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None

    def _lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.timings.append((phase, now - self._clock))
        self._clock = now

    def run(
        self,
        paths: Sequence[Path],
        ping: bool,
        stats: Sequence[tuple[str, tuple[int, int, int, int]]] | None = None,
    ) -> BuildReport:
        """Build from the articles ``paths``; ``stats``: their paths relative to
        the seeds folder and ``seed_stat``, when the walk that found them has them."""
        store = self.store
        if store.meta("in_progress"):
            clean_temporaries(self.out)
        state_path = self.out / STATE_FILENAME
        # As the console entry point read and hashed it, if it is still that file.
        handed = take_state(os.fspath(state_path))
        if handed is not None:
            state_bytes = handed[0]
            self._read_digest = handed
        else:
            state_bytes = state_path.read_bytes() if state_path.is_file() else b""
        self._look_beside()
        self._lap("read state")

        scanned = self._scan_and_parse(paths, stats)
        del stats
        errors, parsed = scanned.errors, scanned.parsed
        # As the entry point's check made it of the same walk, when it did.
        walk_digest = take_seeds_digest(os.fspath(self.seeds), self.scan_warnings)
        if self.quick_key is not None and not self.racy:
            self._seeds_digest = walk_digest or _quick.seeds_digest(
                self.seed_stats, self.scan_warnings
            )
        # The stat of every article (6 MB at 20,000) is not held through rendering.
        self.seed_stats = []
        if parsed:
            self._let_go(collect=len(parsed) >= PARALLEL_THRESHOLD)
        self._lap("parse + enrich")

        now = _now()
        light = self._light_stamp(scanned, state_bytes, now)
        if light is not None:
            # Only edited articles, none held: the others as the last build left them.
            state, stamps, refs, undated, warned = light
            held: list[Held] = []
            waiting: list[tuple[str, bool]] = []
            sources = scanned.sources()
            article_warnings = [
                FeedtoolWarning(message, path=self.seeds / path, line=line, hint=hint)
                for path in sorted(warned)
                for message, line, hint in warned[path]
            ]
            self.warnings += article_warnings
            self._undated = tuple(sorted(undated))
            self._light = frozenset(parsed)
        else:
            self._resume_gc()
            (state, stamps, refs, held, waiting, sources, article_warnings, done) = self._stamp_all(
                scanned, state_bytes, now
            )
            if done is not None:
                return done
        # The refs say all that planning and rendering need: the summaries are
        # not held through the render phase, nor inherited by its workers; nor
        # the content hash of every article by path, twice (``kept`` and
        # ``sources``: ~6 MB at 20,000), whose digest only the end of the build
        # needs (their JSON was 4 MB more held through the render phase).
        scanned.changed.clear()
        scanned.kept.clear()
        scanned.stored.clear()
        sources_digest = _sources_digest(sources)
        del light, sources
        self._lap("stamp")
        self._start_ahead(len(parsed))

        focus, records, unpublished = self._focus(
            refs, errors, state_bytes, waiting, only=self._light
        )
        # Its times are of the folders before this build writes any: not for later.
        self._drop_beside()
        load = self._loader(stamps)
        slugs, narrowed = self._narrowed(focus, refs, load)
        # Feed entries outlive the build in the store, keyed by the code and config too.
        fragments = Fragments(store, salt=self.key)
        site = _make_site(self.config, refs, load, fragments, focus, slugs, narrowed)
        # A light build's list stays the state file's bytes while a focused
        # plan only asks whether a few outputs are in it (``FileList``); a full
        # plan reads the last build's files from its lists (``_plan_and_render``).
        old_files: set[str] | FileList = set()
        if focus is not None:
            old_files = state.files if isinstance(state.files, FileList) else set(state.files)
        planned = self._plan(site, old_files) if focus is not None else None
        if focus is not None and planned is None:
            # The focused plan met an output the last build did not write: the
            # structure changed after all, so plan everything.
            focus = None
            if site.narrowed is None:
                site = replace(site, focus=None)
            else:  # every tag's channel, as a full plan needs
                site = _make_site(self.config, refs, load, site.fragments, None)
        ledger: Ledger | None = None
        if planned is not None:
            assert focus is not None
            fingerprints, todo = planned
            self._resume_gc(freeze=True)
            self._lap(f"plan (focused on {len(focus)})")
            parts = self._state_parts(state, state_bytes)
            if todo or parts is not None:
                self._mark_in_progress()
            if parts is not None:
                self._early_state = _EarlyState(self.out / STATE_FILENAME, state_bytes, parts)
            del parts
            rendered, staged = self._render_and_stage(todo, site)
            del todo  # its plans' closures hold the site
            self._lap("render")
        else:
            # A full plan is made part by part, each part rendered as soon as it
            # is planned: whether anything will be staged is not known yet.
            self._resume_gc()
            self._freeze()
            self._mark_in_progress()
            self._stamps = stamps
            # Babel's locale data, read to date undated articles when stamping,
            # is read again in the little that rendering needs of it.
            drop_babel()
            fingerprints = {}
            # Until the write phase, the build process needs none of the state
            # file's bytes, its records nor its file list (some 50 MB at 20,000
            # articles, held beside a part worker): the bytes and the records as
            # read serve a focused plan only, the records wait in a file, and
            # the list goes to the file lists.
            old_files = set()
            state_bytes = b""
            self._read_digest = None
            self._records = {}
            self._spill = tempfile.TemporaryFile(dir=cache_dir(self.out))  # noqa: SIM115 (closed by _close)
            self._spilled_unique = state.paths_unique()
            state.spill(self._spill)
            self._lists = FileLists.create(
                cache_dir(self.out) / f".lists-{os.getpid()}.tmp",
                existing_files(self.out),
                state.files,
            )
            state.files = []
            if self._pools_parts(len(refs)):
                # A part worker makes its site from a file of the refs and their
                # stamps: this process makes its own from the same file, anew,
                # once the refs, stamps and site made while stamping are gone.
                # Those were made among the summaries (20,000 at once) and the
                # stamping's garbage, which left their memory scattered over
                # pages that stay taken as long as any of it lives: some 20 MB
                # more than the same site made on its own, beside the worker.
                # (Set aside from the collector again, as ``_freeze`` did the old.)
                self._site_file = self._site_path()
                _write_site(self._site_file, refs, stamps)
                del site, load, refs, stamps
                self._stamps = {}
                self._undated = ()
                _SHARED.clear()
                _person.cache_clear()
                gc.unfreeze()
                gc.collect()
                refs, stamps = _read_site(self._site_file)
                self._stamps = stamps
                self._undated = tuple(
                    sorted(p for p, st in stamps.items() if st.by_first_publication)
                )
                load = self._loader(stamps, _PART_ITEM_CACHE)
                site = _make_site(self.config, refs, load, fragments, None)
                gc.freeze()
            trim_heap()
            ledger = self._plan_and_render(site)
            self._lap("plan + render")
        # Writing needs none of the site (its channels, archive pages, groups and
        # caches, the items loaded: some 40 MB at 20,000 articles), only its
        # structure and the feed entries made.
        structure, made = site.structure, site.fragments.made
        if focus is not None:  # a focused site is small: kept, if the process ends next
            keep_until_exit(site, load, fragments, narrowed, planned)
        del site, load, fragments, narrowed, planned

        new_files: Sequence[str]
        lists = self._lists
        if ledger is not None:
            assert lists is not None
            # One string per path, shared by the three lists, made only now.
            new_files, rendered, staged = ledger.paths()
            stale = list(_missing(lists.old(), new_files))
        else:
            # The same structure: the same files (``_plan`` made sure of it); the
            # state's list is sorted already (sorting it again is linear). One
            # read from a file a build wrote is sorted and unique: kept as it is.
            if isinstance(state.files, FileList):
                new_files, stale = state.files, []
            else:
                new_files, stale = sorted(state.files), []
                if len(new_files) != len(old_files):
                    new_files = sorted(old_files)
        try:
            # Ids first: once any new file is visible, the ids it shows are recorded.
            state.files = new_files
            # A focused build had the state file the last build wrote (the focus
            # key has its digest), and keeps its files: only edited records change.
            # Else the old files are listed too until they are removed: merged
            # as they are written, not copied into one more list.
            self._write_state(
                state,
                state_bytes if focus is not None else None,
                _union(lists.old() if lists is not None else sorted(old_files), new_files)
                if stale
                else new_files,
            )
            store.put_outputs((), staged)
            store.put_meta("last_build", None)
            store.put_meta(_FOCUS_META, None)
            store.put_meta(_REFS_META, None)
            store.put_meta(_STATE_META, None)
            store.put_meta("in_progress", "1")
            store.put_meta(_quick.QUICK_META, None)
            store.commit()
            _rename_all(os.fspath(self.out), staged)
        except BaseException:
            for target in staged:
                temp_of(self.out / target).unlink(missing_ok=True)
            discard_staging(self.out)
            raise
        removed = [
            relative
            for relative in stale
            if (old := inside(self.out, relative)).is_file() or old.is_symlink()
        ]
        # Tombstones before the removals: a build killed between them finds the
        # stale files still there and records the same tombstones again.
        update_gone(self.out, removed, new_files)
        for relative in removed:
            old = inside(self.out, relative)
            old.unlink(missing_ok=True)
            prune_empty_dirs(old.parent, self.out)
        if stale:  # else the file list written above is already the final one
            self._write_state(state, files=new_files)
        # In path order, from the sorted list at hand: no copy of the dict.
        store.put_outputs(
            ledger.fingerprinted()
            if ledger is not None
            # (A focused plan's outputs are all in the list: ``_plan`` made sure.)
            else ((p, digest) for p, digest in sorted(fingerprints.items()) if digest),
            stale,
        )
        store.put_placements(records, unpublished)
        store.put_meta("in_progress", None)
        final_digest = self.state_digest
        assert final_digest is not None  # written above
        # Bytes this build wrote from checked records: the next one need not check them.
        store.put_meta(_STATE_META, final_digest)
        store.put_meta(_UNIQUE_META, final_digest if self._paths_unique(state) else None)
        focus_key = None if errors else self._focus_key(final_digest, waiting)
        store.put_meta(_FOCUS_META, focus_key)
        store.put_meta(_STRUCTURE_META, None if focus_key is None else structure)
        if focus_key is not None and not (waiting or self.drafts or self.future):
            self._put_refs(refs, stamps)
            store.put_meta(_REFS_META, orjson.dumps([focus_key, now.isoformat()]).decode())
        store.put_meta(
            "last_build",
            None if errors else fingerprint(self.key, final_digest, sources_digest, waiting),
        )
        folders = store.meta("folder_list") if focus is not None else None
        if folders is None:
            folder_names = sorted({"", *(f.rpartition("/")[0] for f in new_files)})
            folders = orjson.dumps(folder_names).decode()
            store.put_meta("folder_list", folders)
            folders_stamp = self._folders_stamp(folders)
        else:
            # The same files, so the same folders: only those this build wrote
            # into (and the top one, with the state file) have new times.
            folder_names = orjson.loads(folders)
            folders_stamp = self._folders_restamp(
                {"", *(path.rpartition("/")[0] for path in staged)}
            )
        store.put_meta("folders", folders_stamp)
        store.put_meta("outputs", str(len(new_files)))
        if not errors:
            self._quick_stamp(
                folder_names, len(refs), len(new_files), article_warnings, held, folders_stamp
            )
        store.commit()
        self._lap("write")

        written = sorted(staged)
        report = self._report(
            len(refs), errors, len(new_files), written, removed, rendered, parsed, held
        )
        report = replace(
            report,
            entries=ledger.entries() if ledger is not None else _sorted_unique(made),
            focused=None if focus is None else tuple(sorted(focus)),
        )
        if ledger is not None:
            ledger.close()
        self._close()
        # A preview is for local eyes: the hub is not told about it.
        if ping and not (self.drafts or self.future):
            problems = ping_feeds(self.config, written)
            if problems:
                report = BuildReport(**{**vars(report), "ping_errors": problems})
        # Every article's ref, stamp and record, the file and folder lists: not
        # freed one by one as this returns when the process ends next.
        keep_until_exit(locals())
        return report

    def _start_ahead(self, parsed: int) -> None:
        """After a parse of many articles (a cold build, whose full plan is
        rendered beside part workers), start those workers once stamped: a
        fresh interpreter's imports (~0.3 s of CPU) are made while this
        process makes the site, not while it waits for the worker's first
        parts. Not before stamping: started as the parse ended, the worker's
        ~50 MB came on top of that moment's peak (20,000 articles: the tree's
        peak 273 MB there, 266 without it)."""
        if parsed >= PARALLEL_THRESHOLD and self._pools_parts(parsed):
            from feedtool._workers import Workers

            self._ahead = Workers.ahead(self.jobs - 1, __name__)

    def _close(self) -> None:
        """Remove the scratch files of a full plan (its file lists and spilled state),
        once the replaced state file is gone; end part workers started for
        nothing (:meth:`_start_ahead`)."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            ahead.kill()
        self._drop_beside()
        if self._site_file is not None:
            self._site_file.unlink(missing_ok=True)
            self._site_file = None
        dropping, self._dropping = self._dropping, None
        if dropping is not None:
            dropping.join()
        early, self._early_state = self._early_state, None
        if early is not None:  # a build that failed before its write phase
            early.abandon()
        if self._lists is not None:
            self._lists.close()
            self._lists = None
        if self._spill is not None:
            self._spill.close()
            self._spill = None

    def _mark_in_progress(self) -> None:
        # Staging leaves temporary files beside their targets: mark the build
        # as in progress first, so one killed while staging is cleaned up.
        # No folder staged whole is left from an earlier build (whatever its
        # store says): it would be renamed into place with this build's.
        discard_staging(self.out)
        store = self.store
        store.put_meta("in_progress", "1")
        store.put_meta(_quick.QUICK_META, None)
        store.put_meta(_FOCUS_META, None)
        store.put_meta(_REFS_META, None)
        store.commit()

    def _stamp_all(
        self, scanned: _Scanned, state_bytes: bytes, now: dt.datetime
    ) -> tuple[
        State,
        Mapping[str, _Stamp],
        list[ItemRef],
        list[Held],
        list[tuple[str, bool]],
        list[tuple[str, str]],
        list[FeedtoolWarning],
        BuildReport | None,
    ]:
        """Stamp every article (the state as it is read); or the no-op build's
        report, when nothing changed since the last complete build."""
        store = self.store
        errors, parsed = scanned.errors, scanned.parsed
        summaries = self._all_summaries(scanned)
        article_warnings = [
            FeedtoolWarning(message, path=self.seeds / s.source_path, line=line, hint=hint)
            for s in summaries
            for message, line, hint in s.warnings
        ]
        self.warnings += article_warnings
        self._warned = {s.source_path: s.warnings for s in summaries if s.warnings}
        all_summaries = summaries
        summaries, previewed, held = hold_back(
            summaries, now, drafts=self.drafts, future=self.future
        )
        # What is held back is an input too: an embargo that ends changes the site.
        waiting = sorted((h.path, h.previewed) for h in held)
        sources = sorted((s.source_path, s.content_hash) for s in all_summaries)
        del all_summaries
        inputs = fingerprint(
            self.key, self._digest_of(state_bytes), _sources_digest(sources), waiting
        )
        if (
            not errors
            and not parsed
            and store.meta("last_build") == inputs
            and store.meta("folders") == self._folders_stamp(store.meta("folder_list"))
        ):
            # Nothing changed since the last complete build, and no output
            # was deleted (that changes its folder's time): nothing to do.
            folder_list = store.meta("folder_list")
            self._quick_stamp(
                orjson.loads(folder_list) if folder_list else [],
                len(summaries) + len(previewed),
                int(store.meta("outputs") or 0),
                article_warnings,
                held,
            )
            store.commit()
            done = self._report(
                len(summaries) + len(previewed),
                errors,
                int(store.meta("outputs") or 0),
                [],
                [],
                [],
                parsed,
                held,
            )
            return State(), {}, [], held, waiting, sources, article_warnings, done

        state_path = self.out / STATE_FILENAME
        if state_bytes and store.meta(_STATE_META) == self._digest_of(state_bytes):
            state = State.loads(state_bytes, state_path, own=True)
        else:
            state = State.load(self.out)
        summaries, duplicates = _without_duplicate_ids([*summaries, *previewed], state)
        errors += duplicates
        # Only a preview needs the records as they were (a deep copy of 20,000 costs).
        before = copy.deepcopy(state.entries) if previewed else {}
        self._records = {key: _record(entry) for key, entry in state.entries.items()}
        stamps = Stamper(state, self.config, now, self._newsroom).stamp_all(summaries)
        self._undated = tuple(sorted(p for p, st in stamps.items() if st.by_first_publication))
        # A preview shows held articles without recording them as published.
        for summary in previewed:
            stamp = stamps.get(summary.source_path)
            if stamp is None:
                continue
            if stamp.id in before:
                state.entries[stamp.id] = before[stamp.id]
            else:
                state.entries.pop(stamp.id, None)
        by_path = {s.source_path: s for s in summaries}
        refs = sorted((_ref(by_path[p], stamp) for p, stamp in stamps.items()), key=_sort_key)
        # The refs say all that planning and rendering need: the summaries (a
        # few kB an article) are not held through the render phase, nor
        # inherited by its workers.
        del summaries, previewed, by_path
        return state, stamps, refs, held, waiting, sources, article_warnings, None

    def _light_stamp(
        self, scanned: _Scanned, state_bytes: bytes, now: dt.datetime
    ) -> _Light | None:
        """Stamp only the articles parsed, when the others are sure to be as the
        last build stamped them (its refs are in the store); else ``None``.

        Sure when that build completed without errors or held articles, with the
        same code, config and renderers, and wrote the state file as it is now;
        when this build has the same article files, all read without error,
        none held back, no earlier clock; and when each edited article keeps
        its path's record (no front-matter id of another, no other record of
        that path): then :meth:`Stamper.stamp_all` of every article would
        leave the others' stamps as they were, and give the edited ones what
        :meth:`Stamper.restamp` gives them.
        """
        if scanned.stored:
            found = self.store.summaries(scanned.stored)
            scanned.changed += (_Summary.loads(found[path]) for path in scanned.stored)
            scanned.changed.sort(key=lambda s: s.source_path)
            scanned.stored.clear()
        changed = scanned.changed
        if (
            not changed
            or scanned.errors
            or self.drafts
            or self.future
            or not state_bytes
            or os.environ.get(FULL_PLAN_ENV)
        ):
            return None
        store = self.store
        digest = self._digest_of(state_bytes)
        mark = store.meta(_REFS_META)
        if mark is None or store.meta(_STATE_META) != digest:
            return None
        try:
            key, last_now = orjson.loads(mark)
            if key != self._focus_key(digest, []) or now < dt.datetime.fromisoformat(last_now):
                return None
        except (ValueError, TypeError):
            return None
        rows, placed = self._stored_refs()
        edited = {s.source_path for s in changed}
        if len(rows) != len(scanned.kept) + len(edited) or not all(p in rows for p in edited):
            return None
        if not all(path in rows for path in scanned.kept):
            return None
        # Its records read as asked for: those of the edited articles, and of
        # the few others whose items are rendered (``_Stamps``).
        state = State.light(state_bytes)
        entries = state.entries
        ids: dict[str, str] = {}
        for summary in changed:
            published = summary.published
            if summary.draft or (published is not None and published > now):
                return None
            old = rows[summary.source_path][0].id
            if old is None:  # pragma: no cover - a published ref has its id
                return None
            entry = entries.get(old)
            if (
                entry is None
                or entry.path != summary.source_path
                or entry.content_hash == summary.content_hash
                or summary.front_id not in (None, old)
            ):
                return None
            ids[summary.source_path] = old
        # One record a path, or matching by path depends on the records' order
        # (known of the bytes the last build wrote, else looked for in them).
        if store.meta(_UNIQUE_META) != digest and not state.paths_unique():
            return None
        self._records = {key: _record(entries[key]) for key in ids.values()}
        refs: list[ItemRef] = []
        # The refs whose place in the order is to be found: the edited ones, and
        # those of the rows light builds put since the pickles (all when the
        # refs did not come in order).
        moved: list[ItemRef] = []
        undated: set[str] = set()
        warned: dict[str, tuple[tuple[str, int | None, str | None], ...]] = {}
        taken: set[dt.datetime] = set()
        for path, (ref, by_first, noted) in rows.items():
            if path in edited:
                continue
            if placed is None or path in placed:
                moved.append(ref)
            else:
                refs.append(ref)
            updated = item_updated(ref)
            # Most are whole seconds already: no new datetime for each.
            taken.add(updated.replace(microsecond=0) if updated.microsecond else updated)
            if by_first:
                undated.add(path)
            if noted:
                warned[path] = noted
        restamped = Stamper(state, self.config, now, self._newsroom).restamp(changed, ids, taken)
        for summary in changed:
            stamp = restamped[summary.source_path]
            moved.append(_ref(summary, stamp))
            if stamp.by_first_publication:
                undated.add(summary.source_path)
            if summary.warnings:
                warned[summary.source_path] = summary.warnings
        if len(moved) > len(refs) // 8:
            refs += moved
            refs.sort(key=_sort_key)
        else:
            # The others are in order already (the pickles keep the order of
            # the site, and their refs are as pickled): each moved one is put
            # in its place, not 20,000 keys made and sorted. Keys are unique
            # (the id is in them): the order a sort gives.
            for ref in moved:
                bisect.insort(refs, ref, key=_sort_key)
        self._warned = warned
        stamps = _Stamps(refs, entries, undated, restamped)
        return state, stamps, refs, undated, warned

    def _paths_unique(self, state: State) -> bool:
        """Whether no two records of the ``state`` this build writes have one path:
        a light build's have the paths of those it read, which had none twice
        (``_light_stamp``: its edited records keep theirs)."""
        if self._light is not None:
            return True
        if self._spilled_unique is not None:
            return self._spilled_unique
        return state.paths_unique()

    def _put_refs(self, refs: Sequence[ItemRef], stamps: Mapping[str, _Stamp]) -> None:
        """Keep the refs of this build for the next one (``_light_stamp``): the
        edited articles' after a light build, else every article's."""
        light = self._light
        # A light build's few refs picked first, not 20,000 sorted to pick them.
        ordered = sorted(
            refs if light is None else [ref for ref in refs if ref.source_path in light],
            key=_SOURCE_PATH,
        )
        warned = self._warned
        # Made as they are inserted, in path order: 20,000 rows are 12 MB.
        rows = (
            (
                ref.source_path,
                _ref_row(
                    ref,
                    stamps[ref.source_path].by_first_publication,
                    warned.get(ref.source_path, ()),
                ),
            )
            for ref in ordered
        )
        # All of them: a copy the next light build unpickles instead of decoding
        # every row (the rows a light build puts are read over it), in the
        # order of the site (``_stored_refs``: a light build need not sort them).
        # A ref as its fields (``_ref_values``): unpickled, ``ItemRef(*fields)``
        # is made at a third of the cost of restoring a frozen dataclass's state.
        pickles = (
            _snapshot.pack(
                (
                    *_ref_values(ref),
                    stamps[ref.source_path].by_first_publication,
                    warned.get(ref.source_path, ()),
                )
                for ref in sorted(refs, key=_sort_key)
            )
            if light is None
            else ()
        )
        self.store.put_refs(rows, replace_all=light is None, pickles=pickles)

    def _stored_refs(self) -> tuple[dict[str, _RefRow], set[str] | None]:
        """What the last build stamped of each article (``_ref_of_row``), by path:
        from its pickles and the rows light builds put since, else from the rows;
        and the paths of the rows put since the pickles (``None``: from the rows).

        The pickles are in the order of the site (:func:`_sort_key`, see
        :meth:`_put_refs`): so are the refs here, but for those of the rows
        put since, which have their path's old place."""
        pickles, since = self.store.ref_pickles()
        found = _snapshot.unpack(pickles) if pickles else None
        if found is None:
            refs = self.store.refs()
            return {path: _ref_of_row(path, data) for path, data in refs.items()}, None
        rows: dict[str, _RefRow] = {}
        authors, count = _REF_FIELDS.index("authors"), len(_REF_FIELDS)
        for columns in found:
            # One shared Person per author, as ``_ref_of_row`` gives: the
            # renderers' caches find them by identity, not by comparing models.
            columns[authors] = [
                tuple([_person(*person) for person in people]) if people else ()
                for people in columns[authors]
            ]
            # (path, (ref, by first publication, warnings)): ``source_path`` first.
            made = _refs_of_columns(columns[:count])
            rows.update(
                zip(
                    columns[0],
                    zip(made, columns[count], columns[count + 1], strict=True),
                    strict=True,
                )
            )
        del found
        rows.update((path, _ref_of_row(path, data)) for path, data in since.items())
        return rows, set(since)

    def _focus_key(self, state_digest: str, waiting: Sequence[tuple[str, bool]]) -> str:
        """What a focused plan needs to be as the last complete build left it."""
        return fingerprint(
            self.key,
            state_digest,
            waiting,
            self.drafts,
            self.future,
            sorted(self.config.render.renderers()),
        )

    def _focus(
        self,
        refs: Sequence[ItemRef],
        errors: Sequence[FeedtoolError],
        state_bytes: bytes,
        waiting: Sequence[tuple[str, bool]],
        only: frozenset[str] | None = None,
    ) -> tuple[frozenset[str] | None, dict[str, Placement], list[str]]:
        """The articles to focus the plan on, when a focused plan is sure to be right
        (else ``None``); the placements the store lacks or has otherwise, and the
        paths of those it must forget.

        A plan can leave out every output that shows none of the changed
        articles when the last build completed without errors from the same
        code, config, state file and held articles, when no output was deleted
        since (an output folder's time says so), when every renderer is one of
        feedtool's own (they honour ``Site.focus``), and when each changed
        article kept its :func:`~feedtool.render.placement`. An article that
        moved in the order of publication (an edit can take the seconds that
        kept its time distinct off its publication, ``_ids.Stamper._distinct``)
        shifts the ones it passed in every feed and listing they share: they
        join the focus. Anything else plans every output, as a cold build does.
        """
        store = self.store
        # ``only``: the articles a light build stamped; the others have the
        # refs, and so the placements, the last build recorded.
        previous = store.placements() if only is None else store.placements_of(only)
        records: dict[str, Placement] = {}
        changed: set[str] = set()
        moves: list[tuple[tuple[float, str], tuple[float, str]]] = []
        placed = True
        for ref in refs:
            if only is not None and ref.source_path not in only:
                continue
            old = previous.get(ref.source_path)
            if old is not None and old.fingerprint == ref.fingerprint:
                continue
            assert ref.date_published is not None and ref.id is not None
            record = Placement(
                ref.fingerprint, placement(ref, self.config), ref.date_published.isoformat()
            )
            records[ref.source_path] = record
            changed.add(ref.source_path)
            placed &= old is not None and old.placement == record.placement
            if placed and old is not None and old.published != record.published:
                was = (-dt.datetime.fromisoformat(old.published).timestamp(), ref.id)
                moves.append((was, _sort_key(ref)))
        if only is None:
            published = {ref.source_path for ref in refs}
            unpublished = sorted(path for path in previous if path not in published)
        else:  # the same articles as the last build
            unpublished = []
        sure = (
            placed
            and not unpublished
            and not errors
            and not os.environ.get(FULL_PLAN_ENV)
            and not store.meta("in_progress")
            and store.meta(_FOCUS_META) == self._focus_key(self._digest_of(state_bytes), waiting)
            and set(self.config.render.renderers()) <= set(RENDERERS.builtin_names())
            and store.meta("folders") == self._folders_stamp(store.meta("folder_list"))
        )
        if not sure:
            return None, records, unpublished
        self._moved = bool(moves)
        if moves:
            # ``refs`` is in order: the ones between an article's old and new
            # place are a slice of it.
            keys = [_sort_key(ref) for ref in refs]
            for was, now in moves:
                low, high = min(was, now), max(was, now)
                start, stop = bisect.bisect_left(keys, low), bisect.bisect_right(keys, high)
                changed.update(ref.source_path for ref in refs[start:stop])
        return frozenset(changed), records, unpublished

    def _narrowed(
        self,
        focus: frozenset[str] | None,
        refs: Sequence[ItemRef],
        load: Callable[[ItemRef], NewsItem],
    ) -> tuple[frozenset[str] | None, tuple[str, Callable[[], tuple[Channel, ...]]] | None]:
        """The tag slugs a focused site needs channels for, and its ``Site.narrowed``;
        ``(None, None)`` for a site with every tag's channel.

        A focused plan renders only outputs that show an article of the focus
        (``Site.touches``): the channels of other tags are never planned, and
        building 17,000 of them (at 20,000 articles, with their archive pages)
        was most of an edit's plan. Only when no article moved in the order
        (:meth:`_focus`): then the tags' channels, their names included (a tag's
        name is its newest article's), are the last build's, and so is the
        structure it recorded.
        """
        if focus is None or self._moved or os.environ.get(FULL_PLAN_ENV):
            return None, None
        structure = self.store.meta(_STRUCTURE_META)
        if structure is None:
            return None, None
        slugs = frozenset(
            slug for ref in refs if ref.source_path in focus for slug in ref.tag_slugs
        )
        config = self.config
        return slugs, (structure, lambda: tag_channels_of(refs, config, load))

    def _plan(
        self, site: Site, old_files: Collection[str]
    ) -> tuple[dict[str, str], list[Planned | tuple[str, bytes]]] | None:
        """Each output's fingerprint, and the outputs to render.

        A full plan (no ``site.focus``) fingerprints every output and walks the
        output folder once; a focused one checks only the outputs it plans,
        and gives up (``None``) on one the last build did not write.
        """
        store = self.store
        focused = site.focus is not None
        previous = {} if focused else store.outputs()
        existing = set() if focused else existing_files(self.out)
        # A focused plan does not walk the folder: every staged file is checked.
        self.existing = None if focused else existing
        fingerprints: dict[str, str] = {}
        todo: list[Planned | tuple[str, bytes]] = []
        pending: list[Planned] = []
        resolved: dict[str, bool] = {}
        for output in plan_site(site):
            path = output.path if isinstance(output, Planned) else output[0]
            if path in fingerprints:
                raise PublishError(f"two renderers wrote {path}", path=self.out / path)
            if focused and path not in old_files:
                return None
            # The full check only once per folder (and for a path it refuses).
            if not (resolved.get(path.rpartition("/")[0]) and safe_relative(path)):
                inside(self.out, path, resolved)
            if isinstance(output, Planned):
                fingerprints[path] = fingerprint(output.fingerprint, self.key)
                if focused:
                    pending.append(output)
                    continue
                if (
                    previous.get(path) == fingerprints[path]
                    and path in old_files
                    and path in existing
                ):
                    continue
            else:
                fingerprints[path] = ""
            todo.append(output)
        if pending:
            previous = store.output_fingerprints(p.path for p in pending)
            for output in pending:
                if previous.get(output.path) != fingerprints[output.path] or not _is_file(
                    self.out / output.path
                ):
                    todo.append(output)
        return fingerprints, todo

    def _look_beside(self) -> None:
        """Have a child process look at the times of the last build's output
        folders (:class:`Beside`), when this build may compare them with the
        last build's (``_focus``, the no-op check of ``_stamp_all``) and they
        are many: the build parses and stamps meanwhile. Started holding the
        lock and before this build writes anything, as ``folder_times`` here."""
        store = self.store
        folders = store.meta("folder_list")
        if (
            folders is None
            or store.meta(_FOCUS_META) is None
            or store.meta("in_progress")
            or folders.count(",") + 1 < BESIDE_FOLDERS
        ):
            return
        out = self.out

        def times() -> bytes:
            found = folder_times(out, orjson.loads(folders))
            if found is None:  # a folder is gone
                return b"\0"
            return b"\1" + array("q", [time for _, time in found]).tobytes()

        self._beside = (folders, Beside(times))

    def _drop_beside(self) -> None:
        beside, self._beside = self._beside, None
        if beside is not None:
            beside[1].cancel()

    def _folders_stamp(self, folders: str | None) -> str | None:
        """A digest of the modification times of the output folders (``folders``: JSON)."""
        if folders is None:
            return None
        names = orjson.loads(folders)
        beside, self._beside = self._beside, None
        made = None
        if beside is not None:
            if beside[0] == folders:
                made = beside[1].result()
            else:
                beside[1].cancel()
        if made == b"\0":
            self._folder_times = None
        elif made is not None and made[:1] == b"\1" and len(made) == 1 + 8 * len(names):
            self._folder_times = list(zip(names, array("q", made[1:]), strict=True))
        else:  # not looked at beside (or that failed): here
            self._folder_times = folder_times(self.out, names)
        return None if self._folder_times is None else rows_digest("folders", self._folder_times)

    def _folders_restamp(self, touched: set[str]) -> str | None:
        """:meth:`_folders_stamp` of the folders it last saw, only ``touched`` ones
        looked at again (the others' times as it saw them)."""
        times = self._folder_times
        if times is None:
            return None
        again = [name for name, _ in times if name in touched]
        fresh = folder_times(self.out, again)
        if fresh is None:
            return None
        now = dict(fresh)
        return rows_digest("folders", [(name, now.get(name, time)) for name, time in times])

    def _quick_stamp(
        self,
        folders: Sequence[str],
        articles: int,
        outputs: int,
        article_warnings: Sequence[FeedtoolWarning],
        held: Sequence[Held],
        folders_stamp: str | None = None,
    ) -> None:
        """Leave the no-op fast path its stamp (or clear it when this build cannot);
        ``folders_stamp``: the folders' stamp this build just made, if it did."""
        stamp = None
        if self._seeds_digest is not None and self.quick_key is not None:
            stamp = _quick.make_stamp(
                state=self.state_digest,
                key=self.quick_key,
                seeds=self._seeds_digest,
                out=self.out,
                folders=folders,
                articles=articles,
                outputs=outputs,
                warnings=article_warnings,
                held=held,
                stamp=folders_stamp,
            )
        self.store.put_meta(_quick.QUICK_META, stamp.dumps() if stamp else None)

    def _report(
        self,
        articles: int,
        errors: Sequence[FeedtoolError],
        outputs: int,
        written: Sequence[str],
        removed: Sequence[str],
        rendered: Sequence[str],
        parsed: Sequence[str],
        held: Sequence[Held] = (),
    ) -> BuildReport:
        return BuildReport(
            held=tuple(held),
            articles=articles,
            errors=tuple(errors),
            outputs=outputs,
            written=tuple(written),
            removed=tuple(removed),
            rendered=tuple(rendered),
            parsed=tuple(parsed),
            timings=tuple(self.timings),
            warnings=tuple(self.warnings),
            dated_by_first_publication=self._undated,
        )

    def _write_state(
        self, state: State, previous: bytes | None = None, files: Iterable[str] | None = None
    ) -> None:
        """Write the state file; ``previous``: its bytes as the last build wrote them,
        for a state with the same records (:meth:`_changed_records`) and files;
        ``files``: the sorted file list to write, when not ``state.files``.
        Keeps the digest of the bytes the file now holds (``state_digest``)."""
        target = self.out / STATE_FILENAME
        early, self._early_state = self._early_state, None
        if early is not None and previous is early.previous:
            digest = early.finish()
            self._dropping = early.dropping
            if digest is not None:
                self.state_digest = digest
                return
        parts = None
        if previous is not None:
            # The bytes the file holds: a build wrote them (the focus key has
            # their digest) and this one read them holding the lock.
            parts = state.patched_parts(previous, self._changed_records(state), own=True)
        if parts is None:
            # Streamed: at 20,000 articles the file is 20 MB, its lines and
            # string as much again each.
            self.state_digest = write_chunks_atomic(target, state.chunks(files))
            return
        assert previous is not None
        if len(parts) == 1:  # the same bytes: neither written nor hashed again
            self.state_digest = self._digest_of(previous)
            return
        self.state_digest = write_parts_atomic(target, parts)

    def _state_parts(self, state: State, state_bytes: bytes) -> list[bytes | memoryview] | None:
        """The state file of a focused plan as ``_write_state`` writes it (the last
        build's bytes with the records stamping changed), when it changed: a
        thread writes it to its temporary name while the build renders
        (``_EarlyState``), and the write phase puts it in place before any
        output, as it would have written it.

        At 20,000 articles it is 19 MB: hashed and written in a few calls that
        let go of the interpreter lock, some 30-50 ms off the write phase."""
        if not state_bytes:
            return None
        parts = state.patched_parts(state_bytes, self._changed_records(state), own=True)
        return parts if parts is not None and len(parts) > 1 else None

    def _changed_records(self, state: State) -> list[str]:
        """The ids of the records stamping changed (all of them if it added or removed one)."""
        if self._light is not None:
            # A light build changed only the records of the articles it stamped.
            return [
                key
                for key, record in self._records.items()
                if _record(state.entries[key]) != record
            ]
        if state.entries.keys() != self._records.keys():
            return list(state.entries)
        return [key for key, entry in state.entries.items() if _record(entry) != self._records[key]]

    # ----------------------------------------------------------------- scan and parse

    def _scan_and_parse(
        self,
        paths: Sequence[Path],
        walked: Sequence[tuple[str, tuple[int, int, int, int]]] | None = None,
    ) -> _Scanned:
        """Read the files that changed (parse and enrich those whose bytes did);
        the others are only stat'ed, and their summaries left in the store.
        ``walked``: each path's relative path and stat, when the walk that
        found them made them (:meth:`SeedScan.of_walk`): not made again."""
        store = self.store
        _SHARED.clear()
        # Paused while an edit is read, stamped and planned (``_resume_gc``):
        # those phases make a few objects per article and tag, hardly any
        # garbage, and the collector, run again and again as they are made,
        # would walk all of them each time (most of the time of loading 20,000
        # refs). Resumed before a parse of many articles.
        self._pause_gc()
        cached, settled, gone = self._recorded(walked)
        scanned = _Scanned()
        changed, errors, kept = scanned.changed, scanned.errors, scanned.kept
        tasks: list[tuple[Path, str, bytes | None, Config]] = []
        stats: dict[str, tuple[int, int, int]] = {}
        touched: list[tuple[str, int, int, int]] = []
        present: set[str] = set()
        seed_stats = self.seed_stats
        self.progress.phase("scanning", len(paths))
        rows: Iterable[tuple[int, str, tuple[int, int, int, int] | None]]
        if walked is not None and settled:
            # The walk's rows are (path, stat) already, and the settled articles
            # (walked ones: ``known_of_walk``) keep their hashes: taken whole,
            # only the others looked at one by one (at 20,000 articles the loop
            # over every row was ~25 ms of an edit on a loaded machine).
            present.update(map(_PATH, walked))
            seed_stats.extend(walked)
            kept.update(settled)
            self.progress.advance(len(settled))
            rows = (
                (index, relative, seed_stat)
                for index, (relative, seed_stat) in enumerate(walked)
                if relative not in settled
            )
        else:
            rows = _indexed(walked) if walked is not None else self._stat_all(paths, errors)
        for index, relative, seed_stat in rows:
            present.add(relative)
            if seed_stat is None:
                continue
            seed_stats.append((relative, seed_stat))
            recorded = settled.get(relative)
            if recorded is not None:
                kept[relative] = recorded
                self.progress.advance()
                continue
            size, mtime_ns = seed_stat[0], seed_stat[1]
            # (path, size, mtime_ns, read_ns, content_hash, key): ``ItemStat``
            known = cached.get(relative)
            if known is not None and known[5] == self.key and stat_vouches(known, size, mtime_ns):
                kept[relative] = known[4]
                self.progress.advance()
                continue
            path = paths[index]
            read_ns = time.time_ns()
            stats[relative] = (size, mtime_ns, read_ns)
            self.racy |= read_ns - mtime_ns <= RACY_NS
            if known is None or known[5] != self.key:
                # Parsed whatever its bytes: read by the parse task itself, later
                # than read_ns (so the racy check above errs on the safe side).
                tasks.append((path, relative, None, self.config))
                continue
            try:
                data = path.read_bytes()
            except OSError as exc:
                errors.append(ParseError(f"cannot read file: {exc.strerror}", path=path))
                continue
            if known[4] == hashlib.sha256(data).hexdigest():
                kept[relative] = known[4]
                touched.append((relative, size, mtime_ns, read_ns))
                self.progress.advance()
                continue
            tasks.append((path, relative, data, self.config))
        store.touch_items(touched)
        store.drop_items(set(cached) - present if gone is None else gone)

        parsed = scanned.parsed
        # Many articles to parse (a cold build): their summaries (a few kB each)
        # are read back from the store when stamping, not held in this process
        # while it and the parse workers (which count its pages) parse.
        many = len(tasks) >= PARALLEL_THRESHOLD
        stored = scanned.stored
        if many:
            self._resume_gc()
            # Each parse makes thousands of objects; forked workers inherit this too.
            self._collect_less()
        # By task (the order of the paths): the ones handed back come last.
        failed: list[tuple[int, FeedtoolError]] = []
        self.progress.phase("parsing", len(tasks))
        # Lingua's answers the store kept are not asked again.
        answers = Answers(self.store)
        for index, result in self._parse_all(tasks, answers):
            if isinstance(result, FeedtoolError):
                failed.append((index, result))
            else:
                relative, item_json, summary_json = result
                # A parse of many keeps each summary's content hash alone: its
                # tags, made and shared (``_SHARED``) among the parse's garbage,
                # kept ~6 MB of this process's pages taken through the lingua
                # questions at 20,000 articles (112 -> 106 MB). They are made
                # when the summaries are read back.
                if many:
                    summary = None
                    content_hash = orjson.loads(summary_json)["content_hash"]
                else:
                    summary = _Summary.loads(summary_json)
                    content_hash = summary.content_hash
                size, mtime_ns, read_ns = stats[relative]
                store.put_items(
                    [
                        CachedItem(
                            path=relative,
                            size=size,
                            mtime_ns=mtime_ns,
                            read_ns=read_ns,
                            content_hash=content_hash,
                            key=self.key,
                            summary=summary_json,
                            item_json=item_json,
                        )
                    ]
                )
                if summary is None:
                    stored[relative] = content_hash
                else:
                    changed.append(summary)
                parsed.append(relative)
            self.progress.advance()
        errors += (error for _, error in sorted(failed, key=lambda pair: pair[0]))
        if not kept:
            # Every article was parsed: an answer none of them asked for is
            # of a text no longer there (an older version, a deleted article).
            answers.forget_others()
        changed.sort(key=lambda s: s.source_path)
        parsed.sort()
        return scanned

    def _let_go(self, collect: bool) -> None:
        """:func:`release` what parsing needed; with ``collect``, every table
        the articles can need kept first (see ``build``)."""
        if collect and _tables.unsaved():
            preload(self.config)
        release(collect=collect)

    def _recorded(
        self, walked: Sequence[tuple[str, tuple[int, int, int, int]]] | None
    ) -> tuple[Mapping[str, Sequence[Any]], Mapping[str, str], Sequence[str] | None]:
        """The store's stats of the articles (``item_stats``), the content hash of
        those sure to be unchanged (no article read again), and the recorded
        articles not walked (``None``: those of the stats that are not).

        After an edit the console entry point's forked check compared the
        walk it hands the build (``walked``) with the store (``known_of_walk``):
        what it found is used when this build would have found the same, the
        settled articles recorded with this build's key and no build having
        written the store since; else the stats are read here."""
        known = take_known(os.fspath(self.out)) if walked is not None else None
        if known is not None:
            last, key, settled, rows, gone = known
            if (
                last is not None
                and (key is None or key == self.key)
                and self.store.meta("last_build") == last
            ):
                return rows, settled, gone
        return self.store.item_stats(), {}, None

    def _stat_all(
        self, paths: Sequence[Path], errors: list[FeedtoolError]
    ) -> Iterator[tuple[int, str, tuple[int, int, int, int] | None]]:
        """``(index, path relative to the seeds, seed_stat)`` of each of ``paths``
        (``None`` and an error for one that cannot be stat'ed)."""
        # Paths as strings (os.stat, slicing): a pathlib object per call costs
        # more than the stat itself, 20,000 times over.
        root = os.fspath(self.seeds)
        root = "" if root == "." else root.rstrip("/") + "/"
        for index, path in enumerate(paths):
            name = os.fspath(path)
            if root and name.startswith(root) and "/./" not in name and "/../" not in name:
                relative = name[len(root) :]
            else:
                relative = path.relative_to(self.seeds).as_posix()
            try:
                info = os.stat(name)
            except OSError as exc:
                errors.append(ParseError(f"cannot read file: {exc.strerror}", path=path))
                yield index, relative, None
                continue
            yield index, relative, (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)

    def _all_summaries(self, scanned: _Scanned) -> list[_Summary]:
        """Every article's summary, in path order: the ones parsed, and the
        others' from the store."""
        found = self.store.summaries([*scanned.kept, *scanned.stored])
        summaries = [_Summary.loads(found[path]) for path in scanned.kept]
        summaries += (_Summary.loads(found[path]) for path in scanned.stored)
        del found
        summaries += scanned.changed
        summaries.sort(key=lambda s: s.source_path)
        return summaries

    def _parse_all(
        self, tasks: Sequence[tuple[Path, str, bytes | None, Config]], answers: Answers
    ) -> Iterator[tuple[int, tuple[str, bytes, bytes] | FeedtoolError]]:
        """``(index in tasks, result)`` of every task: in order, but for the
        articles that need lingua's models in a parallel build, which come last.
        Lingua's questions go to ``answers`` (the store's, else lingua's)."""
        if self.jobs <= 1 or len(tasks) < PARALLEL_THRESHOLD:
            ask_models_in(answers)
            try:
                yield from enumerate(map(_parse_here, tasks))
            finally:
                ask_models_in(None)
            return
        later = yield from self._parse_in_pool(tasks)
        if not later:
            return
        # The workers are gone. The models are loaded in a process of their
        # own, a few languages' at a time, which ends with them: here, they
        # would all be loaded at once, and their memory, scattered once
        # unloaded, kept through rendering. Each article handed back brought
        # the question it stopped at: those are answered first, while this
        # process holds least (what parsing needed let go: read again as the
        # articles ask; 106-107 MB at 20,000 articles, ~120 MB parsing them),
        # as a model process of 4 languages' models for short texts is
        # 145-165 MB (cs/en/fr/pl, loaded in turn: ``_lingua._load_in_turn``).
        # The questions on long texts come first (their models are small),
        # then the short ones'.
        # An article's later questions, which that answer decides, are asked
        # of a model process as they come. Articles whose question the store
        # has the answer to are parsed first, and ask no model process.
        unknown = set(answers.unknown(question for _, question in later))
        known = [index for index, question in later if question not in unknown]
        questions = dict(later)
        order = [
            index
            for short in (False, True)
            for index in _by_models(
                [
                    (index, frozenset(question.candidates))
                    for index, question in later
                    if question in unknown and full_models(question.text) == short
                ],
                _MODEL_LANGUAGES,
            )
        ]
        if _tables.can_keep():
            self._let_go(collect=True)
        from feedtool.publish._models import ModelProcess

        models = ModelProcess(_MODEL_LANGUAGES)
        models.answer_first(questions[index] for index in order)
        del questions, unknown
        answers.asker = models
        ask_models_in(answers)
        try:
            for index in (*known, *order):
                yield index, _parse_here(tasks[index])
        finally:
            ask_models_in(None)
            models.close()

    def _parse_in_pool(
        self, tasks: Sequence[tuple[Path, str, bytes | None, Config]]
    ) -> Generator[
        tuple[int, tuple[str, bytes, bytes] | FeedtoolError],
        None,
        list[tuple[int, Question]],
    ]:
        """Parse ``tasks`` in a pool of forked workers and this process; the
        articles handed back for lingua are returned (index, question)."""
        later: list[tuple[int, Question]] = []
        # Workers are forked: what is loaded here first (gazetteer, word lists,
        # patterns) they inherit, shared copy-on-write, instead of each building
        # it again. Frozen, those objects are never traversed by a worker's
        # collector, which would write to (and so copy) their pages.
        preload_kept(self.config)
        gc.collect()
        gc.freeze()
        import multiprocessing
        from concurrent.futures.process import BrokenProcessPool, ProcessPoolExecutor

        try:
            # Forked workers close their copy of the lock's descriptor and
            # exit when this process dies: a killed build leaves no worker
            # behind, and none holding the lock.
            context = multiprocessing.get_context("fork")
            # This process parses too, beside ``jobs - 1`` workers, rather than
            # waiting on ``jobs`` of them: the same number of processes at
            # work, one fewer holding its own copy of what parsing builds up
            # (the pages of the shared tables it touched, its word caches).
            with ProcessPoolExecutor(
                max_workers=self.jobs - 1,
                mp_context=context,
                initializer=_parse_worker_init,
                initargs=(self.lock_fd, os.getpid()),
            ) as pool:
                # In this process too, while the workers run (see _parse_worker_init).
                keep_models_elsewhere()
                for index, result in _map_helping(pool, self.jobs - 1, tasks):
                    if isinstance(result, Question):
                        later.append((index, result))
                    else:
                        yield index, result
        except BrokenProcessPool as exc:
            raise PublishError(
                "a worker process died while parsing articles (killed, or out of memory)",
                path=self.seeds,
                hint="build again; if it recurs, run with --jobs 1 to find the article"
                " and check the memory limit",
            ) from exc
        finally:
            keep_models_elsewhere(False)
            gc.unfreeze()
        return later

    # ----------------------------------------------------------------- render

    def _newsroom(self, article: _Summary, first: dt.datetime) -> tuple[str | None, str | None]:
        """The newsroom dates of an undated article, cached per content and first publication."""
        key = fingerprint(article.digest, first.isoformat(), self.key)
        cached = self.store.derived(article.source_path, key)
        if cached is not None:
            published, modified = orjson.loads(cached)
            return published, modified
        data = self.store.item_json(article.source_path)
        assert data is not None
        item = NewsItem.model_validate_json(data)
        found = newsroom_dates(item, newsroom_zone(item, self.config), reference=first)
        stamped = found.get("date_published")
        edited = found.get("date_modified")
        result = (
            stamped.isoformat() if isinstance(stamped, dt.datetime) else None,
            edited.isoformat() if isinstance(edited, dt.datetime) else None,
        )
        self.store.put_derived(article.source_path, key, orjson.dumps(result))
        return result

    def _loader(
        self, stamps: Mapping[str, _Stamp], kept: int | None = None
    ) -> Callable[[ItemRef], NewsItem]:
        # Through ``self.reader``: a forked render worker reads by its own connection.
        return _item_loader(lambda: self.reader, stamps, self.config, kept)

    def _render_and_stage(
        self, todo: Sequence[Planned | tuple[str, bytes]], site: Site
    ) -> tuple[list[str], list[str]]:
        """Render ``todo`` and stage the files that changed: ``(rendered, staged)``
        paths, both in ``todo``'s order. Large batches are rendered by a process pool."""
        self.progress.phase("rendering", len(todo))
        if len(todo) <= _FEW_OUTPUTS:
            # An edit's few outputs load few items, which the loader's cache
            # holds in any order: ranking every ref (20,000) to sort a dozen
            # outputs was a sixth of an edit's render phase (and an edit at a
            # new clock renders some fifty: its tags' feeds show its date).
            order = list(range(len(todo)))
        else:
            order = _render_order(todo, site.ranks)
        if self.jobs > 1 and len(todo) >= RENDER_THRESHOLD and isinstance(self.store, SqliteStore):
            return self._render_in_pool(todo, order, site)
        rendered: dict[int, str] = {}
        staged: dict[int, str] = {}
        try:
            for index in order:
                did_render, path, temp = _render_one(self.out, todo[index], self.existing)
                if did_render:
                    rendered[index] = path
                if temp is not None:
                    staged[index] = path
                self.progress.advance()
        except BaseException:
            for path in staged.values():
                temp_of(self.out / path).unlink(missing_ok=True)
            raise
        return [rendered[i] for i in sorted(rendered)], [staged[i] for i in sorted(staged)]

    def _plan_and_render(self, site: Site) -> Ledger:
        """Plan every output, part by part (:func:`~feedtool.render.partition`),
        rendering and staging each part's changed outputs as soon as it is
        planned: each output's fingerprint, and whether it was rendered and
        staged, in a :class:`Ledger` (on disk, not in this process's memory);
        the feed entries made are in it too (``site.fragments.made`` is left empty).

        No process holds the plan of more than one part at a time: a part is
        planned, checked against the store and rendered by one process, the
        build process or a worker, which sends back only paths and
        fingerprints. A worker is a fresh process that makes the site itself
        from the refs (see :meth:`_parts_in_pool`): it holds the site's
        structure and its own caches, none of this process's memory.

        Each output is checked against the files the last build wrote and the
        files found in the output folder: ``self._lists``, which every process
        rendering parts reads.
        """
        lists = self._lists
        assert lists is not None
        parts = partition(site, _PART_OUTPUTS)
        # Every item has at least three outputs (page, JSON-LD, ninjs).
        pooled = len(parts) > 2 and self._pools_parts(len(site.refs))
        parts = files_first(parts)
        # The feeds wait for every item's files, and so for the entries made
        # with them, to be in the store (see ``files_first``).
        feeds = next((number for number, part in enumerate(parts) if part.files is False), None)
        self.progress.phase("rendering", len(parts))
        job = _PartJob(self.out, self.key, self.reader, lists, self.resolved, site, parts)
        ledger = Ledger()
        fragments = site.fragments
        store = self.store

        def record(result: _PartResult) -> None:
            ledger.add(result.planned, result.rendered, result.staged, os.fspath(self.out))
            if result.spill is not None:
                # Read back entry by entry: never all of a part's entries at once.
                for entry in _spilled(result.spill):
                    store.put_fragment(*entry)
                os.unlink(result.spill)
            ledger.add_entries(result.made)
            # The entries this process made (its own parts) are there too.
            ledger.add_entries(fragments.made)
            fragments.made.clear()
            store.commit()
            self.progress.advance()

        try:
            if not pooled:
                for part in parts:
                    record(_plan_render(job, part))
            else:
                self._parts_in_pool(job, self._stamps, record, feeds)
        except BaseException:
            _, _, staged = ledger.paths()
            for path in staged:
                temp_of(self.out / path).unlink(missing_ok=True)
            ledger.close()
            raise
        return ledger

    def _site_path(self) -> Path:
        return cache_dir(self.out) / f".site-{os.getpid()}.tmp"

    def _pools_parts(self, refs: int) -> bool:
        """Whether a full plan of ``refs`` items is rendered by part workers beside
        this process (:meth:`_plan_and_render`), given it has over two parts."""
        return (
            self.jobs > 1 and 3 * refs >= RENDER_THRESHOLD and isinstance(self.store, SqliteStore)
        )

    def _parts_in_pool(
        self,
        job: _PartJob,
        stamps: Mapping[str, _Stamp],
        record: Callable[[_PartResult], None],
        barrier: int | None = None,
    ) -> None:
        """Plan and render ``job``'s parts in worker processes and in this one.

        The workers are spawned, not forked: a forked worker would count (and,
        by CPython's reference counts, soon copy) every page of this process,
        the whole site and the build's bookkeeping. Each is given the refs,
        their stamps and the file lists in a file, makes the same site from
        them (:func:`_make_site`), reads items through a connection of its
        own, and sends back what it planned and staged and the feed entries
        it made; this process (the store's one writer) records and commits
        them as they come, so a worker finds the entries another made in an
        earlier part. Nothing is renamed into place here: that waits for the
        state file.
        """

        def here(number: int) -> _PartResult:
            # Its feed entries go to the store (and ``made``) directly.
            return _plan_render(job, job.parts[number])

        assert isinstance(self.store, SqliteStore)
        site_file = self._site_file
        if site_file is None:
            site_file = self._site_path()
            _write_site(site_file, job.site.refs, stamps)
        try:
            spec = _PartSpec(
                self.config,
                self.out,
                self.key,
                job.parts,
                site_file,
                self.store.path,
                job.lists.path,
            )
            self._in_pool(
                len(job.parts),
                _part_worker_start,
                (os.getpid(), spec),
                _part_run,
                here,
                record,
                fresh=True,
                barrier=barrier,
            )
        finally:
            site_file.unlink(missing_ok=True)

    def _in_pool(
        self,
        count: int,
        initializer: Callable[..., None],
        initargs: tuple[Any, ...],
        remote: Callable[[int], _Result],
        here: Callable[[int], _Result],
        record: Callable[[_Result], None],
        fresh: bool = False,
        barrier: int | None = None,
    ) -> None:
        """Tasks ``0 … count - 1``, each recorded once: ``remote`` in workers,
        ``here`` in this process, as :func:`_schedule` shares them out. This
        process works beside ``jobs - 1`` workers, one fewer
        process holding its own copy of what rendering needs.

        ``fresh``: the workers are new interpreters (:class:`Workers`), else
        forked (they inherit this process's objects). ``barrier``: see
        :func:`_schedule`."""
        if fresh:
            self._in_workers(count, initializer, initargs, remote, here, record, barrier)
            return
        # Frozen, the objects a forked worker inherits are never traversed
        # by its collector, which would write to (and so copy) their pages.
        gc.collect()
        gc.freeze()
        workers = min(self.jobs - 1, count)
        import multiprocessing
        from concurrent.futures.process import BrokenProcessPool, ProcessPoolExecutor

        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=initializer,
            initargs=initargs,
        )
        try:
            _schedule(
                count, workers, lambda number: pool.submit(remote, number), here, record, barrier
            )
        except BaseException as exc:
            pool.shutdown(wait=True, cancel_futures=True)
            # What a worker staged and had not reported yet.
            clean_temporaries(self.out)
            if isinstance(exc, BrokenProcessPool):
                raise _render_worker_died(self.out) from exc
            raise
        finally:
            pool.shutdown(wait=True)
            gc.unfreeze()

    def _in_workers(
        self,
        count: int,
        initializer: Callable[..., None],
        initargs: tuple[Any, ...],
        remote: Callable[[int], _Result],
        here: Callable[[int], _Result],
        record: Callable[[_Result], None],
        barrier: int | None = None,
    ) -> None:
        """:meth:`_in_pool` in fresh interpreters (:class:`Workers`: no resource
        tracker beside them; those started ahead, if any), each given its tasks
        in turn, as :func:`_schedule` shares them out."""
        from feedtool._workers import WorkerDied, Workers

        workers, self._ahead = self._ahead, None
        ahead = workers is not None
        if workers is None:
            workers = Workers(min(self.jobs - 1, count), initializer, initargs, remote)
        try:
            if ahead:
                workers.begin(initializer, initargs, remote)
            _schedule(count, len(workers), workers.submit, here, record, barrier)
        except BaseException as exc:
            workers.kill()
            # What a worker staged and had not reported yet.
            clean_temporaries(self.out)
            if isinstance(exc, WorkerDied):
                raise _render_worker_died(self.out) from exc
            raise
        finally:
            workers.close()

    def _render_in_pool(
        self, todo: Sequence[Planned | tuple[str, bytes]], order: Sequence[int], site: Site
    ) -> tuple[list[str], list[str]]:
        """Render ``todo`` in forked workers, each a run of outputs at a time.

        The workers inherit the plan (``todo``, the site, the loader) and read
        the store through connections of their own; each stages its files and
        sends back what it staged and the feed entries it made, which this
        process (the store's one writer) records and commits as they come, so
        a worker finds the entries another made in an earlier run. Nothing is
        renamed into place here: that waits for the state file, as serially.
        """
        global _RENDERING
        assert isinstance(self.store, SqliteStore)
        runs = [order[start : start + _RENDER_RUN] for start in range(0, len(order), _RENDER_RUN)]
        rendered: dict[int, str] = {}
        staged: dict[int, str] = {}
        fragments = site.fragments
        made: set[tuple[str, str]] = set(fragments.made)
        _RENDERING = _RenderJob(self, todo, fragments, runs)

        def record(result: _RunResult) -> None:
            # The plan's own path strings, and the temporaries' names as plain
            # strings until the end: a Path is twice a string's size, and a
            # cold build stages every output (146,516 of them at 20,000 articles).
            for index, _ in result.rendered:
                rendered[index] = _path_of(todo[index])
            for index, _, _ in result.staged:
                staged[index] = _path_of(todo[index])
            for entry in result.fragments:
                self.store.put_fragment(*entry)
            made.update(result.made)
            self.store.commit()
            self.progress.advance(result.count)

        def here(number: int) -> _RunResult:
            # Its feed entries go to the store (and ``made``) directly.
            return _render_here(self.out, todo, runs[number], self.existing)

        try:
            self._in_pool(
                len(runs),
                _render_worker_init,
                (self.lock_fd, os.getpid()),
                _render_run,
                here,
                record,
            )
        except BaseException:
            for path in staged.values():
                temp_of(self.out / path).unlink(missing_ok=True)
            raise
        finally:
            _RENDERING = None
        fragments.made = sorted(made.union(fragments.made))
        return [rendered[i] for i in sorted(rendered)], [staged[i] for i in sorted(staged)]


@dataclass
class _RenderJob:
    """What forked render workers inherit: the build, its plan, the site's entry cache."""

    build: _Build
    todo: Sequence[Planned | tuple[str, bytes]]
    fragments: Fragments
    runs: list[Sequence[int]]


@dataclass(frozen=True)
class _RunResult:
    """What a render worker did with one run of outputs (indexes into the plan)."""

    count: int
    rendered: list[tuple[int, str]]
    staged: list[tuple[int, str, str]]
    #: ``(path, stamp, key, bytes)`` of the feed entries it made, for the store.
    fragments: list[tuple[str, str, str, bytes]]
    made: list[tuple[str, str]]


#: The render job of this process (set before a render pool forks).
_RENDERING: _RenderJob | None = None


class _Collecting:
    """A worker's fragment store: reads the build's store, keeps what it would write."""

    def __init__(self, reader: SqliteStore) -> None:
        self.reader = reader
        self.made: list[tuple[str, str, str, bytes]] = []

    def fragment(self, key: str) -> bytes | None:
        return self.reader.fragment(key)

    def fragments(self, keys: Sequence[str]) -> dict[str, bytes]:
        return self.reader.fragments(keys)

    def put_fragment(self, path: str, stamp: str, key: str, value: bytes) -> None:
        self.made.append((path, stamp, key, value))


def _render_worker_init(lock_fd: int | None, parent: int) -> None:
    _worker_init(lock_fd, parent)
    job = _RENDERING
    assert job is not None
    assert isinstance(job.build.store, SqliteStore)
    reader = job.build.store.reader()
    job.build.reader = reader
    job.fragments.store = _Collecting(reader)


def _render_run(number: int) -> _RunResult:
    """In a render worker: render and stage the ``number``-th run of the plan."""
    job = _RENDERING
    assert job is not None
    collecting = job.fragments.store
    assert isinstance(collecting, _Collecting)
    collecting.made = []
    job.fragments.made = []
    rendered: list[tuple[int, str]] = []
    staged: list[tuple[int, str, str]] = []
    out = job.build.out
    try:
        for index in job.runs[number]:
            did_render, path, temp = _render_one(out, job.todo[index], job.build.existing)
            if did_render:
                rendered.append((index, path))
            if temp is not None:
                staged.append((index, path, str(temp)))
    except BaseException:
        for _, _, temp_name in staged:
            Path(temp_name).unlink(missing_ok=True)
        raise
    return _RunResult(len(job.runs[number]), rendered, staged, collecting.made, job.fragments.made)


def _path_of(output: Planned | tuple[str, bytes]) -> str:
    return output.path if isinstance(output, Planned) else output[0]


def _render_here(
    out: Path,
    todo: Sequence[Planned | tuple[str, bytes]],
    run: Sequence[int],
    existing: set[str] | None,
) -> _RunResult:
    """Render and stage one run of the plan in the build process (beside the pool)."""
    rendered: list[tuple[int, str]] = []
    staged: list[tuple[int, str, str]] = []
    for index in run:
        did_render, path, temp = _render_one(out, todo[index], existing)
        if did_render:
            rendered.append((index, path))
        if temp is not None:
            staged.append((index, path, str(temp)))
    return _RunResult(len(run), rendered, staged, [], [])


@dataclass
class _PartJob:
    """What planning and rendering parts needs: where to, the store to read, the
    files found and the files the last build wrote, the site and its parts."""

    out: Path
    key: str
    reader: ItemStore
    lists: FileLists
    #: Output folders found inside the output folder (``_files.inside``).
    resolved: dict[str, bool]
    site: Site
    parts: list[Part]


@dataclass(frozen=True)
class _PartResult:
    """What planning and rendering one part did (paths, not plans)."""

    #: ``(path, fingerprint)`` of every output of the part ("" for one without).
    planned: list[tuple[str, str]]
    rendered: list[str]
    staged: list[str]
    made: list[tuple[str, str]]
    #: The file of the feed entries a worker made, for the store (:class:`_Spilling`).
    spill: str | None = None


#: A spilled feed entry's header: the lengths of its path, stamp, key and bytes.
_SPILL_HEADER = struct.Struct("<IIII")


class _Spilling:
    """A part worker's fragment store: reads the build's store; the entries it
    makes go to a file per part (:meth:`start`, :meth:`finish`), which the build
    process (the store's one writer) reads back into the store entry by entry.

    Not a list sent back with the part's result: a part whose items head many
    feeds (the newest items, at the top of thousands of tag feeds) makes the
    entries of thousands of items, some 20 MB at 20,000 articles that the worker
    held, pickled whole into one more copy, and the build process unpickled
    whole, at the render phase's peak."""

    def __init__(self, reader: SqliteStore, folder: Path) -> None:
        self.reader = reader
        self._folder = folder
        self._file: IO[bytes] | None = None
        self._path = ""

    def start(self, number: int) -> None:
        self._path = os.fspath(self._folder / f".fragments-{os.getpid()}-{number}.tmp")
        self._file = open(self._path, "wb")  # noqa: SIM115 (closed by finish)

    def finish(self) -> str | None:
        """The file of the entries made since :meth:`start`; ``None`` if none were."""
        file, self._file = self._file, None
        assert file is not None
        empty = file.tell() == 0
        file.close()
        if empty:
            os.unlink(self._path)
            return None
        return self._path

    def fragment(self, key: str) -> bytes | None:
        return self.reader.fragment(key)

    def fragments(self, keys: Sequence[str]) -> dict[str, bytes]:
        return self.reader.fragments(keys)

    def put_fragment(self, path: str, stamp: str, key: str, value: bytes) -> None:
        assert self._file is not None
        parts = (path.encode(), stamp.encode(), key.encode())
        self._file.write(_SPILL_HEADER.pack(*map(len, parts), len(value)))
        self._file.writelines(parts)
        self._file.write(value)


def _spilled(path: str) -> Iterator[tuple[str, str, str, bytes]]:
    """The entries :class:`_Spilling` wrote to ``path``, one at a time."""
    size = _SPILL_HEADER.size
    with open(path, "rb") as file:
        read = file.read
        while header := read(size):
            lengths = _SPILL_HEADER.unpack(header)
            path_, stamp, key = (read(length).decode() for length in lengths[:3])
            yield path_, stamp, key, read(lengths[3])


@dataclass(frozen=True)
class _PartSpec:
    """What a part worker is started with (small: the site is in ``site_file``)."""

    config: Config
    out: Path
    key: str
    parts: list[Part]
    #: Written by :func:`_write_site`, read by :func:`_read_site`.
    site_file: Path
    store: Path
    #: The :class:`FileLists` the build process made.
    lists: Path


def _write_site(path: Path, refs: Sequence[ItemRef], stamps: Mapping[str, _Stamp]) -> None:
    """What a part worker needs to make ``job``'s site, a line a ref (newest
    first), written as it goes (no copy of it all in memory): with each, the
    parts of its stamp that are not in the ref. (The file lists it checks
    outputs against are ``job.lists``, read as it goes.)"""
    with path.open("wb") as file:
        write = file.write
        for ref in refs:
            stamp = stamps[ref.source_path]
            write(
                orjson.dumps(
                    [
                        ref.source_path,
                        stamp.first_published.isoformat(),
                        stamp.modified.isoformat() if stamp.modified else None,
                        stamp.tiebreak,
                        stamp.published_shift,
                    ]
                )
            )
            write(b"\t")
            write(_ref_row(ref, stamp.by_first_publication, ()))
            write(b"\n")


def _stamp_of(
    ref: ItemRef,
    first_published: str,
    modified: str | None,
    by_first_publication: bool,
    tiebreak: int,
    published_shift: int,
) -> _Stamp:
    """The stamp a stamped ``ref`` was made with, from the parts of it the ref lacks."""
    assert ref.id is not None and ref.date_published is not None
    return _Stamp(
        id=ref.id,
        slug=ref.slug,
        url=ref.url,
        # Most articles were first published at their date: the ref's, not a copy.
        first_published=ref.date_published
        if first_published == ref.date_published.isoformat()
        else _from_iso(first_published),
        modified=_from_iso(modified) if modified else None,
        date_published=ref.date_published,
        date_modified=ref.date_modified,
        by_first_publication=by_first_publication,
        tiebreak=tiebreak,
        published_shift=published_shift,
    )


def _read_site(path: Path) -> tuple[list[ItemRef], dict[str, _Stamp]]:
    """The refs and their stamps :func:`_write_site` wrote."""
    with path.open("rb") as file:
        refs: list[ItemRef] = []
        stamps: dict[str, _Stamp] = {}
        for line in file:
            head, _, row = line.partition(b"\t")
            source_path, first, modified, tiebreak, published_shift = orjson.loads(head)
            ref, by_first, _ = _ref_of_row(source_path, row)
            refs.append(ref)
            stamps[source_path] = _stamp_of(
                ref, first, modified, by_first, tiebreak, published_shift
            )
    return refs, stamps


#: The part job of this process (a part worker's, set when it starts).
_PARTS: _PartJob | None = None


def _part_worker_start(parent: int, spec: _PartSpec) -> None:
    """In a new part worker: die with the build, make the site from ``spec``."""
    # A spawned worker inherits no descriptor of the build's (its lock neither).
    _worker_init(None, parent)
    global _PARTS
    # Rendering an undated article completes its dates with the month names:
    # read from the build's kept tables, not made from babel's locale data.
    _tables.use_folder(cache_dir(spec.out))
    reader = SqliteStore.__new__(SqliteStore)
    reader.path = spec.store
    reader = reader.reader()
    refs, stamps = _read_site(spec.site_file)
    load = _item_loader(lambda: reader, stamps, spec.config, _PART_ITEM_CACHE)
    spilling = _Spilling(reader, cache_dir(spec.out))
    site = _make_site(spec.config, refs, load, Fragments(spilling, salt=spec.key), None)
    lists = FileLists.open(spec.lists)
    _PARTS = _PartJob(spec.out, spec.key, reader, lists, {}, site, spec.parts)
    # The site lives as long as the worker: frozen, the collections its parts'
    # garbage starts do not walk it (a second or more of a cold build).
    gc.freeze()
    _collect_less()


def _part_run(number: int) -> _PartResult:
    """In a worker: plan, check and render the ``number``-th part."""
    job = _PARTS
    assert job is not None
    spilling = job.site.fragments.store
    assert isinstance(spilling, _Spilling)
    spilling.start(number)
    job.site.fragments.made = []
    try:
        result = _plan_render(job, job.parts[number])
    except BaseException:
        spill = spilling.finish()
        if spill is not None:
            os.unlink(spill)
        raise
    spill = spilling.finish()
    # Dates completed as items load (``apply_stamp``) build the month names
    # from babel's locale data, tens of MB a worker would keep to no use.
    drop_babel()
    return replace(result, made=job.site.fragments.made, spill=spill)


def _plan_render(job: _PartJob, part: Part) -> _PartResult:
    """Plan one part, check each output's fingerprint against the store's, and
    render and stage the outputs that changed (in :func:`_render_order`)."""
    site = job.site
    out, key = job.out, job.key
    outputs = plan_part(site, part)
    planned: list[tuple[str, str]] = []
    resolved = job.resolved
    for output in outputs:
        path = output.path if isinstance(output, Planned) else output[0]
        # The full check only once per folder (and for a path it refuses).
        if not (resolved.get(path.rpartition("/")[0]) and safe_relative(path)):
            inside(out, path, resolved)
        planned.append(
            (path, fingerprint(output.fingerprint, key) if isinstance(output, Planned) else "")
        )
    previous = job.reader.output_fingerprints(path for path, digest in planned if digest)
    # The part's own paths among the files found and the last build's: a
    # path not found is new (``_render_one`` does not even stat it).
    existing, old_files = job.lists.known([path for path, _ in planned])
    todo = [
        output
        for output, (path, digest) in zip(outputs, planned, strict=True)
        if not (digest and previous.get(path) == digest and path in old_files and path in existing)
    ]
    del outputs
    rendered: list[str] = []
    staged: list[str] = []
    try:
        for index in _render_order(todo, site.ranks):
            did_render, path, temp = _render_one(out, todo[index], existing)
            if did_render:
                rendered.append(path)
            if temp is not None:
                staged.append(path)
    except BaseException:
        for path in staged:
            temp_of(out / path).unlink(missing_ok=True)
        raise
    del todo
    # What the part rendered (pages, feeds, items loaded, lxml's and SQLite's
    # buffers) is mostly freed C heap between what lives on: the holes are
    # given back (some 40-60 MB of each rendering process at 20,000 articles).
    trim_heap()
    return _PartResult(planned, rendered, staged, [])


def _render_order(todo: Sequence[Planned | tuple[str, bytes]], rank: dict[str, int]) -> list[int]:
    """Indexes of ``todo`` in the order to render them: by the newest item each
    shows (``Planned.near``), so that an item's page, its other files and the
    feeds and archive pages it heads are rendered together and the item is
    loaded once for all of them (and a worker's run of outputs shares its
    items); then the outputs that show none. Plan order breaks ties.
    """
    last = len(rank)

    def key(index: int) -> tuple[int, int]:
        output = todo[index]
        near = output.near if isinstance(output, Planned) else None
        return (last if near is None else rank.get(near, last), index)

    return sorted(range(len(todo)), key=key)


def _render_one(
    out: Path, output: Planned | tuple[str, bytes], existing: set[str] | None
) -> tuple[bool, str, str | None]:
    """Render ``output`` and stage it unless the file already holds its bytes:
    ``(whether a renderer ran, path, the staged temporary or None)``.

    ``existing``: the files found when planning (``None``: not listed); a
    path not among them (nor in a dot folder, which that list skips) is new,
    and not even stat'ed.
    """
    if isinstance(output, Planned):
        path, data, did_render = output.path, output.render(), True
    else:
        (path, data), did_render = output, False
    # Strings, not path objects: this runs once per output.
    root = os.fspath(out)
    maybe = existing is None or path in existing or path.startswith(".") or "/." in path
    if maybe and unchanged(f"{root}/{path}", data):
        return did_render, path, None
    return did_render, path, stage_output(root, path, data)


#: Up to this many outputs to render are rendered in the order planned
#: (``_Build._render_and_stage``); more, in :func:`_render_order`. As many as
#: the items the loader keeps: the few items such an edit's outputs load (the
#: others' feed entries come from the store) stay loaded in any order.
_FEW_OUTPUTS = _ITEM_CACHE

#: Fewer staged files than this are renamed by the build process alone.
_RENAME_SPLIT = 2048


def _rename_all(root: str, staged: Sequence[str]) -> None:
    """Rename every staged temporary of ``root`` into place, and the top
    folders staged whole (:func:`~feedtool.publish._files.stage_output`).

    A cold build renames tens of thousands (each a system call of some 10 µs,
    with the rest of the machine idle by then): a thread renames the second
    half while this one renames the first. The GIL is let go in the call,
    and the halves are mostly other folders (``staged`` is in path order).
    Either error is raised; the caller unlinks what is still staged.
    """

    def rename(targets: Sequence[str]) -> None:
        for target in targets:
            os.replace(temp_name(root, target), f"{root}/{target}")

    staged, tops = rename_staged(root, staged)
    if tops:
        place_folders(root, tops)
    if len(staged) < _RENAME_SPLIT:
        rename(staged)
        return
    half = len(staged) // 2
    failed: list[BaseException] = []

    def second() -> None:
        try:
            rename(staged[half:])
        except BaseException as exc:  # raised below, in the build's thread
            failed.append(exc)

    helper = threading.Thread(target=second, name="feedtool-rename", daemon=True)
    helper.start()
    try:
        rename(staged[:half])
    finally:
        helper.join()
    if failed:
        raise failed[0]


def _without_duplicate_ids(
    summaries: Sequence[_Summary], state: State
) -> tuple[list[_Summary], list[FeedtoolError]]:
    """Articles with a front-matter id another file already has are errors.

    The file the state already knows under that id keeps it; otherwise the
    first in path order does. The error names both files.
    """
    owners: dict[str, _Summary] = {}
    for summary in summaries:
        if summary.front_id is None:
            continue
        entry = state.entries.get(summary.front_id)
        current = owners.get(summary.front_id)
        if current is None or (entry is not None and entry.path == summary.source_path):
            owners[summary.front_id] = summary
    kept: list[_Summary] = []
    errors: list[FeedtoolError] = []
    for summary in summaries:
        owner = owners.get(summary.front_id) if summary.front_id else None
        if owner is None or owner is summary:
            kept.append(summary)
        else:
            errors.append(
                ParseError(
                    f"the id {summary.front_id!r} is already the id of {owner.source_path}",
                    path=summary.source_path,
                    line=None,
                    hint="give this article its own id (or remove the id line to get one)",
                )
            )
    return kept, errors


def ping_feeds(config: Config, written: Sequence[str]) -> tuple[PublishError, ...]:
    """Ping the configured WebSub hub for the feed files among ``written`` (within
    ``[websub] timeout`` in all); the problems, one line each."""
    if not config.websub.hub:
        return ()
    changed = [config.absolute(p) for p in written if p.rsplit("/", 1)[-1] in _FEED_FILES]
    if not changed:
        return ()
    from feedtool.publish.websub import ping_hub

    return tuple(ping_hub(config.websub.hub, changed, config.websub.timeout))


def build(
    seeds: Path | str,
    out: Path | str,
    config: Config,
    *,
    jobs: int | None = None,
    ping: bool = True,
    wait: float = 0.0,
    progress: Progress | None = None,
    drafts: bool = False,
    future: bool = False,
    config_source: bytes | None = None,
    scan: SeedScan | None = None,
) -> BuildReport:
    """Build ``out`` from the articles in ``seeds``, doing only what changed.

    Bad articles are reported in ``BuildReport.errors`` and skipped; the
    others are published. One build at a time holds ``out``'s lock (a second
    one waits up to ``wait`` seconds, then fails with a clear message).

    Drafts and articles dated in the future are held back (``BuildReport.held``);
    ``drafts`` / ``future`` show them in this build without recording them as
    published (their ids and dates are decided when they really go out) and
    without pinging the hub.

    ``config_source``, the bytes ``config`` was read from, lets a later
    ``feedtool build`` with the same config file, seeds and code, when nothing
    changed, answer from the store without loading the pipeline.

    ``scan``: ``seeds`` as just scanned by the caller (``scan_seeds``), not walked again.
    """
    seeds, out = Path(seeds), Path(out)
    check_enrichers(config)
    scan = quick_scan(seeds) if scan is None else scan
    scan.check_not_empty(seeds)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(out, exc) from exc
    with build_lock(out, wait) as lock_fd:
        store = SqliteStore(out)
        try:
            job = _Build(
                seeds,
                out,
                config,
                store,
                jobs or os.cpu_count() or 1,
                progress or _Silent(),
                drafts=drafts,
                future=future,
                config_source=config_source,
            )
            job.warnings += scan.warnings
            job.scan_warnings = scan.warnings
            job.lock_fd = lock_fd
            # The lookup tables parse and enrich build are kept beside the
            # store: the next build, in a new process, reads them back.
            _tables.use_folder(cache_dir(out))
            try:
                try:
                    report = job.run(scan.paths, ping, scan.stats)
                    keep_until_exit(job, scan)
                finally:
                    job._resume_gc()
                    job._thaw()
                    job._close()
                if _tables.unsaved():
                    # Write every table the articles can need, not only those
                    # this build's few articles did: built once, after an
                    # upgrade, instead of one more in each of the next builds.
                    preload(config)
                return report
            finally:
                _tables.save()
        finally:
            store.close()


__all__ = [
    "CACHE_DIRNAME",
    "BuildReport",
    "Held",
    "Progress",
    "Stamper",
    "build",
    "clean_temporaries",
    "hold_back",
]
