"""The ``dates`` enricher: date mentions resolved against a reference date."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedtool.config import Config, EnrichConfig, PublisherConfig
from feedtool.enrich.dates import enrich_dates, find_dates
from feedtool.model import DateMention, EmbeddedPost, Image, NewsItem, Paragraph, Publisher
from feedtool.parse import parse_article

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_ae4195037769579a.txt"
GOLD = tomllib.loads((ROOT / "tests/data/enrich/seed_gold.toml").read_text("utf-8"))
BASE = "https://news.example.org/"


def _config(timezone: str = "Asia/Tehran", *, from_dateline: bool = False) -> Config:
    return Config(
        title="Regional Desk",
        base_url=BASE,
        timezone=timezone,
        publisher=PublisherConfig(name="Regional Desk", url=BASE),
        enrich=EnrichConfig(timezone_from_dateline=from_dateline),
    )


def _seed(config: Config | None = None) -> NewsItem:
    return parse_article(
        SEED.read_bytes(), source_path=SEED.name, config=config or _config(), path=SEED
    )


def _item(
    *paragraphs: str,
    caption: str | None = None,
    published: dt.datetime | None = None,
    posts: tuple[EmbeddedPost, ...] = (),
) -> NewsItem:
    body = tuple(Paragraph(text=text, line=3 + i) for i, text in enumerate(paragraphs))
    return NewsItem(
        url=BASE + "a.html",
        slug="a",
        headline="A headline",
        body=body + posts,
        image=Image(caption=caption, line=2) if caption else None,
        publisher=Publisher(name="Regional Desk", url=BASE),
        date_published=published,
        date_published_source="front_matter" if published else None,
        language="en",
        word_count=1,
        source_path="a.txt",
        content_hash="0" * 64,
    )


def _values(item: NewsItem) -> dict[str, tuple[dt.date, str]]:
    return {m.text: (m.value, m.granularity) for m in find_dates(item)}


# --------------------------------------------------------------------------- the seed


def test_seed_mentions_match_the_gold_exactly() -> None:
    mentions = enrich_dates(_seed(), _config()).date_mentions
    found = sorted((m.line, m.text, m.value, m.granularity) for m in mentions)
    gold = sorted((d["line"], d["text"], d["value"], d["granularity"]) for d in GOLD["dates"])
    assert found == gold


def test_seed_has_none_of_the_not_dates() -> None:
    mentions = enrich_dates(_seed(), _config()).date_mentions
    for word in GOLD["not_dates"]:
        assert not any(word.lower() in m.text.lower() for m in mentions), word


def test_seed_mentions_carry_their_sentence() -> None:
    by_line = {m.line: m for m in enrich_dates(_seed(), _config()).date_mentions}
    assert by_line[14].sentence.startswith("A week prior, on October 19, Pakistan announced")
    assert by_line[15].rule == "weekday_anchor"
    assert "(@alilarijani_ir) October 28, 2025" in by_line[8].sentence
    assert by_line[8].rule == "post"


def test_seed_date_published_inferred_from_the_caption() -> None:
    gold = GOLD["date_published"]
    item = enrich_dates(_seed(), _config(gold["timezone"]))
    assert item.date_published == gold["value"]
    assert item.date_published is not None
    assert item.date_published.utcoffset() == dt.timedelta(hours=3, minutes=30)
    assert item.date_published_source == gold["source"]


def test_zone_of_the_caption_city_when_asked() -> None:
    item = enrich_dates(_seed(), _config("UTC", from_dateline=True))
    assert item.date_published == dt.datetime(2025, 10, 28, tzinfo=ZoneInfo("Asia/Tehran"))
    utc = enrich_dates(_seed(), _config("UTC"))
    assert utc.date_published == dt.datetime(2025, 10, 28, tzinfo=dt.UTC)


def test_zone_of_a_dateline_city() -> None:
    item = _item("ISLAMABAD, October 28, 2025 (AP) — Pakistan said on Tuesday it would talk.")
    dated = enrich_dates(item, _config("UTC", from_dateline=True))
    assert dated.date_published == dt.datetime(2025, 10, 28, tzinfo=ZoneInfo("Asia/Karachi"))
    assert _values(item)["on Tuesday"] == (dt.date(2025, 10, 28), "day")


def test_front_matter_date_wins() -> None:
    published = dt.datetime(2025, 11, 4, 9, 30, tzinfo=ZoneInfo("Asia/Tehran"))
    source = (
        b"+++\npublished = 2025-11-04T09:30:00+03:30\n+++\n"
        b"Talks end\nThe minister spoke on Monday. In August, he had visited Karachi.\n"
    )
    item = parse_article(source, source_path="fm.txt", config=_config())
    assert item.date_published == published
    enriched = enrich_dates(item, _config())
    assert enriched.date_published == published
    assert enriched.date_published_source == item.date_published_source
    values = {m.text: m.value for m in enriched.date_mentions}
    assert values == {"on Monday": dt.date(2025, 11, 3), "In August": dt.date(2025, 8, 1)}


def test_enricher_is_idempotent() -> None:
    once = enrich_dates(_seed(), _config())
    assert enrich_dates(once, _config()) == once


# --------------------------------------------------------------------------- rules


def test_bbc_style_text_invents_no_date() -> None:
    item = _item(
        "The chancellor said on Monday that growth in 2004 was the strongest since 1988.",
        "Sales rose last year, the Sunday Times reported, and shares fell yesterday.",
        "He joined the firm in March and will stay until 2,000 jobs are cut.",
    )
    dated = enrich_dates(item, _config())
    assert dated.date_published is None
    assert dated.date_published_source is None
    assert [(m.text, m.value, m.granularity) for m in dated.date_mentions] == [
        ("in 2004", dt.date(2004, 1, 1), "year"),
        ("since 1988", dt.date(1988, 1, 1), "year"),
    ]


def test_first_full_date_of_the_lead_dates_the_article() -> None:
    # Issue 7's order: ... > the first full date in the lead > first publication.
    item = _item(
        "Iran and Pakistan signed a customs deal on October 21, 2025.",
        "The deal was announced on Tuesday.",
    )
    dated = enrich_dates(item, _config())
    assert dated.date_published is not None
    assert dated.date_published.date() == dt.date(2025, 10, 21)
    assert dated.date_published_source == "text"
    assert [(m.text, m.value) for m in dated.date_mentions] == [
        ("on October 21, 2025", dt.date(2025, 10, 21)),
        ("on Tuesday", dt.date(2025, 10, 21)),
    ]


def test_an_event_date_after_the_lead_resolves_weekdays_but_dates_nothing() -> None:
    item = _item(
        "Iran and Pakistan signed a customs deal, officials said.",
        "The deal was first drafted on October 21, 2025 and announced on Tuesday.",
    )
    dated = enrich_dates(item, _config())
    assert dated.date_published is None
    assert [m.value for m in dated.date_mentions] == [dt.date(2025, 10, 21)] * 2


def test_a_lead_looking_back_dates_nothing() -> None:
    item = _item("The singer vanished ten years ago, on 1 February 1995, in Wales.")
    assert enrich_dates(item, _config()).date_published is None


def test_history_is_not_the_day_of_writing() -> None:
    item = _item("The company was founded on 1 January 1985.", "Its profits doubled in 2004.")
    assert enrich_dates(item, _config()).date_published is None


def test_deadline_is_not_the_day_of_writing() -> None:
    item = _item("Smaller firms have until 15 July 2006 to comply.")
    dated = enrich_dates(item, _config())
    assert dated.date_published is None
    assert [m.value for m in dated.date_mentions] == [dt.date(2006, 7, 15)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The minister spoke on Monday.", dt.date(2025, 10, 27)),
        ("The minister spoke on Wednesday.", dt.date(2025, 10, 29)),
        ("The minister spoke last Friday.", dt.date(2025, 10, 24)),
        ("The minister spoke last Wednesday.", dt.date(2025, 10, 22)),
        ("The minister speaks next Monday.", dt.date(2025, 11, 3)),
        ("The minister speaks next Wednesday.", dt.date(2025, 11, 5)),
        ("The minister will speak on Friday.", dt.date(2025, 10, 31)),
        ("Tuesday's vote was close.", dt.date(2025, 10, 28)),
    ],
)
def test_weekdays_resolve_against_the_reference(text: str, expected: dt.date) -> None:
    published = dt.datetime(2025, 10, 29, 12, tzinfo=dt.UTC)  # a Wednesday
    (mention,) = find_dates(_item(text, published=published))
    assert (mention.value, mention.granularity, mention.rule) == (expected, "day", "weekday")


def test_weekday_names_the_written_date_it_falls_on() -> None:
    item = _item(
        "Pakistan signed the order on October 19, 2025.",
        "Its envoy announced it on Sunday.",
        "Talks resumed on Monday.",
        published=dt.datetime(2025, 10, 29, tzinfo=dt.UTC),
    )
    got = [(m.text, m.value, m.rule) for m in find_dates(item)]
    assert got == [
        ("on October 19, 2025", dt.date(2025, 10, 19), "explicit"),
        ("on Sunday", dt.date(2025, 10, 19), "weekday_anchor"),
        # the written date is two blocks back: Monday is the reference's last Monday
        ("on Monday", dt.date(2025, 10, 27), "weekday"),
    ]


def test_names_with_weekdays_are_not_dates() -> None:
    item = _item(
        "The Mail on Sunday and the Sunday Telegraph recalled Black Monday and Good Friday.",
        published=dt.datetime(2025, 10, 29, tzinfo=dt.UTC),
    )
    assert find_dates(item) == ()


@pytest.mark.parametrize(
    ("text", "mention", "value", "granularity"),
    [
        ("It was signed on 2025-10-21 in Tehran.", "on 2025-10-21", dt.date(2025, 10, 21), "day"),
        ("Filed 2025-10-21T09:30 local time.", "2025-10-21T09:30", dt.date(2025, 10, 21), "minute"),
        ("Signed on 28 October 2025 by both.", "on 28 October 2025", dt.date(2025, 10, 28), "day"),
        ("Signed on Oct. 21 by both.", "on Oct. 21", dt.date(2025, 10, 21), "day"),
        ("Signed on the 5th of October.", "5th of October", dt.date(2025, 10, 5), "day"),
        ("Prices rose in November.", "in November", dt.date(2024, 11, 1), "month"),
        ("Prices will rise in February.", "in February", dt.date(2026, 2, 1), "month"),
        ("Prices rose in mid-October.", "mid-October", dt.date(2025, 10, 1), "month"),
        ("Prices rose in October 2024.", "in October 2024", dt.date(2024, 10, 1), "month"),
        ("Prices have risen since 2004.", "since 2004", dt.date(2004, 1, 1), "year"),
        ("Prices fell yesterday.", "yesterday", dt.date(2025, 10, 28), "day"),
        ("Prices fell last month.", "last month", dt.date(2025, 9, 1), "month"),
        ("Prices fell last year.", "last year", dt.date(2024, 1, 1), "year"),
        # 1 March 2026 is a Sunday: the weekday picks the year (2025's was a Saturday).
        ("The final is on Sunday, 1 March.", "on Sunday, 1 March", dt.date(2026, 3, 1), "day"),
    ],
)
def test_forms_of_dates(text: str, mention: str, value: dt.date, granularity: str) -> None:
    published = dt.datetime(2025, 10, 29, tzinfo=dt.UTC)
    assert _values(_item(text, published=published)) == {mention: (value, granularity)}


@pytest.mark.parametrize(
    "text",
    [
        "The meeting starts at 1900 GMT.",
        "The Ides of March are come.",
        "May the talks succeed, he said, and March on.",
        "Some 2004 people signed the 2004-05 budget of 2,004 pages.",
        "A week prior, the region today faced a 12-day war.",
        "Imports rose by 2025%.",
    ],
)
def test_things_that_are_not_dates(text: str) -> None:
    assert find_dates(_item(text, published=dt.datetime(2025, 10, 29, tzinfo=dt.UTC))) == ()


def test_month_and_day_alone_infer_no_publication_date() -> None:
    item = _item("On October 25, Tehran and Islamabad signed a customs deal.")
    dated = enrich_dates(item, _config())
    assert dated.date_published is None
    assert dated.date_mentions == ()  # no year anywhere: it cannot be resolved


def test_post_dates_are_mentions_and_set_the_reference() -> None:
    post = EmbeddedPost(text="خوش آمدید", author="Ali Larijani", date=dt.date(2025, 10, 28), line=5)
    item = _item("Larijani welcomed the minister on Tuesday.", posts=(post,))
    dated = enrich_dates(item, _config())
    assert [(m.text, m.value, m.line, m.rule) for m in dated.date_mentions] == [
        ("on Tuesday", dt.date(2025, 10, 28), 3, "weekday"),
        ("October 28, 2025", dt.date(2025, 10, 28), 6, "post"),
    ]
    assert dated.date_published == dt.datetime(2025, 10, 28, tzinfo=ZoneInfo("Asia/Tehran"))


def test_multilingual_text_does_not_break() -> None:
    item = _item(
        "ہم بھائی ہیں، اپنے گھر میں خوش آمدید! ۲۸ اکتوبر ۲۰۲۵",
        "توقيعُ اتفاقيةٍ استراتيجيةٍ في 28 أكتوبر 2025",
        "Встреча прошла 28 октября 2025 года.",
    )
    assert find_dates(item) == ()


# --------------------------------------------------------------------------- properties

_FRAGMENTS = st.sampled_from(
    [
        "on", "in", "last", "next", "since", "of", "mid-", "Monday", "Sunday", "May", "March",
        "October 28,", "Oct.", "28", "29", "31", "2025", "1899", "2100", "2101", "0001",
        "yesterday", "year", "month", "this", "Tuesday,", "February 29", "9999-12-31",
        "1900-01-01", "2100-12-31", ".", ",", "\n", "will", "until",
    ]
)  # fmt: skip
_TEXT = st.lists(st.one_of(_FRAGMENTS, st.text(max_size=8)), max_size=30).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(body=st.lists(_TEXT.filter(str.strip), min_size=1, max_size=4), headline=_TEXT)
def test_any_text_gives_mentions_within_range(body: list[str], headline: str) -> None:
    item = _item(*body).model_copy(update={"headline": headline.strip() or "x"})
    dated = enrich_dates(item, _config())
    for mention in dated.date_mentions:
        assert isinstance(mention, DateMention)
        assert 1900 <= mention.value.year <= 2100
        assert mention.text and mention.line >= 1
    if dated.date_published is not None:
        assert dated.date_published.tzinfo is not None
        assert dated.date_published_source == "text"


def test_output_validates_as_a_model() -> None:
    dated = enrich_dates(_seed(), _config())
    assert NewsItem.model_validate(dated.model_dump()) == dated


def test_far_front_matter_dates_do_not_overflow() -> None:
    published = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)
    item = _item("Talks resume next Monday and end next year.", published=published)
    assert find_dates(item) == ()
