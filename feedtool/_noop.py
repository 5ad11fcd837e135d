"""The ``feedtool`` console entry point, and the no-op answer it gives before importing click.

A newsroom's publish step runs ``feedtool build`` after every change, and most
of the time nothing changed. The last complete build leaves a *quick stamp* in
the item store (see :mod:`feedtool.publish._quick` for what it covers); this
module checks it with the standard library only (``os``, ``json``,
``hashlib``, ``sqlite3`` read-only): no click, no pathlib, no dataclasses, no
typing, so the whole answer costs little more than the interpreter's start.

:func:`main` handles ``feedtool build`` with unambiguous arguments itself
when the stamp matches; any other command, any option it does not know, a
stamp that does not match, a seeds folder with something to warn about (a
link, a hidden article), a locked output folder: everything else goes to the
click CLI (:mod:`feedtool.cli`), which does its own, complete checks. The
click CLI checks the stamp with the same functions, so both answer alike.
"""

from __future__ import annotations

import json
import os
import sys
import time
from hashlib import sha256

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from typing import Any

    Stat = tuple[int, int, int, int]

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


def file_digest(data: bytes) -> str:
    """The digest a stamp keeps of a file's bytes (the config, the state file)."""
    return sha256(data).hexdigest()


def code_identity() -> str:
    """feedtool's own files and the installed distributions, from ``stat`` and folder listings.

    Cheaper than :func:`feedtool.store.code_version` (no file is read, no
    package metadata parsed) and at least as strict: any installed, removed
    or upgraded distribution changes it.
    """
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
    return digest(parts)


def seeds_digest(stats: Iterable[tuple[str, Stat]], notices: Iterable[object]) -> str:
    """A digest of the article files (``(relative path, seed_stat)``) and the scan's notices."""
    return digest([sorted(stats), [str(note) for note in notices]])


def folders_stamp(out: str | os.PathLike[str], folders: Sequence[str]) -> str | None:
    """A digest of the modification times of the output ``folders``; ``None`` if one is gone."""
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
    return digest(stamps)


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
) -> tuple[dict[str, Any], Sequence[object], Sequence[Any]] | None:
    """``(stamp, scan notices, other files)`` if nothing the last build depends on changed.

    ``None`` when something did (or the stamp is unusable). The caller holds
    the build lock. ``walk`` lists the seeds (may raise :class:`Unsure`).
    """
    stamp = read_stamp(out)
    if stamp is None:
        return None
    try:
        if stamp["key"] != quick_key(
            code_identity(), file_digest(config_source), seeds, drafts, future
        ):
            return None
        until = stamp["until"]
        if until is not None and now_iso_due(until):
            return None
        state_path = os.path.join(out, STATE_FILENAME)
        try:
            with open(state_path, "rb") as file:
                state = file_digest(file.read())
        except FileNotFoundError:
            state = ""
        if (
            state != stamp["state"]
            or folders_stamp(out, stamp["folders"]) != stamp["folders_stamp"]
        ):
            return None
        stats, notices, others = walk(seeds)
        if not stats or seeds_digest(stats, notices) != stamp["seeds"]:
            return None
    except (OSError, KeyError, TypeError, ValueError):
        return None
    return stamp, notices, others


# --------------------------------------------------------------------------- the entry point


def _pure_path(text: str) -> str:
    """``str(pathlib.PurePosixPath(text))`` (what click's ``path_type=Path`` prints)."""
    root = ""
    if text.startswith("/"):
        root = "//" if text.startswith("//") and not text.startswith("///") else "/"
    parts = [part for part in text.split("/") if part and part != "."]
    return root + "/".join(parts) if root or parts else "."


def _arguments(args: Sequence[str]) -> dict[str, Any] | None:
    """The options of ``feedtool build ARGS``, or ``None`` unless they are plain and valid.

    The click CLI would accept more (``-qv``), and reject some of these
    with a message: whatever this does not recognise is left to click.
    """
    values: dict[str, Any] = {
        "seeds": "seeds",
        "out": "feeds",
        "config": "feedtool.toml",
        "drafts": False,
        "future": False,
        "wait": 0.0,
        "quiet": False,
        "verbose": False,
    }
    flags = {
        "--no-ping": "no_ping",
        "-D": "drafts",
        "--drafts": "drafts",
        "-F": "future",
        "--future": "future",
        "-q": "quiet",
        "--quiet": "quiet",
        "-v": "verbose",
        "--verbose": "verbose",
    }
    valued = {
        "-o": "out",
        "--out": "out",
        "-c": "config",
        "--config": "config",
        "-j": "jobs",
        "--jobs": "jobs",
        "--wait": "wait",
    }
    positional = 0
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg in flags:
            values[flags[arg]] = True
            continue
        name, equals, value = arg.partition("=")
        if not equals and arg[:2] in ("-o", "-c", "-j") and len(arg) > 2:
            name, value, equals = arg[:2], arg[2:], "="
        if name in valued and (equals or index < len(args)):
            if not equals:
                value = args[index]
                index += 1
            if value.startswith("-"):
                return None
            values[valued[name]] = value
            continue
        if arg.startswith("-") or positional:
            return None
        values["seeds"] = arg
        positional = 1
    if not all(values[key] for key in ("seeds", "out", "config")):
        return None
    jobs = values.get("jobs")
    if jobs is not None and not (jobs.isascii() and jobs.isdigit() and int(jobs) >= 1):
        return None
    if isinstance(values["wait"], str):
        try:
            wait = float(values["wait"])
        except ValueError:
            return None
        if not 0 <= wait < float("inf"):
            return None
    return values


