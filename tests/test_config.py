"""Config loading: every wrong or missing key is named, with its file."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedtool import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[1]

GOOD = """
title = "T"
base_url = "https://example.org/news"
[publisher]
name = "P"
url = "https://example.org/"
"""


def test_project_config_loads() -> None:
    config = load_config(ROOT / "feedtool.toml")
    assert config.base_url.endswith("/")
    assert config.zone.key == config.timezone


def test_base_url_gets_trailing_slash(tmp_path: Path) -> None:
    path = tmp_path / "feedtool.toml"
    path.write_text(GOOD, "utf-8")
    config = load_config(path)
    assert config.base_url == "https://example.org/news/"
    assert config.absolute("rss.xml") == "https://example.org/news/rss.xml"


@pytest.mark.parametrize(
    ("text", "key", "line"),
    [
        ('titel = "typo"\n' + GOOD, "titel", 1),
        (GOOD.replace('title = "T"\n', ""), "title", None),
        ('timezone = "Mars/Olympus"\n' + GOOD, "timezone", 1),
        ("feed_size = 0\n" + GOOD, "feed_size", 1),
        (GOOD.replace("https://example.org/news", "example.org"), "base_url", 3),
        (GOOD + "[tags]\ndrop = 3\n", "tags.drop", 8),
        (GOOD + '[websub]\nhub = "hub.example.org"\n', "websub.hub", 8),
    ],
)
def test_bad_key_is_named(tmp_path: Path, text: str, key: str, line: int | None) -> None:
    path = tmp_path / "feedtool.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert f"'{key}'" in message
    assert str(path) in message
    assert caught.value.line == line
    assert "fix:" in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_invalid_toml_names_line(tmp_path: Path) -> None:
    path = tmp_path / "feedtool.toml"
    path.write_text("oops = \n" + GOOD, "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line == 1
