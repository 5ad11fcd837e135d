"""Enricher ``dates``: every date the text mentions, resolved; and the publication date.

A cheap regex finds where a date can start in English text (a month or
weekday name, a number, yesterday/tomorrow, 'year'/'month'; month names are
case-sensitive so that 'may' and 'march' stay verbs), one compiled pattern
reads the date there and the word before it ('on', 'last', 'mid-') is looked
up backwards; calendar arithmetic then resolves it against a *reference date*:

* front matter's ``date_published`` when given; otherwise
* the first full date (day, month and year written out) of the caption or of
  a dateline opening the first paragraph ('TEHRAN, October 28, 2025 (WANA) —');
* otherwise the latest full date anywhere, embedded posts' dates included,
  leaving out sentences about the future ('will take effect on 1 January
  2006') and deadlines ('until 15 July 2006'); and none at all when the text
  names a later year or month ('founded on 1 January 1985 … profits in 2004'
  is history, not the day of writing).

Without a reference, only mentions that carry their own year are kept (BBC
stories of 2004 say 'on Monday' and nothing else: nothing is invented).

Resolution rules (``DateMention.rule``):

* ``explicit``, ``iso``, ``month_year``, ``year`` ('in 2004', only after in,
  since, by, until, from, of…; 1900–2100), ``post`` (attribution line):
  the text gives the year;
* ``month_day`` ('On October 25') and ``month`` ('In August'): the year of a
  full date earlier in the same sentence, else the reference's year, minus one when
  the month is after the reference month (plus one when the sentence speaks
  of the future and the month is before it); a weekday written with it
  ('Tuesday, 1 March') picks among the year before, that year and the next;
* ``weekday_anchor``: the nearest written date before a weekday, in the same
  or the previous block, when it falls on that weekday ('A week prior, on
  October 19, … in a post … on Sunday' is 19 October 2025, a Sunday);
* ``weekday``: otherwise relative to the reference — 'next Monday' after it,
  'last Friday' before it, a bare or 'on' weekday on or before it (on or
  after it when the sentence speaks of the future);
* ``relative``: yesterday, tomorrow, last/this/next month or year. 'today'
  is never a mention: in news prose it is as often 'nowadays' ('the region
  today faces…') as a date, and it names the reference date anyway.

Newsroom lines come first (``feedtool.enrich.newsroom``): a date line or
the lead's dateline sets ``date_published`` before anything here; a dateline
without a year leaves it pending for the publish stage and nothing below
dates the article.

When front matter gave no date and the reference comes from the caption, a
dateline, an embedded post or the first sentence of the lead (when its full
date is the latest of the story and the sentence does not look back: 'ten
years ago, on 1 February 1995'; other dates in the text are events', often
years old), ``date_published`` becomes the reference date at midnight in
``config.timezone`` (or the caption/dateline city's zone when
``enrich.timezone_from_dateline`` is set) and ``date_published_source`` 'text'.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TypedDict
from zoneinfo import ZoneInfo

from feedtool._text import MONTH_NAMES, MONTHS, WEEKDAY_NAMES, human_date, sentence_spans
from feedtool.config import Config
from feedtool.enrich import enricher
from feedtool.enrich._text import Segment, segments
from feedtool.enrich.gazetteer import city_zones, data_lines
from feedtool.enrich.newsroom import newsroom_dates, newsroom_zone, pending_year
from feedtool.model import DateMention, EmbeddedPost, Granularity, NewsItem

__all__ = ["enrich_dates", "find_dates"]

_MIN_YEAR, _MAX_YEAR = 1900, 2100


_WEEKDAYS: dict[str, int] = {name: i for i, name in enumerate(WEEKDAY_NAMES)}

_FULL = "|".join(MONTH_NAMES)
# 'May' has no abbreviation; 'Jan' or 'Mar' alone are names and verbs too
# often, so abbreviations only count next to a day or a year.
_ABBR = "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
_MONTH = rf"(?:(?:{_FULL})\b|(?:{_ABBR})\b\.?)"
_WEEKDAY = "|".join(WEEKDAY_NAMES)
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:19\d\d|20\d\d|2100)"

# Scanning every position with the full pattern costs ten times more than
# finding the few places a date can start (a month or weekday name, a
# number, yesterday/tomorrow, 'year'/'month') and matching only there; the
# word before (a preposition, 'last', 'mid-') is then looked up backwards.
_TRIGGER_WORDS = f"{_FULL}|{_ABBR}|{_WEEKDAY}|Yesterday|yesterday|Tomorrow|tomorrow|year|month"
# The letters a trigger starts with, asserted before the alternation: the
# engine tries a dozen names at every word otherwise (three times slower).
_TRIGGER_FIRST = "".join(sorted({word[0] for word in _TRIGGER_WORDS.split("|")}))
_TRIGGER = re.compile(rf"\b(?=[{_TRIGGER_FIRST}\d])(?:(?:{_TRIGGER_WORDS})\b|\d)")
_BEFORE_WINDOW = 12
_BODY = re.compile(
    rf"""
      (?P<iso>(?<![\d-])(?P<iso_y>{_YEAR})-(?P<iso_m>[01]\d)-(?P<iso_d>[0-3]\d)
        (?:[T\ ](?P<iso_h>[0-2]\d):[0-5]\d)?(?![\d-]))
    | (?P<mdy>(?:(?P<mdy_wd>{_WEEKDAY}),?\s+)?(?P<mdy_m>{_MONTH})\s*(?P<mdy_d>\d{{1,2}}){_ORD}\b
        (?:,?\s+(?P<mdy_y>{_YEAR})\b)?)
    | (?P<dmy>(?:(?P<dmy_wd>{_WEEKDAY}),?\s+)?(?<![\d.,])(?P<dmy_d>\d{{1,2}}){_ORD}
        \s+(?:of\s+)?(?P<dmy_m>{_MONTH})(?:,?\s+(?P<dmy_y>{_YEAR})\b)?)
    | (?P<my>(?P<my_m>{_MONTH})\s+(?:of\s+)?(?P<my_y>{_YEAR})\b(?![-/–]\d))
    | (?P<mo>(?:{_FULL})\b)
    | (?P<wd>(?:{_WEEKDAY})\b)
    | (?P<yr>(?<![\d,.$£€])(?:{_YEAR})\b(?![-/–]\d|\.\d|,\d)
        (?!\s*(?:GMT|BST|UTC|hrs|hours|%|per\s?cent|percent)))
    | (?P<rel>(?:[Yy]esterday|[Tt]omorrow)\b)
    | (?P<unit>(?:year|month)\b)
    """,
    re.VERBOSE,
)
_RELATIVE_BEFORE = re.compile(r"(?<![\w-])(?P<which>[Ll]ast|[Nn]ext|[Tt]his)\s+\Z")


@dataclass(frozen=True, slots=True)
class _Prepositions:
    """The words read before a date (``data/date_prepositions_en.tsv``) and what each allows."""

    before: re.Pattern[str]  # a preposition or 'mid-' right before the date
    year: frozenset[str]  # may introduce a bare year ('in 2004')
    month: frozenset[str]  # may introduce a bare month name ('in August')
    deadline: frozenset[str]  # a full date after it is a deadline ('until 15 July 2006')


@cache
def _prepositions() -> _Prepositions:
    rows = list(data_lines("date_prepositions_en.tsv"))
    uses = {row[0]: frozenset(row[1].split()) if len(row) > 1 else frozenset() for row in rows}
    alternatives = "|".join(rf"[{p[0].upper()}{p[0]}]{re.escape(p[1:])}" for p in uses)
    return _Prepositions(
        before=re.compile(rf"(?<![\w-])(?P<prep>{alternatives})\s+\Z|(?<![\w-])(?P<mid>[Mm]id-)\Z"),
        year=frozenset(p for p, found in uses.items() if "year" in found),
        month=frozenset(p for p, found in uses.items() if "month" in found),
        deadline=frozenset(p for p, found in uses.items() if "deadline" in found),
    )


@cache
def _looking_back() -> re.Pattern[str]:
    """Words that make a sentence look back ('ten years ago, on 1 February 1995')."""
    words = (row[0] for row in data_lines("date_looking_back_en.txt"))
    return re.compile(rf"\b(?:{'|'.join(map(re.escape, words))})\b", re.I)


# Words that make a weekday part of a name: 'Sunday Times', 'Mail on Sunday'.
_NAME_AFTER = re.compile(
    r"\s+(?:Times|Telegraph|Mirror|Express|People|Herald|Post|Mail|Observer|Independent|"
    r"Sport|Night\s+Live|Bloody)\b|'s?\s+(?:Times|Telegraph|Mirror)\b"
)
_NAME_BEFORE = re.compile(r"\b(?:Mail|Independent|Sport)\s+on\s+\Z")
_CAPITAL_BEFORE = re.compile(r"\b[A-Z][a-z]+\s+\Z")
_CAPITAL_AFTER = re.compile(r"\s+[A-Z]")
_FUTURE = re.compile(
    r"\b(?:will|shall|is\s+due|are\s+due|is\s+set\s+to|are\s+set\s+to|scheduled|"
    r"is\s+expected\s+to|are\s+expected\s+to|plans?\s+to|upcoming|next)\b|'ll\b"
)
_FUTURE_REACH = 1000  # characters before a date read for a future cue

_DATELINE = re.compile(r"^\s*([A-Z][A-Za-z]+(?: [A-Z][A-Za-z]+)?)\b")
_DATELINE_MARK = re.compile(r"\s*[,(—–-]")  # 'LONDON (Reuters) -', not 'London is'
_DATELINE_BEFORE = re.compile(r"\s*(?:[A-Z][\w.'’-]*(?:[ ,]+[A-Z][\w.'’-]*)*[ ,]*)?\Z")
_DATELINE_AFTER = re.compile(r"\s*(?:\([^)]{1,40}\)\s*)?[—–:-]")
_CITY_WINDOW = 80
_DATELINE_WINDOW = 60


class _Fields(TypedDict, total=False):
    year: int
    month: int
    day: int
    weekday: int
    modifier: str


@dataclass(slots=True)
class _Candidate:
    """A match, before resolution: where it is and what it says."""

    text: str
    kind: str
    segment: int
    where: str
    first_paragraph: bool
    offset: int
    sentence: str
    sentence_start: int
    line: int
    future: bool
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    modifier: str = ""
    value: dt.date | None = None
    granularity: Granularity = "day"
    rule: str = ""

    @property
    def full(self) -> bool:
        return self.kind in ("iso", "full", "post")


@enricher("dates")
def enrich_dates(item: NewsItem, config: Config) -> NewsItem:
    """Fill ``date_mentions``; infer ``date_published`` from the text when none was given."""
    newsroom = newsroom_dates(item, newsroom_zone(item, config))
    if newsroom:
        item = item.model_copy(update=newsroom)
    candidates, texts = _candidates(item)
    reference = _reference(item, candidates, texts)
    mentions = _resolve(candidates, reference.date if reference else None)
    update: dict[str, object] = {"date_mentions": mentions}
    if (
        item.date_published is None
        and not pending_year(item)  # a dateline's date waits for its year (publish)
        and reference
        and reference.dated
        and reference.candidate
    ):
        zone = config.zone
        if config.enrich.timezone_from_dateline:
            zone = _dateline_zone(reference.candidate, texts) or zone
        update["date_published"] = dt.datetime.combine(reference.date, dt.time(), tzinfo=zone)
        update["date_published_source"] = "text"
    return item.model_copy(update=update)


def find_dates(item: NewsItem) -> tuple[DateMention, ...]:
    """The date mentions of ``item`` alone, without touching the item."""
    candidates, texts = _candidates(item)
    reference = _reference(item, candidates, texts)
    return _resolve(candidates, reference.date if reference else None)


# --------------------------------------------------------------------------- finding


def _candidates(item: NewsItem) -> tuple[list[_Candidate], list[Segment]]:
    found: list[_Candidate] = []
    texts = list(segments(item))
    posts = iter(b for b in item.body if isinstance(b, EmbeddedPost))
    first = next((i for i, s in enumerate(texts) if s.where == "paragraph"), -1)
    # Parse may fill a missing standfirst with the first paragraph: one mention, not two.
    lead = texts[first].text if first >= 0 else None
    for index, segment in enumerate(texts):
        if segment.where == "description" and segment.text == lead:
            continue
        found.extend(_scan(segment, index, index == first))
        if segment.where == "post":
            post = next(posts, None)
            if post is not None and post.date is not None:
                found.append(_post_candidate(post, index))
    return found, texts


def _post_candidate(post: EmbeddedPost, index: int) -> _Candidate:
    assert post.date is not None
    written = human_date(post.date)
    parts = ["—", post.author]
    if post.author_alternate_name:
        parts += ["|", post.author_alternate_name]
    if post.handle:
        parts.append(f"(@{post.handle})")
    return _Candidate(
        text=written,
        kind="post",
        segment=index,
        where="post",
        first_paragraph=False,
        offset=len(post.text),
        sentence=" ".join([*parts, written]),
        sentence_start=len(post.text),
        line=post.line + post.text.count("\n") + 1,
        future=False,
        year=post.date.year,
        month=post.date.month,
        day=post.date.day,
    )


def _scan(segment: Segment, index: int, first_paragraph: bool) -> Iterator[_Candidate]:
    text = segment.text
    split: list[tuple[int, str]] | None = None
    starts: list[int] = []
    # Sentences and line breaks are found by bisection: scanning from the
    # segment's start for each of a long text's dates is quadratic.
    breaks = [m.start() for m in re.finditer("\n", text)]
    done = 0
    for trigger in _TRIGGER.finditer(text):
        if trigger.start() < done:
            continue
        match = _BODY.match(text, trigger.start())
        if match is None:
            continue
        parsed = _parse(match, text)
        if parsed is None:
            continue
        kind, start, fields = parsed
        done = match.end()
        if split is None:
            split = sentence_spans(text) or [(0, text)]
            starts = [offset for offset, _sentence in split]
        sentence_start, sentence = split[max(0, bisect_right(starts, start) - 1)]
        yield _Candidate(
            text=text[start:done],
            kind=kind,
            segment=index,
            where=segment.where,
            first_paragraph=first_paragraph,
            offset=start,
            sentence=sentence.strip(),
            sentence_start=sentence_start,
            line=max(1, segment.line + bisect_left(breaks, start)),
            # (A "sentence" longer than _FUTURE_REACH is a run-on text, not a
            # sentence: reading all of it for each date would be quadratic.)
            future=_FUTURE.search(text, max(sentence_start, start - _FUTURE_REACH), start)
            is not None,
            **fields,
        )


def _parse(match: re.Match[str], text: str) -> tuple[str, int, _Fields] | None:
    """(kind, start, fields) of a match, or None when it is not a date after all.

    ``start`` includes the preposition before the date ('on Tuesday'), except
    'of', which belongs to the sentence ('the summit of 5 May').
    """
    group = match.group
    body = match.start()
    preps = _prepositions()
    before = preps.before.search(text, max(0, body - _BEFORE_WINDOW), body)
    prep = before.group("prep").lower() if before and before.group("prep") else ""
    mid = bool(before and before.group("mid"))
    start = before.start() if before and prep != "of" else body
    if group("iso"):
        year, month, day = int(group("iso_y")), int(group("iso_m")), int(group("iso_d"))
        if not _valid(year, month, day):
            return None
        kind = "iso_minute" if group("iso_h") else "iso"
        return kind, start, {"year": year, "month": month, "day": day}
    for key in ("mdy", "dmy"):
        if group(key):
            month, day = MONTHS[group(f"{key}_m").rstrip(".").lower()], int(group(f"{key}_d"))
            year_text = group(f"{key}_y")
            if year_text is not None:
                if not _valid(int(year_text), month, day):
                    return None
                full: _Fields = {"year": int(year_text), "month": month, "day": day}
                return "full", start, {**full, "modifier": prep}
            if not _valid(2000, month, day):  # 2000 is a leap year: 29 February passes
                return None
            fields: _Fields = {"month": month, "day": day, "modifier": prep}
            if group(f"{key}_wd"):
                fields["weekday"] = _WEEKDAYS[group(f"{key}_wd")]
            return "month_day", start, fields
    if group("my"):
        month = MONTHS[group("my_m").rstrip(".").lower()]
        return "month_year", start, {"year": int(group("my_y")), "month": month}
    if group("mo"):
        if prep == "of" or not (prep in preps.month or mid):
            return None  # 'the Ides of March', 'May God…' name no date
        return "month", start, {"month": MONTHS[group("mo").lower()], "modifier": prep}
    if group("wd"):
        end = match.end()
        if _NAME_AFTER.match(text, end) or _NAME_BEFORE.search(text, max(0, body - 20), body):
            return None
        if not prep and (
            _CAPITAL_BEFORE.search(text, max(0, body - 30), body) or _CAPITAL_AFTER.match(text, end)
        ):
            return None  # 'Black Monday', 'Super Tuesday', 'Sunday Times'
        return "weekday", start, {"weekday": _WEEKDAYS[group("wd")], "modifier": prep}
    if group("yr"):
        if prep not in preps.year:
            return None
        return "year", start, {"year": int(group("yr"))}
    if group("rel"):
        return "relative", body, {"modifier": group("rel").lower()}
    if group("unit"):
        which = _RELATIVE_BEFORE.search(text, max(0, body - 6), body)
        if which is None:
            return None
        modifier = f"{which.group('which').lower()} {group('unit')}"
        return "relative", which.start(), {"modifier": modifier}
    return None


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- reference


@dataclass(frozen=True, slots=True)
class _Reference:
    """The day of writing; ``dated`` when it may also become ``date_published``."""

    date: dt.date
    candidate: _Candidate | None  # None: from front matter
    dated: bool = False


def _reference(
    item: NewsItem, candidates: list[_Candidate], texts: list[Segment]
) -> _Reference | None:
    if item.date_published is not None:
        return _Reference(item.date_published.date(), None)
    full = [c for c in candidates if c.full and c.year and _MIN_YEAR <= c.year <= _MAX_YEAR]
    dateline = [c for c in full if _in_dateline(c, texts)]
    if dateline:
        return _Reference(_date_of(dateline[0]), dateline[0], dated=True)
    # 'until 15 July 2006' is a deadline, not the day of writing.
    past = [c for c in full if not c.future and c.modifier not in _prepositions().deadline]
    if not past:
        return None
    last = max(past, key=_date_of)
    latest = _date_of(last)
    # 'on 1 January 1985' in a story that also says 'in 2004' is history,
    # not the day of writing: then there is no reference at all.
    if any(
        c.kind in ("year", "month_year")
        and not c.future
        and c.year
        and dt.date(c.year, c.month or 1, 1) > latest
        for c in candidates
    ):
        return None
    # A post is quoted on or after its day, so its date may date the article;
    # any other date in the text is an event's, good enough to resolve 'on
    # Monday' but wrong as a publication date more often than not (on the BBC
    # corpus 14 of 23 such dates were years before the stories).
    if last.kind == "post":
        return _Reference(latest, last, dated=True)
    # The first sentence of the lead giving the latest full date of the story
    # ('On 18 November 2025 the ministry said…') dates it, unless it looks back
    # ('vanished ten years ago, on 1 February 1995').
    lead = next((c for c in past if c.first_paragraph and c.sentence_start == 0), None)
    dated = (
        lead is not None and _date_of(lead) == latest and not _looking_back().search(lead.sentence)
    )
    return _Reference(latest, lead if dated and lead else last, dated=dated)


def _in_dateline(candidate: _Candidate, texts: list[Segment]) -> bool:
    """A caption's date, or a first paragraph opening 'TEHRAN, Oct. 28 (WANA) —'."""
    if candidate.where == "caption":
        return True
    if not candidate.first_paragraph or candidate.offset > _DATELINE_WINDOW:
        return False
    text = texts[candidate.segment].text
    return bool(
        _DATELINE_BEFORE.match(text[: candidate.offset])
        and _DATELINE_AFTER.match(text, candidate.offset + len(candidate.text))
    )


