"""Time a full build of the BBC corpus (or any folder) and print articles per second.

usage: python bench/bench_build.py [CORPUS] [--jobs N ...]

Runs each job count in the same process on a fresh output folder, then a
second (no-change) build, and prints the figures and the ratio to the
single-process run. Needs ../shared (skips with a message when absent).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from feedtool import build, load_config

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "bbc"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--tag-feeds-min",
        type=int,
        default=2,
        help="feeds_min_items for the run (the example feedtool.toml says 1) [2]",
    )
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"skipped: {args.corpus} not found (needs ../shared)")
        return 0
    config = load_config(ROOT / "feedtool.toml")
    config = config.model_copy(
        update={"tags": config.tags.model_copy(update={"feeds_min_items": args.tag_feeds_min})}
    )
    baseline = None
    for jobs in args.jobs:
        out = Path(tempfile.mkdtemp(prefix="feedtool-bench-"))
        try:
            start = time.perf_counter()
            report = build(args.corpus, out, config, jobs=jobs, ping=False)
            cold = time.perf_counter() - start
            start = time.perf_counter()
            build(args.corpus, out, config, jobs=jobs, ping=False)
            warm = time.perf_counter() - start
        finally:
            shutil.rmtree(out)
        baseline = baseline or cold
        print(
            f"jobs={jobs}: {report.articles} articles, {report.outputs} outputs, "
            f"{len(report.errors)} errors; cold build {cold:.2f} s "
            f"({report.articles / cold:.0f} articles/s, "
            f"x{baseline / cold:.2f} vs jobs={args.jobs[0]}); "
            f"no-change rebuild {warm:.2f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
