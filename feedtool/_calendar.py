"""Dates as newsrooms write them, in many languages and two calendars.

Month names of many languages and the Persian solar months come from
``feedtool._text.month_lexicon`` (CLDR through babel, and jdatetime); solar
dates convert to Gregorian ones with jdatetime. Digits of any script ('۱۴۰۴',
'٢٦') read as numbers.

:func:`find_date` finds the first date in a short text ('14. November 2025',
'27 novembre', '25 de noviembre de 2025', 'Nov. 27', '۵ آذر ۱۴۰۴',
'26 نوفمبر/تشرين الثاني 2025', '2025-11-26'); :func:`find_time` a clock time
with its zone ('14:00 GMT', '2.30pm BST'). :func:`latest_on_or_before` gives a
year to a month and day written without one.

The patterns are built on first use, not at import.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, replace

from feedtool._text import FOLD, ascii_digits, month_lexicon, month_number, weekday_number

__all__ = ["FoundDate", "FoundTime", "find_date", "find_time", "latest_on_or_before"]

_PERSIAN = "persian"
_GREGORIAN = "gregorian"
_DIGIT = re.compile(r"\d")


# Each locale costs about 15 ms to load, once per process.
@functools.cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    names = sorted(month_lexicon(), key=len, reverse=True)
    # The text is matched case-insensitively; folded keys differ from the
    # written form only in Arabic-script letters, which each alternative allows.
    variants = {name: _unfold_class(name) for name in names}
    month = "(?:" + "|".join(variants[n] for n in names) + r")\.?"
    day = r"(?<![\d.,:/])(?P<day>[0-3]?\d)(?!\d)(?:st|nd|rd|th|er|e|º|°|\.)?"
    year = r"(?P<year>\d{4})(?!\d)"
    sep = r"(?:\s*,?\s*(?:de\s+|del\s+)?)"
    return (
        # 2025-11-26
        re.compile(r"(?<!\d)(?P<year>\d{4})-(?P<month>[01]\d)-(?P<day>[0-3]\d)(?!\d)"),
        # 26/11/2025, 27.11.2025: day first, as most of the world writes it; a
        # first number above 12 can only be the day, a second one only the
        # day of a US-style 11/27/2025.
        re.compile(
            r"(?<![\d./])(?P<first>[0-3]?\d)(?P<mark>[./])(?P<second>[01]?\d|[0-3]\d)"
            r"(?P=mark)(?P<year>\d{4})(?![\d./])"
        ),
        # 26 November 2025, 14. November 2025, 27 novembre, 25 de noviembre de 2025,
        # 26 نوفمبر/تشرين الثاني 2025, ۵ آذر ۱۴۰۴
        re.compile(
            rf"{day}\s*(?:de\s+)?(?<!\w)(?P<month>{month})(?:\s*/\s*{month})?(?!\w)"
            rf"(?:{sep}{year})?",
            re.IGNORECASE,
        ),
        # November 26, 2025; Nov. 27; March 26
        re.compile(
            rf"(?<!\w)(?P<month>{month})(?!\w)\s*(?P<day>[0-3]?\d)(?!\d)(?:st|nd|rd|th)?(?![:.]\d)"
            rf"(?:,?\s*{year})?",
            re.IGNORECASE,
        ),
    )


def _unfold_class(name: str) -> str:
    """A regex for ``name`` (folded) that accepts every spelling folding to it."""
    sources: dict[str, str] = {}
    for original, folded in FOLD.items():
        sources.setdefault(chr(folded) if isinstance(folded, int) else folded, "")
        sources[chr(folded) if isinstance(folded, int) else folded] += chr(original)
    parts = []
    for char in name:
        if char in sources:
            parts.append("[" + re.escape(char + sources[char]) + "]")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A date found in a text: Gregorian ``month``/``day`` and ``year`` (``None``
    when the text gives none); ``start``/``end`` index the text as given."""

    year: int | None
    month: int
    day: int
    start: int
    end: int
    weekday: int | None = None  # written before the date ('Tuesday, 1 March'), Monday 0
    # A Persian solar date without its year ('۵ آذر'): (solar month, day). Its
    # Gregorian month and day then hold for solar years of 365 days only.
    solar: tuple[int, int] | None = None

    @property
    def date(self) -> dt.date | None:
        if self.year is None:
            return None
        return dt.date(self.year, self.month, self.day)

    def on_or_before(self, reference: dt.date) -> dt.date:
        """The date, its year given by :func:`latest_on_or_before` when the text has none."""
        if self.year is not None:
            return dt.date(self.year, self.month, self.day)
        if self.solar is not None:
            return _solar_on_or_before(*self.solar, reference, self.weekday)
        return latest_on_or_before(self.month, self.day, reference, self.weekday)