def _date_of(candidate: _Candidate) -> dt.date:
    assert candidate.year and candidate.month and candidate.day
    return dt.date(candidate.year, candidate.month, candidate.day)


# A city in a caption or dateline names the zone the date is local to.
@cache
def _cities() -> re.Pattern[str]:
    return re.compile(
        r"\b(" + "|".join(map(re.escape, sorted(city_zones(), key=len, reverse=True))) + r")\b"
    )


@cache
def _cities_upper() -> dict[str, str]:
    return {name.upper(): name for name in city_zones()}


def _dateline_zone(candidate: _Candidate, texts: list[Segment]) -> ZoneInfo | None:
    segment = texts[candidate.segment]
    window = segment.text[max(0, candidate.offset - _CITY_WINDOW) : candidate.offset]
    zones = city_zones()
    cities = _cities().findall(window)
    if cities:
        return ZoneInfo(zones[cities[-1]])
    first = next((s for s in texts if s.where == "paragraph"), None)
    if first is not None:
        head = _DATELINE.match(first.text[:_DATELINE_WINDOW])
        if head:
            name = _cities_upper().get(head.group(1).upper())
            if name and _DATELINE_MARK.match(first.text, head.end()):
                return ZoneInfo(zones[name])
    return None


# --------------------------------------------------------------------------- resolving


