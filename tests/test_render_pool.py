"""The render pool: forked workers render and stage the outputs of a large build.

Same bytes as a serial build, the store gets every feed entry, and a worker
or a build killed mid-render leaves the previous output and a next build that
equals a clean one.
"""

from __future__ import annotations

import concurrent.futures.process
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from feedtool import _workers, build, load_config
from feedtool._workers import Workers
from feedtool.config import Config
from feedtool.errors import PublishError
from feedtool.publish import _incremental
from feedtool.store import CACHE_DIRNAME, SqliteStore

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "tests" / "data" / "no-enrich.toml"


@pytest.fixture(autouse=True)
def _reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")


@pytest.fixture
def config() -> Config:
    return load_config(CONFIG)


def _corpus(seeds: Path, count: int, edition: int = 0) -> None:
    seeds.mkdir(exist_ok=True)
    topics = ["harbour", "budget", "flood", "election", "orchestra", "rail", "school"]
    for number in range(count):
        topic = topics[number % len(topics)]
        front = f'tags = ["{topic}", "desk {number % 3}"]\n'
        front += f'published = "2025-10-{1 + number % 27:02d}T{number % 24:02d}:00:00Z"\n'
        note = f"\nEdition {edition} of this report.\n" if edition else ""
        (seeds / f"{number:03d}.txt").write_text(
            f"+++\n{front}+++\nStory {number} about the {topic}\n\n"
            + f"Report number {number} on the {topic}. " * 10
            + f"\n\nA second paragraph about the {topic}.\n{note}",
            "utf-8",
        )


def _temporary(path: Path) -> bool:
    return path.name.endswith((".feedtool-tmp", ".tmp"))


def _tree(out: Path) -> dict[str, bytes]:
    """The output files (the store and staged temporaries aside)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and CACHE_DIRNAME not in p.relative_to(out).parts and not _temporary(p)
    }


def _temporaries(out: Path) -> list[Path]:
    return [p for p in out.rglob("*") if _temporary(p)]


@pytest.fixture
def pooled(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Render in a pool from the first output, a few outputs per run or part; parse serially.

    Yields the list of pools made (their worker counts), to show the pool ran.
    """
    made: list[int] = []
    real = concurrent.futures.process.ProcessPoolExecutor

    def spy(*args: Any, **kwargs: Any) -> Any:
        made.append(kwargs["max_workers"])
        return real(*args, **kwargs)

    monkeypatch.setattr(_incremental, "PARALLEL_THRESHOLD", 10**9)
    monkeypatch.setattr(_incremental, "RENDER_THRESHOLD", 1)
    monkeypatch.setattr(_incremental, "_RENDER_RUN", 5)
    monkeypatch.setattr(_incremental, "_PART_OUTPUTS", 20)
    # The build imports the pool where it makes one: patched where it is imported from.
    monkeypatch.setattr(concurrent.futures.process, "ProcessPoolExecutor", spy)
    # So are the workers.
    real_workers = _workers.Workers

    def workers(count: int, *args: Any) -> Any:
        made.append(count)
        return real_workers(count, *args)

    monkeypatch.setattr(_workers, "Workers", workers)
    return made


def test_the_pool_writes_the_bytes_of_a_serial_build(
    tmp_path: Path, config: Config, pooled: list[int]
) -> None:
    seeds = tmp_path / "seeds"
    _corpus(seeds, 30)
    serial = build(seeds, tmp_path / "serial", config, jobs=1, ping=False)
    assert pooled == []
    parallel = build(seeds, tmp_path / "pool", config, jobs=2, ping=False)
    assert pooled == [1]  # the build process renders beside one worker
    assert _tree(tmp_path / "pool") == _tree(tmp_path / "serial")
    assert parallel.rendered == serial.rendered
    assert parallel.written == serial.written
    # Each entry is reported once, whichever worker made it (or both did).
    assert parallel.entries == serial.entries
    assert len(set(parallel.entries)) == len(parallel.entries)

    # The entries the workers made reached the store (written by the build process):
    # an edit to one article renders that article's entries only.
    store = SqliteStore(tmp_path / "pool")
    try:
        count = store._db.execute("SELECT count(*) FROM fragments").fetchone()[0]
    finally:
        store.close()
    assert count == len(serial.entries)
    story = seeds / "004.txt"
    story.write_text(story.read_text("utf-8") + "\nA correction.\n", "utf-8")
    again = build(seeds, tmp_path / "pool", config, jobs=2, ping=False)
    assert {path for _, path in again.entries} == {"004.txt"}
    assert build(seeds, tmp_path / "serial", config, jobs=1, ping=False).written == again.written
    assert _tree(tmp_path / "pool") == _tree(tmp_path / "serial")


