"""The command line, driven as a user would through click's runner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedtool import __version__
from feedtool.cli import main

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_ae4195037769579a.txt"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    shutil.copy(ROOT / "feedtool.toml", tmp_path / "feedtool.toml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_help_has_examples() -> None:
    for command in (["--help"], ["build", "--help"], ["show", "--help"]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 0
        assert "Example" in result.output


def test_build_defaults(project: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--no-ping"])
    assert result.exit_code == 0, result.output
    assert "1 articles" in result.output and "0 errors" in result.output
    assert (project / "feeds" / "rss.xml").is_file()
    assert (project / "feeds" / "atom.xml").is_file()
    assert (project / "feeds" / "feed.json").is_file()


def test_build_reports_bad_article_and_exits_1(project: Path) -> None:
    (project / "seeds" / "empty.txt").write_text("   \n", "utf-8")
    result = CliRunner().invoke(main, ["build", "--no-ping"])
    assert result.exit_code == 1
    assert "empty.txt" in result.output
    assert "1 articles" in result.output and "1 errors" in result.output


def test_build_with_bad_config_is_a_clean_error(project: Path) -> None:
    (project / "feedtool.toml").write_text('title = "x"\n', "utf-8")
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 2
    assert "feedtool.toml" in result.output and "Traceback" not in result.output


def test_show_prints_newsitem_json(project: Path) -> None:
    result = CliRunner().invoke(main, ["show", str(SEED)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["headline"] == "Iran, Pakistan discuss expanding strategic partnership"
    assert {block["type"] for block in data["body"]} >= {"paragraph", "heading", "post"}
