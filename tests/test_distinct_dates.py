"""No two entries share an ``updated`` instant (the W3C validator's DuplicateUpdated),
and the tiebreak that ensures it never moves what is already published."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from feedtool import build, load_config
from feedtool.config import Config
from feedtool.errors import PublishError
from feedtool.publish._ids import Stamper, _Stamp
from feedtool.publish._state import STATE_FILENAME, State, _Entry

ROOT = Path(__file__).resolve().parents[1]
_ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def config() -> Config:
    config = load_config(ROOT / "feedtool.toml")
    return config.model_copy(update={"enrich": config.enrich.model_copy(update={"enabled": ()})})


def _write(seeds: Path, name: str, published: str, extra: str = "") -> None:
    (seeds / f"{name}.txt").write_text(
        f'+++\npublished = {published}\ntags = ["fixtures"]\n+++\n'
        f"Fixture {name}\n\nThe match {name} was played at the ground.{extra}\n",
        "utf-8",
    )


def _updated(out: Path, feed: str = "atom.xml") -> dict[str, str]:
    """Entry title → ``atom:updated`` as written, checking no two entries share one."""
    root = etree.parse(str(out / feed)).getroot()
    found = {
        entry.findtext(f"{_ATOM}title"): entry.findtext(f"{_ATOM}updated")
        for entry in root.iterfind(f"{_ATOM}entry")
    }
    repeated = [value for value, n in Counter(found.values()).items() if n > 1]
    assert not repeated, f"{feed}: entries share atom:updated {repeated}"
    return found


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    # Two matches known only by their day (a TOML date), one with a time that day.
    _write(folder, "b", "2025-03-01")
    _write(folder, "c", "2025-03-01")
    _write(folder, "d", '"2025-03-01T19:45:00Z"')
    return folder


def test_articles_of_one_day_get_distinct_instants_in_every_format(
    seeds: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    out = tmp_path / "out"
    assert build(seeds, out, config, ping=False).ok
    midnight = "2025-03-01T00:00:00+03:30"  # the config's zone, Asia/Tehran
    # The first by path keeps the day's time; the next is a second later.
    assert _updated(out) == {
        "Fixture b": midnight,
        "Fixture c": "2025-03-01T00:00:01+03:30",
        "Fixture d": "2025-03-01T19:45:00+00:00",
    }
    _updated(out, "tags/fixtures/atom.xml")
    # Every format shows the same instants.
    rss = feedparser.parse((out / "rss.xml").read_bytes())
    jsonfeed = json.loads((out / "feed.json").read_text("utf-8"))
    published = {e.title: e.published_parsed for e in rss.entries}
    assert published["Fixture c"][3:6] == (20, 30, 1)  # 00:00:01 +03:30 in UTC
    assert {i["title"]: i["date_published"] for i in jsonfeed["items"]}["Fixture c"] == (
        "2025-03-01T00:00:01+03:30"
    )
    # Ordered as published: the later second first.
    assert [e.title for e in rss.entries] == ["Fixture d", "Fixture c", "Fixture b"]
    state = json.loads((out / STATE_FILENAME).read_text("utf-8"))["articles"]
    assert sorted(entry.get("tiebreak", 0) for entry in state.values()) == [0, 0, 1]


def test_published_instants_never_move(
    seeds: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    out = tmp_path / "out"
    build(seeds, out, config, ping=False)
    before = _updated(out)
    # A later article of the same day, whose path sorts first, queues behind them.
    _write(seeds, "a", "2025-03-01")
    build(seeds, out, config, ping=False)
    after = _updated(out)
    assert {k: after[k] for k in before} == before
    assert after["Fixture a"] == "2025-03-01T00:00:02+03:30"
    # The day's first article goes: the others stay where they were.
    (seeds / "b.txt").unlink()
    build(seeds, out, config, ping=False)
    assert _updated(out) == {k: v for k, v in after.items() if k != "Fixture b"}
    # A second build of the same input is byte-identical.
    first = (out / "atom.xml").read_bytes()
    build(seeds, out, config, ping=False)
    assert (out / "atom.xml").read_bytes() == first


def test_articles_edited_by_one_build_get_distinct_updated(
    seeds: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    out = tmp_path / "out"
    build(seeds, out, config, ping=False)
    for name in ("b", "c", "d"):
        path = seeds / f"{name}.txt"
        path.write_text(path.read_text("utf-8") + "\nA correction was added.\n", "utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764100000")
    build(seeds, out, config, ping=False)
    updated = _updated(out)
    # All three edited at the build's time, a second apart in path order.
    assert sorted(updated.values()) == [
        "2025-11-25T19:46:40+00:00",
        "2025-11-25T19:46:41+00:00",
        "2025-11-25T19:46:42+00:00",
    ]


def _dates(out: Path) -> dict[str, tuple[str, str | None]]:
    """Item title -> (date_published, date_modified) as JSON Feed gives them."""
    items = json.loads((out / "feed.json").read_text("utf-8"))["items"]
    return {i["title"]: (i["date_published"], i.get("date_modified")) for i in items}


@pytest.mark.parametrize("full_plan", [False, True])
def test_an_edit_never_moves_a_shifted_publication(
    seeds: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch, full_plan: bool
) -> None:
    if full_plan:
        monkeypatch.setenv("FEEDTOOL_FULL_PLAN", "1")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    out = tmp_path / "out"
    build(seeds, out, config, ping=False)
    before = _dates(out)
    assert before["Fixture c"] == ("2025-03-01T00:00:01+03:30", None)
    # Fixture c's publication was shifted a second; its first edit takes a
    # tiebreak of its own, and the publication keeps the second it was shown with.
    path = seeds / "c.txt"
    path.write_text(path.read_text("utf-8") + "\nA correction was added.\n", "utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764100000")
    assert build(seeds, out, config, ping=False).ok
    after = _dates(out)
    assert after["Fixture c"] == ("2025-03-01T00:00:01+03:30", "2025-11-25T19:46:40+00:00")
    assert {k: v for k, v in after.items() if k != "Fixture c"} == {
        k: v for k, v in before.items() if k != "Fixture c"
    }
    rss = feedparser.parse((out / "rss.xml").read_bytes())
    assert {e.title: e.published_parsed for e in rss.entries}["Fixture c"][3:6] == (20, 30, 1)
    state = json.loads((out / STATE_FILENAME).read_text("utf-8"))["articles"]
    shifted = [e for e in state.values() if e["headline"] == "Fixture c"]
    assert [(e.get("tiebreak", 0), e.get("published_shift", 0)) for e in shifted] == [(0, 1)]
    # A second edit, and a rebuild of the same input, keep it too.
    path.write_text(path.read_text("utf-8") + "\nAnother correction.\n", "utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764200000")
    build(seeds, out, config, ping=False)
    assert _dates(out)["Fixture c"][0] == "2025-03-01T00:00:01+03:30"
    first = (out / "feed.json").read_bytes()
    build(seeds, out, config, ping=False)
    assert (out / "feed.json").read_bytes() == first


def test_a_state_without_published_shift_gains_it_while_unchanged(config: Config) -> None:
    """States written before ``published_shift`` existed: the next stamping of an
    unchanged article whose tiebreak is on its publication records it."""
    now = dt.datetime(2025, 11, 25, tzinfo=dt.UTC)
    entry = _Entry(
        id="tag:x,2025-03-01:c",
        slug="c",
        path="c.txt",
        content_hash="h",
        body_hash="b",
        headline="c",
        first_published="2025-03-01T00:00:00+00:00",
        tiebreak=3,
    )
    stamper = Stamper(State(entries={entry.id: entry}), config, now)
    published = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    stamp = _Stamp(
        id=entry.id,
        slug="c",
        url="u",
        first_published=published,
        modified=None,
        date_published=published,
        date_modified=None,
    )
    stamped = stamper._distinct({"c.txt": stamp}, fresh=set())["c.txt"]
    assert stamped.date_published == published + dt.timedelta(seconds=3)
    assert (entry.tiebreak, entry.published_shift) == (3, 3)


@pytest.mark.parametrize("bad", [-1, "1", True])
def test_a_corrupt_tiebreak_is_refused(tmp_path: Path, bad: object) -> None:
    record = {
        "id": "tag:news.example.org,2025-03-01:b",
        "slug": "b",
        "path": "b.txt",
        "content_hash": "x",
        "body_hash": "y",
        "headline": "B",
        "first_published": "2025-03-01T00:00:00+00:00",
        "tiebreak": bad,
    }
    data = {"version": 1, "articles": {record["id"]: record}}
    (tmp_path / STATE_FILENAME).write_text(json.dumps(data), "utf-8")
    with pytest.raises(PublishError, match="tiebreak"):
        State.load(tmp_path)


def _walked(
    stamps: dict[str, _Stamp], entries: dict[str, _Entry], fresh: set[str], taken: set[dt.datetime]
) -> dict[str, tuple[dt.datetime, dt.datetime | None, int]]:
    """The rule ``Stamper._distinct`` keeps, walked second by second on each clock."""
    result = {}
    unchanged = sorted((p for p in stamps if p not in fresh), key=lambda p: stamps[p].id)
    for path in (*unchanged, *sorted(fresh)):
        stamp = stamps[path]
        base = stamp.updated.replace(microsecond=0)
        seconds = entries[stamp.id].tiebreak if path not in fresh else 0
        while base + dt.timedelta(seconds=seconds) in taken:
            seconds += 1
        taken.add(base + dt.timedelta(seconds=seconds))
        shift = dt.timedelta(seconds=seconds)
        published, modified = stamp.date_published, stamp.date_modified
        result[path] = (
            published + (shift if modified is None else dt.timedelta()),
            modified + shift if modified else None,
            seconds,
        )
    return result


_ZONES = (
    dt.UTC,
    dt.timezone(dt.timedelta(hours=3, minutes=30)),
    dt.timezone(dt.timedelta(hours=-5)),
    ZoneInfo("Asia/Tehran"),
    ZoneInfo("America/New_York"),  # its clock jumps an hour on the day below
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(_ZONES),
            st.sampled_from([0, 0, 1, 2, 3600, 3601, 86400]),  # many in one second
            st.integers(0, 999_999),
            st.sampled_from([None, 0, 1, 4]),  # seconds to an edit
            st.sampled_from([0, 0, 1, 3]),  # a recorded tiebreak
            st.booleans(),  # fresh (new or edited)
        ),
        min_size=1,
        max_size=60,
    ),
    st.lists(st.tuples(st.sampled_from(_ZONES), st.integers(0, 20)), max_size=6),
)
def test_distinct_instants_are_the_first_free_second_on_each_clock(
    articles: list[tuple[dt.tzinfo, int, int, int | None, int, bool]],
    already: list[tuple[dt.tzinfo, int]],
) -> None:
    """Runs of taken seconds are skipped, not walked (a day dating hundreds of
    articles made stamping quadratic), with the same result as walking them."""
    start = dt.datetime(2024, 3, 10, 1, 59, 50, tzinfo=dt.UTC)
    entries: dict[str, _Entry] = {}
    stamps: dict[str, _Stamp] = {}
    fresh: set[str] = set()
    for number, (zone, offset, micro, edit, tiebreak, is_fresh) in enumerate(articles):
        when = (start + dt.timedelta(seconds=offset)).astimezone(zone).replace(microsecond=micro)
        modified = None if edit is None else when + dt.timedelta(seconds=edit)
        ident, path = f"id{number}", f"p{number:03d}"
        entries[ident] = _Entry(
            ident, f"s{number}", path, "h", "b", "x", when.isoformat(), None, tiebreak
        )
        stamps[path] = _Stamp(ident, f"s{number}", "u", when, None, when, modified)
        if is_fresh:
            fresh.add(path)
    taken = {(start + dt.timedelta(seconds=s)).astimezone(zone) for zone, s in already}
    expected = _walked(dict(stamps), entries, fresh, set(taken))
    state = State()
    state.entries = entries
    found = Stamper(state, load_config(ROOT / "feedtool.toml"), start)._distinct(
        dict(stamps), fresh, set(taken)
    )
    got = {p: (s.date_published, s.date_modified, s.tiebreak) for p, s in found.items()}
    assert got == expected
    for path, (published, modified, _seconds) in got.items():  # the clocks too, not only instants
        assert published.tzinfo is expected[path][0].tzinfo
        assert published.isoformat() == expected[path][0].isoformat()
        assert (modified and modified.isoformat()) == (
            expected[path][1] and expected[path][1].isoformat()
        )
    assert {p: entries[stamps[p].id].tiebreak for p in stamps} == {p: v[2] for p, v in got.items()}
