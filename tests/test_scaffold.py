"""Starting from nothing: ``feedtool init``, ``feedtool new``, and the errors a new
user meets (a config with several mistakes, an empty seeds folder, Markdown files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from feedtool.cli import main
from feedtool.config import load_config
from feedtool.errors import ConfigError, PublishError
from feedtool.publish import build, find_articles, load_article
from feedtool.scaffold import init_project, new_article


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_init_new_build_in_an_empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = _run("init", "--title", 'The "Harbour" Times')
    assert code == 0, output
    assert "wrote feedtool.toml" in output and "wrote seeds/welcome.txt" in output
    config_text = (tmp_path / "feedtool.toml").read_text("utf-8")
    # Commented key by key, and valid as written.
    assert sum(1 for line in config_text.splitlines() if "#" in line) >= 15
    assert load_config(tmp_path / "feedtool.toml").title == 'The "Harbour" Times'
    code, output = _run("new", "Hello")
    assert (code, output.strip()) == (0, "wrote seeds/hello.txt")
    code, output = _run("new", "Hello", "--draft")
    assert (code, output.strip()) == (0, "wrote seeds/hello-2.txt")
    code, output = _run("build", "--no-ping")
    assert code == 0, output
    assert "notice: hello-2.txt: draft" in output
    titles = [i["title"] for i in json.loads((tmp_path / "feeds/feed.json").read_text())["items"]]
    assert sorted(titles) == ["Hello", 'Welcome to The "Harbour" Times']
    # The example article shows what the input format can do: a list and tags.
    welcome = load_article(tmp_path / "seeds/welcome.txt", load_config("feedtool.toml"))
    assert any(block.type == "list" for block in welcome.body)
    assert {t.name for t in welcome.tags if t.given} == {"publishing", "feedtool"}


def test_init_never_overwrites(tmp_path: Path) -> None:
    init_project(tmp_path)
    (tmp_path / "seeds" / "welcome.txt").write_text("Mine\n\nMy own words here.\n", "utf-8")
    with pytest.raises(ConfigError) as caught:
        init_project(tmp_path)
    assert "already" in str(caught.value) and caught.value.hint
    assert (tmp_path / "seeds" / "welcome.txt").read_text("utf-8").startswith("Mine")
    code, output = _run("init", str(tmp_path))
    assert code == 2 and "feedtool.toml: a config file is already here" in output


def test_new_needs_a_headline_and_a_seeds_folder(tmp_path: Path) -> None:
    with pytest.raises(PublishError, match="seeds folder not found"):
        new_article("Ferry fares to rise", tmp_path / "missing")
    with pytest.raises(PublishError, match="headline is empty"):
        new_article("   ", tmp_path)
    path = new_article("Ferry fares to rise — again!", tmp_path)
    assert path.name == "ferry-fares-to-rise-again.txt"
    assert path.read_text("utf-8").splitlines()[-4] == "Ferry fares to rise — again!"


CONFIG_WITH_THREE_MISTAKES = """\
description = "No title"
base_url = "ftp://news.example.org/"
feed_size = "fifty"

[publisher]
name = "Desk"
url = "https://news.example.org/"
"""


def test_config_errors_are_listed_all_at_once(tmp_path: Path) -> None:
    path = tmp_path / "feedtool.toml"
    path.write_text(CONFIG_WITH_THREE_MISTAKES, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:2: 3 problems: ")
    assert "key 'title': missing (required)" in message
    assert "key 'base_url' (line 2): must be an absolute http(s) URL" in message
    assert "key 'feed_size' (line 3):" in message
    assert "and 1 more" not in message


def test_empty_seeds_folder_is_an_error_naming_other_files(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    config = init_project(tmp_path / "site")[0]
    with pytest.raises(PublishError) as caught:
        find_articles(seeds)
    assert "no articles" in str(caught.value) and "feedtool new" in str(caught.value.hint)
    (seeds / "story.md").write_text("# A story\n\nIn Markdown.\n", "utf-8")
    with pytest.raises(PublishError, match=r"1 other files, e.g. story.md"):
        build(seeds, tmp_path / "out", load_config(config), ping=False)
    assert not (tmp_path / "out" / "index.html").exists()
    # Beside an article, the Markdown file is named in a notice.
    (seeds / "real.txt").write_text("A real article\n\nIt has a paragraph of text.\n", "utf-8")
    code, output = _run("build", str(seeds), "-o", str(tmp_path / "out"), "-c", str(config))
    assert code == 0, output
    assert f"notice: {seeds / 'story.md'}: not read" in output


def test_help_shows_every_summary_whole() -> None:
    code, output = _run("--help")
    assert code == 0
    commands = output.split("Commands:", 1)[1]
    assert "..." not in commands
    assert "Build feeds and pages from the articles in SEEDS (default: seeds/)." in commands
    assert "init" in commands and "new" in commands