def find_date(text: str, start: int = 0, end: int | None = None) -> FoundDate | None:
    """The first valid date in ``text[start:end]``; see the module docstring."""
    stop = len(text) if end is None else end
    if _DIGIT.search(text, start, stop) is None:
        return None  # every date has a day: cheap to rule out before the month patterns
    normal = ascii_digits(text)
    best: FoundDate | None = None
    for pattern in _patterns():
        position = start
        while True:
            match = pattern.search(normal, position, stop)
            if match is None or (best is not None and match.start() >= best.start):
                break
            found = _found(match)
            if found is not None:
                best = found
                break
            position = match.start() + 1
    if best is not None and (
        before := _WEEKDAY_BEFORE.search(text, max(0, best.start - 24), best.start)
    ):
        weekday = weekday_number(before["word"])
        if weekday is not None:
            best = replace(best, weekday=weekday)
    return best


# A weekday right before a date: 'Tuesday, 1 March', 'mardi 1er mars', 'سه‌شنبه ۵ آذر'.
_WEEKDAY_BEFORE = re.compile(
    r"(?<![^\W\d_])(?P<word>[^\W\d_](?:[^\W\d_]|\u200c| (?=شنبه))*)\.?"
    r"\s*[,،]?\s*(?:den\s+|le\s+)?\Z"
)


def _found(match: re.Match[str]) -> FoundDate | None:
    if "first" in match.re.groupindex:
        one, two = int(match["first"]), int(match["second"])
        day, month = (two, one) if two > 12 else (one, two)
        try:
            dt.date(int(match["year"]), month, day)
        except ValueError:
            return None
        return FoundDate(int(match["year"]), month, day, *match.span())
    month_text = match["month"]
    day = int(match["day"])
    year = int(match["year"]) if match["year"] else None
    if month_text.isdigit():
        calendar, month = _GREGORIAN, int(month_text)
    else:
        known = month_number(month_text.split("/")[0].strip())
        if known is None:
            # The first of two names ('نوفمبر/تشرين الثاني') decides.
            first = re.split(r"\s*/\s*", month_text)[0]
            known = month_number(first)
        if known is None:
            return None
        calendar, month = known
    if calendar == _PERSIAN:
        import jdatetime

        if year is not None and not 1200 <= year <= 1600:
            return None
        try:
            # Without its year, placed in a solar year of 365 days (1404) until
            # a reference time gives the year (FoundDate.on_or_before).
            gregorian = jdatetime.date(year or 1404, month, day).togregorian()
        except ValueError:
            if year is not None or (month, day) != (12, 30):
                return None
            gregorian = jdatetime.date(1403, month, day).togregorian()  # leap day
        if year is None:
            return FoundDate(
                None, gregorian.month, gregorian.day, *match.span(), solar=(month, day)
            )
        return FoundDate(gregorian.year, gregorian.month, gregorian.day, *match.span())
    if year is not None and not 1000 <= year <= 2999:
        return None
    try:
        dt.date(year or 2000, month, day)  # 2000 is a leap year: 29 February passes
    except ValueError:
        return None
    return FoundDate(year, month, day, *match.span())


# --------------------------------------------------------------------------- times

# Zone abbreviations that mean one offset only (minutes east of UTC). 'IST'
# (India, Ireland, Israel) and 'CST' (US, China) are left out as ambiguous.
ZONE_OFFSETS: dict[str, int] = {
    "GMT": 0, "UTC": 0, "UT": 0, "Z": 0, "BST": 60, "WET": 0, "WEST": 60,
    "CET": 60, "CEST": 120, "EET": 120, "EEST": 180, "MSK": 180,
    "EST": -300, "EDT": -240, "PST": -480, "PDT": -420, "MST": -420, "MDT": -360,
    "IRST": 210, "GST": 240, "PKT": 300, "JST": 540, "KST": 540, "HKT": 480,
    "AEST": 600, "AEDT": 660,
}  # fmt: skip

# Zones whose offset depends on the date (daylight saving time), by the
# abbreviations US newsrooms write ('3:04 p.m. ET').
ZONE_NAMES: dict[str, str] = {
    "ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
    "PT": "America/Los_Angeles",
}  # fmt: skip

