"""Staging a first build's files: one by one beside their targets, or in whole top folders.

    python bench/bench_staging.py [--articles N] [--tags T] [--rounds R] [--dir DIR]

Makes the paths of a site of N articles (page, JSON-LD and ninjs each, in
``articles/``) and T tags (four feeds and a page each, in ``tags/<slug>/``),
and stages 2 KB for each into a fresh output folder the way a build does
(``_render_one`` → ``stage_output``, then ``_rename_all``): once with its top
folders already there (every file staged beside its target as a temporary
and renamed one by one, as every build did before), once into an empty
folder (``articles/`` and ``tags/`` staged whole and renamed once each).
Alternates the two R times (ABBA) and prints each round's wall time and this
process's user and system CPU, then the medians and their ratio. The disk of
a shared machine is noisy: compare the ratio, not absolute times. The output
folders are removed at the end (a large deletion slows the file creations of
the next minutes on some file systems: run this apart from other timings).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from feedtool.publish._files import stage_output
from feedtool.publish._incremental import _rename_all

_DATA = b"x" * 2048


def _paths(articles: int, tags: int) -> list[str]:
    paths = ["index.html", "rss.xml", "atom.xml", "feed.json"]
    for n in range(articles):
        paths += [f"articles/story-{n}.{ext}" for ext in ("html", "jsonld", "ninjs.json")]
    for n in range(tags):
        paths += [f"tags/tag-{n}/{name}" for name in ("rss.xml", "atom.xml", "feed.json")]
        paths.append(f"tags/tag-{n}/index.html")
    return sorted(paths)


def _round(out: Path, paths: list[str], *, tops_there: bool) -> tuple[float, float, float]:
    """Stage and place ``paths`` in the new folder ``out``: (wall, user, system) seconds."""
    out.mkdir()
    if tops_there:
        for top in {path.partition("/")[0] for path in paths if "/" in path}:
            (out / top).mkdir()
    root = str(out)
    before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    for path in paths:
        stage_output(root, path, _DATA)
    _rename_all(root, paths)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    if any(not (out / path).is_file() for path in paths):
        raise SystemExit(f"{out}: a staged file is not in place")
    return wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2225)
    parser.add_argument("--tags", type=int, default=5430)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="where to make the folders")
    args = parser.parse_args()
    paths = _paths(args.articles, args.tags)
    print(f"{len(paths):,} files of 2 KB, {args.rounds} rounds of each way (ABBA)")
    results: dict[bool, list[tuple[float, float, float]]] = {True: [], False: []}
    scratch = Path(tempfile.mkdtemp(prefix="bench-staging-", dir=args.dir))
    try:
        for number in range(args.rounds):
            order = (True, False) if number % 2 == 0 else (False, True)
            for tops_there in order:
                out = scratch / f"{'beside' if tops_there else 'whole'}-{number}"
                figures = _round(out, paths, tops_there=tops_there)
                results[tops_there].append(figures)
                label = "one by one " if tops_there else "whole tops "
                wall, user, system = figures
                print(f"  {label} wall {wall:.3f} s  user {user:.3f} s  sys {system:.3f} s")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    medians = {
        key: [statistics.median(run[i] for run in runs) for i in range(3)]
        for key, runs in results.items()
    }
    for key, label in ((True, "one by one"), (False, "whole tops")):
        wall, user, system = medians[key]
        print(f"median {label}: wall {wall:.3f} s  user {user:.3f} s  sys {system:.3f} s")
    ratios = [
        new / old if old else float("nan")
        for new, old in zip(medians[False], medians[True], strict=True)
    ]
    wall, user, system = ratios
    print(f"whole tops / one by one: wall {wall:.2f}x  user {user:.2f}x  sys {system:.2f}x")


if __name__ == "__main__":
    main()
