"""Per-article cost of the `entities` and `keywords` enrichers over the BBC corpus.

    python bench/bench_enrich_entities.py [--every N] [--repeat R]

Parses every N-th article of ../shared/corpus/bbc once (not timed), then times
``find_entities`` and ``find_keywords`` on each, R times, and prints mean, p50
and p95 in milliseconds with the mean word count. Keywords are timed on items
that already carry their entity tags, as in the pipeline (entities run first).
Exits 0 with a message when ../shared is absent.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from feedtool.config import default_config
from feedtool.enrich.entities import entities, find_entities, lexicon
from feedtool.enrich.keywords import find_keywords
from feedtool.model import NewsItem
from feedtool.parse import parse_article

BBC = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "bbc"


def _time(
    function: Callable[[NewsItem], object], items: list[NewsItem], repeat: int
) -> list[float]:
    costs = []
    for item in items:
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            function(item)
            best = min(best, time.perf_counter() - start)
        costs.append(best * 1000)
    return costs


def _report(name: str, costs: list[float]) -> None:
    ordered = sorted(costs)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    print(
        f"{name:9s} mean {statistics.mean(costs):6.2f} ms  p50 {statistics.median(costs):6.2f} ms"
        f"  p95 {p95:6.2f} ms  max {ordered[-1]:6.2f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=1, help="take every N-th article")
    parser.add_argument("--repeat", type=int, default=3, help="runs per article (best counts)")
    args = parser.parse_args()
    if not BBC.is_dir():
        print(f"skipped: {BBC} not found (needs ../shared)")
        return 0
    config = default_config()
    paths = sorted(BBC.glob("*/*.txt"))[:: args.every]
    items = [
        parse_article(p.read_bytes(), source_path=p.name, config=config, path=p) for p in paths
    ]
    start = time.perf_counter()
    lexicon()
    print(f"{len(items)} articles, {statistics.mean(i.word_count for i in items):.0f} words mean")
    print(f"loading the gazetteers: {(time.perf_counter() - start) * 1000:.0f} ms (once)")
    _report("entities", _time(find_entities, items, args.repeat))
    tagged = [entities(item, config) for item in items]
    _report("keywords", _time(find_keywords, tagged, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
