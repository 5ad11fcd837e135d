"""Hostile state, duplicate ids, moving ids, crashes (issue 11, cases 1, 2, 6 and 9)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from conftest import output_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedtool import build, load_config
from feedtool.cli import main
from feedtool.config import Config
from feedtool.errors import PublishError
from feedtool.publish import _state, clean_temporaries
from feedtool.publish._state import STATE_FILENAME, State, _all_safe, _dump, _Entry, safe_relative
from feedtool.store import CACHE_DIRNAME

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def config() -> Config:
    config = load_config(ROOT / "feedtool.toml")
    return config.model_copy(update={"enrich": config.enrich.model_copy(update={"enabled": ()})})


def _article(headline: str, body: str, front: str = "") -> str:
    head = f"+++\n{front}+++\n" if front else ""
    return f"{head}{headline}\n\n{body}\n\nA second paragraph follows the first one.\n"


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "m.txt").write_text(_article("Market opens higher", "Shares rose early."), "utf-8")
    (folder / "p.txt").write_text(_article("Port strike ends", "Dockers went back."), "utf-8")
    return folder


def _ids(out: Path) -> dict[str, str]:
    parsed = feedparser.parse((out / "atom.xml").read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return {entry.title: entry.id for entry in parsed.entries}


# --------------------------------------------------------------------------- case 1


def test_duplicate_front_matter_ids_are_an_error_naming_both_files(
    seeds: Path, tmp_path: Path, config: Config
) -> None:
    front = 'id = "tag:news.example.org,2025-01-01:one"\n'
    (seeds / "a.txt").write_text(_article("First claimant", "Alpha body text.", front), "utf-8")
    (seeds / "b.txt").write_text(_article("Second claimant", "Beta body text.", front), "utf-8")
    out = tmp_path / "out"
    report = build(seeds, out, config, ping=False)
    assert len(report.errors) == 1
    message = str(report.errors[0])
    assert "b.txt" in message and "a.txt" in message
    # The first file keeps the id, with its own headline and body (never mixed).
    page = (out / "articles" / "first-claimant.html").read_text("utf-8")
    assert "Alpha body text." in page and "Beta body text." not in page
    assert not (out / "articles" / "second-claimant.html").exists()
    assert _ids(out)["First claimant"] == "tag:news.example.org,2025-01-01:one"


def test_a_copy_never_takes_the_published_owner_of_an_id(
    seeds: Path, tmp_path: Path, config: Config
) -> None:
    front = 'id = "tag:news.example.org,2025-01-01:one"\n'
    (seeds / "z.txt").write_text(_article("Original owner", "Owner body.", front), "utf-8")
    out = tmp_path / "out"
    assert build(seeds, out, config, ping=False).ok
    # A later file sorting first copies the id: the published file keeps it.
    (seeds / "a.txt").write_text(_article("Copycat", "Copy body.", front), "utf-8")
    report = build(seeds, out, config, ping=False)
    assert len(report.errors) == 1 and "a.txt" in str(report.errors[0])
    assert _ids(out)["Original owner"] == "tag:news.example.org,2025-01-01:one"


# --------------------------------------------------------------------------- case 6


def test_a_new_file_with_a_published_headline_never_takes_its_id(
    seeds: Path, tmp_path: Path, config: Config
) -> None:
    out = tmp_path / "out"
    build(seeds, out, config, ping=False)
    before = _ids(out)["Port strike ends"]
    # Same headline, other story, a path that sorts first.
    (seeds / "a.txt").write_text(_article("Port strike ends", "Another port, elsewhere."), "utf-8")
    build(seeds, out, config, ping=False)
    state = json.loads((out / STATE_FILENAME).read_text("utf-8"))
    by_path = {entry["path"]: entry["id"] for entry in state["articles"].values()}
    assert by_path["p.txt"] == before
    assert by_path["a.txt"] != before
    page = (out / "articles" / "port-strike-ends.html").read_text("utf-8")
    assert "Dockers went back." in page


def test_a_renamed_and_edited_file_keeps_its_id_by_headline(
    seeds: Path, tmp_path: Path, config: Config
) -> None:
    out = tmp_path / "out"
    build(seeds, out, config, ping=False)
    before = _ids(out)["Port strike ends"]
    (seeds / "p.txt").unlink()
    (seeds / "port.txt").write_text(_article("Port strike ends", "Dockers returned."), "utf-8")
    build(seeds, out, config, ping=False)
    assert _ids(out)["Port strike ends"] == before


# --------------------------------------------------------------------------- case 2


def _state_with(out: Path, **changes: object) -> None:
    path = out / STATE_FILENAME
    state = json.loads(path.read_text("utf-8"))
    state.update(changes)
    path.write_text(json.dumps(state), "utf-8")


@pytest.mark.parametrize("entry", ["../outside.txt", "/etc/hostname", "a/../../x", ".git/config"])
def test_state_file_paths_outside_the_output_are_refused(
    seeds: Path, tmp_path: Path, config: Config, entry: str
) -> None:
    out = tmp_path / "out"
    build(seeds, out, config, ping=False)
    victim = tmp_path / "outside.txt"
    victim.write_text("keep me", "utf-8")
    _state_with(out, files=[entry])
    with pytest.raises(PublishError, match="not a path inside the output folder") as caught:
        build(seeds, out, config, ping=False)
    assert STATE_FILENAME in str(caught.value)
    assert victim.read_text("utf-8") == "keep me"


def test_a_crafted_slug_in_the_state_is_refused(
    seeds: Path, tmp_path: Path, config: Config
) -> None:
    out = tmp_path / "out"
    build(seeds, out, config, ping=False)
    state = json.loads((out / STATE_FILENAME).read_text("utf-8"))
    for entry in state["articles"].values():
        entry["slug"] = "../../../x/pwned"
    (out / STATE_FILENAME).write_text(json.dumps(state), "utf-8")
    with pytest.raises(PublishError, match="is not a slug"):
        build(seeds, out, config, ping=False)
    assert not (tmp_path / "x").exists()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    files=st.lists(
        st.text(alphabet="./abc\\\x00-_~ ", min_size=1, max_size=12), min_size=1, max_size=4
    ),
    slug=st.text(alphabet="./abcxyz-_ \\", min_size=1, max_size=14),
)
def test_no_state_file_makes_a_build_touch_anything_outside(
    tmp_path_factory: pytest.TempPathFactory, config: Config, files: list[str], slug: str
) -> None:
    root = tmp_path_factory.mktemp("hostile")
    seeds = root / "seeds"
    seeds.mkdir()
    (seeds / "m.txt").write_text(_article("Market opens higher", "Shares rose."), "utf-8")
    out = root / "site" / "out"
    build(seeds, out, config, ping=False)
    (root / "site" / "sibling.txt").write_text("sibling", "utf-8")
    state = json.loads((out / STATE_FILENAME).read_text("utf-8"))
    for entry in state["articles"].values():
        entry["slug"] = slug
    state["files"] = files
    (out / STATE_FILENAME).write_text(json.dumps(state), "utf-8")
    outside_before = sorted(p for p in root.rglob("*") if out not in p.parents and p != out)
    try:
        build(seeds, out, config, ping=False)
    except PublishError as error:
        assert "state file is corrupt" in str(error)
    outside_after = sorted(p for p in root.rglob("*") if out not in p.parents and p != out)
    assert outside_after == outside_before
    assert (root / "site" / "sibling.txt").read_text("utf-8") == "sibling"


# --------------------------------------------------------------------------- case 9


@pytest.mark.parametrize(
    "content",
    [
        "[]",
        '{"articles": []}',
        '{"articles": {"x": 1}}',
        '{"articles": {"x": {"id": "x"}}}',
        '{"version": 99, "articles": {}}',
        '{"articles": {}, "files": "rss.xml"}',
        "{not json",
        '{"articles": {"x": {"id": "x", "slug": "s", "path": "p", "content_hash": "h",'
        ' "body_hash": "b", "headline": "h", "first_published": "yesterday"}}}',
    ],
)
def test_malformed_state_files_give_one_clear_error(
    seeds: Path, tmp_path: Path, config: Config, content: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / STATE_FILENAME).write_text(content, "utf-8")
    result = CliRunner().invoke(
        main, ["build", str(seeds), "-o", str(out), "--no-ping", "-c", str(ROOT / "feedtool.toml")]
    )
    assert result.exit_code == 2
    assert "state file is corrupt" in result.output
    assert "fix:" in result.output and "Traceback" not in result.output


def test_a_killed_pool_worker_is_a_clear_error(
    tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    from feedtool.publish import _incremental

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for number in range(8):
        (seeds / f"{number}.txt").write_text(_article(f"Story {number}", "Text."), "utf-8")
    monkeypatch.setattr(_incremental, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(_incremental, "_parse_task", _die)
    with pytest.raises(PublishError, match="worker process died"):
        build(seeds, tmp_path / "out", config, jobs=2, ping=False)


def _die(task: object) -> object:
    os.kill(os.getpid(), signal.SIGKILL)
    return None


def test_leftover_temporary_files_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "articles").mkdir(parents=True)
    (out / "articles" / ".page.html.feedtool-tmp").write_bytes(b"half")
    (out / ".rss.xml.1234.tmp").write_bytes(b"half")
    (out / "articles" / "page.html").write_bytes(b"whole")
    removed = clean_temporaries(out)
    assert len(removed) == 2
    assert [p.name for p in out.rglob("*") if p.is_file()] == ["page.html"]


def test_leftover_staged_folders_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    staged = out / ".tags.feedtool-tmp" / "harbour"
    staged.mkdir(parents=True)
    (staged / "rss.xml").write_bytes(b"whole, but of a build that never finished")
    (out / "index.html").write_bytes(b"whole")
    clean_temporaries(out)
    assert [p.name for p in out.iterdir()] == ["index.html"]


def _renames(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, str]]:
    """Record ``(call, source, destination)`` of every ``os.rename``/``os.replace``."""
    calls: list[tuple[str, str, str]] = []
    for name in ("rename", "replace"):
        real = getattr(os, name)

        def recording(src: object, dst: object, *, _real: object = real, _name: str = name) -> None:
            calls.append((_name, os.fspath(src), os.fspath(dst)))  # type: ignore[call-overload]
            _real(src, dst)  # type: ignore[operator]

        monkeypatch.setattr(os, name, recording)
    return calls


def test_a_first_build_renames_each_new_top_folder_into_place_whole(
    seeds: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files of a top folder the output does not have yet are staged in
    a copy of the folder beside it (``.tags.feedtool-tmp``) renamed into
    place whole: no file under it is renamed one by one (a reader sees the
    folder whole or not at all). The bytes are those of a build that staged
    every file beside its target (the top folders there already, empty)."""
    out = tmp_path / "out"
    # Undated articles are dated by their first publication: one clock for all builds.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    calls = _renames(monkeypatch)
    build(seeds, out, config, ping=False)
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    tree = output_tree(out)
    tops = sorted({path.partition("/")[0] for path in tree if "/" in path})
    assert "articles" in tops and "tags" in tops
    placed = [(Path(src), Path(dst)) for _, src, dst in calls if Path(dst).parent == out]
    folders = [(src, dst) for src, dst in placed if dst.name in tops]
    assert sorted(folders) == [(out / f".{top}.feedtool-tmp", out / top) for top in tops]
    # Else only the output folder's own files, and the build cache's.
    for _, _, dst in calls:
        relative = Path(dst).relative_to(out)
        assert len(relative.parts) == 1 or relative.parts[0] == CACHE_DIRNAME, relative
    assert not [p for p in out.iterdir() if p.name.endswith(".feedtool-tmp")]

    beside = tmp_path / "beside"
    for top in tops:
        (beside / top).mkdir(parents=True)
    calls = _renames(monkeypatch)
    build(seeds, beside, config, ping=False)
    assert not [src for _, src, _ in calls if Path(src).parent == beside and Path(src).is_dir()]
    assert any(Path(dst).parent.parent == beside for _, _, dst in calls)  # files, one by one
    assert output_tree(beside) == tree


