"""The quick stamp's checks, with the standard library only: what the no-op fast path compares.

A newsroom's publish step runs ``feedtool build`` after every change, and most
of the time nothing changed. The last complete build leaves a *quick stamp* in
the item store (see :mod:`feedtool.publish._quick` for what it covers). The
functions here compute and compare it with ``os``, ``json``, ``hashlib`` and
``sqlite3`` (read-only) only: no click, pathlib, dataclasses or typing, so
that the console entry point (:mod:`feedtool._noop`) can answer before it
imports anything else. The build (which writes the stamp) and the click CLI
use the same functions, so all three agree.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from array import array
from hashlib import sha256
from itertools import chain
from operator import itemgetter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from typing import Any

    Stat = tuple[int, int, int, int]
    #: What :func:`walk_seeds` found: ``(relative path, stat)`` of the articles, other files.
    Walk = tuple[list[tuple[str, Stat]], list[str]]

#: The store's meta key of the stamp.
QUICK_META = "quick"
_VERSION = 1
# feedtool.store.CACHE_DIRNAME / STORE_FILENAME and feedtool._lock.LOCK_FILENAME
# (a test checks they agree; importing them would import pathlib and dataclasses).
CACHE_DIRNAME = ".feedtool"
STORE_FILENAME = "store.sqlite"
LOCK_FILENAME = "lock"
# feedtool.publish._state.STATE_FILENAME and feedtool.publish._seeds (a test checks).
STATE_FILENAME = ".feedtool-state.json"
ARTICLE_SUFFIX = ".txt"
QUIET_HIDDEN = frozenset({".git", ".hg", ".svn", ".DS_Store", ".feedtool"})


_URI_QUOTE = {"%": "%25", "?": "%3f", "#": "%23"}


class Unsure(Exception):
    """The light checks cannot decide: the click CLI (and the real checks) must."""


# --------------------------------------------------------------------------- digests


def digest(value: object) -> str:
    return sha256(json.dumps(value, separators=(",", ":")).encode()).hexdigest()[:32]


_NAME = itemgetter(0)
_VALUE = itemgetter(1)


def rows_digest(kind: str, rows: Sequence[tuple[str, Any]], extra: object = None) -> str:
    """A digest of ``(name, number or tuple of numbers)`` rows, in their order,
    and of ``extra`` (:func:`digest`).

    Rows are 20,000 seeds or 22,000 output folders: their names joined and
    their numbers packed as machine integers hash in a third of the time of
    :func:`digest`'s JSON text (tens of ms a build, and twice an edit's).
    """
    names = "\0".join(map(_NAME, rows)).encode("utf-8", "surrogatepass")
    numbers = list(map(_VALUE, rows))
    if numbers and not isinstance(numbers[0], int):
        numbers = list(chain.from_iterable(numbers))
    try:
        packed = array("q", numbers).tobytes()
    except OverflowError:  # beyond 64 bits (an inode number, maybe): as text
        packed = repr(numbers).encode()
    hashed = sha256(f"{kind}\0{len(rows)}\0{len(names)}\0{len(packed)}\0".encode())
    hashed.update(names)
    hashed.update(packed)
    hashed.update(digest(extra).encode())
    return hashed.hexdigest()[:32]


def file_digest(data: bytes) -> str:
    """The digest a stamp keeps of a file's bytes (the config, the state file)."""
    return sha256(data).hexdigest()


#: The :func:`code_identity` this process made first, once :func:`pin_code_identity`
#: was called (``None``: made again each time).
_pinned: list[str] | None = None


def pin_code_identity() -> None:
    """Make :func:`code_identity` once for the rest of this process.

    For a console command: the code it runs is the code it loaded, whatever
    is installed or edited meanwhile (a ``serve --watch`` that rebuilds for
    hours keeps stamping with the identity of its own code). An edit's build
    asked four times (the entry point's check, the store's code version, the
    quick stamp, the lookup tables), at 8 ms a walk of feedtool's files.
    """
    global _pinned
    if _pinned is None:
        _pinned = []


