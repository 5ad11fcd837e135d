"""Build the BBC and multilingual parts of ../shared/corpus (1,500 BBC + 89
Arabic/Persian/Urdu articles)
and check every output with real clients: feedparser, the Atom grammar, the
JSON Feed schema, the schema.org vocabulary, the ninjs schema."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import feedparser
import pytest
from _validators import (
    atom_grammar,
    jsonfeed_validator,
    ninjs_validator,
    schemaorg,
    shared_path,
)
from lxml import etree

from feedtool import BuildReport, build, load_config
from feedtool.publish import find_articles

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport, int]:
    # The corpora this test means, copied so that other corpora added to
    # ../shared (the Reuters wire copy has its own evaluations) do not change it.
    shared = shared_path("corpus")
    work = tmp_path_factory.mktemp("corpus")
    corpus = work / "seeds"
    for part in ("bbc", "multilingual"):
        shutil.copytree(shared / part, corpus / part)
    out = work / "feeds"
    config = load_config(ROOT / "feedtool.toml")
    # The library default (a feed per tag carried by two or more articles),
    # not the one-article example's setting of 1.
    config = config.model_copy(
        update={"tags": config.tags.model_copy(update={"feeds_min_items": 2})}
    )
    report = build(corpus, out, config, ping=False)
    return out, report, len(find_articles(corpus))


def test_every_article_is_published(corpus_build: tuple[Path, BuildReport, int]) -> None:
    out, report, count = corpus_build
    assert count == 1589
    assert [str(e) for e in report.errors] == []
    assert report.articles == count
    assert len(list((out / "articles").glob("*.html"))) == count


def _feeds(out: Path, name: str) -> list[Path]:
    main = out / name
    tags = sorted((out / "tags").glob(f"*/{name}"))
    # Every tag feed would be thousands of files; a fixed stride samples all
    # kinds of tags without making the test slow.
    return [main, *tags[::7]]


def test_feeds_read_cleanly_in_feedparser(corpus_build: tuple[Path, BuildReport, int]) -> None:
    out, _, _ = corpus_build
    for name in ("rss.xml", "atom.xml"):
        for path in _feeds(out, name):
            parsed = feedparser.parse(path.read_bytes())
            assert parsed.bozo == 0, f"{path}: {parsed.get('bozo_exception')}"
            assert parsed.entries, path
            ids = [entry.id for entry in parsed.entries]
            assert len(ids) == len(set(ids)), path


def test_atom_feeds_match_rfc4287(corpus_build: tuple[Path, BuildReport, int]) -> None:
    out, _, _ = corpus_build
    grammar = atom_grammar()
    for path in _feeds(out, "atom.xml"):
        assert grammar.validate(etree.parse(str(path))), f"{path}: {grammar.error_log}"


def test_json_feeds_match_schema(corpus_build: tuple[Path, BuildReport, int]) -> None:
    out, _, _ = corpus_build
    validator = jsonfeed_validator()
    for path in _feeds(out, "feed.json"):
        errors = list(validator.iter_errors(json.loads(path.read_text("utf-8"))))
        assert errors == [], f"{path}: {errors[0].message if errors else ''}"


def test_every_jsonld_uses_schemaorg_terms(corpus_build: tuple[Path, BuildReport, int]) -> None:
    out, _, count = corpus_build
    vocabulary = schemaorg()
    checked = 0
    for path in sorted((out / "articles").glob("*.jsonld")):
        data = json.loads(path.read_text("utf-8"))
        assert data["@type"] == "NewsArticle"
        assert list(vocabulary.problems(data)) == [], path
        checked += 1
    assert checked == count


def test_every_ninjs_matches_schema(corpus_build: tuple[Path, BuildReport, int]) -> None:
    out, _, count = corpus_build
    validator = ninjs_validator()
    paths = sorted((out / "articles").glob("*.ninjs.json"))
    assert len(paths) == count
    for path in paths:
        errors = list(validator.iter_errors(json.loads(path.read_text("utf-8"))))
        assert errors == [], f"{path}: {errors[0].message if errors else ''}"


def test_multilingual_articles_keep_their_language(
    corpus_build: tuple[Path, BuildReport, int],
) -> None:
    out, _, _ = corpus_build
    languages: dict[str, set[str]] = {}
    for path in (out / "articles").glob("*.jsonld"):
        data = json.loads(path.read_text("utf-8"))
        languages.setdefault(data["inLanguage"], set()).add(path.name)
    assert {"en", "ar", "fa", "ur"} <= set(languages)
    assert (len(languages["ar"]), len(languages["fa"]), len(languages["ur"])) == (29, 30, 30)
