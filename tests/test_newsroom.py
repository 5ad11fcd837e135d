"""Newsroom lines: bylines, datelines, date lines, corrections, years, other languages.

The golden cases in ``tests/data/newsroom/`` are newsroom-style articles
written for these tests; each ``<case>.txt`` goes through parse → enrich →
the publish stage's stamping (first publication fixed at
``FIRST_PUBLISHED``) and must give ``<case>.json``. Rewrite them after a
deliberate change with ``FEEDTOOL_REGEN_GOLDEN=1 pytest tests/test_newsroom.py``
and review the diff.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from _validators import SHARED, ninjs_validator, schemaorg
from hypothesis import given, settings
from hypothesis import strategies as st

from feedtool._calendar import find_date, find_time, latest_on_or_before
from feedtool._text import ascii_digits
from feedtool.config import Config, PublisherConfig
from feedtool.enrich import enrich_item
from feedtool.enrich.newsroom import newsroom_dates
from feedtool.model import NewsItem, Person
from feedtool.parse import parse_article
from feedtool.parse._newsroom import byline, correction, date_line, dateline_of, trailer
from feedtool.publish import stamp_item
from feedtool.publish._state import State
from feedtool.render import Site
from feedtool.render.html import article_page
from feedtool.render.jsonld import article_jsonld
from feedtool.render.ninjs import ninjs

DATA = Path(__file__).parent / "data" / "newsroom"
CASES = sorted(DATA.glob("*.txt"))
T1015, T1032, T1504 = dt.time(10, 15), dt.time(10, 32), dt.time(15, 4)
FIRST_PUBLISHED = dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC)

CONFIG = Config(
    title="Newsroom Test",
    base_url="https://news.example.org/",
    timezone="UTC",
    publisher=PublisherConfig(name="Newsroom Test", url="https://news.example.org/"),
)


def published_item(text: str | bytes, name: str = "article.txt") -> NewsItem:
    data = text.encode() if isinstance(text, str) else text
    item = enrich_item(parse_article(data, source_path=name, config=CONFIG), CONFIG)
    return stamp_item(item, State(), CONFIG, FIRST_PUBLISHED)


# --------------------------------------------------------------------------- golden cases


def _golden_view(item: NewsItem) -> dict[str, object]:
    data = item.model_dump(mode="json", exclude={"content_hash", "date_mentions"})
    # Tags belong to the enrichers of other areas; the names show what reached them.
    data["tags"] = [f"{t['kind']}:{t['name']}" for t in data["tags"]]
    return data


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden(path: Path) -> None:
    item = published_item(path.read_bytes(), path.name)
    got = _golden_view(item)
    golden = path.with_suffix(".json")
    if os.environ.get("FEEDTOOL_REGEN_GOLDEN"):
        text = json.dumps(got, ensure_ascii=False, indent=1) + "\n"
        golden.write_text(text, encoding="utf-8")
    assert got == json.loads(golden.read_text(encoding="utf-8"))


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 30


def test_only_undated_cases_are_dated_by_their_first_publication() -> None:
    undated = [
        p.stem
        for p in CASES
        if published_item(p.read_bytes(), p.name).date_published_source == "first_published"
    ]
    assert undated == [p.stem for p in CASES if "no_date" in p.stem]


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27 novembre", (None, 11, 27)),
        ("14. November 2025", (2025, 11, 14)),
        ("25 nov", (None, 11, 25)),
        ("25 de noviembre de 2025", (2025, 11, 25)),
        ("26 نوفمبر/تشرين الثاني 2025", (2025, 11, 26)),
        ("٢٦ نوفمبر ٢٠٢٥", (2025, 11, 26)),
        ("18 نومبر 2025", (2025, 11, 18)),
        ("۵ آذر ۱۴۰۴", (2025, 11, 26)),
        ("۲۶ نوامبر ۲۰۲۵", (2025, 11, 26)),
        ("1 de dezembro de 2025", (2025, 12, 1)),
        ("27 ottobre 2025", (2025, 10, 27)),
        ("Nov. 27", (None, 11, 27)),
        ("March 26, 1987", (1987, 3, 26)),
        ("27th November, 2025", (2025, 11, 27)),
        ("2025-11-26", (2025, 11, 26)),
        ("Sunday 23 November 2025", (2025, 11, 23)),
    ],
)
def test_find_date(text: str, expected: tuple[int | None, int, int]) -> None:
    found = find_date(text)
    assert found is not None
    assert (found.year, found.month, found.day) == expected


@pytest.mark.parametrize("text", ["In 2004 sales rose", "30 February 2025", "out of 5", "May 40"])
def test_find_date_refuses(text: str) -> None:
    assert find_date(text) is None


def test_digits_of_every_script_read_as_numbers() -> None:
    assert ascii_digits("۱۴۰۴ و ٢٦") == "1404 و 26"


def test_find_time_with_zone() -> None:
    found = find_time("Updated at 14:00 GMT")
    assert found is not None and found.time == dt.time(14) and found.utc_offset == 0
    found = find_time("Update 2.30pm BST:")
    assert found is not None and found.time == dt.time(14, 30) and found.utc_offset == 60
    found = find_time("2000 GMT")
    assert found is not None and found.time == dt.time(20) and found.utc_offset == 0
    assert find_time("in 1945 the war ended") is None


@given(
    st.integers(1, 12),
    st.integers(1, 31),
    st.dates(dt.date(1901, 1, 1), dt.date(2100, 12, 31)),
)
@settings(max_examples=200)
def test_latest_on_or_before_is_the_latest_such_day(
    month: int, day: int, reference: dt.date
) -> None:
    try:
        dt.date(2000, month, day)
    except ValueError:
        return
    found = latest_on_or_before(month, day, reference)
    assert (found.month, found.day) == (month, day)
    assert found <= reference
    # No later year would do: the same day a year on is after the reference.
    later = [y for y in range(found.year + 1, reference.year + 1) if _exists(y, month, day)]
    assert all(dt.date(y, month, day) > reference for y in later)


@given(
    st.integers(1, 12),
    st.integers(1, 31),
    st.integers(0, 6),
    st.dates(dt.date(1901, 1, 1), dt.date(2100, 12, 31)),
)
@settings(max_examples=200)
def test_a_written_weekday_picks_the_latest_year_it_matches(
    month: int, day: int, weekday: int, reference: dt.date
) -> None:
    if not _exists(2000, month, day):
        return
    found = latest_on_or_before(month, day, reference, weekday)
    assert (found.month, found.day) == (month, day)
    assert found <= reference
    if found.weekday() == weekday:
        # No later year falls on that weekday before the reference.
        later = [
            dt.date(y, month, day)
            for y in range(found.year + 1, reference.year + 1)
            if _exists(y, month, day)
        ]
        assert not [d for d in later if d <= reference and d.weekday() == weekday]
    else:
        # Only a leap day may miss it within the window: then the plain rule.
        assert (month, day) == (2, 29)
        assert found == latest_on_or_before(month, day, reference)


def test_weekday_and_yearless_solar_dates() -> None:
    reference = dt.date(2026, 1, 10)
    found = find_date("Tuesday, 1 March")
    assert found is not None and found.weekday == 1
    assert found.on_or_before(reference) == dt.date(2022, 3, 1)
    found = find_date("mardi 3 mars")
    assert found is not None and found.on_or_before(reference) == dt.date(2020, 3, 3)
    found = find_date("۱۵ آذر")
    assert found is not None and found.year is None and found.solar == (9, 15)
    assert found.on_or_before(reference) == dt.date(2025, 12, 6)
    # On the day itself, and a year back when the day is still to come.
    found = find_date("۲۰ دی")
    assert found is not None and found.on_or_before(reference) == dt.date(2026, 1, 10)
    found = find_date("۲۱ دی")
    assert found is not None and found.on_or_before(reference) == dt.date(2025, 1, 10)
    # A weekday that does not match the plain year moves it back.
    found = find_date("شنبه ۱۵ آذر")
    assert found is not None and found.on_or_before(reference) == dt.date(2025, 12, 6)
    found = find_date("یکشنبه ۱۵ آذر")
    assert found is not None
    assert found.on_or_before(reference).weekday() == 6


def test_a_time_line_under_a_date_line_gives_it_its_time() -> None:
    item = published_item("Rovers v United\n\nSaturday, 7 March\n\n1500 GMT\n\nThe match is on.\n")
    assert item.date_published == dt.datetime(2020, 3, 7, 15, tzinfo=dt.UTC)
    assert all(getattr(b, "text", "") != "1500 GMT" for b in item.body)


def _exists(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- bylines


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("By Jane Doe", [("Jane Doe", None)]),
        ("By Jane Doe and Tom Wilson", [("Jane Doe", None), ("Tom Wilson", None)]),
        ("By Jane Doe, Health Correspondent", [("Jane Doe", "Health Correspondent")]),
        ("By Jane Doe in Paris", [("Jane Doe", None)]),
        ("BY TED D'AFFLISIO, Reuters", [("Ted D'Afflisio", None)]),
        ("Par Marie Dupont et Luc Martin", [("Marie Dupont", None), ("Luc Martin", None)]),
        ("Por Ángel Pérez y Émilie Durand", [("Ángel Pérez", None), ("Émilie Durand", None)]),
        ("By Jane Doe, BBC News", [("Jane Doe", None)]),
        ("By Jane Doe, Sky News, in Paris", [("Jane Doe", None)]),
        (
            "By Dave Lee, BBC News technology reporter",
            [("Dave Lee", "BBC News technology reporter")],
        ),
        ("BY JANE DOE", [("Jane Doe", None)]),
        ("Par Claire Moreau (AFP)", [("Claire Moreau", None)]),
        ("Von Jonas Weber und Lea Hoffmann", [("Jonas Weber", None), ("Lea Hoffmann", None)]),
        ("بقلم: سلمى الحربي وخالد العتيبي", [("سلمى الحربي", None), ("خالد العتيبي", None)]),
        ("بقلم يوسف ناصر", [("يوسف ناصر", None)]),
        ("كتب: أحمد سامي، مراسل", [("أحمد سامي", "مراسل")]),
        ("نویسنده: نرگس صالحی", [("نرگس صالحی", None)]),
        ("به قلم مریم احمدی و سارا کریمی", [("مریم احمدی", None), ("سارا کریمی", None)]),
        ("گزارش: رضا محمدی، خبرنگار", [("رضا محمدی", "خبرنگار")]),
        ("تحریر: عائشہ ملک", [("عائشہ ملک", None)]),
    ],
)
def test_byline(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert [(p.name, p.job_title) for p in byline(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "By the end of the week prices had fallen",
        "By 2030, emissions must halve",
        "By Monday",
        "كتب أحمد سامي",  # 'wrote' opens sentences: a label only with its colon
        "از تهران گزارش می‌دهد",
        "بقلم: المراسل الخاص في القاهرة اليوم بعد الظهر",
    ],
)
def test_not_a_byline(text: str) -> None:
    assert byline(text) == ()


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ("Helen Marsh", "Industry Correspondent, Reuters"),
            [("Helen Marsh", "Industry Correspondent")],
        ),
        (("Marisol Quispe", "Corresponsal en Lima"), [("Marisol Quispe", "Corresponsal en Lima")]),
        (("Jonas Weber", "AFP"), [("Jonas Weber", None)]),
        (("Rising Prices", "Chief executive says"), []),
        (("Jane Doe", "Chief Executive, Acme Corp"), []),
        (("Helen Marsh", "The minister said on Monday"), []),
        (("the quick brown fox", "Health Correspondent"), []),
    ],
)
def test_byline_without_a_label(
    lines: tuple[str, str], expected: list[tuple[str, str | None]]
) -> None:
    item = published_item("A headline here\n\n" + "\n".join(lines) + "\n\n" + LEAD)
    assert [(p.name, p.job_title) for p in item.authors] == expected


def test_reporting_by_as_a_byline() -> None:
    item = published_item("A headline here\n\nReporting by Samuel Achterberg\n\n" + LEAD)
    assert [p.name for p in item.authors] == ["Samuel Achterberg"]
    assert "Reporting" not in " ".join(getattr(b, "text", "") for b in item.body)


LEAD = (
    "The council approved the new budget on a vote of seven to two after a debate "
    "that lasted most of the evening, officials said.\n"
)


def test_trailer() -> None:
    people = trailer("(Reporting by Jane Doe in London; Editing by Mark Smith and Ann Lee)")
    assert people == (
        Person(name="Jane Doe"),
        Person(name="Mark Smith", job_title="Editor"),
        Person(name="Ann Lee", job_title="Editor"),
    )
    assert trailer("Reporting on the talks continued by phone.") == ()
    assert trailer(
        "Associated Press writers Nicole Winfield and Colleen Barry contributed to this report."
    ) == (Person(name="Nicole Winfield"), Person(name="Colleen Barry"))
    assert trailer("Many people contributed to the fund.") == ()


def test_desk_byline_is_an_organisation() -> None:
    assert byline("By Our Foreign Staff") == (
        Person(name="Our Foreign Staff", kind="Organization"),
    )
    assert byline("By Reuters") == (Person(name="Reuters", kind="Organization"),)


def test_byline_leaves_description_and_body_and_people_tags() -> None:
    item = published_item(
        "Ministers agree deal\n\nBy Jane Doe and Tom Wilson\n\n"
        "Ministers from 40 countries agreed a deal on Thursday after talks in Geneva.\n\n"
        "The deal sets targets for 2030, officials said.\n"
    )
    assert [a.name for a in item.authors] == ["Jane Doe", "Tom Wilson"]
    assert item.description is not None and "Jane" not in item.description
    assert all("Jane" not in getattr(b, "text", "") for b in item.body)
    assert not [t for t in item.tags_of("person") if t.name in ("Jane Doe", "Tom Wilson")]


def test_front_matter_authors_win_over_the_byline() -> None:
    item = published_item(
        '+++\nauthors = ["Desk Editor"]\n+++\nHeadline here\n\nBy Jane Doe\n\n'
        "LONDON (Reuters) - Something happened on Thursday, officials said in a statement.\n"
    )
    assert [a.name for a in item.authors] == ["Desk Editor"]


# --------------------------------------------------------------------------- datelines


@pytest.mark.parametrize(
    ("text", "place", "region", "agency", "date"),
    [
        ("LONDON, Nov 27 (Reuters) - Text", "London", None, "Reuters", (None, 11, 27)),
        ("HARTFORD, Conn., March 26 - Text", "Hartford", "Conn.", None, (None, 3, 26)),
        ("WASHINGTON (AP) — Text", "Washington", None, "AP", (None, None, None)),
        ("PARIS, 27 novembre (AFP) - Texte", "Paris", None, "AFP", (None, 11, 27)),
        ("MADRID, 25 nov (EFE).- Texto", "Madrid", None, "EFE", (None, 11, 25)),
        ("Berlin (dpa) - Text", "Berlin", None, "dpa", (None, None, None)),
        ("(ANSA) - ROMA, 27 NOV - Testo", "Roma", None, "ANSA", (None, 11, 27)),
        ("BEIJING, Nov. 27 (Xinhua) -- Text", "Beijing", None, "Xinhua", (None, 11, 27)),
        ("ABU DHABI, 27th November, 2025 (WAM) -- Text", "Abu Dhabi", None, "WAM", (2025, 11, 27)),
        ("Tehran, IRNA -- Text", "Tehran", None, "IRNA", (None, None, None)),
        (
            "القاهرة، 26 نوفمبر/تشرين الثاني 2025 (رويترز) - نص",
            "القاهرة",
            None,
            "رويترز",
            (2025, 11, 26),
        ),
        ("تهران - متن خبر", "تهران", None, None, (None, None, None)),
        ("تهران- ایرنا- رئیس جمهور گفت", "تهران", None, "ایرنا", (None, None, None)),
        (
            "اسلام آباد (اے پی پی) - وزیر اعظم نے",
            "اسلام آباد",
            None,
            "اے پی پی",
            (None, None, None),
        ),
        ("واشنطن، 25 تشرين الثاني (أ ف ب) - قال", "واشنطن", None, "أ ف ب", (None, 11, 25)),
        ("ISLAMABAD: The government said", "Islamabad", None, None, (None, None, None)),
        ("SÃO PAULO, 27 nov (Reuters) - Texto", "São Paulo", None, "Reuters", (None, 11, 27)),
        ("Zürich (dpa) - Text", "Zürich", None, "dpa", (None, None, None)),
        ("KYIV, Ukraine (AP) — Text", "Kyiv", "Ukraine", "AP", (None, None, None)),
        ("JACKSON, Miss. (AP) — Text", "Jackson", "Miss.", "AP", (None, None, None)),
        ("NEW YORK — The city", "New York", None, None, (None, None, None)),
        ("APRIL 7 - Grain prices rose", None, None, None, (None, 4, 7)),
        ("Tuesday, 18 November 2025 – The minister", None, None, None, (2025, 11, 18)),
        (
            "NEW YORK, Nov. 27, 2025 /PRNewswire/ -- Acme",
            "New York",
            None,
            "PRNewswire",
            (2025, 11, 27),
        ),
    ],
)
def test_dateline(
    text: str,
    place: str,
    region: str | None,
    agency: str | None,
    date: tuple[int | None, int | None, int | None],
) -> None:
    found = dateline_of(text, 3)
    assert found is not None
    assert (found.place, found.region, found.agency) == (place, region, agency)
    assert (found.year, found.month, found.day) == date
    assert text.startswith(found.text)


@pytest.mark.parametrize(
    "text",
    [
        "The minister, who spoke on Tuesday - and again on Wednesday - said no.",
        "BREAKING - Markets fall",
        "Mr Smith, 45, said the plan - first announced in May - would fail.",
        "U.S.-backed forces advanced on the city, officials said.",
    ],
)
def test_not_a_dateline(text: str) -> None:
    assert dateline_of(text, 3) is None


def test_dateline_stays_in_the_lead_but_not_in_the_description() -> None:
    item = published_item(
        "Talks resume\n\nPARIS, 27 novembre (AFP) - Les négociations ont repris jeudi à Paris "
        "entre les deux délégations.\n\nLa suite est attendue vendredi.\n"
    )
    assert item.dateline is not None and item.dateline.agency == "AFP"
    first = item.body[0]
    assert getattr(first, "text", "").startswith("PARIS, 27 novembre (AFP) -")
    assert item.description is not None and item.description.startswith("Les négociations")


# --------------------------------------------------------------------------- date lines


@pytest.mark.parametrize(
    ("text", "kind", "fields"),
    [
        ("Published 13 November 2025", "published", (2025, 11, 13, None, None)),
        ("Sunday 23 November 2025", "published", (2025, 11, 23, None, None)),
        ("Updated at 14:00 GMT", "updated", (None, None, None, dt.time(14), 0)),
        ("Last updated 14 Nov 2025 at 09:30 GMT", "updated", (2025, 11, 14, dt.time(9, 30), 0)),
        ("Mis à jour le 27 novembre 2025 à 10h15", "updated", (2025, 11, 27, T1015, None)),
        ("Update 14:00 GMT", "updated", (None, None, None, dt.time(14), 0)),
        ("Published: 10:32 GMT, 27 November 2025", "published", (2025, 11, 27, T1032, 0)),
        ("Updated: July 4, 2025 at 3:04 p.m. ET", "updated", (2025, 7, 4, T1504, -240)),
        ("Last Modified: December 4, 2025 at 3:04 p.m. ET", "updated", (2025, 12, 4, T1504, -300)),
        ("Thu 27 Nov 2025 14.05 GMT", "published", (2025, 11, 27, dt.time(14, 5), 0)),
        ("Publié le 26/11/2025 à 18h42", "published", (2025, 11, 26, dt.time(18, 42), None)),
        ("Aktualisiert am 27.11.2025, 08:10 Uhr", "updated", (2025, 11, 27, dt.time(8, 10), None)),
    ],
)
def test_date_line(text: str, kind: str, fields: tuple[object, ...]) -> None:
    found = date_line(text, 4)
    assert found is not None and found.kind == kind
    assert (found.year, found.month, found.day, found.time, found.utc_offset) == fields


@pytest.mark.parametrize(
    "text",
    [
        "Updated figures show a rise",
        "Published reports say otherwise",
        "Sunday was quiet",
        "Payable March 27",
        "Record February 27",
    ],
)
def test_not_a_date_line(text: str) -> None:
    assert date_line(text, 4) is None


def test_correction() -> None:
    found = correction(
        "Correction, 21 November 2025: An earlier version misstated the number of countries.", 9
    )
    assert found is not None
    assert (found.kind, found.date) == ("correction", dt.date(2025, 11, 21))
    assert found.text == "An earlier version misstated the number of countries."
    assert correction("Correction officers said the jail was full.", 9) is None


def test_byline_and_date_on_one_line() -> None:
    item = published_item(
        "Rail fares to rise\n\nBy Jane Doe | 13 November 2025 09:00 GMT\n\n"
        "Rail fares will rise by 4 percent in March, the government said on Thursday.\n"
    )
    assert [a.name for a in item.authors] == ["Jane Doe"]
    assert item.date_published == dt.datetime(2025, 11, 13, 9, tzinfo=dt.UTC)
    assert "Jane" not in (item.description or "")


def test_published_and_updated_on_one_line() -> None:
    item = published_item(
        "Inondations dans l'Aude\n\nPar Sophie Lefèvre\n"
        "Publié le 26/11/2025 à 18h42, mis à jour le 27/11/2025 à 08h10\n\n"
        "CARCASSONNE (AFP) - Le gouvernement a reconnu mercredi l'état de catastrophe "
        "naturelle pour 45 communes.\n"
    )
    assert item.date_published == dt.datetime(2025, 11, 26, 18, 42, tzinfo=dt.UTC)
    assert item.date_modified == dt.datetime(2025, 11, 27, 8, 10, tzinfo=dt.UTC)
    assert item.description is not None and item.description.startswith("Le gouvernement")


def test_update_notice_sets_date_modified_and_stays() -> None:
    item = published_item(
        "Rail fares to rise\n\nPublished 13 November 2025\n\n"
        "Rail fares will rise by 4 percent in March, the government said on Thursday.\n\n"
        "This article was updated on 14 November 2025 to add comments from unions.\n"
    )
    assert item.date_modified == dt.datetime(2025, 11, 14, tzinfo=dt.UTC)
    assert any("comments from unions" in getattr(b, "text", "") for b in item.body)


def test_live_update_sets_date_modified_and_keeps_its_text() -> None:
    item = published_item(
        "Minister resigns\n\nPublished 13 November 2025 09:00 GMT\n\n"
        "The health minister resigned on Thursday after weeks of pressure over waiting lists.\n\n"
        "Update 14:00 GMT: The prime minister has named a successor.\n"
    )
    assert item.date_published == dt.datetime(2025, 11, 13, 9, tzinfo=dt.UTC)
    assert item.date_modified == dt.datetime(2025, 11, 13, 14, tzinfo=dt.UTC)
    assert any("named a successor" in getattr(b, "text", "") for b in item.body)


# --------------------------------------------------------------------------- years


def test_yearless_dateline_takes_the_year_of_first_publication() -> None:
    text = "Talks resume\n\nLONDON, Nov 27 (Reuters) - Talks resumed on Thursday, officials said.\n"
    parsed = enrich_item(parse_article(text.encode(), source_path="a.txt", config=CONFIG), CONFIG)
    # Parse → enrich knows no clock: the year waits for the publish stage.
    assert parsed.date_published is None and parsed.dateline is not None
    item = published_item(text)
    assert item.date_published == dt.datetime(2025, 11, 27, tzinfo=dt.UTC)
    assert item.date_published_source == "text"
    assert item.dateline is not None and item.dateline.year == 2025


def test_yearless_dateline_takes_an_explicit_year_nearby() -> None:
    item = published_item(
        "Talks resume\n\nPublished 28 November 2024\n\n"
        "LONDON, Nov 27 (Reuters) - Talks resumed on Thursday, officials said.\n"
    )
    assert item.dateline is not None and item.dateline.year == 2024
    assert item.date_published == dt.datetime(2024, 11, 28, tzinfo=dt.UTC)


def test_a_dated_correction_gives_a_yearless_dateline_its_year() -> None:
    # Published on or before its correction: the latest Nov 24 not after
    # 25 November 2023, not the first publication's year (2026 here).
    item = published_item(
        "Talks\n\nLONDON, Nov 24 (Reuters) - Talks resumed on Monday, officials said.\n\n"
        "Correction, 25 November 2023: An earlier version misstated the day.\n"
    )
    assert item.date_published == dt.datetime(2023, 11, 24, tzinfo=dt.UTC)
    assert item.date_modified == dt.datetime(2023, 11, 25, tzinfo=dt.UTC)


def test_newsroom_dates_without_reference_leave_the_year_pending() -> None:
    text = "Talks\n\nHARTFORD, Conn., March 26 - The state said on Thursday it would act soon.\n"
    item = parse_article(text.encode(), source_path="a.txt", config=CONFIG)
    assert newsroom_dates(item, CONFIG.zone) == {}
    update = newsroom_dates(item, CONFIG.zone, reference=FIRST_PUBLISHED)
    assert update["date_published"] == dt.datetime(2025, 3, 26, tzinfo=dt.UTC)


def test_one_dateline_text_takes_each_reference_its_own_year() -> None:
    # The same line read again (each load of an item, or another article's
    # identical dateline) is read once per text and reference day: a reference
    # in another year, or before the date, gives that year's day.
    text = "Talks\n\nHARTFORD, Conn., March 26 - The state said on Thursday it would act soon.\n"
    item = parse_article(text.encode(), source_path="a.txt", config=CONFIG)
    years = [
        newsroom_dates(item, CONFIG.zone, reference=reference)["date_published"]
        for reference in (
            dt.datetime(2025, 4, 1, tzinfo=dt.UTC),
            dt.datetime(2031, 4, 1, tzinfo=dt.UTC),
            dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
            dt.datetime(2025, 4, 1, tzinfo=dt.UTC),
        )
    ]
    assert [d.year for d in years] == [2025, 2031, 2024, 2025]


# --------------------------------------------------------------------------- renderers


def _site(items: list[NewsItem]) -> Site:
    return Site(config=CONFIG, items=tuple(items), tag_channels=())


def _newsroom_case(name: str) -> NewsItem:
    path = DATA / name
    return published_item(path.read_bytes(), path.name)


def test_jsonld_carries_dateline_agency_job_title_and_correction() -> None:
    reuters = _newsroom_case("01_reuters_byline_trailer.txt")
    data = article_jsonld(reuters, CONFIG)
    assert data["dateline"] == "LONDON, Nov 27 (Reuters) -"
    assert data["sourceOrganization"] == {"@type": "Organization", "name": "Reuters"}
    assert data["contentLocation"][0]["name"] == "London"
    corrected = _newsroom_case("18_correction_dated.txt")
    data = article_jsonld(corrected, CONFIG)
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": corrected.corrections[0].text,
            "datePublished": "2025-11-21",
        }
    ]
    assert data["dateModified"].startswith("2025-11-21")
    health = article_jsonld(_newsroom_case("15_bbc_style_published.txt"), CONFIG)
    assert health["author"] == [
        {
            "@type": "Person",
            "name": "Sarah Thompson",
            "jobTitle": "Health Correspondent",
            "url": CONFIG.absolute("authors/sarah-thompson/"),  # the author page
        }
    ]


@pytest.mark.skipif(not (SHARED / "schemas").is_dir(), reason="needs ../shared/schemas")
def test_every_case_is_valid_schemaorg_and_ninjs() -> None:
    vocabulary = schemaorg()
    validator = ninjs_validator()
    for path in CASES:
        item = published_item(path.read_bytes(), path.name)
        assert list(vocabulary.problems(article_jsonld(item, CONFIG))) == [], path.name
        errors = [e.message for e in validator.iter_errors(ninjs(item, CONFIG))]
        assert errors == [], path.name


def test_dateline_place_leads_content_location_as_the_tagger_resolved_it() -> None:
    # The Arabic dateline 'القاهرة، …' names Cairo: the place tag the taggers
    # resolved from it (with its country) comes first, not a bare name.
    data = article_jsonld(_newsroom_case("12_arabic_reuters.txt"), CONFIG)
    first = data["contentLocation"][0]
    assert first["name"] == "Cairo"
    assert first["containedInPlace"]["name"] == "Egypt"
    data = article_jsonld(_newsroom_case("21_reuters_state_abbr.txt"), CONFIG)
    assert data["contentLocation"][0]["name"] == "Hartford"


def test_ninjs_names_the_agency_as_an_info_source() -> None:
    data = ninjs(_newsroom_case("04_efe_spanish.txt"), CONFIG)
    assert {"name": "EFE", "role": "source"} in data["infoSources"]
    assert data["located"] == "Madrid"


def test_page_shows_the_correction_and_the_job_title() -> None:
    import html5lib

    item = _newsroom_case("31_french_correction.txt")
    page = article_page(_site([item]), item)
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    notes = tree.findall(".//aside[@class='correction']")
    assert len(notes) == 1
    text = "".join(notes[0].itertext())
    assert "une version précédente" in text
    assert notes[0].find(".//time").get("datetime") == "2025-11-14"
    health = _newsroom_case("19_clarification.txt")
    page = article_page(_site([health]), health)
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    assert tree.find(".//span[@class='job-title']").text == "Education Editor"
    assert "Clarification" in "".join(tree.find(".//aside").itertext())


def test_agency_in_the_dateline_is_no_organisation_tag() -> None:
    item = _newsroom_case("22_reuters_trailer_only.txt")
    assert "Reuters" not in [t.name for t in item.tags_of("organization")]


def test_build_counts_articles_dated_by_first_publication(tmp_path: Path) -> None:
    from feedtool.publish import build

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in (
        "21_reuters_state_abbr.txt",
        "33_no_date_feature.txt",
        "15_bbc_style_published.txt",
    ):
        (seeds / name).write_bytes((DATA / name).read_bytes())
    report = build(seeds, tmp_path / "feeds", CONFIG, jobs=1, ping=False)
    assert report.dated_by_first_publication == ("33_no_date_feature.txt",)
    assert "1 dated by first publication" in report.summary()


_PREFIXES = st.sampled_from(
    [
        "",
        "By ",
        "LONDON, ",
        "Published ",
        "Updated at ",
        "Correction, ",
        "(Reporting by ",
        "تهران- ",
    ]
)


@given(_PREFIXES, st.text(max_size=120))
@settings(max_examples=300, deadline=None)
def test_recognisers_accept_any_text(prefix: str, rest: str) -> None:
    text = prefix + rest
    found = dateline_of(text, 1)
    if found is not None:
        assert text.strip().startswith(found.text)
    date_line(text, 1)
    correction(text, 1)
    byline(text)
    trailer(text)


def test_build_verbose_names_articles_dated_by_first_publication(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from feedtool.cli import main

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in ("33_no_date_feature.txt", "15_bbc_style_published.txt"):
        (seeds / name).write_bytes((DATA / name).read_bytes())
    config = tmp_path / "feedtool.toml"
    config.write_text(
        'title = "T"\nbase_url = "https://news.example.org/"\n'
        '[publisher]\nname = "T"\nurl = "https://news.example.org/"\n',
        encoding="utf-8",
    )
    args = ["build", str(seeds), "-o", str(tmp_path / "feeds"), "-c", str(config)]
    result = CliRunner().invoke(main, [*args, "--no-ping", "--verbose"])
    assert result.exit_code == 0, result.output
    assert "dated by first publication (no date in it): 33_no_date_feature.txt" in result.output
    assert "15_bbc_style_published.txt" not in result.output.split("dated by first")[-1]
    assert "1 dated by first publication" in result.output