def _resolve(candidates: list[_Candidate], reference: dt.date | None) -> tuple[DateMention, ...]:
    resolved: list[_Candidate] = []
    for candidate in candidates:
        try:
            if _resolve_one(candidate, reference, resolved):
                resolved.append(candidate)
        except (ValueError, OverflowError):
            continue  # past year 9999 from a far front-matter date: no such day
    return tuple(
        DateMention(
            text=c.text,
            value=c.value,
            granularity=c.granularity,
            sentence=c.sentence,
            line=c.line,
            rule=c.rule,
        )
        for c in resolved
        if c.value is not None and _MIN_YEAR <= c.value.year <= _MAX_YEAR
    )


def _resolve_one(c: _Candidate, reference: dt.date | None, earlier: list[_Candidate]) -> bool:
    kind = c.kind
    if kind in ("iso", "iso_minute", "full", "post"):
        assert c.year and c.month and c.day
        c.value = dt.date(c.year, c.month, c.day)
        c.granularity = "minute" if kind == "iso_minute" else "day"
        c.rule = {"full": "explicit", "iso_minute": "iso"}.get(kind, kind)
        return True
    if kind == "month_year":
        assert c.year and c.month
        c.value, c.granularity, c.rule = dt.date(c.year, c.month, 1), "month", "month_year"
        return True
    if kind == "year":
        assert c.year
        c.value, c.granularity, c.rule = dt.date(c.year, 1, 1), "year", "year"
        return True
    if reference is None:
        return False
    if kind == "month_day":
        assert c.month and c.day
        year = _sentence_year(c, earlier) or _year_for(c.month, c, reference)
        if c.weekday is not None:
            # 'Tuesday, 1 March' written in January 2005 is 2005's, a Tuesday.
            year = next((y for y in (year, year - 1, year + 1) if _on(y, c)), year)
        if not _valid(year, c.month, c.day):
            return False
        c.value, c.granularity, c.rule = dt.date(year, c.month, c.day), "day", "month_day"
        return True
    if kind == "month":
        assert c.month
        year = _sentence_year(c, earlier) or _year_for(c.month, c, reference)
        c.value, c.granularity, c.rule = dt.date(year, c.month, 1), "month", "month"
        return True
    if kind == "weekday":
        assert c.weekday is not None
        anchor = None if c.modifier in ("last", "next") else _anchor(c, earlier)
        if anchor is not None:
            c.value, c.rule = anchor, "weekday_anchor"
        else:
            c.value, c.rule = _weekday(c.weekday, c.modifier, c.future, reference), "weekday"
        c.granularity = "day"
        return True
    if kind == "relative":
        return _relative(c, reference)
    return False


