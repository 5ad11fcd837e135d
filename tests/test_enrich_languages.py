"""The ``languages`` enricher: script first, orthographic cues, lingua last."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedtool import _lingua
from feedtool._lingua import Question
from feedtool._text import is_rtl
from feedtool.config import DEFAULT_LANGUAGES, Config, EnrichConfig, PublisherConfig
from feedtool.enrich import _script
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


def test_clear_stop_words_decide_without_lingua() -> None:
    _lingua._DETECTORS.clear()
    allowed = ("en", "fr", "ar")
    found = detect_language("Le gouvernement a annoncé lundi que le budget serait réduit.", allowed)
    assert (found.language, found.method, found.confident) == ("fr", "cues", True)
    assert detect("The government said on Monday that the budget would be cut.", allowed) == "en"
    assert _lingua._DETECTORS == {}


def test_close_latin_languages_ask_lingua_among_the_voted_ones() -> None:
    _lingua._DETECTORS.clear()
    allowed = DEFAULT_LANGUAGES
    # Danish and Norwegian share most stop words: the votes leave both (and
    # Swedish) in, and lingua decides among those alone.
    text = (
        "Regeringen har i dag fremlagt et nyt lovforslag om klimaet, som skal reducere udledningen."
    )
    found = detect_language(text, allowed)
    assert (found.language, found.method) == ("da", "lingua")
    (asked,) = _lingua._DETECTORS
    assert {"da", "no"} <= asked
    assert len(asked) < 5
    assert "en" not in asked


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Le gouvernement a annoncé mardi une nouvelle loi pour protéger les travailleurs.", "fr"),
        (
            "Der Bundestag hat am Donnerstag ein neues Gesetz beschlossen, das Mieten begrenzt.",
            "de",
        ),
        (
            "El Gobierno aprobó este martes una ley para limitar el precio del alquiler.",
            "es",
        ),
        ("Il governo ha approvato martedì una legge per limitare il prezzo degli affitti.", "it"),
        ("O governo aprovou nesta terça-feira uma lei para limitar o preço dos aluguéis.", "pt"),
        ("De regering heeft dinsdag een wet aangenomen om de huurprijzen te beperken.", "nl"),
        ("Rząd przyjął we wtorek ustawę, która ma ograniczyć ceny najmu w dużych miastach.", "pl"),
        ("Правительство приняло закон об ограничении арендной платы в крупных городах.", "ru"),
        ("Уряд ухвалив закон про обмеження орендної плати у великих містах.", "uk"),
        ("Η κυβέρνηση ενέκρινε νόμο για τον περιορισμό των ενοικίων.", "el"),
        ("정부는 화요일 대도시 임대료를 제한하는 법안을 통과시켰다.", "ko"),
        ("政府は火曜日、大都市の家賃を制限する法律を可決した。", "ja"),
        ("政府周二通过了一项限制大城市租金的法律。", "zh"),
        ("सरकार ने मंगलवार को बड़े शहरों में किराए को सीमित करने के लिए एक कानून पारित किया।", "hi"),
        ("รัฐบาลอนุมัติกฎหมายจำกัดค่าเช่าในเมืองใหญ่เมื่อวันอังคาร", "th"),
    ],
)
def test_default_languages(text: str, expected: str) -> None:
    assert detect(text, DEFAULT_LANGUAGES) == expected


def test_no_detector_for_an_english_article() -> None:
    _lingua._DETECTORS.clear()
    item = enrich_languages(_item("Talks end", "The minister spoke on Monday."), _config())
    assert item.language == "en"
    assert _lingua._DETECTORS == {}


def test_detector_built_once_per_language_set() -> None:
    _lingua._DETECTORS.clear()
    # Fars News spelling (Arabic ي) with no decisive letter: the cues abstain.
    text = "مريم رجوي رئيس جمهور انتخابي"
    assert detect_language(text, ALLOWED).method == "lingua"
    detector = _lingua._DETECTORS[frozenset({"ar", "fa", "ur"})]
    detect(text + " " + text, ALLOWED)
    assert list(_lingua._DETECTORS.items()) == [(frozenset({"ar", "fa", "ur"}), detector)]


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


FRENCH_POST = """\
Macron defends pension plan as strikes spread

President Emmanuel Macron defended his pension reform on Tuesday as strikes spread to
refineries and rail depots across the country, and unions called for a further day of action.

Nous ne céderons pas à la pression de la rue, la réforme est nécessaire. pic.twitter.com/AbCd12
— Emmanuel Macron (@EmmanuelMacron) March 7, 2023

