"""Per-article cost of the ``languages`` and ``dates`` enrichers.

usage: python bench/bench_enrich_dates_languages.py [--repeat N]

Parses every article of the BBC corpus and of each multilingual folder with
a config like the example one, then times each enricher alone on every item (``dates``
runs on the output of ``languages``, as in the pipeline) and prints the mean
and 95th percentile per article in milliseconds, with what was found. The
first call of each enricher (lingua's lazy model loading) is done before timing
and printed apart. Needs ../shared (skips with a message when absent).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from feedtool.config import Config, PublisherConfig
from feedtool.enrich.dates import enrich_dates
from feedtool.enrich.languages import enrich_languages
from feedtool.model import NewsItem
from feedtool.parse import parse_article

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
Enricher = Callable[[NewsItem, Config], NewsItem]
BASE = "https://news.example.org/"
# As the example feedtool.toml (languages en, ar, fa, ur; Asia/Tehran).
CONFIG = Config(
    title="bench",
    base_url=BASE,
    timezone="Asia/Tehran",
    publisher=PublisherConfig(name="bench", url=BASE),
)


def _corpora() -> list[tuple[str, list[Path]]]:
    found = [("bbc", sorted((CORPUS / "bbc").glob("*/*.txt")))]
    for lang in ("ar", "fa", "ur"):
        found.append(
            (f"multilingual/{lang}", sorted((CORPUS / "multilingual" / lang).glob("*.txt")))
        )
    return [(name, files) for name, files in found if files]


def _time(function: Enricher, items: list[NewsItem], config: Config, repeat: int) -> list[float]:
    costs = []
    for item in items:
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            function(item, config)
            best = min(best, time.perf_counter() - start)
        costs.append(best * 1000)
    return costs


def _figures(costs: list[float]) -> str:
    p95 = statistics.quantiles(costs, n=20)[-1] if len(costs) > 1 else costs[0]
    return f"{statistics.fmean(costs):8.3f}{p95:8.3f}{max(costs):8.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs per article")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"skipped: {CORPUS} not found (needs ../shared)")
        return 0
    config = CONFIG
    corpora = []
    for name, files in _corpora():
        items = [
            parse_article(f.read_bytes(), source_path=f.name, config=config, path=f) for f in files
        ]
        corpora.append((name, items))
    for function in (enrich_languages, enrich_dates):
        start = time.perf_counter()
        for _, items in corpora:
            function(items[0], config)
        print(f"first calls of {function.__name__}: {1000 * (time.perf_counter() - start):.1f} ms")
    print(f"\n{'corpus':20}{'enricher':11}{'files':>6}{'mean':>8}{'p95':>8}{'max':>8}  (ms)  found")
    for name, items in corpora:
        with_languages = [enrich_languages(item, config) for item in items]
        dated = [enrich_dates(item, config) for item in with_languages]
        languages = sorted({item.language for item in with_languages})
        blocks = sum(
            1 for item in with_languages for b in item.body if getattr(b, "language", None)
        )
        mentions = sum(len(item.date_mentions) for item in dated)
        inferred = sum(1 for item in dated if item.date_published_source == "text")
        for function, source, found in (
            (enrich_languages, items, f"{languages}, {blocks} blocks tagged"),
            (enrich_dates, with_languages, f"{mentions} mentions, {inferred} dates inferred"),
        ):
            costs = _time(function, source, config, args.repeat)
            label = function.__name__.removeprefix("enrich_")
            print(f"{name:20}{label:11}{len(items):6}{_figures(costs)}  {found}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