def code_identity() -> str:
    """feedtool's own files and the installed distributions, from ``stat`` and folder listings.

    Cheaper than :func:`feedtool.store.code_version` (no file is read, no
    package metadata parsed) and at least as strict: any installed, removed
    or upgraded distribution changes it.
    """
    if _pinned:
        return _pinned[0]
    root = os.path.dirname(os.path.realpath(__file__))
    parts: list[object] = [sys.version, root]
    for folder, _, names in sorted(os.walk(root)):
        if "__pycache__" in folder:
            continue
        # os.path.relpath, without its cost per file (os.walk yields paths under root).
        prefix = folder[len(root) + 1 :] + "/" if folder != root else ""
        for name in sorted(names):
            if name.endswith(".pyc"):
                continue
            info = os.stat(os.path.join(folder, name))
            parts.append((prefix + name, info.st_size))
            parts.append(info.st_mtime_ns)
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        # Names only, not the folder: sys.path[0] is the script's folder, and
        # `feedtool` and `python -m feedtool.cli` must share a stamp.
        parts.append(sorted(n for n in names if n.endswith((".dist-info", ".egg-info", ".pth"))))
    identity = digest(parts)
    if _pinned is not None:
        _pinned.append(identity)
    return identity


def seeds_digest(stats: Iterable[tuple[str, Stat]], notices: Iterable[object]) -> str:
    """A digest of the article files (``(relative path, seed_stat)``) and the scan's notices."""
    return rows_digest("seeds", sorted(stats, key=_NAME), [str(note) for note in notices])


def folders_stamp(out: str | os.PathLike[str], folders: Sequence[str]) -> str | None:
    """A digest of the modification times of the output ``folders``; ``None`` if one is gone."""
    times = folder_times(out, folders)
    return None if times is None else rows_digest("folders", times)


def folder_times(
    out: str | os.PathLike[str], folders: Sequence[str]
) -> list[tuple[str, int]] | None:
    """``(folder, modification time)`` of the output ``folders``; ``None`` if one is gone."""
    stamps = []
    # Each folder by its name in its parent's descriptor: the kernel resolves
    # one component per stat, not the whole path (thousands of tag folders).
    parents: dict[str, int] = {}
    try:
        parents[""] = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
        for folder in folders:
            parent, _, name = folder.rpartition("/")
            fd = parents.get(parent)
            if fd is None:
                fd = parents[parent] = os.open(
                    parent, os.O_RDONLY | os.O_DIRECTORY, dir_fd=parents[""]
                )
            stamps.append((folder, os.stat(name or ".", dir_fd=fd).st_mtime_ns))
    except OSError:
        return None
    finally:
        for fd in parents.values():
            os.close(fd)
    return stamps


def quick_key(
    code: str, config_source: str, seeds: str | os.PathLike[str], drafts: bool, future: bool
) -> str:
    return digest([_VERSION, code, config_source, os.path.realpath(seeds), drafts, future])


def now_iso_due(until: str) -> bool:
    """Whether the build's clock (``SOURCE_DATE_EPOCH`` or now) has reached ``until``."""
    import datetime as dt

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    now = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return now >= dt.datetime.fromisoformat(until)


# --------------------------------------------------------------------------- the seeds