_ZONES = "|".join(sorted([*ZONE_OFFSETS, *ZONE_NAMES], key=len, reverse=True))
_TIME = re.compile(
    # '14:00', '2.30pm', '18h42'; '2000 GMT', the wire's 24-hour clock, only with its zone
    r"(?<![\d:.])(?P<hour>[0-2]?\d)(?:[:.h](?P<minute>[0-5]\d)|(?P<packed>[0-5]\d)(?=\s*(?:"
    + _ZONES
    + r")\b))?\s*"
    r"(?P<half>[ap]\.?m\.?)?(?!\w)"
    r"(?:\s*(?P<zone>" + _ZONES + r")\b"
    r"(?:\s*(?P<sign>[+-])\s*(?P<offset>\d{1,2})(?::?(?P<offset_minutes>\d\d))?)?)?",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class FoundTime:
    """A clock time found in a text, with its UTC offset in minutes when written."""

    time: dt.time
    utc_offset: int | None
    start: int
    end: int
    zone: str | None = None  # an IANA zone, when the offset depends on the date

    def offset_on(self, day: dt.date | None) -> int | None:
        """Minutes east of UTC on ``day`` ('ET' is -240 in summer, -300 in winter)."""
        if self.zone is None or day is None:
            return self.utc_offset
        from zoneinfo import ZoneInfo

        shift = dt.datetime.combine(day, self.time, tzinfo=ZoneInfo(self.zone)).utcoffset()
        return None if shift is None else int(shift.total_seconds() // 60)


def find_time(text: str, start: int = 0) -> FoundTime | None:
    """The first clock time in ``text[start:]`` that has minutes, am/pm or a zone."""
    normal = ascii_digits(text)
    for match in _TIME.finditer(normal, start):
        if not (match["minute"] or match["half"] or match["zone"]):
            continue
        hour, minute = int(match["hour"]), int(match["minute"] or match["packed"] or 0)
        half = (match["half"] or "").lower().replace(".", "")
        if half:
            if not 1 <= hour <= 12:
                continue
            hour = hour % 12 + (12 if half == "pm" else 0)
        if hour > 23:
            continue
        offset = None
        zone = ZONE_NAMES.get((match["zone"] or "").upper())
        if match["zone"] and zone is None:
            offset = ZONE_OFFSETS[match["zone"].upper()]
            if match["sign"]:
                shift = int(match["offset"]) * 60 + int(match["offset_minutes"] or 0)
                offset += shift if match["sign"] == "+" else -shift
        return FoundTime(dt.time(hour, minute), offset, match.start(), match.end(), zone)
    return None


# --------------------------------------------------------------------------- years


# How far back a written weekday may move a yearless date: a day of the year
# falls on each weekday at least once in any 11 consecutive years, and in any
# 12 when they span 1900 or 2100 (not leap years), leap days excepted (28 years).
WEEKDAY_YEARS = 12


def latest_on_or_before(
    month: int, day: int, reference: dt.date, weekday: int | None = None
) -> dt.date:
    """The latest ``month``/``day`` not after ``reference``: the year of a date written
    without one ('Nov 27' read on 2026-01-03 is 2025-11-27). 29 February falls
    back to the latest leap year.

    With a ``weekday`` (Monday 0: 'Tuesday, 1 March'), the latest such day not
    after ``reference`` that falls on it, within ``WEEKDAY_YEARS`` years;
    when none does (a leap day, or a weekday that cannot be), the rule above."""
    if weekday is not None:
        for year in range(reference.year, reference.year - WEEKDAY_YEARS - 1, -1):
            try:
                candidate = dt.date(year, month, day)
            except ValueError:
                continue
            if candidate <= reference and candidate.weekday() == weekday:
                return candidate
    year = reference.year
    while True:
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            if month == 2 and day == 29:
                year -= 1
                continue
            raise
        if candidate <= reference:
            return candidate
        year -= 1


def _solar_on_or_before(
    month: int, day: int, reference: dt.date, weekday: int | None = None
) -> dt.date:
    """:func:`latest_on_or_before` for a Persian solar month and day ('۵ آذر'):
    the latest such solar day not after ``reference``, converted to Gregorian."""
    import jdatetime

    first = jdatetime.date.fromgregorian(date=reference).year
    fallback: dt.date | None = None
    for year in range(first, first - WEEKDAY_YEARS - 1, -1):
        try:
            candidate: dt.date = jdatetime.date(year, month, day).togregorian()
        except ValueError:
            continue  # 30 Esfand outside a leap year
        if candidate > reference:
            continue
        if weekday is None or candidate.weekday() == weekday:
            return candidate
        fallback = fallback or candidate
    if fallback is None:
        raise ValueError(f"no solar {month}/{day} before {reference}")
    return fallback
