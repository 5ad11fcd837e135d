"""Publication and modification dates from newsroom lines (see ``feedtool.parse._newsroom``).

Order for ``date_published`` (front matter always wins, and is never touched):

1. a 'Published …' or bare date line under the byline;
2. the lead's dateline ('LONDON, Nov 27 (Reuters) -');
3. (in ``dates``) an embedded post's date, then the first full date of the lead;
4. (in publish) the time of first publication.

**Years.** A date written without a year ('Nov 27') is the latest such day
not after the article's *reference time*: a full date on another newsroom
line of the same article when there is one (an explicit year nearby), else
its first publication. A weekday written with the date ('Tuesday, 1 March')
must match: the latest such day on that weekday within
``feedtool._calendar.WEEKDAY_YEARS`` years, else the plain rule. A Persian
solar day without its year ('۵ آذر') is placed the same way in the solar
calendar (jdatetime). Parse → enrich is pure and knows no clock, so
:func:`newsroom_dates` without a reference leaves such dates pending
(``date_published`` stays ``None``); the publish stage, which stamps the
first-publication time, calls it again with that time as ``reference``. An
update or correction dated without a year is the first such day on or after
the publication date.

``date_modified`` is the latest of the 'Updated …' lines (a time alone is on
the publication day) and the corrections' dates, when later than publication.
A date line's time without a zone is local to ``timezone``.
"""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from feedtool._calendar import find_date, latest_on_or_before
from feedtool.config import Config
from feedtool.enrich.gazetteer import city_zones
from feedtool.model import Correction, DateLine, Dateline, NewsItem

__all__ = ["drop_credits", "newsroom_dates", "newsroom_zone", "pending_year"]

_Written = Dateline | DateLine | Correction


def pending_year(item: NewsItem) -> bool:
    """Whether the item's publication date waits for a reference time to get its year."""
    if item.date_published is not None:
        return False
    source = _published_source(item)
    return source is not None and source.date is None


def newsroom_dates(
    item: NewsItem, zone: ZoneInfo, reference: dt.datetime | None = None
) -> dict[str, object]:
    """The fields the newsroom lines set on ``item`` (an update for ``model_copy``).

    ``reference`` is the first-publication time, known to the publish stage only.
    """
    update: dict[str, object] = {}
    published = item.date_published
    if published is None:
        source = _published_source(item)
        if source is not None:
            day = source.date
            if day is None:
                anchor = _explicit_reference(item) or (
                    reference.astimezone(zone).date() if reference else None
                )
                if anchor is not None and source.month and source.day:
                    day = _yearless(source, anchor)
            if day is not None:
                published = _at(day, source, zone)
                update["date_published"] = published
                update["date_published_source"] = "text"
    if published is None and reference is not None:
        published = reference  # dated by first publication: updates still count
    if published is None:
        return update
    base = published.astimezone(zone).date()
    if item.dateline is not None and item.dateline.date is None and item.dateline.month:
        day = _yearless(item.dateline, base)
        update["dateline"] = item.dateline.model_copy(
            update={"year": day.year, "month": day.month, "day": day.day}
        )
    modified: list[dt.datetime] = []
    lines: list[DateLine] = []
    for line in item.date_lines:
        if line.date is None and line.kind == "published" and line.month is not None:
            day = _yearless(line, base)
        else:
            day = line.date or _on_or_after(line, base)
        if line.kind == "updated" and (day is not None or line.time is not None):
            modified.append(_at(day or base, line, zone))
        lines.append(
            line
            if day is None or line.date
            else line.model_copy(update={"year": day.year, "month": day.month, "day": day.day})
        )
    if tuple(lines) != item.date_lines:
        update["date_lines"] = tuple(lines)
    corrections: list[Correction] = []
    for correction in item.corrections:
        day = correction.date or _on_or_after(correction, base)
        if day is not None:
            modified.append(_at(day, correction, zone))
            if correction.date is None:
                correction = correction.model_copy(update={"year": day.year})
        corrections.append(correction)
    if tuple(corrections) != item.corrections:
        update["corrections"] = tuple(corrections)
    later = [m for m in modified if m > published]
    if item.date_modified is None and later:
        update["date_modified"] = max(later)
    return update


