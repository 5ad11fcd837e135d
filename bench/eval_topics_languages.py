"""Topics beyond English: coverage and accuracy of the `topics` enricher per language.

    python bench/eval_topics_languages.py [--errors] [--all] [DIR ...]

Parses and enriches (default config) every article of the given folders
(default: ../shared/corpus/multilingual/{ar,fa,ur}, tests/data/newsroom,
tests/data/topics; ``--all`` adds ../shared/corpus/bbc and reuters-train) and
prints, per folder: articles, how many got a level-1 topic from cues, how many
only the configured default (no cue in any of its languages), how many got no
level-1 topic at all (must be 0), and the distribution of first topics.

Accuracy is printed where the corpus names a category: the Urdu corpus's file
prefixes (bus → economy, hlth → health, sbz → arts: showbiz), the Persian
corpus's section prefixes (economy, politics, social → society, sports,
culture → arts, scientific-academic → science), and tests/data/topics, whose
file names start with the expected level-1 topic (``economy_fr_….txt``).
The Arabic files are named by newspaper only: no gold. Skips folders that are
absent (../shared is not on every machine).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from feedtool.config import default_config
from feedtool.enrich import enrich_item
from feedtool.enrich._topic_cues import TOPICS
from feedtool.parse import parse_article

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
DEFAULT_DIRS = [
    SHARED / "multilingual" / "ar",
    SHARED / "multilingual" / "fa",
    SHARED / "multilingual" / "ur",
    ROOT / "tests" / "data" / "newsroom",
    ROOT / "tests" / "data" / "topics",
]
ALL_DIRS = [SHARED / "bbc", SHARED / "reuters-train"]
DEFAULT_RULE = "iptc-default"  # feedtool.enrich.topics.DEFAULT_RULE
SHORT = {code: name for name, code in TOPICS.items()}
# Category names in file names → the level-1 topic they mean.
GOLD_PREFIX = {
    "bus": "economy",
    "hlth": "health",
    "sbz": "arts",
    "economy": "economy",
    "politics": "politics",
    "social": "society",
    "sports": "sport",
    "culture": "arts",
    "scientific-academic": "science",
}


def gold(path: Path) -> str | None:
    stem = path.stem
    if path.parent.name == "topics":
        return stem.split("_", 1)[0]
    for prefix, topic in GOLD_PREFIX.items():
        if stem.startswith(prefix + "_"):
            return topic
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", type=Path)
    parser.add_argument("--all", action="store_true", help="also the BBC and Reuters corpora")
    parser.add_argument("--errors", action="store_true", help="list wrong and default articles")
    args = parser.parse_args(argv)
    dirs = args.dirs or DEFAULT_DIRS + (ALL_DIRS if args.all else [])
    config = default_config()
    missing_total = 0
    for folder in dirs:
        files = sorted(p for p in folder.rglob("*.txt") if p.name != "README.TXT")
        if not files:
            print(f"{folder}: skipped (absent)")
            continue
        by_cue = by_default = missing = right = graded = 0
        first: Counter[str] = Counter()
        languages: Counter[str] = Counter()
        for path in files:
            item = parse_article(path.read_bytes(), source_path=path.name, config=config)
            item = enrich_item(item, config)
            languages[item.language or "?"] += 1
            tops = [t for t in item.tags_of("topic") if t.parent is None]
            if not tops:
                missing += 1
                print(f"  NO TOPIC {path}")
                continue
            top = tops[0]
            if top.evidence.rule == DEFAULT_RULE:
                by_default += 1
            else:
                by_cue += 1
            name = SHORT.get(top.code or "", top.name)
            first[name if top.evidence.rule != DEFAULT_RULE else "(default)"] += 1
            expected = gold(path)
            if expected is not None:
                graded += 1
                right += name == expected and top.evidence.rule != DEFAULT_RULE
                if args.errors and name != expected:
                    matched = top.evidence.matched[:6]
                    print(f"  {path.name}: expected {expected}, got {name} {matched}")
            elif args.errors and top.evidence.rule == DEFAULT_RULE:
                print(f"  {path.name}: default ({item.language}) {item.headline[:60]!r}")
        missing_total += missing
        accuracy = f"  first topic right {right}/{graded} = {right / graded:.3f}" if graded else ""
        print(
            f"{folder.relative_to(ROOT.parent) if folder.is_relative_to(ROOT.parent) else folder}:"
            f" {len(files)} articles ({', '.join(f'{k} {v}' for k, v in languages.most_common())})"
            f"  topic from cues {by_cue}  default only {by_default}  none {missing}{accuracy}"
        )
        print("    first topics: " + ", ".join(f"{k} {v}" for k, v in first.most_common()))
    print(f"articles without a level-1 topic: {missing_total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
