"""Precision, recall and cost of the ``places_rtl`` enricher on the ar/fa/ur corpus.

usage: python bench/eval_places_rtl.py [--list]

Scores the place tags of the articles annotated by hand in
``tests/data/annotations/multilingual_places.json`` (the first 5 files of each
folder of ../shared/corpus/multilingual, annotated before the enricher was
tuned): micro precision, recall and F1 over (article, place) pairs, per
language and overall, and recall of countries and of cities apart. Then the
cost of ``find_rtl_places`` per article over all the corpus's articles.
``--list`` also prints every tag of every article. Each file goes through the
real parser and the default enrichers up to and including places_rtl. Needs
../shared (skips with a message when absent).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from feedtool.config import default_config
from feedtool.enrich import ENRICHERS
from feedtool.enrich.places_rtl import LANGUAGES, _candidates, _word, find_rtl_places, gazetteers
from feedtool.model import NewsItem
from feedtool.parse import parse_article

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "multilingual"
ANNOTATIONS = ROOT / "tests" / "data" / "annotations" / "multilingual_places.json"


def enriched(path: Path) -> NewsItem:
    """The item of a corpus file after the default enrichers up to places_rtl."""
    config = default_config()
    item = parse_article(path.read_bytes(), source_path=path.name, config=config, path=path)
    for name in config.enrich.enabled:
        item = ENRICHERS[name](item, config)
        if name == "places_rtl":
            break
    return item


def _cost(item: NewsItem, times: int) -> float:
    start = time.perf_counter()
    for _ in range(times):
        find_rtl_places(item)
    return (time.perf_counter() - start) / times * 1000


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--list", action="store_true", help="print every article's tags")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"skipped: {CORPUS} not found (needs ../shared)")
        return 0
    gold = json.loads(ANNOTATIONS.read_text("utf-8"))["articles"]
    totals = {"tp": 0, "fp": 0, "fn": 0}
    kind_hits = {"countries": [0, 0], "cities": [0, 0]}  # found, annotated
    errors: list[str] = []
    print(f"{'language':10}{'articles':>9}{'gold':>6}{'found':>7}{'P':>7}{'R':>7}{'F1':>7}")
    for lang in LANGUAGES:
        counts = {"tp": 0, "fp": 0, "fn": 0}
        files = [k for k in gold if k.startswith(lang + "/")]
        for key in files:
            item = enriched(CORPUS / key)
            found = {t.name for t in item.tags_of("place")}
            expected = set(gold[key]["countries"]) | set(gold[key]["cities"])
            counts["tp"] += len(found & expected)
            counts["fp"] += len(found - expected)
            counts["fn"] += len(expected - found)
            for kind in kind_hits:
                kind_hits[kind][0] += len(set(gold[key][kind]) & found)
                kind_hits[kind][1] += len(gold[key][kind])
            errors += [f"  FP {key}: {name}" for name in sorted(found - expected)]
            errors += [f"  FN {key}: {name}" for name in sorted(expected - found)]
        p, r, f = _prf(**counts)
        n_gold = counts["tp"] + counts["fn"]
        n_found = counts["tp"] + counts["fp"]
        print(f"{lang:10}{len(files):>9}{n_gold:>6}{n_found:>7}{p:>7.2f}{r:>7.2f}{f:>7.2f}")
        for k in totals:
            totals[k] += counts[k]
    p, r, f = _prf(**totals)
    n_gold, n_found = totals["tp"] + totals["fn"], totals["tp"] + totals["fp"]
    print(f"{'all':10}{len(gold):>9}{n_gold:>6}{n_found:>7}{p:>7.2f}{r:>7.2f}{f:>7.2f}")
    for kind, (hit, total) in kind_hits.items():
        print(f"recall of {kind}: {hit}/{total} = {hit / total:.2f}")
    print("errors:" if errors else "errors: none")
    print("\n".join(errors))

    items = [enriched(path) for lang in LANGUAGES for path in sorted((CORPUS / lang).glob("*.txt"))]
    gazetteers()  # the data file is read once per process, not per article
    # First pass: word caches empty at the start, as in a fresh build process;
    # then the best of 5 warm passes.
    _word.cache_clear()
    _candidates.cache_clear()
    first = [_cost(item, 1) for item in items]
    warm = [min(_cost(item, 1) for _ in range(5)) for item in items]
    tagged = sum(1 for item in items if item.tags_of("place"))
    print(f"cost per article over {len(items)} articles ({tagged} with a place tag):")
    for label, costs in (("first pass", first), ("warm", warm)):
        costs.sort()
        print(
            f"  {label:10} mean {statistics.mean(costs):.3f} ms,"
            f" median {statistics.median(costs):.3f} ms,"
            f" p95 {costs[int(0.95 * len(costs))]:.3f} ms, max {costs[-1]:.3f} ms"
        )
    if args.list:
        for item in items:
            names = ", ".join(f"{t.name}×{t.evidence.mentions}" for t in item.tags_of("place"))
            print(f"{item.language} {item.source_path}: {names}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
