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
    STATE_FILENAME,
    STORE_FILENAME,
    Unsure,
    check,
    code_identity,
    ends_by_exit,
    forget_miss,
    hand_over,
    known_of_walk,
    light_walk,
    missed,
    missed_seeds,
    note_miss,
    pin_code_identity,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from feedtool._stamp import Stat

    #: A verdict of :func:`_check`: ``("noop", lines, result)`` to print, ``("miss",)``
    #: (noted for the build: ``note_miss``) or ``("unsure",)`` (the click CLI decides).
    Verdict = tuple[Any, ...]

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


def _options(args: Sequence[str]) -> tuple[dict[str, Any], bytes] | None:
    """The options of ``feedtool build ARGS`` and the config file's bytes; ``None``
    when they are not plain (or the config cannot be read): the click CLI decides."""
    options = _arguments(args)
    if options is None:
        return None
    try:
        with open(options["config"], "rb") as file:
            return options, file.read()
    except OSError:
        return None


def _check(
    options: dict[str, Any], config_source: bytes, started: float, walk_anyway: bool = False
) -> Verdict:
    """Whether the build of ``options`` has anything to do, holding its lock
    (``walk_anyway``: see :func:`feedtool._stamp.check`)."""
    seeds, out = options["seeds"], options["out"]
    fd = _lock(out)
    if fd is None:
        return ("unsure",)
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
            walk_anyway=walk_anyway,
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
            return ("miss",)
    except Unsure:
        return ("unsure",)
    finally:
        _unlock(fd)
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
    return ("noop", lines, None if options["quiet"] else f"{_pure_path(out)}: {summary(stamp, 0)}")


def _deliver(verdict: Verdict) -> bool | None:
    """Print a no-op's answer (``True``); ``None`` when a build follows, ``False``
    when the click CLI decides."""
    if verdict[0] == "noop":
        _print(verdict[1], verdict[2])
        return True
    return None if verdict[0] == "miss" else False


def _answer(args: Sequence[str]) -> bool | None:
    """Answer ``feedtool build ARGS`` from the stamp; else ``None`` when the
    check found something changed (the build will run), or ``False`` (it
    could not tell): the click CLI decides."""
    started = time.perf_counter()
    loaded = _options(args)
    if loaded is None:
        return False
    return _deliver(_check(*loaded, started))


#: What a build loads, step by step, while a child process checks whether it
#: has anything to do (:func:`_answer_beside`): the answer is looked for
#: between two steps.
_BUILD_MODULES = (
    "click",
    "feedtool.cli",
    "pydantic",
    "feedtool.model",
    "feedtool.config",
    "jinja2",
    # Not ``lxml.etree`` itself: imported bare, it imports rnc2rng when that is
    # installed (a test extra), which builds a parser as it loads, tens of ms
    # no build needs (see ``feedtool.render._lxml``).
    "feedtool.render._lxml",
    "feedtool.render",
    "feedtool.parse",
    "feedtool.enrich",
    "feedtool.store",
    "feedtool.publish._incremental",
)


#: The state file's size (about 1 kB an article) from which the check is made
#: beside the loading. Below it the check is over in a few tens of ms, less
#: than one loading step, so a no-op would wait for a step it does not need:
#: at 2,225 articles (2.3 MB) a no-op took 60 ms beside and 49 ms in place
#: (medians of 7), and an edit can gain no more than that short check.
_BESIDE_MIN_STATE_BYTES = 8 << 20


def _answer_beside(args: Sequence[str]) -> bool | None:
    """:func:`_answer`, its check made by a forked child while this process loads
    the modules a build needs (``_BUILD_MODULES``): after an edit the build
    starts with them loaded (at 20,000 articles the check's walk of the seeds
    and the loading were some 80 and 170 ms one after the other). Once the
    child answers that nothing changed, loading stops at the end of its step
    and the answer is printed here. Only for an output folder with a store (a
    cold build has no stamp to check) and a state file of at least
    ``_BESIDE_MIN_STATE_BYTES``; the check is made here, as by
    :func:`_answer`, when no child can be forked (:class:`Beside`) or it fails."""
    started = time.perf_counter()
    loaded = _options(args)
    if loaded is None:
        return False
    options, config_source = loaded
    store = os.path.join(options["out"], CACHE_DIRNAME, STORE_FILENAME)
    if not os.path.isfile(store) or not _large(options["out"]):
        return _deliver(_check(options, config_source, started))
    import marshal
    from importlib import import_module

    from feedtool._beside import Beside

    def check_beside() -> bytes:
        # Walked even without a usable stamp: the build takes the walk over.
        verdict = _check(options, config_source, started, walk_anyway=True)
        if verdict[0] == "miss":
            miss, walk, state = missed()
            # The store's record of the walked articles, compared here while
            # the build is still loading (``_Build._scan_and_parse``).
            known = known_of_walk(options["out"], walk[0]) if walk is not None else None
            verdict = ("miss", miss, walk, state, known, missed_seeds())
        return marshal.dumps(verdict)

    code_identity()  # pinned (``main``) before the fork: made once, for both
    child = Beside(check_beside)
    if not child.forked:
        return _deliver(_check(options, config_source, started))
    try:
        for name in _BUILD_MODULES:
            if child.ready():
                break  # answered
            try:
                import_module(name)
            except Exception:  # the CLI reports it, if it needs the module
                break
    except BaseException:  # interrupted: no child left behind
        child.cancel()
        raise
    answer = child.result()
    if not answer:
        return _deliver(_check(options, config_source, started))
    verdict = marshal.loads(answer)
    if verdict[0] == "miss":
        hand_over(*verdict[1:])
        verdict = ("miss",)
    return _deliver(verdict)


def _large(out: str) -> bool:
    """Whether the archive in ``out`` is large enough for a check beside the loading."""
    try:
        return os.stat(os.path.join(out, STATE_FILENAME)).st_size >= _BESIDE_MIN_STATE_BYTES
    except OSError:
        return False


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


def _exit_now(code: object) -> None:
    """End this process as ``sys.exit(code)`` would, but without the interpreter's
    finalisation: the exit handlers run (``atexit``) and the output is flushed,
    then the process ends. Tearing down every module and object one by one (the
    store's refs, the site, the lookup tables: some 20-30 ms after an edit at
    20,000 articles) frees memory the system takes back anyway. Returns, for
    the usual exit, while a thread other than this one runs (the interpreter
    would wait for it)."""
    import atexit
    import threading

    if threading.active_count() != 1:
        return
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # as the interpreter does: the message on stderr, status 1
        sys.stderr.write(f"{code}\n")
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: what the interpreter reports
            status = status or 120
    os._exit(status & 0xFF)


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
            if argv[:1] == ["build"]:
                # Ended with ``_exit_now``: what the build lets go of is not freed.
                ends_by_exit()
        answered: bool | None = False
        if argv[:1] == ["build"]:
            answered = _answer_beside(argv[1:]) if command else _answer(argv[1:])
        if answered:
            if command:
                _exit_now(0)
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
    except SystemExit as exc:
        if args is None and argv[:1] == ["build"]:
            _exit_now(exc.code)  # returns only when the process cannot end here
        raise
    finally:
        forget_miss()
        if args is None:
            # The process ends now (click exits): the collections of the
            # interpreter's finalisation would walk every object left (the
            # lookup tables, the modules: a third of a second after an edit
            # at 20,000 articles) to free memory the system takes back anyway.
            gc.freeze()


__all__ = ["main"]
