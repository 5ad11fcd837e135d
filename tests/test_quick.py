"""The no-op fast path of ``feedtool build``: nothing changed → answered from the store
without importing the pipeline; anything changed → the real build runs.

The fast path shows itself in ``--verbose`` as its single timing line,
``no-op check``; the real build lists its phases instead. Every test runs
twice: through the click CLI (``feedtool.cli``) and through the console entry
point (``feedtool._noop.main``), which answers before click is imported.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from unittest import mock

import pytest
from click.testing import CliRunner
from conftest import output_tree
from hypothesis import given
from hypothesis import strategies as st

from feedtool import _noop, _stamp
from feedtool._lock import build_lock
from feedtool.cli import main
from feedtool.publish._state import STATE_FILENAME
from feedtool.store import CACHE_DIRNAME

ROOT = Path(__file__).resolve().parents[1]

# 2025-11-20T00:00:00Z and 2025-12-02T00:00:00Z.
BEFORE = "1763596800"
AFTER = "1764633600"

ARTICLE = """+++
{front}
+++
{headline}

The harbour council met on Monday and agreed a new timetable for the ferries.

The change takes effect next month, officials said after the meeting.
"""

QUICK = "no-op check"


def _write(folder: Path, name: str, headline: str, front: str = "") -> Path:
    path = folder / name
    path.write_text(ARTICLE.format(front=front, headline=headline), "utf-8")
    _settle(path)
    return path


def _settle(path: Path) -> None:
    """Date ``path`` a minute back: a file read in the second it was written may change
    again unseen, so a build never vouches for it (the fast path stays off)."""
    past = time.time_ns() - 60_000_000_000
    os.utime(path, ns=(past, past))


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, driver: str) -> Path:
    return _site(tmp_path, monkeypatch)


def _site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BEFORE)
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    _write(seeds, "live.txt", "Ferry timetable agreed", "published = 2025-11-01T09:00:00Z")
    _write(seeds, "other.txt", "Ferry fares frozen", "published = 2025-11-02T09:00:00Z")
    _write(seeds, "embargo.txt", "Embargoed ferry results", "published = 2025-12-01T09:00:00Z")
    config = tmp_path / "feedtool.toml"
    config.write_text((ROOT / "feedtool.toml").read_text("utf-8"), "utf-8")
    _settle(config)
    return tmp_path


@dataclass(frozen=True)
class Run:
    """What one ``feedtool`` command printed (stdout and stderr, in order) and its status."""

    output: str
    exit_code: int
    #: The entry point answered by itself, without the click CLI.
    answered: bool = False


@pytest.fixture(params=["click", "entry"])
def driver(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Which ``feedtool`` the test runs: the click group or the console entry point."""
    monkeypatch.setattr(sys.modules[__name__], "DRIVER", request.param)
    return str(request.param)


DRIVER = "click"


def _run(args: list[str]) -> Run:
    if DRIVER == "click":
        result = CliRunner().invoke(main, args)
        return Run(result.output, result.exit_code)
    printed = io.StringIO()
    code: int | str | None = 0
    answers: list[bool] = []
    answer = _noop._answer

    def spy(arguments: list[str]) -> bool:
        answers.append(answer(arguments))
        return answers[-1]

    with (
        contextlib.redirect_stdout(printed),
        contextlib.redirect_stderr(printed),
        mock.patch.object(_noop, "_answer", spy),
    ):
        try:
            _noop.main(args)
        except SystemExit as exit:
            code = exit.code
    return Run(
        printed.getvalue(), code if isinstance(code, int) else 1 if code else 0, any(answers)
    )


def _build_args(site: Path) -> list[str]:
    """``feedtool build`` of the site fixture's seeds into its ``out`` folder."""
    return [
        "build",
        str(site / "seeds"),
        "-o",
        str(site / "out"),
        "-c",
        str(site / "feedtool.toml"),
    ]


def _build_in_a_fresh_interpreter(
    site: Path, module: str, expression: str
) -> subprocess.CompletedProcess[str]:
    """Build the site fixture with ``module``'s ``main`` in a new Python that
    prints ``expression`` (on its ``sys``) after the build."""
    script = (
        "import sys\n"
        f"from {module} import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        f"print({expression})\n"
    )
    return _build_by_script(site, script, "-q")


