"""Drafts and embargoes: ``draft = true`` and a future ``published`` keep an
article out of every output until it is due; ``--drafts`` / ``--future`` preview."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedtool import build, load_config
from feedtool.cli import main
from feedtool.config import Config
from feedtool.errors import ParseError
from feedtool.publish._state import STATE_FILENAME

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


def _write(folder: Path, name: str, headline: str, front: str = "") -> None:
    (folder / name).write_text(ARTICLE.format(front=front, headline=headline), "utf-8")


@pytest.fixture
def config() -> Config:
    return load_config(ROOT / "feedtool.toml")


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    _write(folder, "live.txt", "Ferry timetable agreed", "published = 2025-11-01T09:00:00Z")
    _write(folder, "draft.txt", "Unfinished ferry draft", "draft = true")
    _write(
        folder,
        "embargo.txt",
        "Embargoed ferry results",
        "published = 2025-12-01T09:00:00Z",
    )
    return folder


def _everything(out: Path) -> str:
    """Every published file (not the state file nor the build's private cache)."""
    return "\n".join(
        p.read_text("utf-8", "replace")
        for p in sorted(out.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts)
    )


def _titles(out: Path) -> list[str]:
    return [item["title"] for item in json.loads((out / "feed.json").read_text())["items"]]


def test_drafts_and_embargoed_articles_stay_out_of_every_output(
    seeds: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BEFORE)
    out = tmp_path / "feeds"
    report = build(seeds, out, config, ping=False)
    assert report.ok and report.articles == 1
    text = _everything(out)
    assert "Ferry timetable agreed" in text
    assert "Unfinished ferry draft" not in text and "Embargoed ferry results" not in text
    held = {h.path: h for h in report.held}
    assert held["draft.txt"].draft and not held["draft.txt"].previewed
    embargo = held["embargo.txt"]
    assert not embargo.draft and embargo.until is not None
    assert "embargoed until 2025-12-01T09:00:00+00:00" in str(embargo)
    assert "2 held back" in report.summary()
    state = json.loads((out / STATE_FILENAME).read_text())
    assert "Embargoed ferry results" not in json.dumps(state)


def test_embargo_is_released_by_a_build_after_its_time(
    seeds: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "feeds"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BEFORE)
    build(seeds, out, config, ping=False)
    assert _titles(out) == ["Ferry timetable agreed"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", AFTER)
    report = build(seeds, out, config, ping=False)
    assert _titles(out) == ["Embargoed ferry results", "Ferry timetable agreed"]
    assert [h.path for h in report.held] == ["draft.txt"]
    # The release keeps the embargo time as its publication date.
    item = json.loads((out / "feed.json").read_text())["items"][0]
    assert item["date_published"] == "2025-12-01T09:00:00+00:00"


def test_preview_flags_show_held_articles_without_publishing_them(
    seeds: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BEFORE)
    out = tmp_path / "feeds"
    report = build(seeds, out, config, ping=False, drafts=True)
    assert "Unfinished ferry draft" in _titles(out)
    assert "Embargoed ferry results" not in _titles(out)
    assert report.articles == 2
    report = build(seeds, out, config, ping=False, drafts=True, future=True)
    assert len(_titles(out)) == 3
    assert all(h.previewed for h in report.held)
    # Nothing previewed is recorded as published: a normal build takes it all down.
    state = (out / STATE_FILENAME).read_text()
    assert "Unfinished ferry draft" not in state
    report = build(seeds, out, config, ping=False)
    assert _titles(out) == ["Ferry timetable agreed"]
    assert any("draft" in path for path in report.removed)


def test_cli_flags_and_notices(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", BEFORE)
    out = tmp_path / "feeds"
    args = ["build", str(seeds), "-o", str(out), "-c", str(ROOT / "feedtool.toml"), "--no-ping"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "notice: draft.txt: draft" in result.output
    assert "notice: embargo.txt: embargoed until 2025-12-01T09:00:00+00:00" in result.output
    result = CliRunner().invoke(main, [*args, "-D", "--future"])
    assert result.exit_code == 0, result.output
    assert len(_titles(out)) == 3


def test_draft_must_be_a_boolean(tmp_path: Path, config: Config) -> None:
    from feedtool.publish import load_article

    path = tmp_path / "bad.txt"
    path.write_text(ARTICLE.format(front='draft = "yes"', headline="A headline here"), "utf-8")
    with pytest.raises(ParseError) as caught:
        load_article(path, config)
    assert caught.value.line == 2
    assert "'draft'" in str(caught.value) and "true or false" in str(caught.value)


def _served_titles(server: object) -> list[str]:
    status, _, body = server.request("GET", "/feed.json")  # type: ignore[attr-defined]
    assert status == 200
    return [item["title"] for item in json.loads(body)["items"]]


def test_serve_previews_drafts_and_future_articles(seeds: Path, tmp_path: Path) -> None:
    """``feedtool serve -D`` builds with drafts before serving; with ``--watch -F`` every
    rebuild shows future articles too (as ``hugo server -D -F`` does)."""
    from _servers import feedtool_serve

    out = tmp_path / "feeds"
    env = {"SOURCE_DATE_EPOCH": BEFORE}
    config = ("--seeds", str(seeds), "-c", str(ROOT / "feedtool.toml"))
    with feedtool_serve(out, *config, "-D", env=env) as server:
        assert sorted(_served_titles(server)) == [
            "Ferry timetable agreed",
            "Unfinished ferry draft",
        ]
    with feedtool_serve(out, *config, "--watch", "--future", env=env) as server:
        assert _served_titles(server) == ["Embargoed ferry results", "Ferry timetable agreed"]
        _write(seeds, "later.txt", "Later ferry results", "published = 2025-12-05T09:00:00Z")
        line = server.wait_for_line("built ")
        assert "0 errors" in line, line
        assert "notice: later.txt: embargoed until 2025-12-05" in server.wait_for_line("later.txt")
        assert _served_titles(server)[0] == "Later ferry results"
    # Nothing previewed was recorded as published.
    assert "ferry results" not in (out / STATE_FILENAME).read_text("utf-8")


def test_serve_preview_needs_the_seeds_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["serve", str(tmp_path / "feeds"), "--seeds", str(tmp_path / "nope"), "-D"]
    )
    assert result.exit_code == 2
    assert "seeds folder not found" in result.output and "--drafts builds" in result.output
