"""The ``feedtool`` console entry point: a no-op ``build`` answered before click is imported.

:func:`main` handles ``feedtool build`` with unambiguous arguments itself when
the quick stamp (:mod:`feedtool._stamp`) matches: the whole answer costs little
more than the interpreter's start. Any other command, any option it does not
know, a stamp that does not match, a seeds folder with something to warn
about (a link, a hidden article), a locked output folder: everything else goes
to the click CLI (:mod:`feedtool.cli`), which does its own, complete checks
(the stamp's with the same functions).
"""

from __future__ import annotations

import gc
import os
import sys
import time

from feedtool._stamp import (
    CACHE_DIRNAME,
    LOCK_FILENAME,
    Unsure,
    check,
    forget_miss,
    light_walk,
    note_miss,
    pin_code_identity,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from feedtool._stamp import Stat

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


def _answer(args: Sequence[str]) -> bool | None:
    """Answer ``feedtool build ARGS`` from the stamp; else ``None`` when the
    check found something changed (the build will run), or ``False`` (it
    could not tell): the click CLI decides."""
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
    walks: list[tuple[list[tuple[str, Stat]], list[str]]] = []

    def walk(seeds: str) -> tuple[list[tuple[str, Stat]], Sequence[object], Sequence[str]]:
        stats, notices, others = light_walk(seeds)
        walks.append((stats, list(others)))
        return stats, notices, others

    try:
        found = check(
            seeds,
            out,
            config_source,
            drafts=options["drafts"],
            future=options["future"],
            walk=walk,
        )
        if found is None:
            # The build this hands over to takes the walk too (an edit: 20,000
            # articles not walked and stat'ed again).
            note_miss(
                seeds,
                out,
                config_source,
                options["drafts"],
                options["future"],
                walks[0] if walks else None,
            )
    except Unsure:
        found = None
    finally:
        _unlock(fd)
    if found is None:
        return None if walks else False
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
    command = args is None  # this process is the command (not a caller's, which may go on)
    collecting = command and gc.isenabled()
    if collecting:
        # Loading the modules makes some hundred thousand objects, none of them
        # garbage: the collections they would start (a full one among them) walk
        # them all for nothing, a twentieth of an edit build at 20,000 articles.
        gc.disable()
    try:
        if command:
            pin_code_identity()
        answered = _answer(argv[1:]) if argv[:1] == ["build"] else False
        if answered:
            sys.exit(0)
        from feedtool.cli import main as cli

        if answered is None:
            # The check found an article changed: the build will need these.
            from importlib import import_module

            import_module("feedtool.config")
            import_module("feedtool.publish._incremental")
    finally:
        if collecting:
            # What was loaded lives until the end: set aside from the collector
            # (until a build gives it back, ``_Build._thaw``).
            gc.freeze()
            gc.enable()

    try:
        cli(argv)
    finally:
        forget_miss()
        if args is None:
            # The process ends now (click exits): the collections of the
            # interpreter's finalisation would walk every object left (the
            # lookup tables, the modules: a third of a second after an edit
            # at 20,000 articles) to free memory the system takes back anyway.
            gc.freeze()


__all__ = ["main"]