def _build_by_script(site: Path, script: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """Build the site fixture in a new Python running ``script`` (which calls a
    ``main``) with the build's arguments, at the fixture's clock."""
    return subprocess.run(
        [sys.executable, "-c", script, *_build_args(site), "--no-ping", *extra],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": BEFORE},
    )


def _build(site: Path, *extra: str) -> Run:
    args = _build_args(site)
    result = _run([*args, "--no-ping", "-v", *extra])
    assert result.exit_code in (0, 1), result.output
    return result


def _quick(result: Run) -> bool:
    return QUICK in result.output


def _summary(result: Run) -> str:
    return next(line for line in result.output.splitlines() if " articles, " in line)


def _titles(site: Path) -> list[str]:
    feed = json.loads((site / "out" / "feed.json").read_text("utf-8"))
    return sorted(item["title"] for item in feed["items"])


def test_unchanged_rebuild_takes_the_fast_path_with_the_same_report(
    site: Path, driver: str
) -> None:
    first = _build(site)
    assert not _quick(first)
    # The build after a real one is a full no-op check (it leaves the stamp when
    # the first could not vouch for its reads); from then on the fast path answers.
    second = _build(site)
    third = _build(site)
    assert _quick(third)
    assert third.answered == (driver == "entry")
    assert _summary(third) == _summary(second)
    assert _summary(first).split(" (")[0] == _summary(third).split(" (")[0]
    assert "notice: embargo.txt: embargoed until 2025-12-01T09:00:00+00:00" in third.output
    assert "parsed 0, rendered 0, written 0, removed 0" in third.output


def _warm(site: Path) -> None:
    """Build until the fast path answers (it must, at the latest on the third build)."""
    for _ in range(3):
        if _quick(_build(site)):
            return
    pytest.fail("the fast path never answered an unchanged rebuild")


def test_an_edited_article_is_rebuilt(site: Path) -> None:
    _warm(site)
    _write(
        site / "seeds", "live.txt", "Ferry timetable torn up", "published = 2025-11-01T09:00:00Z"
    )
    result = _build(site)
    assert not _quick(result)
    assert "Ferry timetable torn up" in _titles(site)


def test_an_edit_that_keeps_size_and_modification_time_is_still_seen(site: Path) -> None:
    _warm(site)
    path = site / "seeds" / "other.txt"
    before = path.stat()
    path.write_text(path.read_text("utf-8").replace("frozen", "frizen"), "utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    # The change time cannot be set back: the fast path steps aside.
    assert not _quick(_build(site))


def test_an_added_and_a_removed_article_are_rebuilt(site: Path) -> None:
    _warm(site)
    _write(site / "seeds", "new.txt", "New ferry ordered", "published = 2025-11-03T09:00:00Z")
    result = _build(site)
    assert not _quick(result)
    assert "New ferry ordered" in _titles(site)
    _warm(site)
    (site / "seeds" / "new.txt").unlink()
    assert not _quick(_build(site))
    assert "New ferry ordered" not in _titles(site)


def test_a_config_change_is_rebuilt(site: Path) -> None:
    _warm(site)
    config = site / "feedtool.toml"
    config.write_text(
        config.read_text("utf-8").replace('title = "Regional Desk"', 'title = "Harbour Desk"'),
        "utf-8",
    )
    result = _build(site)
    assert not _quick(result)
    assert json.loads((site / "out" / "feed.json").read_text("utf-8"))["title"] == "Harbour Desk"


def test_a_deleted_output_is_restored(site: Path) -> None:
    _warm(site)
    feed = site / "out" / "feed.json"
    data = feed.read_bytes()
    feed.unlink()
    assert not _quick(_build(site))
    assert feed.read_bytes() == data


def test_a_deleted_page_deep_in_the_output_is_restored(site: Path) -> None:
    _warm(site)
    pages = sorted(
        p
        for p in (site / "out").rglob("*.html")
        if p.parent != site / "out" and CACHE_DIRNAME not in p.parts
    )
    page = pages[0]
    data = page.read_bytes()
    page.unlink()
    assert not _quick(_build(site))
    assert page.read_bytes() == data


def test_a_changed_state_file_is_rebuilt(site: Path) -> None:
    _warm(site)
    (site / "out" / STATE_FILENAME).unlink()
    assert not _quick(_build(site))
    assert (site / "out" / STATE_FILENAME).is_file()


def test_a_state_file_changed_in_place_is_not_answered_as_a_no_op(site: Path, driver: str) -> None:
    """The check reads and hashes the state file (in a thread, while it walks
    the seeds): the same records written otherwise are another state file."""
    _warm(site)
    path = site / "out" / STATE_FILENAME
    path.write_bytes(path.read_bytes() + b"\n")
    assert not _quick(_build(site))
    assert _quick(_build(site)) or _quick(_build(site))


def test_an_embargo_that_comes_due_is_published(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _warm(site)
    assert "Embargoed ferry results" not in _titles(site)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", AFTER)
    result = _build(site)
    assert not _quick(result)
    assert "Embargoed ferry results" in _titles(site)


def test_preview_flags_are_not_answered_by_a_normal_stamp(site: Path) -> None:
    _warm(site)
    result = _build(site, "--future")
    assert not _quick(result)
    assert "Embargoed ferry results" in _titles(site)
    # ...and back: the normal build takes the preview down again.
    result = _build(site)
    assert not _quick(result)
    assert "Embargoed ferry results" not in _titles(site)


def test_a_build_with_errors_is_never_answered_from_the_stamp(site: Path) -> None:
    (site / "seeds" / "bad.txt").write_text("+++\ndraft = 3\n+++\nBad\n\nBody text.\n", "utf-8")
    _settle(site / "seeds" / "bad.txt")
    for _ in range(3):
        result = _build(site)
        assert result.exit_code == 1
        assert "bad.txt" in result.output
        assert not _quick(result)


def test_the_fast_path_waits_for_or_refuses_a_running_build(site: Path) -> None:
    _warm(site)
    args = _build_args(site)
    with build_lock(site / "out"):
        result = _run([*args, "--no-ping"])
    assert result.exit_code == 2
    assert "another build is writing" in result.output

    acquired = threading.Event()
    finished: list[bool] = []

    def hold() -> None:
        with build_lock(site / "out"):
            acquired.set()
            time.sleep(0.5)
            finished.append(True)

    holder = threading.Thread(target=hold)
    holder.start()
    acquired.wait(5)
    try:
        result = _run([*args, "--no-ping", "-v", "--wait", "30"])
    finally:
        holder.join()
    assert finished == [True]
    assert result.exit_code == 0 and _quick(result), result.output


def test_a_library_build_leaves_no_stamp_the_cli_could_misread(site: Path) -> None:
    from feedtool import build, load_config

    _warm(site)
    config = load_config(site / "feedtool.toml")
    renamed = config.model_copy(update={"title": "Library Desk"})
    build(site / "seeds", site / "out", renamed, ping=False)
    result = _build(site)
    assert not _quick(result)
    assert json.loads((site / "out" / "feed.json").read_text("utf-8"))["title"] == "Regional Desk"


def test_the_fast_path_imports_none_of_the_pipeline(site: Path, driver: str) -> None:
    _warm(site)
    heavy = ["pydantic", "lxml", "jinja2", "feedgen", "babel", "lingua", "feedtool.render"]
    module = "feedtool.cli"
    if driver == "entry":
        # The console entry point answers before click and the package's modules.
        module = "feedtool._noop"
        heavy += ["click", "feedtool.cli", "feedtool.publish", "feedtool.store", "dataclasses"]
    loaded = f"sorted(m for m in {heavy!r} if m in sys.modules)"
    # The first run stamps for this interpreter's path (pytest's differs); the second answers.
    _build_in_a_fresh_interpreter(site, module, loaded)
    done = _build_in_a_fresh_interpreter(site, module, loaded)
    assert done.stdout.strip() == "[]", done.stderr


def test_an_edit_build_takes_the_seeds_digest_the_entry_points_check_made(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entry point's check digests the seeds it walked to find the edit; the
    build, handed that walk, takes the digest with it for its no-op stamp rather
    than sorting and hashing every article's stat again. The stamp is right: the
    next build is answered by the fast path."""
    from feedtool.publish import _quick as quick

    monkeypatch.setattr(sys.modules[__name__], "DRIVER", "entry")
    _warm(site)
    _write(
        site / "seeds", "live.txt", "Ferry timetable torn up", "published = 2025-11-01T09:00:00Z"
    )
    digests: list[int] = []
    real = quick.seeds_digest

    def spy(*args: Any) -> str:
        digests.append(len(args[0]))
        return real(*args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(quick, "seeds_digest", spy)
        edited = _build(site)
    assert "parsed 1, " in edited.output and not _quick(edited)
    assert digests == []
    assert _quick(_build(site))


def test_an_edit_build_loads_no_process_pool(site: Path) -> None:
    """A build of one edited article parses and renders in this process: the
    process pool's module (and what it loads of multiprocessing) stays unloaded."""
    _warm(site)
    _write(
        site / "seeds", "live.txt", "Ferry timetable torn up", "published = 2025-11-01T09:00:00Z"
    )
    loaded = ", ".join(
        f"{name!r} in sys.modules"
        for name in ("feedtool.publish._incremental", "concurrent.futures.process")
    )
    done = _build_in_a_fresh_interpreter(site, "feedtool._noop", loaded)
    assert done.stdout.split() == ["True", "False"], done.stderr


def test_an_edit_build_loads_no_workers_models_or_country_data(site: Path) -> None:
    """Nor does it load what only workers, model processes or a build of the
    lookup tables need (it reads the tables from the folder's file): the
    multiprocessing package, concurrent.futures (and the logging it loads),
    the workers' module and its subprocess, pycountry."""
    _warm(site)
    names = (
        "multiprocessing",
        "concurrent.futures",
        "logging",
        "feedtool._workers",
        "feedtool.publish._models",
        "subprocess",
        "pycountry",
    )
    loaded = f"sorted(m for m in {names!r} if m in sys.modules)"
    # The first edit keeps the tables for this interpreter's path (pytest's differs).
    for headline in ("Ferry timetable torn up", "Ferry timetable restored"):
        _write(site / "seeds", "live.txt", headline, "published = 2025-11-01T09:00:00Z")
        done = _build_in_a_fresh_interpreter(site, "feedtool._noop", loaded)
    assert headline in _titles(site)
    assert done.stdout.strip() == "[]", done.stderr


#: Run as ``feedtool build ...`` is (``main()`` reads ``sys.argv``): on its way out
#: the process prints how many refs are alive (the collector's view, nothing frozen).
_REFS_AT_EXIT = """\
import atexit, gc, sys
from feedtool.render import ItemRef
def count():
    gc.unfreeze()
    print(sum(type(o) is ItemRef for o in gc.get_objects()))
atexit.register(count)
from feedtool._noop import main
main()
"""


def test_an_edit_build_by_the_command_keeps_its_refs_until_the_process_ends(
    site: Path,
) -> None:
    """``feedtool build`` ends its process with ``os._exit`` once the build is
    reported: the refs (and stamps, site, records) the build lets go of as it
    returns are not freed one by one (at 20,000 articles, about a million
    objects an edit's end spent some 20-30 ms on), the system takes the memory
    back. A build called as a library frees them (``serve`` builds for hours)."""
    _warm(site)
    _write(
        site / "seeds", "live.txt", "Ferry timetable torn up", "published = 2025-11-01T09:00:00Z"
    )
    done = _build_by_script(site, _REFS_AT_EXIT, "-q")
    # The two published articles' refs: the one edited, the other from the store.
    assert done.stdout.split() == ["2"], done.stderr
    from feedtool.render import ItemRef

    def alive() -> int:
        return sum(type(o) is ItemRef for o in gc.get_objects())

    _write(site / "seeds", "live.txt", "Ferry timetable back", "published = 2025-11-01T09:00:00Z")
    before = alive()
    edited = _build(site)
    assert "parsed 1, " in edited.output
    assert alive() == before


#: ``feedtool build ...`` with the no-op check made beside the loading at any
#: state file's size (``_answer_beside``), printing on its way out the lengths of
#: the walks the build went through row by row (``_indexed``).
_ROWS_AT_EXIT = """\
import atexit, sys
import feedtool._noop as noop
import feedtool.publish._incremental as incremental
noop._BESIDE_MIN_STATE_BYTES = 0
rows = []
real = incremental._indexed
def indexed(walked):
    rows.append(len(walked))
    return real(walked)
incremental._indexed = indexed
atexit.register(lambda: print(rows))
noop.main()
"""


def test_an_edit_build_takes_the_settled_articles_of_the_handed_walk_whole(
    site: Path,
) -> None:
    """The entry point's forked check hands the build its walk and the articles it
    found settled (``known_of_walk``): their hashes are taken whole, and only the
    other rows are looked at one by one (at 20,000 articles the loop over every
    row was ~25 ms of an edit). The build is right: the next one has nothing to do."""

    def edit(headline: str) -> subprocess.CompletedProcess[str]:
        _write(site / "seeds", "live.txt", headline, "published = 2025-11-01T09:00:00Z")
        return _build_by_script(site, _ROWS_AT_EXIT, "-v")

    _warm(site)
    # The stamp of a build in a new Python (this one's code identity differs).
    edit("Ferry timetable redrawn")
    done = edit("Ferry timetable torn up")
    assert "parsed 1, " in done.stderr, done.stderr
    assert done.stdout.split()[-1] == "[]", done.stdout
    assert "parsed 0, rendered 0, written 0, removed 0" in _build(site).output
    assert "Ferry timetable torn up" in _titles(site)


def test_the_cli_default_config_name_is_the_library_one() -> None:
    from feedtool import cli, config

    assert cli.CONFIG_FILENAME == config.CONFIG_FILENAME


def _plain(result: Run) -> str:
    return "\n".join(line for line in result.output.splitlines() if QUICK not in line)


def test_both_fast_paths_print_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = _site(tmp_path, monkeypatch)
    seeds = site / "seeds"
    (seeds / "README.md").write_text("Notes, not an article.\n", "utf-8")
    (seeds / "desk").mkdir()
    (seeds / "desk" / "list.html").write_text("<p>a list</p>\n", "utf-8")
    _write(seeds / "desk", "late.txt", "Late ferry", "published = 2025-11-04T09:00:00Z")
    _write(seeds, "draft.txt", "Draft ferry", "draft = true")
    for path in (seeds / "desk", seeds):
        _settle(path)
    _warm(site)
    printed = {}
    for name in ("click", "entry"):
        monkeypatch.setattr(sys.modules[__name__], "DRIVER", name)
        for extra in ((), ("-q",)):
            result = _build(site, *extra)
            assert _quick(result) or extra, result.output
            assert result.answered == (name == "entry")
            printed[name, extra] = _plain(result)
    assert printed["entry", ()] == printed["click", ()]
    assert printed["entry", ("-q",)] == printed["click", ("-q",)]
    full = printed["entry", ()]
    assert "README.md: not read" in full and "desk/list.html: not read" in full
    assert "notice: draft.txt: draft (draft = true)" in full
    assert "embargoed until 2025-12-01T09:00:00+00:00" in full
    assert " articles, " in full


def test_a_seeds_folder_with_notices_is_answered_by_the_click_fast_path(site: Path) -> None:
    hidden = site / "seeds" / ".hidden.txt"
    hidden.write_text("Hidden\n\nNot published.\n", "utf-8")
    _settle(hidden)
    _settle(site / "seeds")
    _warm(site)
    result = _build(site)
    assert _quick(result) and not result.answered
    assert "hidden file (its name starts with a dot): not published" in result.output


def test_the_light_walk_finds_what_the_scan_finds(tmp_path: Path) -> None:
    from feedtool.publish._quick import seed_stat
    from feedtool.publish._seeds import scan_seeds

    seeds = tmp_path / "seeds"
    (seeds / "a" / "b").mkdir(parents=True)
    (seeds / ".git").mkdir()
    for name in ("x.txt", "a/y.txt", "a/b/z.txt", "a-b.txt", "a/notes.md", ".git/HEAD", ".x.md"):
        (seeds / name).write_text("text\n", "utf-8")
    stats, others = _stamp.walk_seeds(str(seeds))
    scan = scan_seeds(seeds)
    assert not scan.warnings
    assert sorted(stats) == sorted(
        (p.relative_to(seeds).as_posix(), seed_stat(p)) for p in scan.paths
    )
    assert sorted(seeds / o for o in others) == list(scan.others)
    # What the scan would warn about is left to it.
    for make in (
        lambda: (seeds / "link.txt").symlink_to(seeds / "x.txt"),
        lambda: (seeds / ".draft.txt").write_text("text\n", "utf-8"),
        lambda: (seeds / "a" / ".old").mkdir(),
    ):
        make()
        assert scan_seeds(seeds).warnings
        with pytest.raises(_stamp.Unsure):
            _stamp.walk_seeds(str(seeds))
        for path in (seeds / "link.txt", seeds / ".draft.txt"):
            path.unlink(missing_ok=True)


@pytest.mark.parametrize(
    "args",
    [
        ["-qv"],
        ["--help"],
        ["-h"],
        ["a", "b"],
        ["--jobs", "0"],
        ["-j", "x"],
        ["--wait", "-1"],
        ["--wait=nan"],
        ["-o"],
        ["-o", "-q"],
        ["--out="],
        ["--"],
        ["--verbos"],
    ],
)
def test_the_entry_point_leaves_unusual_arguments_to_click(args: list[str]) -> None:
    assert _noop._arguments(args) is None


def test_the_entry_point_reads_the_build_options() -> None:
    options = _noop._arguments(
        ["s", "-oout", "--config=c.toml", "-j", "2", "--wait", "1.5", "-D", "--future", "-q"]
    )
    assert options is not None
    assert (options["seeds"], options["out"], options["config"]) == ("s", "out", "c.toml")
    assert options["drafts"] and options["future"] and options["quiet"]
    assert not options["verbose"]
    defaults = _noop._arguments([])
    assert defaults is not None
    assert (defaults["seeds"], defaults["out"], defaults["config"]) == (
        "seeds",
        "feeds",
        "feedtool.toml",
    )


@given(st.text(alphabet="/.ab", max_size=12))
def test_paths_print_as_click_prints_them(text: str) -> None:
    assert _noop._pure_path(text) == str(PurePosixPath(text))


def test_the_stamps_names_agree_with_the_packages() -> None:
    from feedtool import _lock, store
    from feedtool.publish import _seeds, _state

    assert _stamp.CACHE_DIRNAME == store.CACHE_DIRNAME
    assert _stamp.STORE_FILENAME == store.STORE_FILENAME
    assert _stamp.LOCK_FILENAME == _lock.LOCK_FILENAME
    assert _stamp.STATE_FILENAME == _state.STATE_FILENAME
    assert _stamp.ARTICLE_SUFFIX == _seeds.ARTICLE_SUFFIX
    assert _stamp.QUIET_HIDDEN == _seeds._QUIET_HIDDEN


def test_an_edit_found_by_the_entry_point_is_not_checked_again_by_the_cli(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entry point's no-op check walked the seeds and found the edit: the click
    CLI it hands over to builds without repeating that check; the next command
    (a no-op) is answered again."""
    monkeypatch.setattr(sys.modules[__name__], "DRIVER", "entry")
    _warm(site)
    from feedtool.publish import _quick as quick

    checks: list[bool] = []
    real = quick.check

    def spy(*args: object, **kwargs: object) -> object:
        found = real(*args, **kwargs)  # type: ignore[arg-type]
        checks.append(found is not None)
        return found

    monkeypatch.setattr(quick, "check", spy)
    _write(
        site / "seeds", "live.txt", "Ferry timetable torn up", "published = 2025-11-01T09:00:00Z"
    )
    _settle(site / "seeds" / "live.txt")
    edited = _build(site)
    assert not edited.answered and not _quick(edited) and checks == []
    assert "Ferry timetable torn up" in _titles(site)
    assert _stamp._missed is None
    again = _build(site)
    assert again.answered and _quick(again)
    # The CLI alone (no entry point before it) still checks, and answers a no-op.
    monkeypatch.setattr(sys.modules[__name__], "DRIVER", "click")
    assert _quick(_build(site)) and checks == [True]


def test_the_build_after_the_entry_point_uses_its_walk_of_the_seeds(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit found by the entry point's walk is built from that walk: the seeds are
    not scanned (and every article not stat'ed) again, and the result is what a
    clean build from the same state file writes."""
    monkeypatch.setattr(sys.modules[__name__], "DRIVER", "entry")
    (site / "seeds" / "desk").mkdir()
    _write(site / "seeds" / "desk", "late.txt", "Late ferry", "published = 2025-11-03T09:00:00Z")
    _write(site / "seeds", "notes.md", "Not an article")
    _warm(site)
    from feedtool.publish import _seeds as seeds_module

    scans: list[object] = []
    walks: list[str] = []
    stats: list[str] = []
    real_scan, real_walk, real_stat = seeds_module.scan_seeds, _stamp.walk_seeds, os.stat

    def scan_spy(seeds: Path) -> object:
        scans.append(seeds)
        return real_scan(seeds)

    def walk_spy(seeds: str) -> object:
        walks.append(seeds)
        return real_walk(seeds)

    def stat_spy(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        if str(path).startswith(str(site / "seeds")) and str(path).endswith(".txt"):
            stats.append(str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(seeds_module, "scan_seeds", scan_spy)
    monkeypatch.setattr(_stamp, "walk_seeds", walk_spy)
    _write(
        site / "seeds" / "desk",
        "late.txt",
        "Late ferry, corrected",
        "published = 2025-11-03T09:00:00Z",
    )
    with mock.patch("os.stat", stat_spy):
        edited = _build(site)
    assert not edited.answered and not _quick(edited)
    assert "parsed 1," in edited.output
    # One walk (the entry point's), no scan, no article stat'ed again.
    assert len(walks) == 1 and scans == [] and stats == []
    # The other file is still named, by its path under the seeds folder.
    assert f"notice: {site / 'seeds' / 'notes.md'}: not read" in edited.output
    assert "Late ferry, corrected" in _titles(site)
    # The walk was used once: the next build (a no-op) is answered again.
    assert _stamp._taken_walk is None
    clean = site / "clean"
    clean.mkdir()
    shutil.copy(site / "out" / STATE_FILENAME, clean / STATE_FILENAME)
    monkeypatch.setattr(seeds_module, "scan_seeds", real_scan)
    args = ["build", str(site / "seeds"), "-o", str(clean), "-c", str(site / "feedtool.toml")]
    assert _run([*args, "--no-ping", "-q"]).exit_code == 0
    assert output_tree(site / "out") == output_tree(clean)


@given(
    st.lists(
        st.tuples(st.text(min_size=1), st.tuples(*[st.integers(-(2**63), 2**64)] * 4)),
        max_size=6,
        unique_by=lambda row: row[0],
    ),
    st.data(),
)
def test_the_seeds_digest_changes_with_any_name_or_number(
    rows: list[tuple[str, tuple[int, int, int, int]]], data: st.DataObject
) -> None:
    """``rows_digest`` (names joined, numbers packed, or as text beyond 64 bits)
    tells apart seeds that differ in one name or one number, whatever their order."""
    digest = _stamp.seeds_digest(rows, ())
    assert _stamp.seeds_digest(list(reversed(rows)), ()) == digest
    assert _stamp.seeds_digest(rows, ("a notice",)) != digest
    assert _stamp.seeds_digest([*rows, ("another.txt", (1, 2, 3, 4))], ()) != digest
    if not rows:
        return
    index = data.draw(st.integers(0, len(rows) - 1))
    name, stat = rows[index]
    field = data.draw(st.integers(0, 3))
    changed = list(rows)
    changed[index] = (name, tuple(n + 1 if i == field else n for i, n in enumerate(stat)))
    assert _stamp.seeds_digest(changed, ()) != digest
    renamed = list(rows)
    renamed[index] = (name + "x", stat)
    if (name + "x") not in dict(rows):
        assert _stamp.seeds_digest(renamed, ()) != digest


def test_the_state_file_the_check_read_is_handed_to_the_build_only_while_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entry point's check reads and hashes the state file; the build that
    takes the miss over gets those bytes (once), unless the file was replaced
    or written since, or had just been written when it was read."""
    path = tmp_path / STATE_FILENAME
    args = ("seeds", os.fspath(tmp_path), b"config", False, False)
    settled = time.time() - 60
    monkeypatch.setattr(_stamp, "RACY_NS", 200_000_000)

    def read(data: bytes) -> str:
        path.write_bytes(data)
        os.utime(path, (settled, settled))
        # The change time cannot be set back: wait until it is far enough behind.
        time.sleep(max(0.0, os.stat(path).st_ctime + 0.3 - time.time()))
        digest = _stamp._read_state(os.fspath(path))
        _stamp.note_miss(*args)
        return digest

    try:
        digest = read(b"one")
        assert _stamp.take_miss(*args)
        assert _stamp.take_state(os.fspath(path)) == (b"one", digest)
        assert _stamp.take_state(os.fspath(path)) is None  # handed over once
        read(b"two")
        path.write_bytes(b"three")  # in place, after the read
        assert _stamp.take_miss(*args) and _stamp.take_state(os.fspath(path)) is None
        read(b"four")
        (tmp_path / "new").write_bytes(b"four")
        os.replace(tmp_path / "new", path)  # as a build writes it: another file
        assert _stamp.take_miss(*args) and _stamp.take_state(os.fspath(path)) is None
        path.write_bytes(b"five")  # just written: its times may not show the next write
        _stamp._read_state(os.fspath(path))
        _stamp.note_miss(*args)
        assert _stamp.take_miss(*args) and _stamp.take_state(os.fspath(path)) is None
    finally:
        _stamp.forget_miss()


# The console command itself (``main()`` with the process's own arguments): its
# check is made by a forked child while the process loads the build's modules.
# Each walk of the seeds is logged with the process that made it.
_COMMAND = """
import os, sys
from feedtool import _noop, _stamp
log = sys.argv.pop(1)
parent = os.getpid()
real_walk = _stamp.walk_seeds

def walk(seeds):
    with open(log, "a", encoding="utf-8") as file:
        file.write("parent\\n" if os.getpid() == parent else "child\\n")
    return real_walk(seeds)

_stamp.walk_seeds = walk
if sys.argv[1] == "--small":  # the archive's real size decides
    del sys.argv[1]
else:
    _noop._BESIDE_MIN_STATE_BYTES = 0
if sys.argv[1] == "--child-fails":
    del sys.argv[1]
    real_check = _noop._check

    def check(*args):
        if os.getpid() != parent:
            os._exit(3)
        return real_check(*args)

    _noop._check = check
_noop.main()
"""


@pytest.mark.parametrize(
    ("fails", "small"),
    [(False, False), (True, False), (False, True)],
    ids=["child", "child fails", "small archive"],
)
def test_the_console_command_checks_in_a_child_while_it_loads_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fails: bool, small: bool
) -> None:
    """A no-op is answered from the child's check (the same lines); after an
    edit the build takes over the child's walk of the seeds (no walk of its
    own) and writes what a clean build from the same state file writes. When
    the child fails, or the archive is small (its state file under
    ``_BESIDE_MIN_STATE_BYTES``), the command checks by itself."""

    site = _site(tmp_path, monkeypatch)
    seeds, out, config = site / "seeds", site / "out", site / "feedtool.toml"
    log = tmp_path / "walks.log"

    def command() -> tuple[str, list[str]]:
        log.write_text("", "utf-8")
        flags = (["--small"] if small else []) + (["--child-fails"] if fails else [])
        args = ["build", str(seeds), "-o", str(out), "-c", str(config), "--no-ping", "-v"]
        done = subprocess.run(
            [sys.executable, "-c", _COMMAND, str(log), *flags, *args],
            capture_output=True,
            text=True,
            env={**os.environ, "SOURCE_DATE_EPOCH": BEFORE},
        )
        assert done.returncode == 0, done.stderr
        return done.stderr + done.stdout, log.read_text("utf-8").split()

    walker = ["parent"] if fails or small else ["child"]
    for _ in range(3):  # the first builds stamp for this interpreter's path
        output, walks = command()
    assert QUICK in output and "0 written" in output and walks == walker
    again, walks = command()
    assert again.split(QUICK)[0] == output.split(QUICK)[0] and walks == walker
    _write(seeds, "live.txt", "Ferry timetable torn up", "published = 2025-11-01T09:00:00Z")
    output, walks = command()
    assert QUICK not in output and "parsed 1," in output
    assert walks == walker  # one walk: the build used the check's
    _assert_as_clean_build(seeds, out, config, tmp_path / "clean")


@given(
    st.lists(
        st.lists(
            st.text(
                st.characters(exclude_characters="/\0", exclude_categories=("Cs",)), min_size=1
            ),
            min_size=1,
            max_size=3,
        ).map("/".join),
        unique=True,
        max_size=12,
    )
)
def test_the_walk_is_ordered_by_the_parts_of_its_paths(paths: list[str]) -> None:
    """``SeedScan.of_walk`` orders the articles as their paths' parts compare
    ('a/z.txt' before 'a.txt'), as the full scan does."""
    from feedtool.publish._seeds import SeedScan

    scan = SeedScan.of_walk(Path("seeds"), [(p, (0, 0, 0, 0)) for p in reversed(paths)], [])
    assert scan.stats is not None
    assert [relative for relative, _ in scan.stats] == sorted(paths, key=lambda p: p.split("/"))


def test_the_modules_loaded_beside_the_check_leave_rnc2rng_out() -> None:
    """The console command's loading steps (``_BUILD_MODULES``) import lxml the way
    the renderers do (``feedtool.render._lxml``): ``lxml.etree`` imported bare
    imports rnc2rng when it is installed, which builds its parser as it loads."""
    import importlib.util

    if importlib.util.find_spec("rnc2rng") is None:
        pytest.skip("rnc2rng is not installed: lxml cannot import it")
    code = (
        "import sys\n"
        "from importlib import import_module\n"
        "from feedtool._noop import _BUILD_MODULES\n"
        "for name in _BUILD_MODULES:\n"
        "    import_module(name)\n"
        "print('lxml.etree' in sys.modules, 'rnc2rng' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "False"]


# A console command whose interpreter finalisation shows: an object held by
# ``sys.modules`` alone (in no cycle, which a frozen collector would keep) says
# when the modules are torn down, an exit handler when it runs.
_TEARDOWN = """
import atexit, os, sys
from feedtool import _noop


class Watch:
    # (``os`` itself may be gone from the module by then.)
    def __del__(self, write=os.write):
        write(2, b"torn down\\n")


sys.modules["feedtool-test-watch"] = Watch()
atexit.register(os.write, 2, b"exit handler\\n")
_noop.main()
"""


def test_the_console_build_ends_without_the_interpreter_teardown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``feedtool build`` ends its process once the build is done, its output
    flushed and the exit handlers run, with the build's status (1 when an
    article failed), without tearing every module down; other commands end as
    usual."""
    site = _site(tmp_path, monkeypatch)
    seeds = site / "seeds"

    def command(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", _TEARDOWN, *args],
            capture_output=True,
            text=True,
            env={**os.environ, "SOURCE_DATE_EPOCH": BEFORE},
        )

    build = ["build", str(seeds), "-o", str(site / "out"), "-c", str(site / "feedtool.toml")]
    for _ in range(2):  # a build, then a no-op answered by the click CLI or the entry point
        done = command(*build, "--no-ping")
        assert done.returncode == 0, done.stderr
        assert "3 articles" in done.stdout or "2 articles" in done.stdout
        assert "exit handler" in done.stderr and "torn down" not in done.stderr
    (seeds / "broken.txt").write_bytes(b"")
    failed = command(*build, "--no-ping")
    assert failed.returncode == 1 and "error:" in failed.stderr and "broken.txt" in failed.stderr
    assert "exit handler" in failed.stderr and "torn down" not in failed.stderr
    other = command("--version")
    assert other.returncode == 0 and "exit handler" in other.stderr and "torn down" in other.stderr


# The console command, checking beside its loading whatever the archive's size,
# with each read of the store's article stats logged by the process that made it.
_STATS_COMMAND = """
import os, sys
from feedtool import _noop, store
log = sys.argv.pop(1)
parent = os.getpid()
_noop._BESIDE_MIN_STATE_BYTES = 0
item_stats = store.SqliteStore.item_stats

def logged(self):
    with open(log, "a", encoding="utf-8") as file:
        file.write("parent\\n" if os.getpid() == parent else "child\\n")
    return item_stats(self)

store.SqliteStore.item_stats = logged
_noop.main()
"""


def _assert_as_clean_build(seeds: Path, out: Path, config: Path, clean: Path) -> None:
    """``out`` holds what a clean build of ``seeds`` into ``clean`` writes, from
    ``out``'s state file (so the same ids and first-publication dates)."""
    from feedtool import build, load_config

    clean.mkdir()
    shutil.copy(out / STATE_FILENAME, clean / STATE_FILENAME)
    build(seeds, clean, load_config(config), ping=False)
    assert output_tree(out) == output_tree(clean)


def _build_counting_stats(seeds: Path, out: Path, config: Path, log: Path) -> tuple[str, list[str]]:
    """A verbose console build (in a new Python, through ``_STATS_COMMAND``): its
    output, and the article stats the build read from the store itself (logged)."""
    log.write_text("", "utf-8")
    args = ["build", str(seeds), "-o", str(out), "-c", str(config), "--no-ping", "-v"]
    done = subprocess.run(
        [sys.executable, "-c", _STATS_COMMAND, str(log), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": BEFORE},
    )
    assert done.returncode == 0, done.stderr
    return done.stderr + done.stdout, log.read_text("utf-8").split()


def test_the_build_after_the_entry_point_uses_its_comparison_with_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an edit, the forked check hands the build what the store recorded of
    the walked articles (``known_of_walk``): the build reads no article stats
    of its own, parses the edited and the added article only, forgets the
    removed one, and writes what a clean build from the same state file writes."""

    site = _site(tmp_path, monkeypatch)
    seeds, out, config = site / "seeds", site / "out", site / "feedtool.toml"

    def command() -> tuple[str, list[str]]:
        return _build_counting_stats(seeds, out, config, tmp_path / "stats.log")

    for _ in range(3):  # the first builds stamp for this interpreter's path
        output, reads = command()
    assert QUICK in output
    _write(seeds, "live.txt", "Ferry timetable torn up", "published = 2025-11-01T09:00:00Z")
    _write(seeds, "added.txt", "Ferry fares to rise", "published = 2025-11-03T09:00:00Z")
    (seeds / "other.txt").unlink()
    output, reads = command()
    assert QUICK not in output and "parsed 2," in output
    assert reads == []  # the stats came from the check (its own query, not the store's)
    _assert_as_clean_build(seeds, out, config, tmp_path / "clean")


def test_an_edit_after_a_build_that_left_no_stamp_takes_the_checks_walk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that read an article within ``RACY_NS`` of its change (an edit
    published at once) leaves no stamp; the next edit's forked check walks the
    seeds and compares them with the store all the same (``walk_anyway``), so
    that build reads no article stats of its own either, and writes what a
    clean build from the same state file writes."""

    site = _site(tmp_path, monkeypatch)
    seeds, out, config = site / "seeds", site / "out", site / "feedtool.toml"

    def command() -> tuple[str, list[str]]:
        return _build_counting_stats(seeds, out, config, tmp_path / "stats.log")

    def edit(headline: str) -> None:  # not settled: read at once by the build
        front = "published = 2025-11-01T09:00:00Z"
        (seeds / "live.txt").write_text(ARTICLE.format(front=front, headline=headline), "utf-8")

    for _ in range(3):  # the first builds stamp for this interpreter's path
        output, reads = command()
    assert QUICK in output
    edit("Ferry timetable torn up")
    output, reads = command()
    assert "parsed 1," in output
    assert _stamp.read_stamp(str(out)) is None  # read in the second it changed
    edit("Ferry timetable torn up again")
    output, reads = command()
    assert QUICK not in output and "parsed 1," in output
    assert reads == []  # the stats came from the check (its own query, not the store's)
    _assert_as_clean_build(seeds, out, config, tmp_path / "clean")


def test_the_checks_comparison_with_the_store_is_the_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``known_of_walk`` reads the rows ``item_stats`` reads and compares them as
    the build's scan does: an article with the recorded size and time, read long
    after, is settled (with its hash); an edited one, one touched, one just
    written and a new one are not; a removed one is gone."""
    from feedtool import build, load_config
    from feedtool.store import SqliteStore

    site = _site(tmp_path, monkeypatch)
    seeds, out = site / "seeds", site / "out"
    build(seeds, out, load_config(site / "feedtool.toml"), ping=False)
    store = SqliteStore(out)
    try:
        recorded = store.item_stats()
        key = recorded["live.txt"][5]
    finally:
        store.close()
    assert _stamp.known_of_walk(str(out), _stamp.walk_seeds(str(seeds))[0]) == (
        mock.ANY,
        key,
        {path: row[4] for path, row in recorded.items()},
        {},
        [],
    )
    _write(seeds, "live.txt", "Ferry timetable torn up")  # edited (and settled)
    os.utime(seeds / "other.txt")  # touched: the same bytes, read just now
    (seeds / "embargo.txt").unlink()
    _write(seeds, "added.txt", "Ferry fares to rise")
    last, found_key, settled, rows, gone = _stamp.known_of_walk(
        str(out), _stamp.walk_seeds(str(seeds))[0]
    )
    assert last is not None and found_key is None and settled == {}
    assert {path: tuple(row) for path, row in rows.items()} == {
        path: tuple(recorded[path]) for path in ("live.txt", "other.txt")
    }
    assert gone == ["embargo.txt"]


@pytest.mark.parametrize("since", ["no build", "another build"])
def test_the_checks_comparison_is_used_only_if_no_build_wrote_the_store_since(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, since: str
) -> None:
    """The build takes the check's comparison with the store only while the store's
    last complete build is the one the check saw; else it reads the stats itself."""
    from feedtool import build, load_config
    from feedtool.store import SqliteStore

    site = _site(tmp_path, monkeypatch)
    seeds, out, config = site / "seeds", site / "out", site / "feedtool.toml"
    build(seeds, out, load_config(config), ping=False)
    _write(seeds, "live.txt", "Ferry timetable torn up", "published = 2025-11-01T09:00:00Z")
    walk = _stamp.walk_seeds(str(seeds))
    known = _stamp.known_of_walk(str(out), walk[0])
    assert known is not None
    if since == "another build":
        known = ("the fingerprint of another build", *known[1:])
    source = config.read_bytes()
    _stamp.hand_over(
        _stamp._miss_key(str(seeds), str(out), source, False, False), walk, None, known
    )
    reads: list[str] = []
    item_stats = SqliteStore.item_stats

    def logged(self: SqliteStore) -> Any:
        reads.append("read")
        return item_stats(self)

    monkeypatch.setattr(SqliteStore, "item_stats", logged)
    result = CliRunner().invoke(
        main, ["build", str(seeds), "-o", str(out), "-c", str(config), "--no-ping", "-v"]
    )
    assert result.exit_code == 0, result.output
    assert "parsed 1," in result.output
    assert reads == ([] if since == "no build" else ["read"])
    _assert_as_clean_build(seeds, out, config, tmp_path / "clean")
