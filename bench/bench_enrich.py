"""Per-article cost of parse and of every enricher, in pipeline order.

    python bench/bench_enrich.py [CORPUS ...] [--repeat R]

For each article of each corpus folder (default: ../shared/corpus/bbc and
../shared/corpus/multilingual) it times ``parse_article`` and then each
enricher named in feedtool.toml's ``[enrich] enabled``, fed with the output of
the previous one exactly as the pipeline does. Each step counts its best of R
runs. Prints mean, p50, p95 and max in milliseconds per step, the one-off
cost of loading data (first call), and each step's share of the total.
Exits 0 with a message when ../shared is absent.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from feedtool import load_config
from feedtool.config import EnrichConfig
from feedtool.enrich import ENRICHERS
from feedtool.model import NewsItem
from feedtool.parse import parse_article
from feedtool.publish import find_articles

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"


def _best(function: Callable[[], NewsItem], repeat: int) -> tuple[float, NewsItem]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best * 1000, result


def _line(name: str, costs: list[float], total: float) -> str:
    ordered = sorted(costs)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return (
        f"  {name:10s} mean {statistics.mean(costs):6.3f}  p50 {statistics.median(costs):6.3f}"
        f"  p95 {p95:6.3f}  max {ordered[-1]:7.3f} ms   {100 * sum(costs) / total:4.1f}%"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "corpora", nargs="*", type=Path, default=[SHARED / "bbc", SHARED / "multilingual"]
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per step (best counts)")
    parser.add_argument(
        "--defaults",
        action="store_true",
        help="use the default config (31 languages) instead of feedtool.toml's",
    )
    args = parser.parse_args()
    if not all(corpus.is_dir() for corpus in args.corpora):
        print("skipped: corpus not found (needs ../shared)")
        return 0
    config = load_config(ROOT / "feedtool.toml")
    if args.defaults:
        config = config.model_copy(update={"enrich": EnrichConfig()})
    steps = ("parse", *config.enrich.enabled)

    # First calls load data (gazetteers, vocabularies, detectors): timed apart.
    sample = find_articles(args.corpora[0])[0]
    item = parse_article(sample.read_bytes(), source_path=sample.name, config=config)
    for name in config.enrich.enabled:
        start = time.perf_counter()
        item = ENRICHERS[name](item, config)
        print(f"first call of {name}: {(time.perf_counter() - start) * 1000:.1f} ms")

    for corpus in args.corpora:
        paths = find_articles(corpus)
        costs: dict[str, list[float]] = {step: [] for step in steps}
        words = []
        for path in paths:
            data = path.read_bytes()
            cost, item = _best(
                lambda data=data, path=path: parse_article(  # type: ignore[misc]
                    data, source_path=path.name, config=config
                ),
                args.repeat,
            )
            costs["parse"].append(cost)
            for name in config.enrich.enabled:
                enricher = ENRICHERS[name]
                cost, item = _best(
                    lambda enricher=enricher, item=item: enricher(item, config),  # type: ignore[misc]
                    args.repeat,
                )
                costs[name].append(cost)
            words.append(item.word_count)
        total = sum(sum(c) for c in costs.values())
        print(
            f"{corpus}: {len(paths)} articles, {statistics.mean(words):.0f} words mean, "
            f"{total / len(paths):.2f} ms per article in all"
        )
        for step in steps:
            print(_line(step, costs[step], total))
    return 0


if __name__ == "__main__":
    sys.exit(main())
