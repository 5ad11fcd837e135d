"""The ``keywords`` enricher: a handful of lower-case key phrases."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedtool._slug import SLUG_PATTERN
from feedtool.config import Config, PublisherConfig
from feedtool.enrich.entities import entities
from feedtool.enrich.gazetteer import lexicon
from feedtool.enrich.keywords import LIMIT, find_keywords, keywords
from feedtool.model import Evidence, NewsItem, Paragraph, Publisher, Tag
from feedtool.parse import parse_article

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_ae4195037769579a.txt"
SHARED = ROOT.parent / "shared" / "corpus"
BASE = "https://news.example.org/"
CONFIG = Config(
    title="Regional Desk",
    base_url=BASE,
    publisher=PublisherConfig(name="Regional Desk", url=BASE),
)


def _item(*lines: str, language: str = "en", tags: tuple[Tag, ...] = ()) -> NewsItem:
    body = tuple(Paragraph(text=text, line=3 + i) for i, text in enumerate(lines))
    return NewsItem(
        url=BASE + "a.html",
        slug="a",
        headline="Trade talks",
        body=body,
        publisher=Publisher(name="Regional Desk", url=BASE),
        language=language,
        tags=tags,
        word_count=sum(len(line.split()) for line in lines),
        source_path="a.txt",
        content_hash="0" * 64,
    )


@pytest.fixture(scope="module")
def seed() -> NewsItem:
    item = parse_article(SEED.read_bytes(), source_path=SEED.name, config=CONFIG, path=SEED)
    return entities(item, CONFIG)


def test_seed_keywords(seed: NewsItem) -> None:
    tags = find_keywords(seed)
    names = [t.name for t in tags]
    assert 3 <= len(tags) <= LIMIT, names
    assert any("strategic partnership" in n for n in names), names
    assert "security" in names or "cooperation" in names, names
    for tag in tags:
        assert tag.kind == "keyword" and tag.name == tag.name.lower()
        assert SLUG_PATTERN.fullmatch(tag.slug)
        assert tag.evidence.rule == "rake" and tag.evidence.mentions >= 1
    # Sorted by score, strongest first.
    assert [t.score for t in tags] == sorted((t.score for t in tags), reverse=True)


def test_seed_keywords_are_no_entities_and_no_stop_words(seed: NewsItem) -> None:
    entity_names = {t.name.casefold() for t in seed.tags}
    stop = lexicon().stopwords
    for tag in find_keywords(seed):
        assert tag.name not in entity_names
        words = tag.name.split()
        assert words[0] not in stop and words[-1] not in stop, tag.name
        for proper in ("iran", "pakistan", "larijani", "tehran", "iranian", "pakistani", "snsc"):
            assert proper not in words, tag.name


def test_no_phrase_inside_another(seed: NewsItem) -> None:
    tags = find_keywords(seed)
    for a in tags:
        for b in tags:
            if a is not b:
                assert not set(a.name.split()) <= set(b.name.split()), (a.name, b.name)


def test_plurals_group_and_single_words_need_repeats() -> None:
    tags = find_keywords(
        _item(
            "Officials said the customs procedures were simplified.",
            "Traders welcomed the customs procedure, and the customs procedures were praised.",
            "A lone zebra appeared.",
        )
    )
    names = [t.name for t in tags]
    assert names[0] == "customs procedures"
    assert tags[0].evidence.mentions == 3
    assert set(tags[0].evidence.matched) == {"customs procedure", "customs procedures"}
    assert "zebra" not in names


def test_non_english_gives_none() -> None:
    assert find_keywords(_item("ہم بھائی ہیں، اپنے گھر میں خوش آمدید", language="ur")) == []


def test_enricher_keeps_given_keywords_and_is_idempotent() -> None:
    given = Tag(
        kind="keyword",
        name="barter trade",
        slug="barter-trade",
        given=True,
        evidence=Evidence(mentions=0),
    )
    item = _item(
        "Barter trade with Iran will grow, and barter trade rules change.",
        "Officials said barter trade helps border markets.",
        tags=(given,),
    )
    once = keywords(item, CONFIG)
    assert [t for t in once.tags if t.slug == "barter-trade"] == [given]
    assert keywords(once, CONFIG).tags == once.tags


@pytest.mark.corpus
def test_bbc_keywords_are_few_and_clean() -> None:
    bbc = SHARED / "bbc"
    if not bbc.is_dir():
        pytest.skip("needs ../shared/corpus/bbc")
    paths = sorted(bbc.glob("*/*.txt"))[::15]
    with_keywords = 0
    for path in paths:
        item = parse_article(path.read_bytes(), source_path=path.name, config=CONFIG, path=path)
        tags = find_keywords(item)
        with_keywords += bool(tags)
        assert len(tags) <= LIMIT
        for tag in tags:
            assert tag.name == tag.name.lower() and not any(c.isdigit() for c in tag.name)
            assert 1 <= len(tag.name.split()) <= 3
    assert with_keywords >= 0.9 * len(paths)


@pytest.mark.corpus
def test_multilingual_corpus_gives_no_keywords() -> None:
    folder = SHARED / "multilingual"
    if not folder.is_dir():
        pytest.skip("needs ../shared/corpus/multilingual")
    for path in sorted(folder.glob("*/*.txt"))[:12]:
        item = parse_article(path.read_bytes(), source_path=path.name, config=CONFIG, path=path)
        if item.language != "en":
            assert find_keywords(item) == []


@pytest.mark.parametrize(
    ("words", "same"),
    [
        (("virus", "viruses"), True),
        (("bus", "buses"), True),
        (("house", "houses"), True),
        (("class", "classes"), True),
        (("policy", "policies"), True),
        (("procedure", "procedures"), True),
        (("virus", "various"), False),
    ],
)
def test_plurals_group_with_singulars(words: tuple[str, str], same: bool) -> None:
    from feedtool.enrich.keywords import _key

    assert (_key(words[0]) == _key(words[1])) is same


DATA = Path(__file__).parent / "data" / "enrich"


def _enriched(name: str) -> NewsItem:
    from feedtool.config import default_config
    from feedtool.enrich import enrich_item

    config = default_config()
    path = DATA / name
    return enrich_item(parse_article(path.read_bytes(), source_path=name, config=config), config)


@pytest.mark.parametrize(
    ("name", "language", "expected"),
    [
        ("article_fr.txt", "fr", {"logement étudiant", "loyers"}),
        ("article_de.txt", "de", {"mietpreisbremse", "studentenwohnungen"}),
        ("article_es.txt", "es", {"ley", "zonas tensionadas"}),
    ],
)
def test_keywords_in_french_german_spanish_use_their_stop_words(
    name: str, language: str, expected: set[str]
) -> None:
    from feedtool.enrich._script import stop_words

    item = _enriched(name)
    assert item.language == language
    names = {t.name for t in item.tags if t.kind == "keyword"}
    assert expected <= names
    stop = stop_words(language) | stop_words("en")
    for keyword in names:
        assert not any(word in stop for word in keyword.split()), keyword
    assert not {"der", "und", "que", "une", "para", "las", "les"} & {
        w for k in names for w in k.split()
    }


def test_a_language_without_keyword_support_gets_none() -> None:
    item = _enriched("article_pl.txt")
    assert item.language == "pl"
    assert [t for t in item.tags if t.kind == "keyword"] == []