def walk_seeds(seeds: str) -> tuple[list[tuple[str, Stat]], list[str]]:
    """``(relative path, stat)`` of the article files and the paths of the other files.

    What :func:`feedtool.publish._seeds.scan_seeds` finds, for a folder it
    would have nothing to warn about; raises :class:`Unsure` at the first
    thing it would name in a notice (a link, a hidden article or folder, an
    unreadable entry), so that the full scan decides.
    """
    try:
        fd = os.open(seeds, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        raise Unsure from None
    root = os.fstat(fd)
    seen = {(root.st_dev, root.st_ino)}
    stats: list[tuple[str, Stat]] = []
    others: list[str] = []
    # Folders by descriptor: each stat resolves one name, not the whole path.
    stack = [(fd, "")]
    current = -1
    try:
        while stack:
            current, prefix = stack.pop()
            with os.scandir(current) as entries:
                for entry in entries:
                    name = entry.name
                    if name.startswith("."):
                        if name not in QUIET_HIDDEN and (
                            name.endswith(ARTICLE_SUFFIX) or entry.is_dir(follow_symlinks=False)
                        ):
                            raise Unsure
                        continue
                    if entry.is_symlink():
                        raise Unsure
                    if entry.is_dir(follow_symlinks=False):
                        info = entry.stat(follow_symlinks=False)
                        if (info.st_dev, info.st_ino) not in seen:
                            seen.add((info.st_dev, info.st_ino))
                            child = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=current)
                            stack.append((child, f"{prefix}{name}/"))
                    elif entry.is_file(follow_symlinks=False):
                        if name.endswith(ARTICLE_SUFFIX):
                            info = entry.stat(follow_symlinks=False)
                            stats.append(
                                (
                                    prefix + name,
                                    (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino),
                                )
                            )
                        else:
                            others.append(prefix + name)
            os.close(current)
            current = -1
    except OSError:
        raise Unsure from None
    finally:
        if current >= 0:
            os.close(current)
        for fd, _ in stack:
            os.close(fd)
    return stats, others


# --------------------------------------------------------------------------- the check


def read_stamp(out: str) -> dict[str, Any] | None:
    """The stamp the last complete build left in the store (read-only), or ``None``."""
    path = os.path.join(out, CACHE_DIRNAME, STORE_FILENAME)
    if not os.path.isfile(path):
        return None
    import sqlite3

    # Read-only: opening the store for writing costs a transaction and a checkpoint.
    uri = "file://" + "".join(_URI_QUOTE.get(c, c) for c in os.path.abspath(path))
    try:
        db = sqlite3.connect(f"{uri}?mode=ro", uri=True)
        try:
            rows = dict(
                db.execute(
                    "SELECT key, value FROM meta WHERE key IN (?, 'in_progress')", (QUICK_META,)
                ).fetchall()
            )
        finally:
            db.close()
    except sqlite3.Error:
        return None
    text = rows.get(QUICK_META)
    if not text or rows.get("in_progress"):
        return None
    try:
        stamp = json.loads(text)
    except ValueError:
        return None
    return stamp if isinstance(stamp, dict) else None


def check(
    seeds: str,
    out: str,
    config_source: bytes,
    *,
    drafts: bool,
    future: bool,
    walk: Callable[[str], tuple[list[tuple[str, Stat]], Sequence[object], Sequence[Any]]],
    walk_anyway: bool = False,
) -> tuple[dict[str, Any], Sequence[object], Sequence[Any]] | None:
    """``(stamp, scan notices, other files)`` if nothing the last build depends on changed.

    ``None`` when something did (or the stamp is unusable). The caller holds
    the build lock. ``walk`` lists the seeds (may raise :class:`Unsure`).
    With ``walk_anyway``, the seeds are walked and the state file read even
    when there is no usable stamp to compare them with, for the build that
    follows (:func:`note_miss`): a check made beside the loading of the build
    (``feedtool._noop``) does it while the second core would be idle.
    """
    global _seeds_read
    _seeds_read = None
    stamp = read_stamp(out)
    try:
        usable = (
            stamp is not None
            and stamp["key"]
            == quick_key(code_identity(), file_digest(config_source), seeds, drafts, future)
            and not (stamp["until"] is not None and now_iso_due(stamp["until"]))
        )
    except (OSError, KeyError, TypeError, ValueError):
        usable = False
    if not usable:
        if walk_anyway:
            # A build that read an article within ``RACY_NS`` of its change (an
            # edit published at once, as a newsroom does) leaves no stamp: the
            # next edit's build would walk, read and compare by itself.
            # Else the build walks and reads by itself.
            with contextlib.suppress(Unsure, OSError):
                _walk_and_read(seeds, out, walk)
        return None
    assert stamp is not None
    try:
        stats, notices, others, state = _walk_and_read(seeds, out, walk)
        if state != stamp["state"]:
            return None
        if not stats:
            return None
        assert _seeds_read is not None
        if _seeds_read[0] != stamp["seeds"]:
            return None
        if folders_stamp(out, stamp["folders"]) != stamp["folders_stamp"]:
            return None
    except (OSError, KeyError, TypeError, ValueError):
        return None
    return stamp, notices, others


