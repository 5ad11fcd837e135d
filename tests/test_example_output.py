"""The committed `feeds/` is the example output: a build reproduces it byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import output_tree

from feedtool import build, load_config
from feedtool.store import CACHE_DIRNAME

ROOT = Path(__file__).resolve().parents[1]


def test_committed_feeds_rebuild_byte_for_byte(tmp_path: Path) -> None:
    committed = ROOT / "feeds"
    assert (committed / "rss.xml").is_file(), "run `feedtool build` and commit feeds/"
    out = tmp_path / "feeds"
    shutil.copytree(committed, out)
    # Rebuild from scratch, keeping only the state file: everything else is derived.
    shutil.rmtree(out / CACHE_DIRNAME, ignore_errors=True)
    for path in sorted(out.rglob("*"), reverse=True):
        if path.is_file() and path.name != ".feedtool-state.json":
            path.unlink()
    report = build(ROOT / "seeds", out, load_config(ROOT / "feedtool.toml"), ping=False)
    assert report.ok, report.errors
    assert output_tree(out) == output_tree(committed)
