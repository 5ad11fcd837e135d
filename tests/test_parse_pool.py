"""The parse pool: workers inherit the one-off tables instead of building them."""

from __future__ import annotations

import concurrent.futures.process
import functools
import gc
import shutil
from pathlib import Path
from typing import Any

import pytest

from feedtool import _lingua, build, load_config
from feedtool.enrich import gazetteer
from feedtool.publish import _incremental
from feedtool.publish._preload import preload

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    for path in sorted((ROOT / "seeds").glob("*.txt"))[:3]:
        shutil.copy(path, folder / path.name)
    return folder


def test_tables_are_loaded_and_frozen_before_the_pool_forks(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, int]] = []
    real = concurrent.futures.process.ProcessPoolExecutor

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append((gazetteer.lexicon.cache_info().currsize, gc.get_freeze_count()))
        return real(*args, **kwargs)

    gazetteer.lexicon.cache_clear()
    monkeypatch.setattr(_incremental, "PARALLEL_THRESHOLD", 1)
    # The build imports the pool where it makes one: patched where it is imported from.
    monkeypatch.setattr(concurrent.futures.process, "ProcessPoolExecutor", spy)
    report = build(seeds, tmp_path / "out", load_config(ROOT / "feedtool.toml"), jobs=2, ping=False)
    assert report.ok
    assert len(seen) == 1
    loaded, frozen = seen[0]
    assert loaded == 1  # the gazetteer was built in the parent, so workers share it
    assert frozen > 0
    assert gc.get_freeze_count() == 0  # unfrozen once the pool is done


def test_a_serial_build_does_not_preload(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(ROOT / "feedtool.toml")
    build(seeds, tmp_path / "out", config, jobs=1, ping=False)
    # With the tables kept beside the store (feedtool._tables), a serial build
    # warms nothing: only one that has to write that file first warms them all.
    called: list[object] = []
    monkeypatch.setattr(_incremental, "preload", called.append)
    article = sorted(seeds.glob("*.txt"))[0]
    article.write_text(article.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    report = build(seeds, tmp_path / "out", config, jobs=1, ping=False)
    assert report.parsed == (article.name,)
    assert called == []


def test_preload_loads_no_language_model() -> None:
    # An English site never asks lingua: the warm-up must not load its models either.
    before = set(_lingua._DETECTORS)
    preload(load_config(ROOT / "feedtool.toml"))
    assert set(_lingua._DETECTORS) == before
    assert gazetteer.lexicon.cache_info().currsize == 1


def test_a_cold_parallel_build_makes_the_tables_in_a_child_and_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Made in the build process, the tables left ~60 MB of garbage that every
    # parse worker forked from it inherited: a child makes and keeps them, and
    # the build process reads every one back from the file.
    from feedtool import _tables
    from feedtool.publish import _preload
    from feedtool.publish._preload import preload_kept

    # A user cache of its own: none of the tables an earlier test kept there.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setattr(_tables, "_secret", functools.cache(_tables._secret.__wrapped__))
    folder = tmp_path / "cache"
    folder.mkdir()
    built: list[object] = []
    real = _tables._load

    def spy(key: Any) -> Any:
        value = real(key)
        if value is _tables._MISSING:
            built.append(key)
        return value

    monkeypatch.setattr(_tables, "_load", spy)
    _tables.release()  # this test process's tables, made or read by earlier tests
    try:
        _tables.use_folder(folder)
        preload_kept(load_config(ROOT / "feedtool.toml"))
        assert (folder / _tables.FILENAME).is_file()
        assert ("feedtool.enrich.gazetteer.lexicon", ()) in _tables._values
        assert built == []  # nothing made here: all read from what the child kept
        assert not _tables.unsaved()
        # A new output folder on the same machine: no child, every table read
        # from the copy that child left in the user's cache.
        _tables.release()
        second = tmp_path / "second"
        second.mkdir()
        _tables.use_folder(second)

        def no_fork() -> int:
            raise AssertionError("forked to make tables the user's cache holds")

        monkeypatch.setattr(_preload.os, "fork", no_fork)
        preload_kept(load_config(ROOT / "feedtool.toml"))
        assert (second / _tables.FILENAME).is_file()
        assert ("feedtool.enrich.gazetteer.lexicon", ()) in _tables._values
        assert built == []
    finally:
        _tables.release()
        _tables.use_folder(None)


def test_without_a_key_the_tables_are_made_here_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A child could not keep them (no usable key): made twice, they would cost
    # the child's CPU for nothing.
    from feedtool import _tables
    from feedtool.publish import _preload

    def no_fork() -> int:
        raise AssertionError("forked without a file to keep the tables in")

    monkeypatch.setattr(_tables, "_secret", lambda: None)
    monkeypatch.setattr(_preload.os, "fork", no_fork)
    folder = tmp_path / "cache"
    folder.mkdir()
    try:
        _tables.use_folder(folder)
        _preload.preload_kept(load_config(ROOT / "feedtool.toml"))
        assert ("feedtool.enrich.gazetteer.lexicon", ()) in _tables._values
        assert not (folder / _tables.FILENAME).exists()
    finally:
        _tables.use_folder(None)
