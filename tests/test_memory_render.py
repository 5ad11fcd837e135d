"""What the processes of a full plan's render phase hold (never an RSS figure:
those are measured by bench/bench_build.py, not asserted)."""

from __future__ import annotations

import gc
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from conftest import output_tree

from feedtool import build, load_config
from feedtool.publish import _incremental
from feedtool.publish._lists import FileLists
from feedtool.publish._state import STATE_FILENAME, State, _Entry

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    places = ["Lyon", "Karachi", "Tehran", "Oslo", "Lisbon", "Cairo", "Quetta", "Bergen"]
    for number, place in enumerate(places):
        (folder / f"{number:02d}.txt").write_text(
            f"Harbour works begin in {place}\n\n"
            f"{place.upper()}, April {number + 2} - Work on the harbour of {place} began on"
            f" Monday, the port authority said.\n\n"
            + f"Story {number}: cranes arrived at the quay this week. "
            * 5,
            "utf-8",
        )
    return folder


def test_a_spilled_state_writes_the_same_bytes_and_holds_no_record(tmp_path: Path) -> None:
    """``State.spill`` writes the records out: the file's bytes are the same, and
    the records can no longer be read (a build that read them would be wrong)."""
    entries = {
        f"tag:x,2026:{n}": _Entry(
            id=f"tag:x,2026:{n}",
            slug=f"story-{n}",
            path=f"{n}.txt",
            content_hash="c" * 8,
            body_hash="b" * 8,
            headline=f'Stört {n} "quoted"',
            first_published="2026-01-02T03:04:05+00:00",
            tiebreak=n % 3,
        )
        for n in range(5000)  # more than one piece of lines
    }
    state = State(entries=entries, files=sorted(f"articles/{n}/index.html" for n in range(9000)))
    before = state.dumps()
    with tempfile.TemporaryFile(dir=tmp_path) as spill:
        state.spill(spill)
        assert state.dumps() == before
        assert b"".join(state.chunks(iter(state.files))) == before
        with pytest.raises(RuntimeError):
            state.entries["tag:x,2026:1"]
        with pytest.raises(RuntimeError):
            len(state.entries)
    empty = State()
    data = empty.dumps()
    with tempfile.TemporaryFile(dir=tmp_path) as spill:
        empty.spill(spill)
        assert empty.dumps() == data


def test_file_lists_answer_a_parts_paths_and_sort_as_python(tmp_path: Path) -> None:
    found = ["a/index.html", "é/x.json", "z.xml", "b/feed.json"]
    old = ["z.xml", "ä.html", "a/index.html", "Z.xml", "a\u00e9", "ae"]
    path = tmp_path / ".lists.tmp"
    lists = FileLists.create(path, found, old)
    try:
        reader = FileLists.open(path)
        try:
            asked = ["z.xml", "b/feed.json", "new.html", "ä.html"] * 300  # several queries
            assert reader.known(asked) == ({"z.xml", "b/feed.json"}, {"z.xml", "ä.html"})
            assert reader.known([]) == (set(), set())
            assert list(reader.old()) == sorted(old)
            assert (reader.count("found"), reader.count("old")) == (4, 6)
        finally:
            reader.close()
        assert path.exists()  # a reader leaves the file
    finally:
        lists.close()
    assert not path.exists()  # its maker removes it


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_full_plan_renders_holding_no_state_records_nor_file_sets(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """While a full plan renders, the build process holds none of the state file's
    bytes, records or file list (they wait on disk), and what a part worker is
    sent holds no file list: one line per ref. The outputs, stale files removed
    and files deleted by hand rendered again, are those of a clean build."""
    seen: list[tuple[int, int, bool, bool, int]] = []
    sent: list[list[bytes]] = []
    real_plan = _incremental._Build._plan_and_render
    real_write = _incremental._write_site

    def plan(self: Any, site: Any) -> Any:
        gc.unfreeze()  # (the build froze what it made: ``get_objects`` skips it)
        gc.collect()
        entries = sum(1 for thing in gc.get_objects() if type(thing) is _Entry)
        sets = [thing for thing in gc.get_objects() if type(thing) is set]
        gc.freeze()
        # The largest number of the output folder's files any one set holds
        # (the articles' own files: other tests' sets may hold names such as
        # ``rss.xml``).
        names = {p for p in output_tree(self.out) if p.startswith("articles/harbour-works")}
        held = max((len(names.intersection(found)) for found in sets), default=0)
        del sets
        seen.append((entries, held, self._read_digest is None, self._records == {}, len(names)))
        return real_plan(self, site)

    def write_site(path: Path, job: Any, stamps: Any) -> None:
        real_write(path, job, stamps)
        sent.append(path.read_bytes().splitlines())

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    monkeypatch.setenv(_incremental.FULL_PLAN_ENV, "1")
    monkeypatch.setattr(_incremental, "_PART_OUTPUTS", 8)
    monkeypatch.setattr(_incremental, "RENDER_THRESHOLD", 1)
    monkeypatch.setattr(_incremental._Build, "_plan_and_render", plan)
    monkeypatch.setattr(_incremental, "_write_site", write_site)
    config = load_config(ROOT / "feedtool.toml")
    out = tmp_path / "out"
    assert build(seeds, out, config, jobs=jobs, ping=False).ok
    files = output_tree(out)
    # A rebuild with one article gone (its files stale), one output deleted by
    # hand and one edited article: a full plan again (``FULL_PLAN_ENV``).
    (seeds / "03.txt").unlink()
    page = next(p for p in files if p.endswith(".html") and p.startswith("articles/"))
    (out / page).unlink()
    edited = seeds / "05.txt"
    edited.write_text(edited.read_text("utf-8") + "\nA crane fell.\n", "utf-8")
    report = build(seeds, out, config, jobs=jobs, ping=False)
    assert report.ok and report.removed and page in report.written
    # The same ids: a clean build from the same state file.
    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / STATE_FILENAME).write_bytes((out / STATE_FILENAME).read_bytes())
    assert build(seeds, clean, config, jobs=1, ping=False).ok
    tree = output_tree(out)
    # The stale files are gone, and their tombstones say so.
    assert tree.pop(".feedtool-gone").decode().split() == sorted(report.removed)
    assert not set(report.removed) & set(tree)
    assert tree == output_tree(clean)
    assert not list((out / ".feedtool").glob(".lists-*")), "the file lists are removed"
    assert len(seen) == 3  # (the clean build's too)
    assert seen[1][4] >= 3 * 7  # the rebuild's full plan met the first build's files
    for entries, held, no_bytes, no_records, _ in seen:
        assert entries == 0 and no_bytes and no_records
        # No set of the files found or written last time in the build process.
        assert held == 0
    if jobs > 1:
        assert len(sent) == 2 and [len(lines) for lines in sent] == [8, 7]
        assert not any(b"index.html" in line for lines in sent for line in lines)


def test_a_build_leaves_no_file_lists_when_it_fails(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_incremental, "_plan_render", fail)
    config = load_config(ROOT / "feedtool.toml")
    out = tmp_path / "out"
    with pytest.raises(OSError):
        build(seeds, out, config, jobs=1, ping=False)
    assert os.listdir(out / ".feedtool")  # the store and the lock are there
    assert not [p for p in (out / ".feedtool").iterdir() if p.name.startswith(".lists-")]