#: The state file :func:`check` read last: ``(real path, identity, bytes, digest)``,
#: the identity (:func:`_identity`) the same before and after the read.
_state_read: tuple[str, tuple[int, ...], str] | None = None


def _walk_and_read(
    seeds: str,
    out: str,
    walk: Callable[[str], tuple[list[tuple[str, Stat]], Sequence[object], Sequence[Any]]],
) -> tuple[list[tuple[str, Stat]], Sequence[object], Sequence[Any], str]:
    """The walk of ``seeds`` (notes its digest, ``_seeds_read``, when it found
    articles) and the digest of ``out``'s state file (``_read_state``)."""
    global _seeds_read
    # The state file is read and hashed by a thread while the seeds are
    # walked: at 20,000 articles 19 MB, read and hashed by calls that let
    # go of the interpreter lock (the walk's stat calls do too).
    reading = _Reading(os.path.join(out, STATE_FILENAME))
    try:
        # The seeds before the folders: after an edit, the output folders
        # need not be looked at.
        stats, notices, others = walk(seeds)
    finally:
        state = reading.result()
    if stats:
        _seeds_read = (seeds_digest(stats, notices), [str(note) for note in notices])
    return stats, notices, others, state


def _identity(info: os.stat_result) -> tuple[int, ...]:
    """What changes whenever a file's bytes do: a build replaces the state file
    (a new inode), and any write in place sets its change time."""
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


#: A file changed less than this before it was read may change again without its
#: times showing it (they tick coarser than nanoseconds): its bytes are not handed
#: over, and an article's recorded stat does not vouch for its bytes (:func:`stat_vouches`).
RACY_NS = 2_000_000_000


def stat_vouches(row: Sequence[Any], size: int, mtime_ns: int) -> bool:
    """Whether the recorded stat ``row`` of an article (``ItemStat``: path, size,
    mtime_ns, read_ns, content hash, key) vouches for its bytes now that it has
    ``size`` and ``mtime_ns``: the same, and read long enough after that time
    that the file cannot have changed unseen. Its key is for the caller to compare."""
    return bool(row[1] == size and row[2] == mtime_ns and row[3] - mtime_ns > RACY_NS)


class _Reading:
    """:func:`_read_state` of ``path`` in a thread: ``""`` when there is no state
    file, its ``OSError`` raised by :meth:`result`."""

    def __init__(self, path: str) -> None:
        import threading

        self._state: str | OSError = ""
        self._thread = threading.Thread(target=self._read, args=(path,), daemon=True)
        self._thread.start()

    def _read(self, path: str) -> None:
        try:
            self._state = _read_state(path)
        except FileNotFoundError:
            self._state = ""
        except OSError as exc:
            self._state = exc

    def result(self) -> str:
        self._thread.join()
        if isinstance(self._state, OSError):
            raise self._state
        return self._state


def _read_state(path: str) -> str:
    """The :func:`file_digest` of the state file ``path``, kept for :func:`take_state`
    (with the file's identity) when nothing wrote to it while it was read, nor
    shortly before."""
    global _state_read
    _state_read = None
    with open(path, "rb") as file:
        info = os.fstat(file.fileno())
        read_ns = time.time_ns()
        data = file.read()
        after = _identity(os.fstat(file.fileno()))
    state = file_digest(data)
    long_after = read_ns - max(info.st_mtime_ns, info.st_ctime_ns) > RACY_NS
    if long_after and _identity(info) == after:
        _state_read = (os.path.realpath(path), after, state)
    return state