The government says the reform is needed to keep the pension system solvent, while the
unions say it will make people work for longer for less.
"""


def test_a_french_post_in_an_english_article_gets_lang_fr_in_html() -> None:
    import html5lib

    from feedtool.config import default_config
    from feedtool.enrich import enrich_item
    from feedtool.render import Site
    from feedtool.render.html import article_page

    config = default_config()
    item = enrich_item(
        parse_article(FRENCH_POST.encode(), source_path="macron.txt", config=config), config
    )
    assert item.language == "en"
    posts = [b for b in item.body if isinstance(b, EmbeddedPost)]
    assert [p.language for p in posts] == ["fr"]
    assert all(b.language is None for b in item.body if isinstance(b, Paragraph))
    stamp = dt.datetime(2023, 3, 7, 12, tzinfo=dt.UTC)
    item = item.model_copy(
        update={"id": "urn:test:macron", "date_published": stamp, "date_modified": stamp}
    )
    page = article_page(Site(config=config, items=(item,), tag_channels=()), item)
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    tagged = [el for el in tree.iter() if el.get("lang") == "fr"]
    assert tagged
    assert any("Nous ne céderons pas" in "".join(el.itertext()) for el in tagged)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Le Premier ministre a présenté mercredi un plan pour les hôpitaux publics, qui "
         "manquent de personnel depuis la fin de la pandémie. Les syndicats ont salué une "
         "première étape mais réclament davantage de moyens pour les urgences.", "fr"),
        ("Die Bundesregierung hat am Mittwoch einen Plan für die öffentlichen Krankenhäuser "
         "vorgestellt, denen seit dem Ende der Pandemie Personal fehlt. Die Gewerkschaften "
         "begrüßten den Schritt, fordern aber mehr Mittel für die Notaufnahmen.", "de"),
        ("El Gobierno presentó el miércoles un plan para los hospitales públicos, que sufren "
         "falta de personal desde el final de la pandemia. Los sindicatos celebraron el paso "
         "pero reclaman más medios para las urgencias.", "es"),
    ],
)  # fmt: skip
def test_french_german_spanish_articles_are_not_labelled_en(text: str, language: str) -> None:
    from feedtool.config import default_config

    config = default_config()
    item = parse_article(f"Titre\n\n{text}\n".encode(), source_path="a.txt", config=config)
    assert enrich_languages(item, config).language == language


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.characters(max_codepoint=0x7F))
    | st.text(alphabet=st.sampled_from([*"aZ 9.'\n", "é", "£", "ب", "ی", "Ж", "字", "ア"]))
)
def test_script_counts_of_any_text_are_each_patterns_letters(text: str) -> None:
    """The ASCII fast path of ``count_scripts`` counts what the patterns match."""
    expected = {}
    for name, pattern in _script._SCRIPTS:
        letters = sum(len(run) for run in pattern.findall(text))
        if letters:
            expected[name] = letters
    assert _script.count_scripts(text) == expected


def test_linguas_answers_are_keyed_on_the_text_as_lingua_reads_it() -> None:
    """``answer_key`` is the same for texts lingua reads as the same words (an
    ASCII capital as its small letter, each run of other ASCII characters as
    one separator), and lingua's answers to them are the same; other words,
    other candidates, or punctuation beside a capital sigma (whose lowercase
    it decides) make another key."""
    candidates = ("da", "no")
    text = "Regeringen har i dag fremlagt et nyt lovforslag, som koster 17 mio. kr. (2025)"
    same = "REGERINGEN har i dag fremlagt et nyt lovforslag -- som koster 170 mio kr 2026!"
    key = _lingua.answer_key(Question(text, candidates))
    assert key is not None and key == _lingua.answer_key(Question(same, candidates))
    first, again = _lingua.confidence(text, candidates), _lingua.confidence(same, candidates)
    # (Lingua's last digits vary from process to process: it sums in hash order.)
    assert (first[0], round(first[1], 9)) == (again[0], round(again[1], 9))
    _lingua.unload()
    others = [
        Question(text.replace("nyt", "nye"), candidates),
        Question(text.replace("dag", "dåg"), candidates),
        Question(text, ("no", "da")),
        Question(text, ("da", "no", "sv")),
        Question("ΟΔΟΣ. Α", ("el", "en")),
        Question("ΟΔΟΣ Α", ("el", "en")),
    ]
    keys = [_lingua.answer_key(question) for question in others]
    assert len({key, *keys}) == 1 + len(others)
