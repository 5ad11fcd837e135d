"""Accuracy and cost of the ``languages`` enricher on the shared corpora.

usage: python bench/eval_languages.py [--paragraphs] [--lingua]

For each folder of ../shared/corpus/multilingual (ar, fa, ur) and for the BBC
corpus (en), builds an item per file (first line headline, other lines
paragraphs, config default 'en'), runs the enricher and compares the
article's language with the folder's. Prints accuracy per folder, how the
answers were reached (script, cues, lingua), every confusion, and the
per-article cost. ``--paragraphs`` also scores each Arabic-script paragraph
alone (short lines such as a name and title are genuinely ambiguous);
``--lingua`` times lingua alone on the same articles, for comparison.
Needs ../shared (skips with a message when absent).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from feedtool.config import Config, PublisherConfig
from feedtool.enrich._script import LANGUAGE_SCRIPT
from feedtool.enrich.languages import detect_language, enrich_languages
from feedtool.model import NewsItem, Paragraph, Publisher

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"
BASE = "https://news.example.org/"
CONFIG = Config(title="eval", base_url=BASE, publisher=PublisherConfig(name="eval", url=BASE))


def _read(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _item(path: Path) -> NewsItem:
    lines = [line.strip() for line in _read(path).splitlines() if line.strip()]
    return NewsItem(
        url=BASE + "a.html",
        slug="a",
        headline=lines[0],
        body=tuple(Paragraph(text=t, line=i + 2) for i, t in enumerate(lines[1:])),
        publisher=Publisher(name="eval", url=BASE),
        language=CONFIG.language,
        word_count=0,
        source_path=path.name,
        content_hash="0" * 64,
    )


def _folders() -> list[tuple[str, list[Path]]]:
    folders = [
        (lang, sorted((SHARED / "multilingual" / lang).glob("*.txt")))
        for lang in ("ar", "fa", "ur")
    ]
    folders.append(("en", sorted((SHARED / "bbc").glob("*/*.txt"))))
    return folders


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--paragraphs", action="store_true", help="also score paragraphs alone")
    parser.add_argument("--lingua", action="store_true", help="also time lingua alone")
    parser.add_argument(
        "--load", action="store_true", help="time lingua's model loading per language set"
    )
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} not found (needs ../shared)")
        return 0
    allowed = CONFIG.enrich.languages
    confusions: list[str] = []
    print(f"allowed languages: {', '.join(allowed)}")
    print(f"{'folder':8}{'files':>7}{'accuracy':>10}{'mean ms':>10}{'p95 ms':>9}  methods")
    for expected, files in _folders():
        if not files:
            continue
        items = [_item(f) for f in files]
        costs: list[float] = []
        right = 0
        methods: Counter[str] = Counter()
        for path, item in zip(files, items, strict=True):
            start = time.perf_counter()
            got = enrich_languages(item, CONFIG).language
            costs.append((time.perf_counter() - start) * 1000)
            text = "\n".join(
                [item.headline, *(b.text for b in item.body if isinstance(b, Paragraph))]
            )
            methods[detect_language(text, allowed).method] += 1
            if got == expected:
                right += 1
            else:
                confusions.append(f"{expected} → {got}: {path.relative_to(SHARED)}")
        p95 = statistics.quantiles(costs, n=20)[-1] if len(costs) > 1 else costs[0]
        print(
            f"{expected:8}{len(files):7}{right / len(files):10.3f}"
            f"{statistics.fmean(costs):10.3f}{p95:9.3f}  {dict(methods)}"
        )
    print("confusions:", "none" if not confusions else "")
    for line in confusions:
        print("  " + line)
    if args.paragraphs:
        _paragraphs(allowed)
    if args.lingua:
        _lingua_alone()
    if args.load:
        _model_load()
    return 1 if confusions else 0


def _model_load() -> None:
    """Wall time of lingua's first answer (models loaded on demand), per language set."""
    from feedtool.enrich import languages

    sets = [("da", "no", "sv"), ("es", "pt"), ("ru", "uk")]
    latin = tuple(c for c in CONFIG.enrich.languages if LANGUAGE_SCRIPT.get(c) == "Latin")
    for langs in [*sets, latin]:
        languages._DETECTORS.clear()
        start = time.perf_counter()
        detector = languages._detector(frozenset(langs))
        detector.compute_language_confidence_values("Regeringen har i dag fremlagt et forslag")
        cost = time.perf_counter() - start
        print(f"lingua first call, {len(langs)} languages ({' '.join(langs)}): {cost:.2f} s")


def _paragraphs(allowed: tuple[str, ...]) -> None:
    print("paragraphs alone (Arabic script only):")
    for expected, files in _folders()[:3]:
        total, wrong = 0, []
        for path in files:
            for line in _read(path).splitlines():
                found = detect_language(line, allowed)
                if found.script != "Arabic":
                    continue
                total += 1
                if found.language != expected:
                    wrong.append(f"    {expected} → {found.language} ({found.method}): {line[:60]}")
        print(f"  {expected}: {total - len(wrong)}/{total}")
        print("\n".join(wrong))


def _lingua_alone() -> None:
    from lingua import Language, LanguageDetectorBuilder

    start = time.perf_counter()
    detector = LanguageDetectorBuilder.from_languages(
        Language.ARABIC, Language.PERSIAN, Language.URDU
    ).build()
    detector.detect_language_of("سلام")
    print(f"lingua alone (ar, fa, ur; first call {1000 * (time.perf_counter() - start):.0f} ms):")
    for expected, files in _folders()[:3]:
        costs, right = [], 0
        for path in files:
            text = _read(path)
            start = time.perf_counter()
            found = detector.detect_language_of(text)
            costs.append((time.perf_counter() - start) * 1000)
            right += found is not None and found.iso_code_639_1.name.lower() == expected
        mean, p95 = statistics.fmean(costs), statistics.quantiles(costs, n=20)[-1]
        print(
            f"  {expected}: accuracy {right / len(files):.3f}, mean {mean:.3f} ms, p95 {p95:.3f} ms"
        )


if __name__ == "__main__":
    sys.exit(main())
