"""Accuracy of the `topics` enricher on the BBC News corpus (../shared/corpus/bbc).

Each BBC folder maps to one IPTC level-1 topic; an article counts as right when
its highest-scored level-1 topic is its folder's. Files 001-150 of each folder
are the development half (the cues and thresholds were tuned on them only);
151-300 are held out. Prints accuracy on each half and overall, a confusion
matrix of the held-out half, and how many topics the enricher emits.

    python bench/eval_topics.py [--errors dev|held-out] [--parse]

``--parse`` builds items with ``feedtool.parse.parse_article`` instead of
directly from the model (headline = line 1, one paragraph per later line).
Exits 0 with a message when ../shared is absent.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from feedtool.config import default_config
from feedtool.enrich.topics import concepts, score_item, select
from feedtool.model import NewsItem, Paragraph, Publisher

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
BBC = SHARED / "corpus" / "bbc"
FOLDERS = {
    "business": "medtop:04000000",
    "entertainment": "medtop:01000000",
    "politics": "medtop:11000000",
    "sport": "medtop:15000000",
    "tech": "medtop:13000000",
}
SHORT = {
    "medtop:04000000": "econ",
    "medtop:01000000": "arts",
    "medtop:11000000": "poli",
    "medtop:15000000": "sport",
    "medtop:13000000": "scitech",
    None: "(none)",
}
DEV = range(1, 151)
HELD_OUT = range(151, 301)


def decode(data: bytes) -> str:
    """The corpus is UTF-8 except one Latin-1 file."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def item_from_bbc(path: Path, *, parse: bool = False) -> NewsItem:
    """A ``NewsItem`` for one BBC file: line 1 the headline, later lines paragraphs."""
    data = path.read_bytes()
    source = f"{path.parent.name}/{path.name}"
    if parse:
        from feedtool.parse import parse_article

        return parse_article(data, source_path=source, config=default_config(), path=path)
    lines = decode(data).splitlines()
    body = tuple(
        Paragraph(text=line.strip(), line=number)
        for number, line in enumerate(lines[1:], 2)
        if line.strip()
    )
    return NewsItem(
        url="http://localhost:8000/x.html",
        slug="x",
        headline=lines[0].strip(),
        body=body,
        publisher=Publisher(name="BBC", url="https://www.bbc.co.uk/"),
        language="en",
        word_count=sum(len(p.text.split()) for p in body),
        source_path=source,
        content_hash=hashlib.sha256(data).hexdigest(),
    )


def corpus(numbers: range) -> Iterator[tuple[str, Path]]:
    """(folder, path) of the BBC files with the given numbers, folder by folder."""
    for folder in FOLDERS:
        for number in numbers:
            path = BBC / folder / f"{number:03d}.txt"
            if path.exists():
                yield folder, path


def _short(code: str | None) -> str:
    if code in SHORT:
        return SHORT[code]
    return concepts()[code].label.split(",")[0].split(" ")[0][:9] if code else "(none)"


def predict(item: NewsItem) -> str | None:
    """The highest-scored level-1 topic, or None when nothing matched."""
    tops = [s for s in score_item(item) if s.concept.level == 1]
    return tops[0].concept.code if tops else None


def evaluate(numbers: range, *, parse: bool, errors: bool) -> tuple[float, dict[str, Counter[str]]]:
    confusion: dict[str, Counter[str]] = {folder: Counter() for folder in FOLDERS}
    right = total = 0
    emitted_top: Counter[int] = Counter()
    emitted_child: Counter[int] = Counter()
    for folder, path in corpus(numbers):
        item = item_from_bbc(path, parse=parse)
        predicted = predict(item)
        confusion[folder][_short(predicted)] += 1
        total += 1
        ok = predicted == FOLDERS[folder]
        right += ok
        chosen = select(score_item(item))
        emitted_top[sum(s.concept.level == 1 for s in chosen)] += 1
        emitted_child[sum(s.concept.level == 2 for s in chosen)] += 1
        if errors and not ok:
            ranked = [s for s in score_item(item) if s.concept.level == 1][:3]
            summary = ", ".join(f"{_short(s.concept.code)}={s.raw:.1f}" for s in ranked)
            print(f"  {folder}/{path.name} {item.headline[:50]!r}: {summary}")
    print(
        f"    level-1 topics emitted per article: {dict(sorted(emitted_top.items()))}; "
        f"level-2: {dict(sorted(emitted_child.items()))}"
    )
    return (right / total if total else 0.0), confusion


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", choices=["dev", "held-out"], help="list wrong articles")
    parser.add_argument("--parse", action="store_true", help="build items with parse_article")
    args = parser.parse_args(argv)
    if not BBC.is_dir():
        print(f"skipped: {BBC} not found (the shared corpus is not on this machine)")
        return 0
    results = {}
    for name, numbers in (("dev (001-150)", DEV), ("held-out (151-300)", HELD_OUT)):
        print(f"{name}:")
        show = args.errors == name.split(" ")[0]
        results[name] = evaluate(numbers, parse=args.parse, errors=show)
    dev_acc, _ = results["dev (001-150)"]
    held_acc, held_confusion = results["held-out (151-300)"]
    print(f"accuracy dev      {dev_acc:.3f}  (750 articles)")
    print(f"accuracy held-out {held_acc:.3f}  (750 articles)")
    print(f"accuracy all      {(dev_acc + held_acc) / 2:.3f}  (1500 articles)")
    columns = [*(SHORT[c] for c in FOLDERS.values()), "(none)"]
    others = sorted({k for c in held_confusion.values() for k in c} - set(columns))
    columns += others
    print("held-out confusion (rows: folder, columns: best level-1 topic):")
    print(f"{'':>14}" + "".join(f"{c[:9]:>10}" for c in columns))
    for folder, counts in held_confusion.items():
        print(f"{folder:>14}" + "".join(f"{counts.get(c, 0):>10}" for c in columns))
    return 0


if __name__ == "__main__":
    sys.exit(main())
