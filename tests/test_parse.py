"""Parse stage: golden cases, error reports, properties and the shared corpora.

Golden files: ``tests/data/parse/<case>.txt`` is parsed with ``source_path='<case>.txt'``
and must give exactly ``<case>.json`` (``item.model_dump(mode="json")``). After a
deliberate change, rewrite them with ``FEEDTOOL_REGEN_GOLDEN=1 pytest tests/test_parse.py``
and review the diff before committing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedtool.config import AuthorConfig, Config, PublisherConfig
from feedtool.errors import FeedtoolError, ParseError
from feedtool.model import EmbeddedPost, Heading, Image, ListBlock, NewsItem, Paragraph, Person
from feedtool.parse import parse_article

DATA = Path(__file__).parent / "data" / "parse"
CASES = sorted(DATA.glob("*.txt"))
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
SEED = "000_ae4195037769579a.txt"
TEHRAN = ZoneInfo("Asia/Tehran")
PHOTO_CREDIT = "تصویر کے کاپی رائٹ"  # BBC Urdu's "Image copyright"

CONFIG = Config(
    title="Regional Desk",
    base_url="https://news.example.org/",
    language="en",
    timezone="Asia/Tehran",
    publisher=PublisherConfig(
        name="Regional Desk",
        url="https://news.example.org/",
        logo="https://news.example.org/logo.png",
    ),
    author=AuthorConfig(name="Regional Desk staff", kind="Organization"),
)


def parse(text: str | bytes, source_path: str = "article.txt") -> NewsItem:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_article(data, source_path=source_path, config=CONFIG)


def case(name: str) -> NewsItem:
    path = DATA / name
    return parse_article(path.read_bytes(), source_path=name, config=CONFIG, path=path)


def parse_error(text: str | bytes, path: Path = Path("/articles/bad.txt")) -> ParseError:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(ParseError) as caught:
        parse_article(data, source_path="bad.txt", config=CONFIG, path=path)
    return caught.value


# ------------------------------------------------------------------------------ golden


@pytest.mark.parametrize("source", CASES, ids=lambda p: p.stem)
def test_golden(source: Path) -> None:
    item = case(source.name)
    got = item.model_dump(mode="json")
    golden = source.with_suffix(".json")
    if os.environ.get("FEEDTOOL_REGEN_GOLDEN") == "1":
        golden.write_text(json.dumps(got, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert golden.exists(), f"no {golden.name}: run with FEEDTOOL_REGEN_GOLDEN=1 and review it"
    assert got == json.loads(golden.read_text(encoding="utf-8"))
    assert NewsItem.model_validate(got) == item  # the JSON form loses nothing


def test_every_golden_input_has_its_expectation() -> None:
    assert len(CASES) >= 9
    assert {p.stem for p in DATA.glob("*.json")} == {p.stem for p in CASES}


# ------------------------------------------------------------------------------ the seed


def test_seed_structure() -> None:
    item = case(SEED)
    assert item.headline == "Iran, Pakistan discuss expanding strategic partnership"
    assert item.slug == "iran-pakistan-discuss-expanding-strategic-partnership"
    assert item.url == f"https://news.example.org/articles/{item.slug}.html"
    assert item.description is not None and item.description.startswith("Iran and Pakistan aim")
    assert item.image is not None
    assert item.image.credit == "WANA"
    assert item.image.line == 4
    assert item.image.caption is not None and item.image.caption.endswith("October 28, 2025")
    # The caption is the lead photo's, not a paragraph; the '-' separator is nowhere.
    texts = [b.text for b in item.text_blocks]
    assert not any("shakes hands" in t for t in texts)
    assert "-" not in texts
    headings = [b for b in item.body if isinstance(b, Heading)]
    assert [(h.line, h.text) for h in headings] == [
        (11, "Wider context"),
        (16, "On Saudi-Pakistani agreement"),
    ]
    posts = [b for b in item.body if isinstance(b, EmbeddedPost)]
    assert [p.line for p in posts] == [7, 18]
    first = posts[0]
    assert (first.author, first.author_alternate_name, first.handle, first.date) == (
        "Ali Larijani",
        "علی لاریجانی",
        "alilarijani_ir",
        dt.date(2025, 10, 28),
    )
    assert first.links == ("https://pic.twitter.com/6oeuaaB65m",)
    assert "pic.twitter.com/6oeuaaB65m" in first.text
    assert posts[1].links == ()
    # No attribution line survives as text.
    assert not any(t.startswith("—") for t in texts)
    assert item.body[0].line == 5 and isinstance(item.body[0], Paragraph)
    assert item.body[-1].line == 20
    assert item.id is None and item.date_published is None and item.date_published_source is None
    assert item.authors == (Person(name="Regional Desk staff", kind="Organization"),)
    assert item.publisher.name == "Regional Desk"
    assert item.language == "en"
    data = (DATA / SEED).read_bytes()
    assert item.content_hash == hashlib.sha256(data).hexdigest()
    assert item.source_path == SEED


def test_seed_copy_matches_the_project_seed() -> None:
    project_seed = Path(__file__).resolve().parents[1] / "seeds" / SEED
    if not project_seed.exists():
        pytest.skip("seeds/ is not in this checkout")
    assert (DATA / SEED).read_bytes() == project_seed.read_bytes()


# ------------------------------------------------------------------------------ layouts


def test_bbc_layout_first_paragraph_is_the_description_and_stays_in_the_body() -> None:
    item = case("bbc_style.txt")
    assert item.headline == "Harbour ferry fares to rise in spring"
    first = item.body[0]
    assert isinstance(first, Paragraph) and first.line == 3
    assert item.description == first.text
    # The '-' lines are one bulleted list, without their markers.
    (bullets,) = [b for b in item.body if isinstance(b, ListBlock)]
    assert (bullets.ordered, bullets.line) == (False, 8)
    assert bullets.items == (
        "Single fares rise to £3.40",
        "Child fares are unchanged",
        "A new evening ticket will cost £2.10",
    )
    assert not any(isinstance(b, Heading) for b in item.body)


def test_bullets_and_numbers_make_lists() -> None:
    text = (
        "Marathon results announced\n\n"
        "Runners from 40 countries took part in the race through the city on Sunday.\n\n"
        "The first three were:\n"
        "1. Norway\n2) Kenya\n3. Japan\n\n"
        "• Roads reopen at six\n"
        "• Trains run late\n\n"
        "2. This line starts with a number but is a sentence of its own.\n\n"
        "۱. یک\n۲. دو\n"
    )
    item = parse(text.encode(), source_path="lists.txt")
    lists = [b for b in item.body if isinstance(b, ListBlock)]
    assert [(b.ordered, b.start, b.items) for b in lists] == [
        (True, 1, ("Norway", "Kenya", "Japan")),
        (False, 1, ("Roads reopen at six", "Trains run late")),
        (True, 1, ("یک", "دو")),
    ]
    lone = [b for b in item.body if isinstance(b, Paragraph) and b.text.startswith("2.")]
    assert len(lone) == 1  # one numbered line alone stays a paragraph
    assert item.word_count == sum(len(b.text.split()) for b in item.text_blocks)


def test_crlf_and_bom_parse_like_plain_lf() -> None:
    crlf = case("crlf_bom.txt")
    plain = (DATA / "crlf_bom.txt").read_bytes().removeprefix(b"\xef\xbb\xbf")
    lf = parse(plain.replace(b"\r\n", b"\n"), source_path="crlf_bom.txt")
    assert crlf.headline == "Café owners welcome new rules"
    assert crlf.model_dump(exclude={"content_hash"}) == lf.model_dump(exclude={"content_hash"})
    old_mac = parse(plain.replace(b"\r\n", b"\r"), source_path="crlf_bom.txt")
    assert old_mac.body == crlf.body


def test_latin1_bytes_are_decoded_as_windows_1252() -> None:
    item = case("latin1.txt")
    assert item.headline == "Café chain profits fall to £3.2m"
    texts = [b.text for b in item.text_blocks]
    assert "blaming “a very wet summer”." in texts[0]
    assert "€ 0.05" in texts[1]


def test_word_count_is_of_body_words_only() -> None:
    item = parse("Three headline words\n\nOne two — three 🇮🇷.\nAnd four\n")
    assert item.word_count == 5


def test_nfc_and_control_characters() -> None:
    item = parse("Cafe\u0301 news\n\nThe cafe\u0301 opened\x00 today.\x07\n")
    assert item.headline == "Café news"
    assert item.body[0] == Paragraph(text="The café opened today.", line=3)


def test_urdu_text_without_headline_gets_its_first_sentence() -> None:
    item = case("urdu_no_headline.txt")
    first = item.body[0]
    assert isinstance(first, Paragraph) and first.line == 1
    assert first.text.startswith(item.headline)
    assert item.headline != first.text
    assert item.headline.endswith("کی ہے")  # the sentence, without its '۔'
    assert item.description == first.text
    assert len(item.body) == 3


def test_long_first_sentence_is_cut_at_a_word_with_an_ellipsis() -> None:
    sentence = " ".join(f"word{i}" for i in range(60))
    item = parse(f"{sentence}.\n\nSecond paragraph here.\n")
    assert item.headline.endswith("…")
    assert len(item.headline) <= 110
    assert sentence.startswith(item.headline[:-1])
    assert item.headline[:-1].split()[-1] in sentence.split()


def test_persian_abstract_under_the_headline_is_the_description() -> None:
    item = parse("عنوان خبر امروز\nخلاصه خبر در یک جمله.\n\nمتن کامل خبر اینجاست.\n")
    assert item.headline == "عنوان خبر امروز"
    assert item.description == "خلاصه خبر در یک جمله."
    assert [b.text for b in item.text_blocks] == ["متن کامل خبر اینجاست."]


def test_hard_wrapped_paragraphs_are_joined() -> None:
    item = case("hard_wrapped.txt")
    assert [(b.line, b.text.split()[0], b.text.split()[-1]) for b in item.text_blocks] == [
        (3, "Night", "service."),
        (7, "The", "return."),
        (10, "Timetables", "stop."),
    ]


def test_blank_line_layout_with_heading() -> None:
    item = case("blank_line_paragraphs.txt")
    assert [type(b).__name__ for b in item.body] == [
        "Paragraph",
        "Paragraph",
        "Heading",
        "Paragraph",
    ]
    assert item.text_blocks[2].text == "Evening hours"


def test_posts_without_alternate_name_or_handle() -> None:
    item = case("post_without_alt_or_handle.txt")
    posts = [b for b in item.body if isinstance(b, EmbeddedPost)]
    assert [(p.author, p.author_alternate_name, p.handle, p.date, p.links) for p in posts] == [
        ("Leila Navabi", None, None, dt.date(2025, 10, 30), ("https://example.org/thanks",)),
        ("Town Council", None, None, None, ()),
    ]
    assert posts[0].url is None


def test_hyphen_line_without_handle_or_date_is_a_list_item_not_an_attribution() -> None:
    item = parse("Budget at a glance\n\nThe main measures:\nMore for schools\n- Lower tax\n")
    assert not any(isinstance(b, EmbeddedPost) for b in item.body)
    assert item.text_blocks[-1].text == "Lower tax"


def test_markup_is_kept_as_text() -> None:
    item = case("script_injection.txt")
    assert item.headline == "Council vote </script><script>alert(1)</script> passes"
    assert "</script><script>alert(1)</script>" in item.text_blocks[0].text
    assert item.text_blocks[1].text == 'The text <b>bold</b> & "quoted" stays as it was written.'


def test_bbc_urdu_photo_credit_line_is_the_lead_image() -> None:
    text = (
        "تصویر کے کاپی رائٹ Getty Images Image caption بازار میں خریدار\n\n"
        + "یہ ایک طویل پہلا پیراگراف ہے جس میں بہت سے الفاظ ہیں " * 3
        + "۔\n\nدوسرا پیراگراف۔\n"
    )
    item = parse(text)
    assert item.image == Image(caption="بازار میں خریدار", credit="Getty Images", line=1)
    assert item.body[0].line == 3
    assert item.headline.startswith("یہ ایک طویل")


# ------------------------------------------------------------------------------ front matter


def test_front_matter_values_win() -> None:
    item = case("front_matter_all_keys.txt")
    assert item.id == "tag:news.example.org,2025-10-29:ferry-deal"
    assert item.url == "https://news.example.org/2025/ferry-deal.html"
    assert item.slug == "ferry-deal-agreed"
    assert item.headline == "Ferry deal agreed after long talks"
    assert item.description == "Operators and the council agree a five-year ferry contract."
    assert item.authors == (
        Person(name="Sara Ahmadi"),
        Person(name="Omar Khan", url="https://news.example.org/authors/omar-khan"),
    )
    assert item.date_published == dt.datetime(2025, 10, 29, 6, 0, tzinfo=dt.UTC)
    assert item.date_published_source == "front_matter"
    # A naive time is the publication's local time.
    assert item.date_modified == dt.datetime(2025, 10, 29, 14, 0, tzinfo=TEHRAN)
    assert item.language == "en-GB"
    assert item.image == Image(
        url="https://news.example.org/images/ferry.jpg",
        caption="The harbour ferry at dawn",
        credit="Desk photo",
    )
    assert [(t.kind, t.name, t.slug, t.given) for t in item.tags] == [
        ("person", "Sara Ahmadi", "sara-ahmadi", True),
        ("organization", "Harbour Council", "harbour-council", True),
        ("place", "Bandar Abbas", "bandar-abbas", True),
        ("topic", "transport", "transport", True),
        ("keyword", "ferry", "ferry", True),
        ("keyword", "contract", "contract", True),
    ]
    # The text's own headline and standfirst lines are consumed, not body text.
    assert item.body[0].line == 23
    assert item.text_blocks[0].text.startswith("After months of talks")


def test_front_matter_dates_and_image_string() -> None:
    item = parse(
        '+++\npublished = 2025-10-28\nimage = "https://cdn.example.org/a.jpg"\n+++\n'
        "Headline here\nStandfirst here.\n-\nThe caption (AFP)\nBody text.\n"
    )
    assert item.date_published == dt.datetime(2025, 10, 28, tzinfo=TEHRAN)
    assert item.date_modified is None
    # The URL comes from front matter, caption and credit from the text.
    assert item.image == Image(
        url="https://cdn.example.org/a.jpg", caption="The caption", credit="AFP", line=8
    )


def test_front_matter_iso_string_date_and_list_tags() -> None:
    item = parse(
        '+++\npublished = "2025-10-28T08:00:00Z"\ntags = ["trade", "Iran"]\n'
        "authors = []\n+++\nHeadline\n\nBody.\n"
    )
    assert item.date_published == dt.datetime(2025, 10, 28, 8, tzinfo=dt.UTC)
    assert [(t.kind, t.name) for t in item.tags] == [("keyword", "trade"), ("keyword", "Iran")]
    assert item.authors == ()


# ------------------------------------------------------------------------------ slugs


@pytest.mark.parametrize(
    ("source_path", "headline", "slug"),
    [
        ("000_ae4195037769579a.txt", "Iran’s talks: a new phase?", "irans-talks-a-new-phase"),
        ("2025/iran-talks.txt", "Something else entirely", "iran-talks"),
        ("001.txt", "Ægir & Søren meet in Zürich", "aegir-and-soren-meet-in-zurich"),
        ("aawsat_0000.txt", "«تسلا» تخسر أكثر من 4 آلاف دولار", "aawsat-0000"),
        ("123.txt", "«تسلا» تخسر أكثر من 4 آلاف دولار", "123"),
    ],
)
def test_slug_choice(source_path: str, headline: str, slug: str) -> None:
    assert parse(f"{headline}\n\nBody text.\n", source_path=source_path).slug == slug


def test_slug_of_long_headline_is_cut_at_a_word() -> None:
    headline = "Officials " + "announce " * 12 + "new plans"
    item = parse(f"{headline}\n\nBody.\n", source_path="9.txt")
    assert len(item.slug) <= 80
    assert not item.slug.endswith("-")
    assert item.slug.split("-")[-1] == "announce"


def test_slug_falls_back_to_the_hash_when_nothing_else_is_ascii() -> None:
    item = parse("خبر امروز\n\nمتن خبر.\n", source_path="۱۲.txt")
    assert item.slug == "article-" + item.content_hash[:12]


# ------------------------------------------------------------------------------ errors


@pytest.mark.parametrize("text", ["", "   \n\t\n", "\ufeff\r\n\r\n"])
def test_empty_article(text: str) -> None:
    error = parse_error(text)
    assert error.path == Path("/articles/bad.txt")
    assert error.line == 1
    assert "empty" in error.message and error.hint


def test_error_names_source_path_without_a_real_path() -> None:
    with pytest.raises(ParseError) as caught:
        parse_article(b"", source_path="2025/x.txt", config=CONFIG)
    assert caught.value.path == Path("2025/x.txt")
    assert str(caught.value).startswith("2025/x.txt:1: ")


def test_bad_toml_reports_the_file_line() -> None:
    error = parse_error('+++\ntitle = "ok"\nslug = not quoted\n+++\nHeadline\n\nBody.\n')
    assert error.line == 3
    assert "invalid TOML" in error.message
    assert isinstance(error.__cause__, Exception)


def test_unknown_key_is_named_with_its_line_and_a_suggestion() -> None:
    error = parse_error('+++\ntitle = "ok"\n\nauthor = "Sara"\n+++\nHeadline\n\nBody.\n')
    assert error.line == 4
    assert "'author'" in error.message
    assert error.hint is not None and "did you mean 'authors'" in error.hint


def test_unknown_tag_kind_is_named() -> None:
    error = parse_error('+++\n[tags]\npersons = ["A"]\n+++\nHeadline\n\nBody.\n')
    assert "persons" in error.message and error.line == 2
    assert error.hint is not None and "people" in error.hint


@pytest.mark.parametrize(
    ("front", "line"),
    [
        ('published = "28/10/2025"', 3),
        ('published = "yesterday"', 3),
        ("published = 09:30:00", 3),
        ("published = 2025", 3),
    ],
)
def test_invalid_date(front: str, line: int) -> None:
    error = parse_error(f'+++\ntitle = "ok"\n{front}\n+++\nHeadline\n\nBody.\n')
    assert error.line == line
    assert "published" in error.message
    assert error.hint is not None and "2025-10-28" in error.hint


def test_modified_before_published() -> None:
    error = parse_error(
        "+++\npublished = 2025-10-28T10:00:00Z\nmodified = 2025-10-27T10:00:00Z\n+++\nH\n\nB.\n"
    )
    assert error.line == 3 and "before" in error.message


def test_unterminated_front_matter() -> None:
    error = parse_error('+++\ntitle = "x"\nHeadline\n\nBody.\n')
    assert error.line == 1
    assert "never closed" in error.message
    assert error.hint is not None and "+++" in error.hint


def test_front_matter_without_body() -> None:
    error = parse_error('+++\ntitle = "x"\n+++\n\n   \n')
    assert error.line == 3
    assert "not followed" in error.message


@pytest.mark.parametrize(
    ("front", "word"),
    [
        ('slug = "Not A Slug"', "slug"),
        ('language = "english language"', "language"),
        ('id = "no scheme"', "id"),
        ('url = "ftp://x.org/a"', "url"),
        ("title = 3", "title"),
        ('title = "a"\nheadline = "b"', "both"),
        ("authors = [{ url = 'https://a.org/' }]", "name"),
        ('image = { href = "x" }', "href"),
    ],
)
def test_bad_front_matter_values(front: str, word: str) -> None:
    error = parse_error(f"+++\n{front}\n+++\nHeadline\n\nBody.\n")
    assert word in error.message
    assert error.line == 2 or (word == "both" and error.line == 3)


def test_model_validation_errors_become_parse_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    import feedtool.parse as parse_module

    monkeypatch.setattr(parse_module, "stem_slug", lambda stem: "Not A Slug")
    error = parse_error("Headline\n\nBody.\n")
    assert "slug" in error.message
    assert type(error.__cause__).__name__ == "ValidationError"


def test_headline_without_body() -> None:
    error = parse_error("Just a headline\n")
    assert error.line == 1 and error.hint


def test_binary_file() -> None:
    error = parse_error(bytes(range(32)) * 20)
    assert "not a text file" in error.message


def test_parse_is_pure_and_never_reads_the_path() -> None:
    data = (DATA / SEED).read_bytes()
    missing = Path("/nonexistent/dir/article.txt")
    first = parse_article(data, source_path=SEED, config=CONFIG, path=missing)
    second = parse_article(data, source_path=SEED, config=CONFIG, path=missing)
    assert first == second


# ------------------------------------------------------------------------------ properties

_FRAGMENTS = st.sampled_from(
    [
        "+++",
        'title = "x"',
        "published = 2025-10-28",
        "tags = [1]",
        "-",
        "",
        " ",
        "Headline words here",
        "A sentence ends here.",
        "— Ali Larijani | علی لاریجانی (@alilarijani_ir) October 28, 2025",
        "-- Someone",
        "- list item",
        "pic.twitter.com/abc",
        "Caption text (WANA)",
        "تصویر کے کاپی رائٹ Getty Images Image caption کچھ",
        "یہ ایک جملہ ہے۔",
        "\x00\x1b",
        "\r",
        "\ufeff",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_any_text_parses_or_raises_feedtool_error(text: str) -> None:
    try:
        item = parse(text.encode("utf-8", "surrogatepass"))
    except FeedtoolError:
        return
    assert item.headline.strip() and item.text_blocks


@settings(max_examples=150, deadline=None)
@given(st.binary())
def test_any_bytes_parse_or_raise_feedtool_error(data: bytes) -> None:
    try:
        item = parse(data)
    except FeedtoolError:
        return
    assert item.content_hash == hashlib.sha256(data).hexdigest()


@settings(max_examples=200, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=12))
def test_any_arrangement_of_tricky_lines(lines: list[str]) -> None:
    try:
        item = parse("\n".join(lines))
    except FeedtoolError:
        return
    count = len("\n".join(lines).replace("\r", "\n").split("\n"))
    assert all(1 <= b.line <= count for b in item.body if b.line is not None)


# ------------------------------------------------------------------------------ corpora


def _corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return sorted(p for p in CORPUS.rglob("*.txt") if p.name.upper() != "README.TXT")


@pytest.mark.corpus
def test_every_corpus_article_parses() -> None:
    files = _corpus_files()
    assert len(files) > 1500
    for path in files:
        item = parse_article(
            path.read_bytes(),
            source_path=str(path.relative_to(CORPUS)),
            config=CONFIG,
            path=path,
        )
        assert item.headline.strip(), path
        assert len(item.headline) <= 150, path
        assert item.text_blocks, path
        assert item.word_count > 0, path


@pytest.mark.corpus
def test_latin1_corpus_file() -> None:
    path = CORPUS / "bbc" / "sport" / "199.txt"
    if not path.exists():
        pytest.skip("bbc/sport/199.txt not in the shared corpus")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    item = parse_article(path.read_bytes(), source_path="bbc/sport/199.txt", config=CONFIG)
    assert item.headline == "Chelsea sack Mutu"
    assert any("£15.8m" in b.text for b in item.text_blocks)


@pytest.mark.corpus
def test_urdu_headlines_are_derived_not_whole_paragraphs() -> None:
    files = [p for p in _corpus_files() if p.parent.name == "ur"]
    assert len(files) >= 20
    derived = 0
    for path in files:
        item = parse_article(path.read_bytes(), source_path=path.name, config=CONFIG, path=path)
        paragraphs = [b.text for b in item.body if isinstance(b, Paragraph)]
        assert item.headline not in paragraphs, path  # never a paragraph copied whole
        assert len(item.headline) <= 110, path
        text = unicodedata.normalize("NFC", path.read_bytes().decode("utf-8-sig"))
        first_line = next(
            " ".join(line.split())
            for line in text.splitlines()
            if line.strip() and not line.startswith(PHOTO_CREDIT)
        )
        if len(first_line.split()) > 20:
            # A long first line is a paragraph: it stays in the body and the
            # headline is its first sentence, shortened.
            assert first_line in paragraphs, path
            assert first_line.startswith(item.headline.removesuffix("…")), path
            derived += 1
    assert derived >= len(files) - 3


def test_html_character_references_become_characters() -> None:
    # As in the BBC corpus: text pasted from a web page.
    item = parse_article(
        b"&#163;1.8m fine for S&#227;o Paulo firm\n\nAT&T and R&D &amp; more.\n",
        source_path="refs.txt",
        config=CONFIG,
    )
    assert item.headline == "£1.8m fine for São Paulo firm"
    assert item.body[0].text == "AT&T and R&D & more."


def test_readme_input_example_parses_as_documented() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    example = readme.split("## Input format\n\n```text\n", 1)[1].split("```", 1)[0]
    example = example.replace(
        "+++                                  ← optional TOML front matter", "+++"
    )
    item = parse_article(example.encode(), source_path="example.txt", config=CONFIG)
    assert item.id == "tag:news.example.org,2025-10-28:iran-pakistan"
    assert (item.headline, item.description) == ("Headline", "Standfirst (the description)")
    assert [a.name for a in item.authors] == ["Jane Doe", "Desk"]
    assert item.image is not None and item.image.credit == "WANA"
    assert [type(b).__name__ for b in item.body] == [
        "Paragraph",
        "ListBlock",
        "ListBlock",
        "Heading",
        "EmbeddedPost",
    ]
    post = item.body[4]
    assert isinstance(post, EmbeddedPost)
    assert (post.author, post.handle, post.date) == ("Author Name", "handle", dt.date(2025, 10, 28))
    assert {(t.kind, t.name) for t in item.tags} >= {
        ("person", "Ali Larijani"),
        ("place", "Tehran"),
    }
    assert all(t.given for t in item.tags)
