"""Precision, recall and F1 of the `entities` enricher against hand annotations.

The gold is tests/data/annotations/bbc_entities.json: the people and the places
(countries and cities) named in 40 BBC News articles of ../shared/corpus/bbc,
files 010 050 090 130 170 210 250 290 of each folder, annotated by reading them
before the rules were tuned. Names are compared after casefolding and removing
accents; scores are micro-averaged over articles. Place tags with the rule
'gazetteer:region' (continents, 'Middle East', US states) and countries implied
by a city (rule 'implied:place', Osaka → Japan) are left out of the
comparison, since the annotation covers countries and cities only.

    python bench/eval_entities.py [--top 30]

Prints the figures per kind, then the most frequent false positives and false
negatives. Exits 0 with a message when ../shared is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from feedtool.config import default_config
from feedtool.enrich.entities import find_entities
from feedtool.model import NewsItem
from feedtool.parse import parse_article

ROOT = Path(__file__).resolve().parents[1]
BBC = ROOT.parent / "shared" / "corpus" / "bbc"
GOLD = ROOT / "tests" / "data" / "annotations" / "bbc_entities.json"


def norm(name: str) -> str:
    """Casefolded, accents removed, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def load_item(article_id: str) -> NewsItem:
    path = BBC / f"{article_id}.txt"
    return parse_article(
        path.read_bytes(), source_path=f"{article_id}.txt", config=default_config(), path=path
    )


def predicted(item: NewsItem) -> dict[str, set[str]]:
    tags = find_entities(item)
    return {
        "people": {norm(t.name) for t in tags if t.kind == "person"},
        "places": {
            norm(t.name)
            for t in tags
            if t.kind == "place"
            and t.evidence.rule != "gazetteer:region"
            and not t.evidence.rule.startswith("implied")
        },
    }


def evaluate(top: int) -> dict[str, tuple[float, float, float]]:
    gold = json.loads(GOLD.read_text("utf-8"))
    counts = {kind: Counter[str]() for kind in ("people", "places")}
    errors = {kind: (Counter[str](), Counter[str]()) for kind in counts}
    for article in gold["articles"]:
        found = predicted(load_item(article["id"]))
        for kind, tally in counts.items():
            truth = {norm(n) for n in article[kind]}
            tally["tp"] += len(found[kind] & truth)
            tally["fp"] += len(found[kind] - truth)
            tally["fn"] += len(truth - found[kind])
            errors[kind][0].update(f"{n}  [{article['id']}]" for n in found[kind] - truth)
            errors[kind][1].update(f"{n}  [{article['id']}]" for n in truth - found[kind])
    results = {}
    for kind, tally in counts.items():
        p = tally["tp"] / max(1, tally["tp"] + tally["fp"])
        r = tally["tp"] / max(1, tally["tp"] + tally["fn"])
        f = 2 * p * r / (p + r) if p + r else 0.0
        results[kind] = (p, r, f)
        print(
            f"{kind:7s} precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}  "
            f"(tp {tally['tp']}, fp {tally['fp']}, fn {tally['fn']})"
        )
    for kind, (fps, fns) in errors.items():
        print(f"\n{kind}: false positives ({sum(fps.values())})")
        for name, _ in fps.most_common(top):
            print("   ", name)
        print(f"{kind}: false negatives ({sum(fns.values())})")
        for name, _ in fns.most_common(top):
            print("   ", name)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=30, help="errors to list per kind")
    args = parser.parse_args()
    if not BBC.is_dir():
        print(f"skipped: {BBC} not found (needs ../shared)")
        return 0
    evaluate(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
