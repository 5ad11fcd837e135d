"""``feedtool serve --watch``: poll the seeds and the config, rebuild when they change."""

from __future__ import annotations

import os
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from feedtool.errors import FeedtoolError
from feedtool.publish._incremental import BuildReport

Log = Callable[[str], None]


def _fingerprint(seeds: Path, config_path: Path | None) -> tuple[tuple[str, int, int], ...]:
    """Name, size and mtime of every seed file and of the config (cheap to poll)."""
    from feedtool.errors import PublishError
    from feedtool.publish._seeds import scan_seeds

    found: list[tuple[str, int, int]] = []
    try:
        # The files a build would read, found as it finds them: an iterative
        # walk (deep folders), links followed only inside the seeds folder.
        paths = scan_seeds(seeds).paths
    except PublishError:
        paths = ()
    for path in paths:
        try:
            info = os.stat(path)
        except OSError:
            continue
        found.append((os.path.relpath(path, seeds), info.st_size, info.st_mtime_ns))
    if config_path is not None:
        try:
            info = os.stat(config_path)
            found.append(("\x00config", info.st_size, info.st_mtime_ns))
        except OSError:
            found.append(("\x00config", -1, -1))
    return tuple(sorted(found))


def rebuild(
    seeds: Path,
    out: Path,
    config_path: Path | None,
    log: Log,
    *,
    ping: bool = True,
    drafts: bool = False,
    future: bool = False,
) -> BuildReport | None:
    """Build ``seeds`` into ``out`` once, logging one line; None when it failed.

    ``drafts`` and ``future`` preview held articles as ``feedtool build -D -F`` do
    (the hub is then never pinged)."""
    from feedtool.config import default_config, load_config
    from feedtool.publish import build

    started = time.perf_counter()
    try:
        config = load_config(config_path) if config_path is not None else default_config()
        report = build(seeds, out, config, ping=ping, drafts=drafts, future=future)
    except FeedtoolError as exc:
        log(f"build failed: {exc}")
        return None
    elapsed = time.perf_counter() - started
    log(
        f"built {out}: {report.articles} articles, {len(report.written)} files changed, "
        f"{len(report.removed)} removed, {len(report.errors)} errors ({elapsed:.2f} s)"
    )
    for held in report.held:
        log(f"  notice: {held}")
    for error in report.errors:
        log(f"  {error}")
    for warning in report.warnings:
        log(f"  warning: {warning}")
    for problem in report.ping_errors:
        log(f"  warning: WebSub ping: {problem}")
    return report


def ping_later(report: BuildReport, config_path: Path | None, log: Log) -> threading.Thread:
    """Ping the hub for ``report``'s changed feeds in a thread of its own (the server
    starts answering meanwhile); problems are logged."""
    from feedtool.config import load_config
    from feedtool.publish._incremental import ping_feeds

    def run() -> None:
        try:
            if config_path is None:
                return
            for problem in ping_feeds(load_config(config_path), report.written):
                log(f"  warning: WebSub ping: {problem}")
        except FeedtoolError as exc:
            log(f"  warning: WebSub ping: {exc}")

    thread = threading.Thread(target=run, name="feedtool-first-ping", daemon=True)
    thread.start()
    return thread


class Watcher:
    """Polls ``seeds`` and the config every ``interval`` seconds; rebuilds on change
    (previewing drafts and future articles when told, like :func:`rebuild`)."""

    def __init__(
        self,
        seeds: Path,
        out: Path,
        config_path: Path | None,
        log: Log,
        interval: float = 1.0,
        *,
        drafts: bool = False,
        future: bool = False,
    ) -> None:
        self.drafts, self.future = drafts, future
        self.seeds = seeds
        self.out = out
        self.config_path = config_path
        self.log = log
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="feedtool-watch", daemon=True)
        self._last = _fingerprint(seeds, config_path)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            current = _fingerprint(self.seeds, self.config_path)
            if current == self._last:
                continue
            self._last = current
            try:
                rebuild(
                    self.seeds,
                    self.out,
                    self.config_path,
                    self.log,
                    drafts=self.drafts,
                    future=self.future,
                )
            except Exception:
                # A bug in one rebuild must not silently end watching.
                self.log("build crashed:\n" + traceback.format_exc())