#: The key (:func:`_miss_key`) of the build the console entry point just found
#: not to be a no-op, for the click CLI it hands over to (:func:`take_miss`),
#: and the walk of the seeds that found it (``None``: the check did not walk).
_missed: tuple[object, ...] | None = None
_missed_walk: Walk | None = None
#: The walk :func:`take_miss` took over, for the build (:func:`take_walk`).
_taken_walk: tuple[str, Walk] | None = None
#: The state file read with the miss noted, and once taken over (:func:`take_state`).
_missed_state: tuple[str, tuple[int, ...], str] | None = None
_taken_state: tuple[str, tuple[int, ...], str] | None = None
#: What a forked check found of the walked articles in the store (:func:`known_of_walk`),
#: handed over with its miss, and once taken over with the walk (:func:`take_known`).
_missed_known: Any = None
_taken_known: tuple[str, Any] | None = None
#: The digest :func:`check` made of the seeds it walked (:func:`seeds_digest`) and
#: its notices' text: last made; noted with the miss; taken over with the walk
#: (:func:`take_seeds_digest`). The build's no-op stamp needs that digest of
#: the same walk (20,000 stats sorted and hashed again were ~10 ms of an edit).
_seeds_read: tuple[str, list[str]] | None = None
_missed_seeds: tuple[str, list[str]] | None = None
_taken_seeds: tuple[str, tuple[str, list[str]]] | None = None


def _miss_key(
    seeds: str, out: str, config_source: bytes, drafts: bool, future: bool
) -> tuple[object, ...]:
    return (
        os.path.realpath(seeds),
        os.path.realpath(out),
        file_digest(config_source),
        drafts,
        future,
    )


def note_miss(
    seeds: str,
    out: str,
    config_source: bytes,
    drafts: bool,
    future: bool,
    walk: Walk | None = None,
) -> None:
    """Remember that :func:`check` just found this build not to be a no-op, and
    ``walk``, what :func:`walk_seeds` found when it did (the build need not walk
    the seeds and stat every article again)."""
    global _missed, _missed_walk, _missed_state, _state_read, _missed_seeds, _seeds_read
    _missed = _miss_key(seeds, out, config_source, drafts, future)
    _missed_walk = walk
    _missed_state, _state_read = _state_read, None
    # Made of this walk (``check`` walks once, with ``walk``), or of none.
    _missed_seeds = _seeds_read if walk is not None else None
    _seeds_read = None


def missed() -> tuple[Any, Any, Any]:
    """What :func:`note_miss` noted (the miss, its walk, the state file read),
    for a process that checked on another's behalf (:func:`hand_over`)."""
    return _missed, _missed_walk, _missed_state


def missed_seeds() -> tuple[str, list[str]] | None:
    """The digest of the walk :func:`note_miss` noted, and its notices' text
    (for :func:`hand_over`)."""
    return _missed_seeds


def hand_over(miss: Any, walk: Any, state: Any, known: Any = None, seeds: Any = None) -> None:
    """Note what another process's :func:`note_miss` noted (:func:`missed`,
    :func:`missed_seeds`), and what it found of the walked articles in the
    store (:func:`known_of_walk`)."""
    global _missed, _missed_walk, _missed_state, _state_read, _missed_known, _missed_seeds
    _missed = tuple(miss) if miss is not None else None
    _missed_walk = walk
    _missed_state = tuple(state) if state is not None else None
    _missed_known = known if miss is not None and walk is not None else None
    _missed_seeds = (
        (str(seeds[0]), [str(text) for text in seeds[1]])
        if seeds is not None and miss is not None and walk is not None
        else None
    )
    _state_read = None