def _lock(out: str) -> int | None:
    """The build lock's descriptor, held; ``None`` when another build holds it (or no lock)."""
    import fcntl

    try:
        fd = os.open(os.path.join(out, CACHE_DIRNAME, LOCK_FILENAME), os.O_RDWR)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return fd


def _unlock(fd: int) -> None:
    import fcntl

    os.ftruncate(fd, 0)
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


def located(message: str, path: str | None, line: int | None, hint: str | None) -> str:
    """``file:line: what (fix: how)``, as ``str(FeedtoolWarning(...))`` prints it."""
    where = ""
    if path:
        shown = _pure_path(path)
        where = f"{shown}:{line}: " if line else f"{shown}: "
    return f"{where}{message}" + (f" (fix: {hint})" if hint else "")


def held_notice(path: str, draft: bool, until: str | None, previewed: bool) -> str:
    """``str(Held(...))``."""
    if draft:
        text = f"{path}: draft (draft = true)"
    else:
        text = f"{path}: embargoed until {until}; it goes out with the first build after that time"
    return text + ("; shown by this preview build" if previewed else "")


def summary(stamp: dict[str, Any], notices: int) -> str:
    """``BuildReport.summary()`` of the report the stamp gives."""
    line = (
        f"{stamp['articles']} articles, {stamp['outputs']} outputs (0 written, 0 removed), 0 errors"
    )
    warnings = notices + len(stamp["warnings"])
    if warnings:
        line += f", {warnings} warnings"
    held = stamp["held"]
    waiting = sum(1 for h in held if not h[3])
    if waiting:
        line += f", {waiting} held back (drafts or embargoed)"
    if len(held) - waiting:
        line += f", {len(held) - waiting} drafts or embargoed articles previewed"
    return line


def _answer(args: Sequence[str]) -> bool:
    """Answer ``feedtool build ARGS`` from the stamp; ``False`` when the click CLI must."""
    started = time.perf_counter()
    options = _arguments(args)
    if options is None:
        return False
    seeds, out = options["seeds"], options["out"]
    try:
        with open(options["config"], "rb") as file:
            config_source = file.read()
    except OSError:
        return False
    fd = _lock(out)
    if fd is None:
        return False
    try:
        found = check(
            seeds,
            out,
            config_source,
            drafts=options["drafts"],
            future=options["future"],
            walk=light_walk,
        )
    except Unsure:
        found = None
    finally:
        _unlock(fd)
    if found is None:
        return False
    stamp, _, others = found
    seconds = time.perf_counter() - started
    lines: list[tuple[str, str | None]] = []  # (text, colour) on stderr
    if not options["quiet"]:
        for other in sorted(others, key=lambda o: o.split("/")):
            lines.append(
                (
                    f"notice: {_pure_path(os.path.join(seeds, other))}: not read "
                    "(articles are .txt files; rename it to publish it)",
                    "cyan",
                )
            )
        for held in stamp["held"]:
            lines.append((f"notice: {held_notice(*held)}", "cyan"))
        for warning in stamp["warnings"]:
            lines.append((f"warning: {located(*warning)}", "yellow"))
    if options["verbose"]:
        lines.append(("parsed 0, rendered 0, written 0, removed 0", None))
        lines.append((f"  {'no-op check':<16} {seconds:8.3f} s", None))
    _print(lines, None if options["quiet"] else f"{_pure_path(out)}: {summary(stamp, 0)}")
    return True


def light_walk(seeds: str) -> tuple[list[tuple[str, Stat]], Sequence[object], Sequence[str]]:
    stats, others = walk_seeds(seeds)
    return stats, (), others


def _print(lines: Sequence[tuple[str, str | None]], result: str | None) -> None:
    if sys.stderr.isatty() or (result is not None and sys.stdout.isatty()):
        # A person is watching: click's colours (and its console handling).
        import click

        for text, colour in lines:
            click.secho(text, fg=colour, err=True)
        if result is not None:
            click.echo(result)
        return
    sys.stdout.flush()
    sys.stderr.write("".join(f"{text}\n" for text, _ in lines))
    sys.stderr.flush()
    if result is not None:
        sys.stdout.write(f"{result}\n")
        sys.stdout.flush()


def main(args: Sequence[str] | None = None) -> None:
    """The ``feedtool`` command: a no-op ``build`` answered here, everything else by click."""
    argv = list(sys.argv[1:] if args is None else args)
    if argv[:1] == ["build"] and _answer(argv[1:]):
        sys.exit(0)
    from feedtool.cli import main as cli

    cli(argv)


__all__ = ["main"]
