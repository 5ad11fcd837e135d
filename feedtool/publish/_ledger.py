"""What a full plan did with each output, kept on disk rather than in the build process.

A full plan of a large archive has an output per article format, feed, archive
and listing page (146,516 at 20,000 articles): each with its fingerprint,
whether its renderer ran, whether its file was staged, and the feed entries
made on the way. As Python strings, tuples, a dict, lists and a set, that was
some 45 MB of the build process by the end of its render phase, most of the
memory it gained while rendering. The ledger keeps them in a private SQLite
database in a temporary file (deleted when closed): SQLite holds a few MB of
its pages in memory, the rest is in the file (the kernel's page cache, which
is not the build's memory), and it gives them back sorted by path, as the
write phase wants them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator

from feedtool.errors import PublishError

#: Pages SQLite keeps in memory (KiB, as ``PRAGMA cache_size`` takes a negative
#: number): what the ledger costs the build process, however many outputs.
_CACHE_KIB = 2048

_SCHEMA = """
CREATE TABLE outputs (
    path TEXT PRIMARY KEY, fingerprint TEXT NOT NULL,
    rendered INTEGER NOT NULL, staged INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE entries (kind TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (kind, path))
    WITHOUT ROWID;
"""


class Ledger:
    """Each output a full plan planned: its fingerprint ("" for an output without
    one), whether it was rendered and staged; and the feed entries made.

    Paths come back sorted as Python sorts strings (SQLite's binary collation
    orders UTF-8 bytes, which is code point order)."""

    def __init__(self) -> None:
        # "": a temporary database on disk, private to this connection.
        self._db = sqlite3.connect("", isolation_level=None)
        self._db.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
        # A part's rows go in as one transaction, undone when one is refused:
        # its journal (the pages it changed) is small and kept in memory.
        self._db.execute("PRAGMA journal_mode=MEMORY")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.executescript(_SCHEMA)
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def __contains__(self, path: object) -> bool:
        return (
            self._db.execute("SELECT 1 FROM outputs WHERE path = ?", (path,)).fetchone() is not None
        )

    def add(
        self,
        planned: Iterable[tuple[str, str]],
        rendered: Iterable[str],
        staged: Iterable[str],
        out_name: str = "",
    ) -> None:
        """Record the outputs of one part: ``(path, fingerprint)`` of each, and the
        paths rendered and staged among them. A path planned twice (in this part
        or an earlier one) is an error: two renderers would write one file."""
        did_render, did_stage = set(rendered), set(staged)
        rows = [(path, digest, path in did_render, path in did_stage) for path, digest in planned]
        db = self._db
        db.execute("BEGIN")
        try:
            db.executemany("INSERT INTO outputs VALUES (?, ?, ?, ?)", rows)
        except sqlite3.IntegrityError:
            db.execute("ROLLBACK")
            raise self._duplicate(rows, out_name) from None
        db.execute("COMMIT")
        self._count += len(rows)

    def _duplicate(self, rows: list[tuple[str, str, bool, bool]], out_name: str) -> PublishError:
        from pathlib import Path

        seen: set[str] = set()
        for path, *_ in rows:
            if path in seen or path in self:
                return PublishError(f"two renderers wrote {path}", path=Path(out_name) / path)
            seen.add(path)
        raise AssertionError("no duplicate path found")  # pragma: no cover

    def add_entries(self, made: Iterable[tuple[str, str]]) -> None:
        """Record ``(kind, source_path)`` of feed entries made (each once)."""
        self._db.executemany("INSERT OR IGNORE INTO entries VALUES (?, ?)", made)

    def paths(self) -> tuple[list[str], list[str], list[str]]:
        """Every path, sorted; those rendered; those staged (the same string
        objects in the three lists)."""
        every: list[str] = []
        rendered: list[str] = []
        staged: list[str] = []
        add, did_render, did_stage = every.append, rendered.append, staged.append
        for path, was_rendered, was_staged in self._db.execute(
            "SELECT path, rendered, staged FROM outputs ORDER BY path"
        ):
            add(path)
            if was_rendered:
                did_render(path)
            if was_staged:
                did_stage(path)
        return every, rendered, staged

    def fingerprinted(self) -> Iterator[tuple[str, str]]:
        """``(path, fingerprint)`` of the outputs that have one, sorted by path."""
        yield from self._db.execute(
            "SELECT path, fingerprint FROM outputs WHERE fingerprint != '' ORDER BY path"
        )

    def entries(self) -> tuple[tuple[str, str], ...]:
        """``(kind, source_path)`` of every feed entry made, sorted, each once."""
        kinds: dict[str, str] = {}
        paths: dict[str, str] = {}
        kind_of, path_of = kinds.setdefault, paths.setdefault
        # One string object per kind and per article, however many entries share it.
        return tuple(
            (kind_of(kind, kind), path_of(path, path))
            for kind, path in self._db.execute("SELECT kind, path FROM entries ORDER BY kind, path")
        )

    def close(self) -> None:
        self._db.close()
