"""Cost of the `topics` enricher per article: mean, median, p95 and max in ms.

Runs on the 1,500 BBC articles of ../shared/corpus/bbc (items built directly
from the model, as in eval_topics.py), after one warm-up pass that loads the
data and fills the word cache; the first call's cost (loading the data) is
reported separately. Exits 0 with a message when ../shared is absent.

    python bench/bench_enrich_topics.py [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from eval_topics import BBC, DEV, HELD_OUT, corpus, item_from_bbc

from feedtool.config import default_config
from feedtool.enrich import topics
from feedtool.enrich._text import segments


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the corpus")
    args = parser.parse_args(argv)
    if not BBC.is_dir():
        print(f"skipped: {BBC} not found (the shared corpus is not on this machine)")
        return 0
    config = default_config()
    items = [item_from_bbc(path) for _, path in [*corpus(DEV), *corpus(HELD_OUT)]]
    words = [len(topics.words(" ".join(s.text for s in segments(i)))) for i in items]

    start = time.perf_counter()
    topics.enrich_topics(items[0], config)
    first = (time.perf_counter() - start) * 1000
    for item in items:  # warm-up: the word cache fills on the first pass
        topics.enrich_topics(item, config)

    timings: list[float] = []
    for _ in range(args.rounds):
        for item in items:
            start = time.perf_counter()
            topics.enrich_topics(item, config)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(f"articles {len(items)}, words mean {statistics.mean(words):.0f}, max {max(words)}")
    print(f"first call (loads the data) {first:.1f} ms")
    print(
        f"per article: mean {statistics.mean(timings):.3f} ms, "
        f"median {statistics.median(timings):.3f} ms, p95 {p95:.3f} ms, max {timings[-1]:.3f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