def _on(year: int, c: _Candidate) -> bool:
    assert c.month and c.day
    return _valid(year, c.month, c.day) and dt.date(year, c.month, c.day).weekday() == c.weekday


def _year_for(month: int, c: _Candidate, reference: dt.date) -> int:
    if c.modifier == "last":
        return reference.year if month < reference.month else reference.year - 1
    if c.modifier == "next":
        return reference.year if month > reference.month else reference.year + 1
    if c.modifier == "this":
        return reference.year
    if c.future:
        return reference.year + 1 if month < reference.month else reference.year
    return reference.year - 1 if month > reference.month else reference.year


def _sentence_year(c: _Candidate, earlier: list[_Candidate]) -> int | None:
    for other in reversed(earlier):
        if other.segment != c.segment or other.sentence_start != c.sentence_start:
            break
        if other.kind in ("full", "iso", "iso_minute") and other.year:
            return other.year
    return None


def _anchor(c: _Candidate, earlier: list[_Candidate]) -> dt.date | None:
    """A written date just before ``c`` (same block or the previous one) on its weekday."""
    for other in reversed(earlier):
        if other.segment < c.segment - 1:
            break
        if other.kind == "weekday" or other.granularity != "day" or other.value is None:
            continue
        if other.value.weekday() == c.weekday:
            return other.value
        return None  # the nearest written date is another day: not an anchor
    return None


def _weekday(weekday: int, modifier: str, future: bool, reference: dt.date) -> dt.date:
    ahead = (weekday - reference.weekday()) % 7
    behind = (reference.weekday() - weekday) % 7
    if modifier == "next":
        return reference + dt.timedelta(days=ahead or 7)
    if modifier == "last":
        return reference - dt.timedelta(days=behind or 7)
    if modifier == "this" or future:
        return reference + dt.timedelta(days=ahead)
    return reference - dt.timedelta(days=behind)


def _relative(c: _Candidate, reference: dt.date) -> bool:
    modifier = c.modifier
    if modifier in ("yesterday", "tomorrow"):
        days = -1 if modifier == "yesterday" else 1
        c.value, c.granularity = reference + dt.timedelta(days=days), "day"
    else:
        which, unit = modifier.split()
        step = {"last": -1, "this": 0, "next": 1}[which]
        if unit == "year":
            c.value, c.granularity = dt.date(reference.year + step, 1, 1), "year"
        else:
            months = reference.year * 12 + reference.month - 1 + step
            c.value, c.granularity = dt.date(months // 12, months % 12 + 1, 1), "month"
    c.rule = "relative"
    return True