def take_miss(seeds: str, out: str, config_source: bytes, drafts: bool, future: bool) -> bool:
    """Whether :func:`note_miss` noted this build (then forgotten): the click CLI
    need not check again what the entry point just checked (the seeds walked and
    the output folders stat'ed twice). Checking again could only turn a build into
    a no-op answer, never make one wrong. The walk noted with it is kept for
    :func:`take_walk`."""
    global _missed, _missed_walk, _taken_walk, _missed_state, _taken_state
    global _missed_known, _taken_known, _missed_seeds, _taken_seeds
    missed, _missed = _missed, None
    walk, _missed_walk = _missed_walk, None
    state, _missed_state = _missed_state, None
    known, _missed_known = _missed_known, None
    seeds_read, _missed_seeds = _missed_seeds, None
    taken = missed is not None and missed == _miss_key(seeds, out, config_source, drafts, future)
    _taken_walk = (os.path.realpath(seeds), walk) if taken and walk is not None else None
    _taken_state = state if taken else None
    _taken_known = (
        (os.path.realpath(out), known) if _taken_walk is not None and known is not None else None
    )
    _taken_seeds = (
        (_taken_walk[0], seeds_read) if _taken_walk is not None and seeds_read is not None else None
    )
    return taken


def take_walk(seeds: str) -> Walk | None:
    """The walk of ``seeds`` that :func:`take_miss` took over (then forgotten), or ``None``.

    Made a moment before this build took the lock again: a file changed since
    is one changed after the build's own walk would have seen it (the next
    build sees it, as its size or time differs from what this one records).
    """
    global _taken_walk, _taken_known, _taken_seeds, _walk_seeds
    taken, _taken_walk = _taken_walk, None
    seeds_read, _taken_seeds = _taken_seeds, None
    _walk_seeds = None
    if taken is None or taken[0] != os.path.realpath(seeds):
        _taken_known = None  # made from that walk: for no other
        return None
    if seeds_read is not None and seeds_read[0] == taken[0]:
        _walk_seeds = seeds_read
    return taken[1]


#: The digest of the walk :func:`take_walk` last gave (by the seeds' real path).
_walk_seeds: tuple[str, tuple[str, list[str]]] | None = None


def take_seeds_digest(seeds: str, notices: Sequence[object]) -> str | None:
    """:func:`seeds_digest` of the walk :func:`take_walk` gave the build of ``seeds``
    (then forgotten), as the check made it, when the build's ``notices`` read as
    the check's did; else ``None`` (the build digests its stats itself)."""
    global _walk_seeds
    found, _walk_seeds = _walk_seeds, None
    if found is None or found[0] != os.path.realpath(seeds):
        return None
    made, texts = found[1]
    return made if [str(note) for note in notices] == texts else None


#: The rows :func:`known_of_walk` and :meth:`feedtool.store.SqliteStore.item_stats` read.
ITEM_STATS_SQL = "SELECT path, size, mtime_ns, read_ns, content_hash, key FROM items"


def known_of_walk(out: str, stats: Sequence[tuple[str, Stat]]) -> tuple[Any, ...] | None:
    """What the store in ``out`` recorded of the walked articles ``stats``, as the
    build's scan compares them: ``(last build, key, settled, rows, gone)``.

    ``settled``: the content hash of each article whose size and modification
    time are the ones recorded, read long enough after that time that the file
    cannot have changed unseen, all recorded with the one cache ``key``;
    ``rows``: the recorded stats (``ItemStat``) of the other walked articles that
    have some; ``gone``: the recorded articles not walked; ``last build``: the
    store's fingerprint of its last complete build, for the build to see that
    no other build wrote the store since. ``None`` when the store cannot be
    read or the settled articles' keys differ (the build compares by itself).

    For a forked check (``feedtool._noop``), beside the loading: the build need
    not read 20,000 rows and compare them again (some 40 ms of an edit).
    """
    import sqlite3

    path = os.path.join(out, CACHE_DIRNAME, STORE_FILENAME)
    uri = "file://" + "".join(_URI_QUOTE.get(c, c) for c in os.path.abspath(path))
    try:
        db = sqlite3.connect(f"{uri}?mode=ro", uri=True)
        try:
            found = db.execute("SELECT value FROM meta WHERE key = 'last_build'").fetchone()
            rows = {row[0]: row for row in db.execute(ITEM_STATS_SQL)}
        finally:
            db.close()
    except sqlite3.Error:
        return None
    vouched: dict[str, str] = {}
    others: dict[str, tuple[Any, ...]] = {}
    keys: set[str] = set()
    for relative, stat in stats:
        row = rows.pop(relative, None)
        if row is None:
            continue
        if stat_vouches(row, stat[0], stat[1]):
            vouched[relative] = row[4]
            keys.add(row[5])
        else:
            others[relative] = row
    if len(keys) > 1:
        return None
    return (found[0] if found else None, keys.pop() if keys else None, vouched, others, list(rows))


