"""The floor of a build's writes: an output tree's files made again with plain
``os`` calls (same folders, names and bytes; nothing rendered), timed.

    python bench/bench_write_floor.py OUT [--runs N]

OUT is a finished build (``.feedtool`` is skipped). Each run writes a copy
into a new temporary folder beside nothing else, after ``os.sync()``, and
prints its wall, user and system time; the copies are removed at the end
(their deletion is not timed). On ext4 without a journal, files made in the
minutes after a large deletion cost up to a millisecond of kernel time each
(see docs/performance.md), so the first run after one is slow.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time


def read_tree(root: str) -> list[tuple[str, str, bytes]]:
    files = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".feedtool"]
        relative = os.path.relpath(folder, root)
        for name in names:
            with open(os.path.join(folder, name), "rb") as file:
                files.append((relative, name, file.read()))
    return files


def write_tree(files: list[tuple[str, str, bytes]], target: str) -> int:
    made: set[str] = set()
    for relative, name, data in files:
        folder = os.path.join(target, relative)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        fd = os.open(os.path.join(folder, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
    return len(made)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    files = read_tree(args.out)
    size = sum(len(data) for _r, _n, data in files) / 1e6
    work = tempfile.mkdtemp(prefix="feedtool-write-floor-", dir=os.path.dirname(args.out))
    try:
        for run in range(args.runs):
            os.sync()
            before, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
            folders = write_tree(files, os.path.join(work, str(run)))
            os.sync()
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_SELF)
            print(
                f"run {run + 1}: {len(files)} files, {folders} folders, {size:.0f} MB:"
                f" {wall:.2f} s wall (sync included),"
                f" {after.ru_utime - before.ru_utime:.2f} s user,"
                f" {after.ru_stime - before.ru_stime:.2f} s sys"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
