"""The publish stage: ids that never change, determinism, atomic and partial builds."""

from __future__ import annotations

import gc
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from conftest import output_tree

from feedtool import build, load_config
from feedtool.config import Config, RenderConfig
from feedtool.publish._state import STATE_FILENAME
from feedtool.render import Output, Site

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_ae4195037769579a.txt"

BBC_STYLE = """Rail strike talks resume in London

Union leaders and train operators met again on Monday to try to end the dispute.

The talks, held at the offices of the conciliation service Acas, lasted six hours.

"We are making progress," said one negotiator, who asked not to be named.
"""


@pytest.fixture
def config() -> Config:
    return load_config(ROOT / "feedtool.toml")


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    (folder / "rail.txt").write_text(BBC_STYLE, "utf-8")
    return folder


def _ids(out: Path) -> dict[str, str]:
    """Entry title → id, as a feed reader sees them."""
    parsed = feedparser.parse((out / "atom.xml").read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return {entry.title: entry.id for entry in parsed.entries}


def test_two_builds_are_byte_identical(
    seeds: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    first = build(seeds, tmp_path / "a", config, ping=False)
    assert first.ok and first.articles == 2
    # A second build in place writes nothing; a build elsewhere from the
    # same state gives the same bytes.
    again = build(seeds, tmp_path / "a", config, ping=False)
    assert again.written == () and again.removed == ()
    shutil.copytree(tmp_path / "a", tmp_path / "b", dirs_exist_ok=True)
    (tmp_path / "b" / "rss.xml").unlink()
    build(seeds, tmp_path / "b", config, ping=False)
    assert output_tree(tmp_path / "a") == output_tree(tmp_path / "b")


def test_undated_article_gets_first_publication_time_once(
    seeds: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")  # 2025-11-24T16:00:00Z
    build(seeds, out, config, ping=False)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")  # years later
    build(seeds, out, config, ping=False)
    feed = json.loads((out / "feed.json").read_text("utf-8"))
    rail = next(i for i in feed["items"] if i["title"].startswith("Rail strike"))
    assert rail["date_published"].startswith("2025-11-24T16:00:00")
    seed = next(i for i in feed["items"] if i["title"].startswith("Iran, Pakistan"))
    # The seed's date comes from its text, not from the clock.
    assert seed["date_published"].startswith("2025-10-28")


def test_ids_survive_rename_and_headline_edit(seeds: Path, tmp_path: Path, config: Config) -> None:
    out = tmp_path / "out"
    build(seeds, out, config, ping=False)
    before = _ids(out)
    assert all(i.startswith("tag:news.example.org,") for i in before.values())

    (seeds / "rail.txt").rename(seeds / "renamed.txt")
    build(seeds, out, config, ping=False)
    assert _ids(out) == before

    text = (seeds / "renamed.txt").read_text("utf-8")
    (seeds / "renamed.txt").write_text(text.replace("Rail strike talks", "Rail talks"), "utf-8")
    build(seeds, out, config, ping=False)
    after = _ids(out)
    assert after["Rail talks resume in London"] == before["Rail strike talks resume in London"]


def test_edited_body_keeps_id_and_gets_date_modified(
    seeds: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    build(seeds, out, config, ping=False)
    before = _ids(out)
    seed = seeds / SEED.name
    seed.write_text(seed.read_text("utf-8") + "\nA new closing paragraph was added.\n", "utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764100000")
    report = build(seeds, out, config, ping=False)
    assert _ids(out) == before
    assert "atom.xml" in report.written
    entry = next(
        e
        for e in feedparser.parse((out / "atom.xml").read_bytes()).entries
        if e.title.startswith("Iran")
    )
    assert entry.updated.startswith("2025-11-25")
    assert "A new closing paragraph" in entry.content[0].value


def test_bad_article_is_reported_and_others_published(
    seeds: Path, tmp_path: Path, config: Config
) -> None:
    (seeds / "broken.txt").write_text("+++\nid = \n+++\nHeadline\n\nBody.\n", "utf-8")
    report = build(seeds, tmp_path / "out", config, ping=False)
    assert report.articles == 2
    assert len(report.errors) == 1
    error = report.errors[0]
    assert error.path is not None and error.path.name == "broken.txt"
    assert error.line == 2
    assert "broken.txt:2:" in str(error)


def test_failed_render_leaves_previous_output_intact(
    seeds: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    build(seeds, out, config, ping=False)
    before = output_tree(out)
    (seeds / "third.txt").write_text("Third story\n\nIt happened.\n", "utf-8")

    # A renderer named in the config as a plugin: this module's `broken_renderer`.
    enabled = (*config.render.renderers(), f"{__name__}:broken_renderer")
    config = config.model_copy(update={"render": RenderConfig(enabled=enabled)})
    with pytest.raises(RuntimeError):
        build(seeds, out, config, ping=False)
    assert output_tree(out) == before


def _collector() -> tuple[bool, tuple[int, int, int], int]:
    return gc.isenabled(), gc.get_threshold(), gc.get_freeze_count()


def test_a_build_leaves_the_collector_as_it_found_it(
    seeds: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold build collects less often and sets long-lived objects aside while
    it parses and renders; a process that goes on (a server, a test run) gets
    the collector back as it was, after a build that worked and one that failed."""
    from feedtool.publish import _incremental

    # The paths a large cold build takes (a parse of many articles, a full plan).
    monkeypatch.setattr(_incremental, "PARALLEL_THRESHOLD", 1)
    original = gc.get_threshold()
    gc.set_threshold(900, 11, 12)
    try:
        before = _collector()
        seen: list[tuple[bool, tuple[int, int, int], int]] = []
        plan_and_render = _incremental._Build._plan_and_render

        def watched(self: _incremental._Build, *args: object) -> object:
            seen.append(_collector())
            return plan_and_render(self, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(_incremental._Build, "_plan_and_render", watched)
        build(seeds, tmp_path / "out", config, jobs=1, ping=False)
        assert _collector() == before
        # While rendering it was collecting less often, with the site set aside.
        assert seen and seen[0][1][0] > before[1][0] and seen[0][2] > before[2]

        enabled = (*config.render.renderers(), f"{__name__}:broken_renderer")
        broken = config.model_copy(update={"render": RenderConfig(enabled=enabled)})
        with pytest.raises(RuntimeError):
            build(seeds, tmp_path / "broken", broken, jobs=1, ping=False)
        assert _collector() == before
    finally:
        gc.set_threshold(*original)


def broken_renderer(site: Site) -> Iterator[Output]:
    yield "partial.txt", b"x"
    raise RuntimeError("renderer crashed")


def test_deleted_article_files_are_removed(seeds: Path, tmp_path: Path, config: Config) -> None:
    out = tmp_path / "out"
    build(seeds, out, config, ping=False)
    pages = {p.name for p in (out / "articles").iterdir()}
    assert "rail.html" in pages
    (seeds / "rail.txt").unlink()
    report = build(seeds, out, config, ping=False)
    assert "articles/rail.html" in report.removed
    assert not any(p.name.startswith("rail.") for p in (out / "articles").iterdir())
    state = json.loads((out / STATE_FILENAME).read_text("utf-8"))
    # The id stays reserved: a deleted article's id is never given to another.
    assert any(e["path"] == "rail.txt" for e in state["articles"].values())


def test_same_slug_gets_a_distinct_url(seeds: Path, tmp_path: Path, config: Config) -> None:
    (seeds / "2025").mkdir()
    other = BBC_STYLE.replace("Rail strike talks", "Rail talks").replace("six", "seven")
    (seeds / "2025" / "rail.txt").write_text(other, "utf-8")
    out = tmp_path / "out"
    report = build(seeds, out, config, ping=False)
    assert report.articles == 3
    assert len(set(_ids(out).values())) == 3
    # Sorted by path, `2025/rail.txt` comes first and keeps the plain slug.
    assert (out / "articles" / "rail.html").is_file()
    assert (out / "articles" / "rail-2.html").is_file()
    first_ids = _ids(out)
    build(seeds, out, config, ping=False)
    assert _ids(out) == first_ids


def test_parallel_build_equals_serial_build(
    seeds: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    from feedtool.publish import _incremental

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    monkeypatch.setattr(_incremental, "PARALLEL_THRESHOLD", 1)
    build(seeds, tmp_path / "serial", config, jobs=1, ping=False)
    build(seeds, tmp_path / "parallel", config, jobs=2, ping=False)
    assert output_tree(tmp_path / "serial") == output_tree(tmp_path / "parallel")