def test_a_first_build_discards_what_an_earlier_one_staged(
    seeds: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder left staged by a first build that was killed (its store gone
    too) is not renamed into place with the next build's files."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    clean = tmp_path / "clean"
    build(seeds, clean, config, ping=False)
    out = tmp_path / "out"
    ghost = out / ".tags.feedtool-tmp" / "ghost"
    ghost.mkdir(parents=True)
    (ghost / "rss.xml").write_bytes(b"<rss/>")
    build(seeds, out, config, ping=False)
    assert output_tree(out) == output_tree(clean)


def test_a_first_build_that_fails_while_placing_its_folders_leaves_none_staged(
    seeds: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    from feedtool.publish import _incremental
    from feedtool.publish._files import place_folders

    def full_disk(root: str, tops: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    monkeypatch.setattr(_incremental, "place_folders", full_disk)
    out = tmp_path / "out"
    with pytest.raises(OSError, match="No space left on device"):
        build(seeds, out, config, ping=False)
    # The ids file is written before anything is placed; no folder is there.
    assert [p.name for p in out.iterdir() if p.is_dir()] == [CACHE_DIRNAME]
    monkeypatch.setattr(_incremental, "place_folders", place_folders)
    build(seeds, out, config, ping=False)
    clean = tmp_path / "clean"
    build(seeds, clean, config, ping=False)
    assert output_tree(out) == output_tree(clean)


def test_deeply_nested_output_folders_do_not_exhaust_the_stack(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    deep = folder
    try:
        for _ in range(1500):  # one level at a time: mkdir(parents=True) recurses
            deep = deep / "d"
            deep.mkdir()
    except OSError:
        pytest.skip("the file system refuses such a deep path")
    (deep / ".x.feedtool-tmp").write_bytes(b"")
    try:
        assert len(clean_temporaries(folder)) == 1
    finally:
        # Bottom-up, one level at a time: shutil.rmtree (pytest's clean-up) recurses.
        while deep != folder:
            for child in deep.iterdir():
                child.unlink()
            deep.rmdir()
            deep = deep.parent


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_gives_a_clear_error_and_keeps_the_output(
    seeds: Path, tmp_path: Path, config: Config
) -> None:
    out = tmp_path / "out"
    build(seeds, out, config, ping=False)
    before = output_tree(out)
    (seeds / "n.txt").write_text(_article("New story", "Fresh text."), "utf-8")
    folders = [out, *(p for p in out.rglob("*") if p.is_dir() and CACHE_DIRNAME not in p.parts)]
    for folder in folders:
        folder.chmod(0o555)
    try:
        with pytest.raises(PublishError, match="cannot write"):
            build(seeds, out, config, ping=False)
    finally:
        for folder in folders:
            folder.chmod(0o755)
    assert output_tree(out) == before


def test_a_full_disk_gives_a_clear_error_and_keeps_the_output(
    seeds: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build(seeds, out, config, ping=False)
    before = output_tree(out)
    (seeds / "n.txt").write_text(_article("New story", "Fresh text."), "utf-8")
    real_open, real_write = os.open, os.write
    staging: set[int] = set()
    calls = {"n": 0}

    # Staged files are written through descriptors: the disk fills up while
    # the fourth one is written (a partial temporary is left to clean up).
    def tracking_open(path: object, flags: int, *args: object, **kwargs: object) -> int:
        fd = real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]
        if str(path).endswith(".feedtool-tmp"):
            staging.add(fd)
        else:
            staging.discard(fd)
        return fd

    def filling_write(fd: int, data: bytes) -> int:
        if fd in staging:
            calls["n"] += 1
            if calls["n"] > 3:
                real_write(fd, bytes(data[:10]))
                raise OSError(28, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "open", tracking_open)
    monkeypatch.setattr(os, "write", filling_write)
    with pytest.raises(PublishError, match="No space left on device") as caught:
        build(seeds, out, config, ping=False)
    assert "fix:" in str(caught.value)
    assert output_tree(out) == before
    assert not [p for p in out.rglob("*.feedtool-tmp")]


# --------------------------------------------------------------------------- SIGKILL


def _corpus(seeds: Path, count: int) -> None:
    seeds.mkdir()
    topics = ["harbour", "budget", "flood", "election", "orchestra", "rail", "school", "clinic"]
    for number in range(count):
        topic = topics[number % len(topics)]
        front = f'tags = ["{topic}", "desk {number % 3}"]\n'
        if number % 4 == 0:
            front += f'published = "2025-10-{1 + number % 27:02d}T09:00:00Z"\n'
        (seeds / f"{number:03d}.txt").write_text(
            _article(
                f"Story {number} about the {topic}",
                f"Report number {number} on the {topic}. " * 12,
                front,
            ),
            "utf-8",
        )


def _build_command(seeds: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-c",
        "import sys; from feedtool.cli import main; sys.exit(main())",
        "build",
        str(seeds),
        "-o",
        str(out),
        "-c",
        str(CONFIG_NO_ENRICH),
        "--no-ping",
        "-q",
        "--wait",
        "30",
    ]


CONFIG_NO_ENRICH = ROOT / "tests" / "data" / "no-enrich.toml"


def test_sigkill_at_random_points_then_a_build_equals_one_clean_build(tmp_path: Path) -> None:
    """Kill builds (cold, then incremental ones each with an edit to do) at random
    moments; the build after them gives the bytes of builds never interrupted."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1764000000"}
    seeds = tmp_path / "seeds"
    _corpus(seeds, 120)
    clean = tmp_path / "clean"
    started = time.perf_counter()
    subprocess.run(_build_command(seeds, clean), env=env, check=True)
    duration = time.perf_counter() - started
    clean_v1 = output_tree(clean)

    out = tmp_path / "out"
    chance = random.Random(8)

    def killed_build(window: float) -> None:
        process = subprocess.Popen(_build_command(seeds, out), env=env)
        time.sleep(chance.uniform(0.05, window))
        process.send_signal(signal.SIGKILL)
        process.wait()

    for _ in range(3):
        killed_build(duration)
    subprocess.run(_build_command(seeds, out), env=env, check=True)
    assert output_tree(out) == clean_v1

    # Each round has an edit to publish, so each kill hits an incremental build.
    started = time.perf_counter()
    subprocess.run(_build_command(seeds, tmp_path / "timing"), env=env, check=True)
    incremental = time.perf_counter() - started
    for number in range(6):
        path = seeds / f"{number * 7:03d}.txt"
        path.write_text(path.read_text("utf-8") + f"\nCorrection number {number}.\n", "utf-8")
        killed_build(incremental)
    (seeds / "005.txt").unlink()
    (seeds / "200.txt").write_text(_article("A late story", "Late text."), "utf-8")
    killed_build(incremental)
    subprocess.run(_build_command(seeds, out), env=env, check=True)
    subprocess.run(_build_command(seeds, clean), env=env, check=True)
    assert output_tree(out) == output_tree(clean)
    assert not [p for p in out.rglob("*") if p.name.endswith((".feedtool-tmp", ".tmp"))]


_NAMES = st.lists(st.text(alphabet="ab/.\\\0\né", max_size=8), max_size=6)


@given(_NAMES)
def test_the_state_files_check_at_once_agrees_with_the_check_per_name(names: list[str]) -> None:
    assert _all_safe(names) == all(safe_relative(name) for name in names)


_TEXT = st.text(st.characters(codec="utf-8"), max_size=12)


def _records(max_size: int) -> st.SearchStrategy[list[tuple[str, str, str | None, int]]]:
    """State records as (key, path, modified, tiebreak), keys unique."""
    return st.lists(
        st.tuples(_TEXT, _TEXT, st.one_of(st.none(), _TEXT), st.integers(0, 5)),
        max_size=max_size,
        unique_by=lambda entry: entry[0],
    )


def _record(key: str, path: str, *, modified: str | None = None, tiebreak: int = 0) -> _Entry:
    """A state record whose text fields the tests vary; the rest fixed."""
    return _Entry(
        id=key,
        slug="s",
        path=path,
        content_hash="c",
        body_hash="b",
        headline=path,
        first_published="2025-01-01T00:00:00+00:00",
        modified=modified,
        tiebreak=tiebreak,
    )


@settings(max_examples=60)
@given(
    _records(max_size=4),
    st.lists(_TEXT, max_size=5),
)
def test_the_state_file_is_written_as_json_dumps_writes_it(
    records: list[tuple[str, str, str | None, int]], files: list[str]
) -> None:
    state = State(
        entries={
            key: _record(key, path, modified=modified, tiebreak=tiebreak)
            for key, path, modified, tiebreak in records
        },
        files=files,
    )
    data = {
        "version": 1,
        "articles": {key: _dump(state.entries[key]) for key in state.entries},
        "files": sorted(files),
    }
    expected = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    assert state.dumps() == expected.encode()


@settings(max_examples=60)
@given(
    st.lists(st.tuples(_TEXT, _TEXT), max_size=4, unique_by=lambda r: r[0]),
    st.lists(_TEXT, max_size=6),
    st.integers(1, 5),
)
def test_the_state_file_streamed_in_pieces_is_the_one_dumps_writes(
    records: list[tuple[str, str]], files: list[str], lines: int
) -> None:
    """``State.chunks`` cut after any number of lines (a build streams the file in
    pieces of ``_CHUNK_LINES``) joins to the bytes ``json.dumps`` writes, with the
    files given apart as a sorted iterator too."""
    state = State(entries={key: _record(key, path) for key, path in records}, files=files)
    expected = state.dumps()
    data = {
        "version": 1,
        "articles": {key: _dump(state.entries[key]) for key in state.entries},
        "files": sorted(files),
    }
    assert (
        expected == (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()
    )
    original = _state._CHUNK_LINES
    _state._CHUNK_LINES = lines
    try:
        pieces = list(state.chunks())
        given_apart = list(State(entries=state.entries).chunks(iter(sorted(files))))
    finally:
        _state._CHUNK_LINES = original
    assert b"".join(pieces) == expected
    assert b"".join(given_apart) == expected
    # Every piece but the last is cut at a line's end, after at most ``lines``
    # lines and the rest of one record (its 11 lines are kept together).
    for piece in pieces[:-1]:
        assert piece.endswith(b"\n") and piece.count(b"\n") <= lines + 13


def test_a_large_state_file_is_never_one_string(tmp_path: Path) -> None:
    """A state of 2,000 records and 30,000 files streams in pieces of at most
    ``_CHUNK_LINES`` lines, and a build writes its state file without ``dumps``
    (which holds the whole file at once)."""
    entries = {f"id-{n:05d}": _record(f"id-{n:05d}", f"a/{n}.txt") for n in range(2000)}
    state = State(entries=entries, files=[f"articles/{n:06d}.html" for n in range(30_000)])
    pieces = list(state.chunks())
    assert len(pieces) > 10
    assert max(piece.count(b"\n") for piece in pieces) <= _state._CHUNK_LINES + 13
    assert b"".join(pieces) == state.dumps()


@settings(max_examples=60)
@given(
    st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=5, unique_by=lambda r: r[0]),
    st.lists(_TEXT, max_size=4),
    st.lists(st.tuples(st.integers(0, 4), _TEXT, st.integers(0, 3)), max_size=4),
)
def test_a_patched_state_file_is_the_one_dumps_writes(
    records: list[tuple[str, str]],
    files: list[str],
    edits: list[tuple[int, str, int]],
) -> None:
    state = State(entries={key: _record(key, path) for key, path in records}, files=files)
    previous = state.dumps()
    keys = sorted(state.entries)
    changed = set()
    for index, text, tiebreak in edits:
        entry = state.entries[keys[index % len(keys)]]
        entry.headline, entry.modified, entry.tiebreak = text, text or None, tiebreak
        changed.add(entry.id)
    assert state.patched(previous, changed) == state.dumps()
    # The pieces a build writes (not joined): the same bytes; one piece, the
    # previous bytes themselves, when no line changed.
    parts = state.patched_parts(previous, changed, own=True)
    assert parts is not None and b"".join(parts) == state.dumps()
    assert (len(parts) == 1) == (state.dumps() == previous)


_NAME = st.text(st.sampled_from('ab/.-é\u4e2d"\\'), min_size=1, max_size=8)


@settings(max_examples=150)
@given(st.lists(_NAME, min_size=1, max_size=40, unique=True), st.lists(_NAME, max_size=10))
def test_a_light_state_finds_in_its_file_list_what_the_list_has(
    files: list[str], probes: list[str]
) -> None:
    """``State.light`` keeps the file list as the file's bytes (``FileList``):
    counted and searched there, it answers as the list of names would, for
    names in it, names around them and names that need an escape."""
    state = State(entries={"id-1": _record("id-1", "a/1.txt")}, files=files)
    light = State.light(state.dumps())
    assert len(light.files) == len(files)
    for name in [*files, *probes, *(name[:-1] for name in files), *(f"{n}a" for n in files)]:
        assert (name in light.files) == (name in files), name
    assert list(light.files) == sorted(files)


def test_a_state_file_that_is_not_utf8_is_not_patched() -> None:
    """``patched`` works on the bytes, but never splices into bytes that are not
    UTF-8 (the caller writes the whole file then)."""
    state = State(entries={"id-1": _record("id-1", "a/1.txt")}, files=["articles/x.html"])
    previous = state.dumps()
    state.entries["id-1"].modified = "2026-01-01T00:00:00+00:00"
    assert state.patched(previous, {"id-1"}) == state.dumps()
    broken = previous.replace(b"articles/x.html", b"articles/\xff.html")
    assert state.patched(broken, {"id-1"}) is None


@settings(max_examples=80)
@given(
    _records(max_size=5),
    st.lists(_TEXT, max_size=6),
    st.data(),
)
def test_a_state_read_record_by_record_is_the_state_read_whole(
    records: list[tuple[str, str, str | None, int]], files: list[str], data: st.DataObject
) -> None:
    """``State.light`` (a light build's: each record decoded when asked for, the
    file list cut from its lines) gives the records, files and path check that
    decoding the whole file gives, for any text in them; a record asked for
    and changed stays the one written."""
    state = State(
        entries={
            key: _record(key, path, modified=modified, tiebreak=tiebreak)
            for key, path, modified, tiebreak in records
        },
        files=files,
    )
    raw = state.dumps()
    whole = State.loads(raw, Path("state.json"), own=True)
    light = State.light(raw)
    asked = data.draw(st.lists(st.sampled_from([*whole.entries, "missing", ""]), max_size=4))
    for key in asked:
        assert light.entries.get(key) == whole.entries.get(key)
    assert light.paths_unique() == whole.paths_unique()
    assert light.files == whole.files == sorted(files)
    if asked and asked[0] in whole.entries:
        light.entries[asked[0]].modified = whole.entries[asked[0]].modified = "changed"
    assert dict(light.entries) == whole.entries
    assert light.dumps() == whole.dumps()