def test_part_workers_hand_their_feed_entries_over_in_files(
    tmp_path: Path, config: Config, pooled: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A part worker writes the feed entries it makes to a file per part, not
    into its answer (at 20,000 articles one part's were ~20 MB the worker held,
    pickled whole and the build process unpickled whole): the build process puts
    them in the store one by one and removes the file."""
    seeds = tmp_path / "seeds"
    _corpus(seeds, 30)
    spills: list[tuple[str, int]] = []
    real_spilled = _incremental._spilled

    def spilled(path: str) -> Any:
        entries = list(real_spilled(path))
        spills.append((path, len(entries)))
        yield from entries

    answers: list[Any] = []
    real_result = Workers.result

    def result(self: Workers[Any], worker: int) -> Any:
        answer = real_result(self, worker)
        answers.append(answer)
        return answer

    monkeypatch.setattr(_incremental, "_spilled", spilled)
    monkeypatch.setattr(Workers, "result", result)
    serial = build(seeds, tmp_path / "serial", config, jobs=1, ping=False)
    parallel = build(seeds, tmp_path / "pool", config, jobs=2, ping=False)
    assert pooled == [1]
    assert _tree(tmp_path / "pool") == _tree(tmp_path / "serial")
    assert answers, "no part was rendered by the worker"
    # Each worker part that made entries named its file, and the build read them all.
    worker_spills = [answer.spill for answer in answers if answer.spill is not None]
    assert worker_spills and [path for path, _ in spills] == worker_spills
    assert sum(count for _, count in spills) == sum(len(answer.made) for answer in answers)
    assert all(not Path(path).exists() for path in worker_spills)
    assert not list((tmp_path / "pool" / CACHE_DIRNAME).glob(".fragments-*"))
    store = SqliteStore(tmp_path / "pool")
    try:
        count = store._db.execute("SELECT count(*) FROM fragments").fetchone()[0]
    finally:
        store.close()
    assert count == len(serial.entries) == len(parallel.entries)


def test_a_small_render_stays_serial(
    tmp_path: Path, config: Config, pooled: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_incremental, "RENDER_THRESHOLD", 10**9)
    seeds = tmp_path / "seeds"
    _corpus(seeds, 5)
    assert build(seeds, tmp_path / "out", config, jobs=2, ping=False).ok
    assert pooled == []


_CALLS = [0]


def _render_then_die(*args: Any) -> Any:
    """``_render_one``, until a worker's fourth output: then the worker is killed."""
    _CALLS[0] += 1
    if _CALLS[0] == 4 and os.getpid() != _PARENT[0]:
        os.kill(os.getpid(), signal.SIGKILL)
    return _REAL_RENDER_ONE(*args)


_PARENT = [os.getpid()]
_REAL_RENDER_ONE = _incremental._render_one


def _built_then_edited(tmp_path: Path, config: Config) -> tuple[Path, Path, Path, dict[str, bytes]]:
    """Seeds built into ``out`` and ``clean``, ``out``'s tree then, and every
    article edited since: much to render."""
    seeds = tmp_path / "seeds"
    _corpus(seeds, 30)
    out, clean = tmp_path / "out", tmp_path / "clean"
    build(seeds, out, config, jobs=1, ping=False)
    build(seeds, clean, config, jobs=1, ping=False)
    before = _tree(out)
    _corpus(seeds, 30, edition=2)
    return seeds, out, clean, before


def test_a_killed_render_worker_is_a_clear_error_and_keeps_the_output(
    tmp_path: Path, config: Config, pooled: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds, out, clean, before = _built_then_edited(tmp_path, config)

    _PARENT[0] = os.getpid()
    _CALLS[0] = 0
    monkeypatch.setattr(_incremental, "_render_one", _render_then_die)
    with pytest.raises(PublishError, match="worker process died while rendering") as caught:
        build(seeds, out, config, jobs=2, ping=False)
    assert "fix:" in str(caught.value) and "--jobs 1" in str(caught.value)
    assert _tree(out) == before  # nothing renamed into place
    assert _temporaries(out) == []  # nor any staged file left behind

    monkeypatch.setattr(_incremental, "_render_one", _REAL_RENDER_ONE)
    build(seeds, out, config, jobs=2, ping=False)
    build(seeds, clean, config, jobs=1, ping=False)  # the same edit, never interrupted
    assert _tree(out) == _tree(clean)


_KILL_THE_BUILD = """
import os, signal, sys
from feedtool.publish import _incremental
_incremental.RENDER_THRESHOLD = 1
_incremental._RENDER_RUN = 5
_incremental._PART_OUTPUTS = 20
real = _incremental._render_one
parent = os.getpid()
calls = [0]

def render_one(*args):
    calls[0] += 1
    if calls[0] == 6 and os.getpid() != parent:
        os.kill(parent, signal.SIGKILL)  # the build dies mid-render, its workers with it
        signal.pause()
    return real(*args)

_incremental._render_one = render_one
from feedtool.cli import main
sys.exit(main())
"""


def test_a_build_killed_mid_render_leaves_the_output_and_the_next_build_finishes(
    tmp_path: Path, config: Config
) -> None:
    seeds, out, clean, before = _built_then_edited(tmp_path, config)
    command = ["build", str(seeds), "-o", str(out), "-c", str(CONFIG), "--no-ping", "-q"]
    killed = subprocess.run(
        [sys.executable, "-c", _KILL_THE_BUILD, *command, "--jobs", "2"],
        env={**os.environ, "SOURCE_DATE_EPOCH": "1764000000"},
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL
    assert _temporaries(out)  # killed mid-render: workers had staged files
    assert _tree(out) == before  # every file old: none was renamed yet

    build(seeds, out, config, jobs=2, ping=False)
    build(seeds, clean, config, jobs=1, ping=False)
    assert _tree(out) == _tree(clean)
    assert _temporaries(out) == []


# --------------------------------------------------------------------------- part workers

_REAL_PART_RUN = _incremental._part_run
_MARK_ENV = "FEEDTOOL_TEST_PART_WORKERS"


def _part_run_reporting(number: int) -> Any:
    """``_part_run``, noting in a file which process ran it and what that process holds."""
    site = _incremental._PARTS.site if _incremental._PARTS else None
    with open(os.environ[_MARK_ENV], "a", encoding="utf-8") as notes:
        notes.write(
            f"{os.getpid()} {hasattr(_incremental, '_BUILD_ONLY')}"
            f" {site is not None and hasattr(site, '_build_only')} {number}\n"
        )
    return _REAL_PART_RUN(number)


def test_part_workers_do_not_inherit_the_build_process(
    tmp_path: Path, config: Config, pooled: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A part worker is a new process that makes the site itself: nothing the build
    process holds (its site, its bookkeeping) is in its memory, yet it writes the
    same bytes."""
    seeds = tmp_path / "seeds"
    _corpus(seeds, 30)
    serial = build(seeds, tmp_path / "serial", config, jobs=1, ping=False)
    notes = tmp_path / "notes"
    monkeypatch.setenv(_MARK_ENV, str(notes))
    # Marks only the build process has: a forked worker would inherit both.
    monkeypatch.setattr(_incremental, "_BUILD_ONLY", True, raising=False)
    real_make_site = _incremental._make_site

    def make_site(*args: Any) -> Any:
        site = real_make_site(*args)
        object.__setattr__(site, "_build_only", True)
        return site

    monkeypatch.setattr(_incremental, "_make_site", make_site)
    monkeypatch.setattr(_incremental, "_part_run", _part_run_reporting)
    parallel = build(seeds, tmp_path / "pool", config, jobs=2, ping=False)
    assert pooled == [1]
    assert _tree(tmp_path / "pool") == _tree(tmp_path / "serial")
    assert parallel.written == serial.written
    assert parallel.entries == serial.entries
    lines = [line.split() for line in notes.read_text("utf-8").splitlines()]
    assert lines, "no part was planned in a worker"
    assert all(pid != str(os.getpid()) for pid, *_ in lines)
    # The worker's module and site are its own: neither mark reached them.
    assert all(
        inherited == "False" and site_mark == "False" for _, inherited, site_mark, _ in lines
    )
    assert not list((tmp_path / "pool" / ".feedtool").glob(".site-*"))  # its file is gone


def _part_run_dying(number: int) -> Any:
    """``_part_run``, but the worker is killed at its second part."""
    _DIED[0] += 1
    if _DIED[0] == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return _REAL_PART_RUN(number)


_DIED = [0]


def test_a_killed_part_worker_is_a_clear_error_and_keeps_the_output(
    tmp_path: Path, config: Config, pooled: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds, out, clean, before = _built_then_edited(tmp_path, config)
    # A full plan (not one focused on the edited articles): the part pool.
    monkeypatch.setenv(_incremental.FULL_PLAN_ENV, "1")
    monkeypatch.setattr(_incremental, "_part_run", _part_run_dying)
    with pytest.raises(PublishError, match="worker process died while rendering") as caught:
        build(seeds, out, config, jobs=2, ping=False)
    assert "--jobs 1" in str(caught.value)
    assert _tree(out) == before
    assert _temporaries(out) == []  # nor the site file the worker was given

    monkeypatch.setattr(_incremental, "_part_run", _REAL_PART_RUN)
    build(seeds, out, config, jobs=2, ping=False)
    build(seeds, clean, config, jobs=1, ping=False)
    assert _tree(out) == _tree(clean)


_KILLER = """
import os, signal
from feedtool.publish import _incremental

real = _incremental._part_run
calls = [0]


def part_run(number):
    calls[0] += 1
    if calls[0] == 2:
        os.kill(os.getppid(), signal.SIGKILL)  # the build dies mid-render, its workers with it
        signal.pause()
    return real(number)
"""

_KILL_THE_BUILD_IN_PARTS = """
import sys
sys.path.insert(0, sys.argv.pop(1))
import killer
from feedtool.publish import _incremental
_incremental.RENDER_THRESHOLD = 1
_incremental._PART_OUTPUTS = 20
_incremental._part_run = killer.part_run
from feedtool.cli import main
sys.exit(main())
"""


def test_a_build_killed_while_workers_render_parts_leaves_the_output(
    tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full plan's part workers (spawned: the test's hook reaches them as a
    module they import) see the build die: the next build removes what was
    staged and the workers' site file, and equals a clean one."""
    seeds, out, clean, before = _built_then_edited(tmp_path, config)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "killer.py").write_text(_KILLER, "utf-8")
    command = ["build", str(seeds), "-o", str(out), "-c", str(CONFIG), "--no-ping", "-q"]
    killed = subprocess.run(
        [sys.executable, "-c", _KILL_THE_BUILD_IN_PARTS, str(hooks), *command, "--jobs", "2"],
        env={**os.environ, "SOURCE_DATE_EPOCH": "1764000000", "FEEDTOOL_FULL_PLAN": "1"},
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL
    assert list((out / CACHE_DIRNAME).glob(".site-*.tmp"))  # killed while the pool ran
    assert _tree(out) == before

    monkeypatch.setenv("FEEDTOOL_FULL_PLAN", "1")
    build(seeds, out, config, jobs=2, ping=False)
    build(seeds, clean, config, jobs=1, ping=False)
    assert _tree(out) == _tree(clean)
    assert _temporaries(out) == []
    assert not list((out / CACHE_DIRNAME).glob(".site-*"))


def test_worker_imports_this_feedtool_not_one_in_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build run from a folder holding another ``feedtool`` (an older checkout,
    say) must not have its part workers import that one (``python -c`` puts the
    current folder first on the path)."""
    other = tmp_path / "feedtool"
    other.mkdir()
    (other / "__init__.py").write_text("raise ImportError('the wrong feedtool')\n")
    monkeypatch.chdir(tmp_path)
    workers: Workers[int] = Workers(2, len, ((),), abs)
    try:
        # Given in turn to the two workers, answered in the order given.
        answers = [workers.submit(-number) for number in range(5)]
        assert [answer.result() for answer in answers] == [0, 1, 2, 3, 4]
    finally:
        workers.close()


def test_a_worker_answer_larger_than_a_default_pipe_does_not_wait_to_be_read() -> None:
    # A part's answer (its paths and fingerprints) is up to ~85 kB at BBC: in a
    # pipe of the default 64 kB the worker blocked writing it until the build
    # process, rendering a part of its own, read it, instead of starting its
    # next part. The pipe holds a whole answer now (Linux).
    import fcntl
    import termios
    import time

    if not hasattr(fcntl, "F_SETPIPE_SZ"):
        pytest.skip("no F_SETPIPE_SZ")
    workers: Workers[bytes] = Workers(1, len, ((),), bytes)
    answered = False
    try:
        answer = workers.submit(300_000)
        fd = workers._receives[0].fileno()
        waiting = 0
        deadline = time.monotonic() + 30
        while waiting < 300_000 and time.monotonic() < deadline:
            time.sleep(0.05)
            waiting = int.from_bytes(fcntl.ioctl(fd, termios.FIONREAD, bytes(4)), sys.byteorder)
        # The whole answer was written before anything read it.
        assert waiting > 300_000
        assert answer.result() == bytes(300_000)
        answered = True
    finally:
        if answered:
            workers.close()
        else:  # a worker still writing its answer would never end
            workers.kill()


class _Simulated:
    """A worker doing its tasks in turn and this process its own, each task a
    unit of simulated time, for :func:`_incremental._schedule`."""

    def __init__(self) -> None:
        self.now = 0
        self.free_at = 0
        self.started: dict[int, int] = {}
        self.recorded: dict[int, int] = {}

    def submit(self, number: int) -> _SimulatedAnswer:
        start = max(self.free_at, self.now)
        self.started[number] = start
        self.free_at = start + 1
        return _SimulatedAnswer(self, number, self.free_at)

    def here(self, number: int) -> int:
        self.started[number] = self.now
        self.now += 1
        return number

    def record(self, number: int) -> None:
        self.recorded[number] = self.now


class _SimulatedAnswer:
    def __init__(self, simulated: _Simulated, number: int, at: int) -> None:
        self.simulated, self.number, self.at = simulated, number, at

    def done(self) -> bool:
        return self.simulated.now >= self.at

    def result(self) -> int:
        self.simulated.now = max(self.simulated.now, self.at)
        return self.number


@pytest.mark.parametrize("barrier", [None, 6])
def test_the_schedule_keeps_both_processes_busy_to_the_end(barrier: int | None) -> None:
    # Twelve tasks of equal length, one worker beside this process: six units
    # of time, each process doing six. The worker used to be given two tasks
    # ahead up to the last, and this process then waited for both, idle.
    simulated = _Simulated()
    _incremental._schedule(12, 1, simulated.submit, simulated.here, simulated.record, barrier)
    assert sorted(simulated.recorded) == list(range(12))
    assert max(simulated.recorded.values()) == 6
    if barrier is not None:
        before = max(simulated.recorded[number] for number in range(barrier))
        assert min(simulated.started[number] for number in range(barrier, 12)) >= before


def test_a_cold_build_starts_its_part_worker_as_the_parse_ends(
    tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A fresh interpreter's imports (~0.3 s of CPU) are made while the build
    # process stamps and makes the site, not while it waits for its first parts.
    monkeypatch.setattr(_incremental, "PARALLEL_THRESHOLD", 10)
    monkeypatch.setattr(_incremental, "_PART_OUTPUTS", 20)
    started: list[str] = []
    real = _workers.Workers

    class Spy(real):  # type: ignore[valid-type, misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            started.append("when rendering")
            super().__init__(*args, **kwargs)

        @classmethod
        def ahead(cls, count: int, module: str) -> Any:
            started.append("ahead")
            return real.ahead(count, module)

    monkeypatch.setattr(_workers, "Workers", Spy)
    seeds = tmp_path / "seeds"
    _corpus(seeds, 200)
    build(seeds, tmp_path / "pool", config, jobs=2, ping=False)
    assert started == ["ahead"]
    serial = build(seeds, tmp_path / "serial", config, jobs=1, ping=False)
    assert started == ["ahead"]
    assert _tree(tmp_path / "pool") == _tree(tmp_path / "serial")
    assert serial.rendered


def test_a_worker_started_ahead_and_not_needed_ends() -> None:
    workers = Workers.ahead(1, "json")
    process = workers._processes[0]
    workers.close()  # never given a task
    assert process.returncode == 0
    killed = Workers.ahead(1, "json")
    process = killed._processes[0]
    killed.kill()
    assert process.returncode is not None
