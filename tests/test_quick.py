"""The no-op fast path of ``feedtool build``: nothing changed → answered from the store
without importing the pipeline; anything changed → the real build runs.

The fast path shows itself in ``--verbose`` as its single timing line,
``no-op check``; the real build lists its phases instead.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

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
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
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


def _build(site: Path, *extra: str) -> Result:
    args = [
        "build",
        str(site / "seeds"),
        "-o",
        str(site / "out"),
        "-c",
        str(site / "feedtool.toml"),
    ]
    result = CliRunner().invoke(main, [*args, "--no-ping", "-v", *extra])
    assert result.exit_code in (0, 1), result.output
    return result


def _quick(result: Result) -> bool:
    return QUICK in result.output


def _summary(result: Result) -> str:
    return next(line for line in result.output.splitlines() if " articles, " in line)


def _titles(site: Path) -> list[str]:
    feed = json.loads((site / "out" / "feed.json").read_text("utf-8"))
    return sorted(item["title"] for item in feed["items"])


def test_unchanged_rebuild_takes_the_fast_path_with_the_same_report(site: Path) -> None:
    first = _build(site)
    assert not _quick(first)
    # The build after a real one is a full no-op check (it leaves the stamp when
    # the first could not vouch for its reads); from then on the fast path answers.
    second = _build(site)
    third = _build(site)
    assert _quick(third)
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
    args = [
        "build",
        str(site / "seeds"),
        "-o",
        str(site / "out"),
        "-c",
        str(site / "feedtool.toml"),
    ]
    with build_lock(site / "out"):
        result = CliRunner().invoke(main, [*args, "--no-ping"])
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
        result = CliRunner().invoke(main, [*args, "--no-ping", "-v", "--wait", "30"])
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


def test_the_fast_path_imports_none_of_the_pipeline(site: Path) -> None:
    _warm(site)
    heavy = ["pydantic", "lxml", "jinja2", "feedgen", "babel", "lingua", "feedtool.render"]
    script = (
        "import sys\n"
        "from feedtool.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))\n"
    )
    args = [
        "build",
        str(site / "seeds"),
        "-o",
        str(site / "out"),
        "-c",
        str(site / "feedtool.toml"),
    ]
    # The first run stamps for this interpreter's path (pytest's differs); the second answers.
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", script, *args, "--no-ping", "-q"],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "SOURCE_DATE_EPOCH": BEFORE},
        )
    assert done.stdout.strip() == "[]", done.stderr


def test_the_cli_default_config_name_is_the_library_one() -> None:
    from feedtool import cli, config

    assert cli.CONFIG_FILENAME == config.CONFIG_FILENAME
