"""Time per MB of article text: parse and every enricher on one large article.

    python bench/bench_size.py [--sizes 1 2 5 10] [--shape lines|line|paragraphs]

Builds synthetic English articles of each size (in MB of UTF-8 text), with
short lines (``lines``: the shape that used to be quadratic), one single line
(``line``) or ordinary paragraphs of a few sentences (``paragraphs``). The text
is made up from a fixed vocabulary by a seeded generator, with made-up
capitalised names so that the number of distinct people, places and phrases
grows with the size, as in a real archive, rather than repeating one paragraph.

Prints seconds per step and per MB for each size, and the ratio of the
largest size's per-MB cost to the smallest's: about 1 means linear. The
figures are noisy on a shared machine; compare ratios measured in one run.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from feedtool import load_config
from feedtool.config import Config
from feedtool.enrich import ENRICHERS
from feedtool.parse import parse_article

ROOT = Path(__file__).resolve().parents[1]
MB = 1_000_000

_COMMON = str.split("""the government said on Monday that new rules on trade and customs
procedures would cut costs for exporters while officials in the ministry warned
that prices of fuel and food could rise again before the budget talks resume
analysts expect growth to slow as banks tighten lending and investors wait for
a decision from the central bank on interest rates after weeks of protests in
the capital where police closed roads near parliament and schools stayed shut""")
_PLACES = ["Tehran", "Karachi", "Lahore", "Islamabad", "Dubai", "London", "Paris", "Iran"]
_SYLLABLES = ["ka", "ri", "mo", "sa", "len", "dor", "vi", "tan", "bel", "ru", "shi", "po"]


def _name(rng: random.Random) -> str:
    def word() -> str:
        return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()

    return f"{word()} {word()}"


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_COMMON) for _ in range(rng.randint(8, 16))]
    kind = rng.random()
    if kind < 0.3:
        words.insert(rng.randrange(len(words)), f"in {rng.choice(_PLACES)}")
    elif kind < 0.5:
        words.insert(0, f"Mr {_name(rng)} said")
    sentence = " ".join(words)
    return sentence[0].upper() + sentence[1:] + "."


def article(size: int, shape: str, seed: int = 7) -> bytes:
    """About ``size`` bytes of article: a headline, then text in ``shape``."""
    rng = random.Random(seed)
    parts = ["Officials weigh new trade rules as costs rise", ""]
    total = sum(len(p) + 1 for p in parts)
    line: list[str] = []
    while total < size:
        sentence = _sentence(rng)
        total += len(sentence) + 1
        if shape == "lines":
            parts.append(sentence)
            parts.append("")
        elif shape == "line":
            line.append(sentence)
        else:
            line.append(sentence)
            if len(line) >= 4:
                parts.extend([" ".join(line), ""])
                line = []
    if line:
        parts.append(" ".join(line))
    return "\n".join(parts).encode()


def _steps(data: bytes, config: Config) -> dict[str, float]:
    costs: dict[str, float] = {}
    start = time.perf_counter()
    item = parse_article(data, source_path="big.txt", config=config)
    costs["parse"] = time.perf_counter() - start
    for name in config.enrich.enabled:
        start = time.perf_counter()
        item = ENRICHERS[name](item, config)
        costs[name] = time.perf_counter() - start
    return costs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1, 2, 5, 10])
    parser.add_argument("--shape", choices=["lines", "line", "paragraphs"], default="lines")
    args = parser.parse_args()
    config = load_config(ROOT / "feedtool.toml")
    # Lift the article size cap: this measures the pipeline, not the guard.
    config = config.model_copy(
        update={"limits": config.limits.model_copy(update={"max_article_bytes": 10**9})}
    )
    _steps(article(2000, args.shape), config)  # load data files once, untimed
    per_mb: dict[float, float] = {}
    steps = ["parse", *config.enrich.enabled]
    print(f"shape={args.shape}   seconds per step (total, then per MB)")
    print("   MB " + "".join(f"{s:>10s}" for s in steps) + "     total    s/MB")
    for size in args.sizes:
        data = article(int(size * MB), args.shape)
        costs = _steps(data, config)
        total = sum(costs.values())
        per_mb[size] = total / (len(data) / MB)
        print(
            f"{size:5g} "
            + "".join(f"{costs[s]:10.2f}" for s in steps)
            + f"{total:10.2f}{per_mb[size]:8.2f}"
        )
    low, high = min(args.sizes), max(args.sizes)
    print(
        f"per-MB cost at {high:g} MB / at {low:g} MB: {per_mb[high] / per_mb[low]:.2f}"
        " (1.0 = linear; 2x size at quadratic cost would double it)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
