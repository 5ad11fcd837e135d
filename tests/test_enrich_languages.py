"""The ``languages`` enricher: script first, orthographic cues, lingua last."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from feedtool._text import is_rtl
from feedtool.config import Config, EnrichConfig, PublisherConfig
from feedtool.enrich import languages
from feedtool.enrich.languages import detect, detect_language, enrich_languages
from feedtool.model import EmbeddedPost, Heading, NewsItem, Paragraph, Publisher
from feedtool.parse import parse_article

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_ae4195037769579a.txt"
GOLD = tomllib.loads((ROOT / "tests/data/enrich/seed_gold.toml").read_text("utf-8"))
MULTILINGUAL = ROOT.parent / "shared" / "corpus" / "multilingual"
BBC = ROOT.parent / "shared" / "corpus" / "bbc"
BASE = "https://news.example.org/"
ALLOWED = ("en", "ar", "fa", "ur")


def _config(languages: tuple[str, ...] = ALLOWED, default: str = "en") -> Config:
    return Config(
        title="Regional Desk",
        base_url=BASE,
        language=default,
        publisher=PublisherConfig(name="Regional Desk", url=BASE),
        enrich=EnrichConfig(languages=languages),
    )


def _seed() -> NewsItem:
    return parse_article(SEED.read_bytes(), source_path=SEED.name, config=_config(), path=SEED)


def _item(headline: str, *paragraphs: str, language: str = "en") -> NewsItem:
    return NewsItem(
        url=BASE + "a.html",
        slug="a",
        headline=headline,
        body=tuple(Paragraph(text=t, line=3 + i) for i, t in enumerate(paragraphs)),
        publisher=Publisher(name="Regional Desk", url=BASE),
        language=language,
        word_count=1,
        source_path="a.txt",
        content_hash="0" * 64,
    )


def _read(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # one BBC file is Latin-1


def _corpus_item(path: Path) -> NewsItem:
    lines = [line.strip() for line in _read(path).splitlines() if line.strip()]
    return _item(lines[0], *lines[1:])


# --------------------------------------------------------------------------- the seed


def test_seed_languages_match_the_gold() -> None:
    gold = GOLD["languages"]
    item = enrich_languages(_seed(), _config())
    assert item.language == gold["article"]
    posts = [b for b in item.body if isinstance(b, EmbeddedPost)]
    assert [p.language for p in posts] == gold["posts"]
    assert [p.author_language for p in posts] == [gold["alt_name"]] * len(posts)
    others = [b for b in item.body if isinstance(b, Paragraph | Heading)]
    assert others and all(b.language is None for b in others)


def test_enricher_is_idempotent() -> None:
    once = enrich_languages(_seed(), _config())
    assert enrich_languages(once, _config()) == once


# --------------------------------------------------------------------------- detect


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("علی لاریجانی", "fa"),  # Persian ی, no Urdu-only letters
        ("ہم بھائی ہیں، اپنے گھر میں خوش آمدید! 🇮🇷🤝🇵🇰 pic.twitter.com/6oeuaaB65m", "ur"),
        ("توقيعُ اتفاقيةٍ استراتيجيةٍ بين باكستان والمملكةِ العربيةِ السعوديةِ", "ar"),
        ("پرینکا اور نک کی شادی، تقریب کی تصاویر", "ur"),  # Urdu words, no Urdu letters
        ("Wider context", "en"),
        ("Встреча прошла в Москве.", "ru"),  # no Cyrillic language configured
        ("שלום עולם", "he"),
        ("東京は日本の首都です", "ja"),
        ("https://x.com/a @handle 2025", None),
    ],
)
def test_detect(text: str, expected: str | None) -> None:
    assert detect(text, ALLOWED) == expected


def test_latin_without_a_configured_latin_language_is_unknown() -> None:
    assert detect("The talks went well.", ("ar", "fa")) is None


def test_several_latin_languages_ask_lingua() -> None:
    allowed = ("en", "fr", "ar")
    assert detect("Le gouvernement a annoncé lundi que le budget serait réduit.", allowed) == "fr"
    assert detect("The government said on Monday that the budget would be cut.", allowed) == "en"
    assert frozenset({"en", "fr"}) in languages._DETECTORS


def test_no_detector_for_an_english_article() -> None:
    languages._DETECTORS.clear()
    item = enrich_languages(_item("Talks end", "The minister spoke on Monday."), _config())
    assert item.language == "en"
    assert languages._DETECTORS == {}


def test_detector_built_once_per_language_set() -> None:
    languages._DETECTORS.clear()
    # Fars News spelling (Arabic ي) with no decisive letter: the cues abstain.
    text = "مريم رجوي رئيس جمهور انتخابي"
    assert detect_language(text, ALLOWED).method == "lingua"
    detector = languages._DETECTORS[frozenset({"ar", "fa", "ur"})]
    detect(text + " " + text, ALLOWED)
    assert list(languages._DETECTORS.items()) == [(frozenset({"ar", "fa", "ur"}), detector)]


# --------------------------------------------------------------------------- article rule


def test_detected_language_replaces_the_default() -> None:
    urdu = "چین کے صدر شی جن پنگ نے منگل کے روز چین کی منڈی کو آزاد بنانے کا اعلان کیا"
    item = enrich_languages(_item("چین کے صدر", urdu, "Wider context"), _config())
    assert item.language == "ur"
    assert [b.language for b in item.body if isinstance(b, Paragraph)] == [None, "en"]


def test_same_script_blocks_need_evidence_to_differ() -> None:
    urdu = "چین کے صدر شی جن پنگ نے منگل کے روز چین کی منڈی کو آزاد بنانے کا اعلان کیا"
    name_and_title = "سعید اصلاحی، سابق صدر نیشنل بینک آف پاکستان"  # no Urdu-only letter
    arabic = "توقيعُ اتفاقيةٍ استراتيجيةٍ بين باكستان والمملكةِ العربيةِ السعوديةِ أمرٌ يُسعدُنا"
    item = enrich_languages(_item("چین کے صدر", urdu, name_and_title, arabic), _config())
    assert item.language == "ur"
    assert [b.language for b in item.body if isinstance(b, Paragraph)] == [None, None, "ar"]


def test_front_matter_language_wins() -> None:
    item = _item("Talks end", "The minister spoke on Monday about the deal.", language="fa")
    given = item.model_copy(update={"language_source": "front_matter"})
    assert enrich_languages(given, _config()).language == "fa"
    # Even when it names the config's default language for text in another.
    urdu = "چین کے صدر شی جن پنگ نے منگل کے روز چین کی منڈی کو آزاد بنانے کا اعلان کیا ہے۔"
    given_en = _item("Talks", urdu).model_copy(update={"language_source": "front_matter"})
    assert enrich_languages(given_en, _config()).language == "en"
    # Not given: the text decides.
    detected = enrich_languages(_item("Talks", urdu), _config())
    assert (detected.language, detected.language_source) == ("ur", "detected")


def test_region_of_the_given_tag_is_kept() -> None:
    item = _item("Talks end", "The minister spoke on Monday about the deal and its terms.")
    given = item.model_copy(update={"language": "en-GB"})
    assert enrich_languages(given, _config(default="en-GB")).language == "en-GB"
    assert enrich_languages(given, _config()).language == "en-GB"


def test_short_text_does_not_overrule_the_default() -> None:
    item = enrich_languages(_item("مرحبا", "مرحبا بكم في المدينة"), _config())
    assert item.language == "en"
    assert [b.language for b in item.body if isinstance(b, Paragraph)] == ["ar"]


def test_is_rtl() -> None:
    assert is_rtl("ar") and is_rtl("fa-IR") and is_rtl("ur") and is_rtl("he")
    assert is_rtl("az-Arab") and not is_rtl("ur-Latn")
    assert not is_rtl("en") and not is_rtl("en-GB")


# --------------------------------------------------------------------------- corpora


@pytest.mark.corpus
@pytest.mark.parametrize("folder", ["ar", "fa", "ur"])
def test_multilingual_corpus_is_detected_exactly(folder: str) -> None:
    path = MULTILINGUAL / folder
    if not path.is_dir():
        pytest.skip(f"{path} not found (needs ../shared)")
    files = sorted(path.glob("*.txt"))
    assert files
    wrong = [
        (f.name, got)
        for f in files
        if (got := enrich_languages(_corpus_item(f), _config()).language) != folder
    ]
    assert wrong == []


@pytest.mark.corpus
def test_bbc_corpus_is_english() -> None:
    if not BBC.is_dir():
        pytest.skip(f"{BBC} not found (needs ../shared)")
    files = sorted(BBC.glob("*/*.txt"))[::10]
    assert files
    assert {detect(_read(f), ALLOWED) for f in files} == {"en"}