def take_known(out: str) -> tuple[Any, ...] | None:
    """What :func:`known_of_walk` found beside the check of the miss :func:`take_miss`
    took over (then forgotten), for the walk :func:`take_walk` gave the build of
    ``out``; else ``None``."""
    global _taken_known
    taken, _taken_known = _taken_known, None
    if taken is None or taken[0] != os.path.realpath(out):
        return None
    return tuple(taken[1])


def take_state(path: str) -> tuple[bytes, str] | None:
    """The bytes of the state file ``path`` and the digest :func:`check` made of
    them for the miss :func:`take_miss` took over (then forgotten), when the
    file is still the one it read (:func:`_identity`, before and after this
    read); else ``None``.

    For the build, which holds the lock again: it need not hash the 19 MB of a
    20,000-article state file once more. (The bytes are read again, not kept:
    a no-op answer would hold them while it walks the seeds.)
    """
    global _taken_state
    taken, _taken_state = _taken_state, None
    if taken is None or taken[0] != os.path.realpath(path):
        return None
    try:
        with open(path, "rb") as file:
            if _identity(os.fstat(file.fileno())) != taken[1]:
                return None
            data = file.read()
            if _identity(os.fstat(file.fileno())) != taken[1]:
                return None
    except OSError:
        return None
    return data, taken[2]


def forget_miss() -> None:
    global _missed, _missed_walk, _taken_walk, _missed_state, _taken_state, _state_read
    global _missed_known, _taken_known, _seeds_read, _missed_seeds, _taken_seeds, _walk_seeds
    _missed = _missed_walk = _taken_walk = None
    _missed_state = _taken_state = _state_read = None
    _missed_known = _taken_known = None
    _seeds_read = _missed_seeds = _taken_seeds = _walk_seeds = None


# --------------------------------------------------------------------------- the command's end


#: What the console command keeps until its process ends (:func:`keep_until_exit`);
#: ``None`` in any other process (a library caller's, ``feedtool serve``'s).
_kept: list[object] | None = None


def ends_by_exit() -> None:
    """Note that this process is a ``feedtool build`` command, which ends with
    ``os._exit`` once its build is reported (``feedtool._noop._exit_now``):
    from now on :func:`keep_until_exit` keeps what it is given."""
    global _kept
    if _kept is None:
        _kept = []


def keep_until_exit(*objects: object) -> None:
    """Keep ``objects`` until the process ends, if it ends by exit (:func:`ends_by_exit`).

    A build lets go of the refs, stamps and records of every article, and of
    its site, as it returns: at 20,000 articles freeing them one by one cost
    an edit's build some 20-30 ms of its end (about a million objects), memory
    the system takes back at once when the process ends. Anywhere else they
    are freed as usual.
    """
    if _kept is not None:
        _kept.append(objects)


def light_walk(seeds: str) -> tuple[list[tuple[str, Stat]], Sequence[object], Sequence[str]]:
    stats, others = walk_seeds(seeds)
    return stats, (), others


__all__ = [
    "ITEM_STATS_SQL",
    "QUICK_META",
    "RACY_NS",
    "Unsure",
    "check",
    "code_identity",
    "ends_by_exit",
    "file_digest",
    "folder_times",
    "folders_stamp",
    "forget_miss",
    "hand_over",
    "keep_until_exit",
    "known_of_walk",
    "light_walk",
    "missed",
    "missed_seeds",
    "note_miss",
    "pin_code_identity",
    "quick_key",
    "read_stamp",
    "rows_digest",
    "seeds_digest",
    "stat_vouches",
    "take_known",
    "take_miss",
    "take_seeds_digest",
    "take_state",
    "take_walk",
    "walk_seeds",
]
