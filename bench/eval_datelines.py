"""Datelines of Reuters wire copy as publication dates (../shared/corpus/reuters-train).

Every article goes through parse → enrich (the configured enrichers), then
the publish stage's pure year resolution (``newsroom_dates``) with the wire
timestamp (gold ``date_raw``) as the time of first publication, as a build
on the day of the wire would. Scores:

* **month-day**: ``date_published``'s month and day equal those of the gold
  ``dateline`` ('HARTFORD, Conn., March 26 -'), over the articles whose gold
  dateline has a month and day (the aim is ≥ 0.98);
* **full date**: ``date_published`` equals the day of ``date_raw``;
* **place**: the parsed dateline place equals the gold dateline's city.

Also prints the parse cost (parse alone, and parse + enrich) per article.

    python bench/eval_datelines.py [--errors N] [--limit N]

Exits 0 with a message when ../shared is absent.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import time
from pathlib import Path

from feedtool.config import default_config
from feedtool.enrich import enrich_item
from feedtool.enrich.newsroom import newsroom_dates
from feedtool.parse import parse_article

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus" / "reuters-train"
# The gold is read with its own small English pattern, not feedtool's reader.
_GOLD_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_GOLD_DATE = re.compile(r"\b(" + "|".join(_GOLD_MONTHS) + r")[a-z]*\.?\s*(\d{1,2})\b", re.I)


def gold_month_day(dateline: str) -> tuple[int, int] | None:
    match = _GOLD_DATE.search(dateline)
    if match is None:
        return None
    return _GOLD_MONTHS.index(match.group(1).lower()) + 1, int(match.group(2))


def gold_city(dateline: str) -> str:
    return dateline.split(",")[0].strip(" -").casefold()


def wire_time(date_raw: str) -> dt.datetime:
    """'26-FEB-1987 15:01:01.79' → an aware datetime (UTC); the day is what counts
    (a few stamps have garbled times such as '605:12:19')."""
    day = dt.datetime.strptime(date_raw.split()[0].title(), "%d-%b-%Y")
    return day.replace(hour=23, minute=59, tzinfo=dt.UTC)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--errors", type=int, default=0, help="print this many misses")
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"skipped: {CORPUS} not found")
        return 0
    rows = [json.loads(line) for line in (CORPUS / "metadata.jsonl").open(encoding="utf-8")]
    if args.limit:
        rows = rows[: args.limit]
    config = default_config()
    scored = right = full_right = place_scored = place_right = 0
    misses: list[str] = []
    parse_seconds = enrich_seconds = 0.0
    for row in rows:
        path = CORPUS / row["file"]
        data = path.read_bytes()
        started = time.perf_counter()
        item = parse_article(data, source_path=row["file"], config=config)
        parsed = time.perf_counter()
        item = enrich_item(item, config)
        enrich_seconds += time.perf_counter() - parsed
        parse_seconds += parsed - started
        reference = wire_time(row["date_raw"])
        if item.date_published is None:
            item = item.model_copy(update=newsroom_dates(item, config.zone, reference))
        gold = gold_month_day(row["dateline"] or "")
        if gold is None:
            continue
        scored += 1
        got = item.date_published
        if got is not None and (got.month, got.day) == gold:
            right += 1
        elif len(misses) < args.errors:
            misses.append(f"{row['file']}: gold {row['dateline']!r} got {got} from {item.dateline}")
        if got is not None and got.date() == reference.date():
            full_right += 1
        if item.dateline is not None or row["dateline"]:
            place_scored += 1
            found = item.dateline.place_text if item.dateline else None
            if found and found.casefold() == gold_city(row["dateline"]):
                place_right += 1
    count = len(rows)
    print(f"reuters-train: {count} articles, {scored} with a gold dateline month-day")
    print(f"dateline month-day as date_published: {right}/{scored} = {right / scored:.4f}")
    print(
        f"date_published equal to the wire day:  {full_right}/{scored} = {full_right / scored:.4f}"
    )
    print(
        f"dateline city as written:             {place_right}/{place_scored}"
        f" = {place_right / max(place_scored, 1):.4f}"
    )
    print(
        f"cost per article (noisy, shared machine): parse {1000 * parse_seconds / count:.2f} ms,"
        f" enrich {1000 * enrich_seconds / count:.2f} ms"
    )
    for miss in misses:
        print("  miss:", miss)
    return 0


if __name__ == "__main__":
    sys.exit(main())