def newsroom_zone(item: NewsItem, config: Config) -> ZoneInfo:
    """``timezone``, or the dateline city's zone when ``enrich.timezone_from_dateline``."""
    dateline = item.dateline
    if config.enrich.timezone_from_dateline and dateline is not None and dateline.place:
        name = city_zones().get(dateline.place)
        if name:
            return ZoneInfo(name)
    return config.zone


def drop_credits(item: NewsItem) -> NewsItem:
    """``item`` without the inferred tags that only credit the story.

    The agency of a dateline ('(Reuters)') is who reported, not what the story
    is about: its organisation tag goes when the dateline is its only mention.
    Bylines and wire trailers have left the body, so their names reach the
    taggers only where the story itself mentions them.
    """
    dateline = item.dateline
    if dateline is None or dateline.agency is None:
        return item
    where = (f"line {dateline.line}",)
    agency = dateline.agency.casefold()
    kept = tuple(
        tag
        for tag in item.tags
        if tag.given
        or tag.kind != "organization"
        or tag.evidence.mentions != 1
        or tag.evidence.where != where
        or {m.casefold() for m in tag.evidence.matched} != {agency}
    )
    return item if len(kept) == len(item.tags) else item.model_copy(update={"tags": kept})


def _published_source(item: NewsItem) -> DateLine | Dateline | None:
    for line in item.date_lines:
        if line.kind == "published" and line.month is not None:
            return line
    if item.dateline is not None and item.dateline.month is not None:
        return item.dateline
    return None


def _explicit_reference(item: NewsItem) -> dt.date | None:
    """A full date on another newsroom line ('Published 27 November 2025' over a
    'LONDON, Nov 27 -' dateline), which says the year. A dated update or
    correction counts too: the story was published on or before it."""
    for written in (*item.date_lines, item.dateline, *item.corrections):
        if written is not None and written.date is not None:
            return written.date
    return None


def _yearless(written: DateLine | Dateline, reference: dt.date) -> dt.date:
    """The latest day not after ``reference`` that ``written`` (a date without its
    year) can be: a weekday written with it must match ('Tuesday, 1 March'), and
    a Persian solar day ('۵ آذر') is placed in the solar calendar."""
    assert written.month is not None and written.day is not None
    return _yearless_day(written.text, written.month, written.day, reference)


# An article's newsroom lines are read again each time its item is loaded
# (stamping, then each render of its page and feeds), and a newsroom repeats
# them: 12,810 datelines of the 20,000-article archive are 1,851 texts
# ("NEW YORK, April 7 -"). ``find_date`` tries every month name of every
# language: read once per text and reference day while in this cache.
@functools.lru_cache(maxsize=4096)
def _yearless_day(text: str, month: int, day: int, reference: dt.date) -> dt.date:
    found = find_date(text)
    if found is not None and found.year is None and (found.month, found.day) == (month, day):
        return found.on_or_before(reference)
    return latest_on_or_before(month, day, reference)


def _on_or_after(written: _Written, base: dt.date) -> dt.date | None:
    if written.month is None or written.day is None:
        return None
    for year in (base.year, base.year + 1):
        try:
            day = dt.date(year, written.month, written.day)
        except ValueError:
            continue
        if day >= base:
            return day
    return None


def _at(day: dt.date, written: _Written, zone: ZoneInfo) -> dt.datetime:
    if written.time is None:
        return dt.datetime.combine(day, dt.time(), tzinfo=zone)
    tz: dt.tzinfo = zone
    if written.utc_offset is not None:
        tz = dt.timezone(dt.timedelta(minutes=written.utc_offset))
    return dt.datetime.combine(day, written.time, tzinfo=tz)
