"""The two file lists a full plan checks every output against, on disk.

A full plan renders an output again unless its fingerprint is the one the
store recorded, the last build wrote it (the state file's list) and the file
is still there (the walk of the output folder). At 20,000 articles each list
has some 146,000 paths: as two Python sets they were ~35 MB of the build
process and ~18 MB of every part worker (which were sent a copy), held through
the whole render phase. Here they are two tables of a scratch SQLite file that
the build process writes once and every process rendering parts reads: each
part asks for its own few hundred paths, and SQLite keeps a few pages of the
file in memory (the rest is the kernel's page cache, not a process's memory).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from feedtool.store import rows_in

#: Pages SQLite keeps in memory per connection (KiB, as ``PRAGMA cache_size``
#: takes a negative number).
_CACHE_KIB = 1024
_TABLES = ("found", "old")


class FileLists:
    """``found``: the files the output folder held when planning started (dot
    folders excepted); ``old``: the files the last build wrote. Read-only once
    made: any number of processes may read it at once."""

    def __init__(self, path: Path, db: sqlite3.Connection, owner: bool) -> None:
        self.path = path
        self._db = db
        self._owner = owner

    @classmethod
    def create(cls, path: Path, found: Iterable[str], old: Iterable[str]) -> FileLists:
        """Write the lists to a new file ``path`` (replaced if there is one); the
        returned lists remove it when closed."""
        path.unlink(missing_ok=True)
        db = sqlite3.connect(path, isolation_level=None)
        try:
            # A scratch file, removed after the build: no journal, no syncs.
            db.execute("PRAGMA journal_mode=OFF")
            db.execute("PRAGMA synchronous=OFF")
            db.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
            db.execute("BEGIN")
            for table, paths in zip(_TABLES, (found, old), strict=True):
                db.execute(f"CREATE TABLE {table} (path TEXT PRIMARY KEY) WITHOUT ROWID")
                db.executemany(
                    f"INSERT OR IGNORE INTO {table} VALUES (?)", ((name,) for name in paths)
                )
            db.execute("COMMIT")
        except BaseException:
            db.close()
            path.unlink(missing_ok=True)
            raise
        return cls(path, db, owner=True)

    @classmethod
    def open(cls, path: Path) -> FileLists:
        """The lists another process made (read only; closing leaves the file)."""
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        db.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
        return cls(path, db, owner=False)

    def known(self, paths: Sequence[str]) -> tuple[set[str], set[str]]:
        """Which of ``paths`` are among the files found, and which the last build wrote."""
        return self._among("found", paths), self._among("old", paths)

    def _among(self, table: str, paths: Sequence[str]) -> set[str]:
        query = f"SELECT path FROM {table} WHERE path IN ({{}})"
        return {name for (name,) in rows_in(self._db, query, paths)}

    def old(self) -> Iterator[str]:
        """The files the last build wrote, sorted as Python sorts strings (SQLite's
        binary collation orders UTF-8 bytes, which is code point order)."""
        # Fetched a batch at a time: the write phase merges it with the new list.
        cursor = self._db.execute("SELECT path FROM old ORDER BY path")
        while batch := cursor.fetchmany(4096):
            yield from (name for (name,) in batch)

    def count(self, table: str) -> int:
        """How many paths ``table`` (``'found'`` or ``'old'``) has."""
        assert table in _TABLES
        (count,) = self._db.execute(f"SELECT count(*) FROM {table}").fetchone()
        return int(count)

    def close(self) -> None:
        """Close the file (and remove it, in the process that made it)."""
        self._db.close()
        if self._owner:
            with contextlib.suppress(OSError):
                self.path.unlink()


__all__ = ["FileLists"]
