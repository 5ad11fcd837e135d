"""Where a cold build's time goes, against Hugo: the BBC build with and without
enrichment, with feedtool's output set and with one like Hugo's.

    python bench/bench_cold_parts.py [--bbc 2225] [--rounds 3] [--corpus DIR]

Cold builds of the same articles (``bench_build.make_corpus``), each into a new
folder, interleaved round by round with Hugo's build of them
(``bench_build.make_hugo_site``), medians printed with their ratio to Hugo's:

* ``full``: ``bench_build``'s build (every renderer, a feed for each tag
  carried by two items, all enrichment);
* ``no enrichment``: ``[enrich] enabled = []`` (no tags but the section, no
  dates found in the text, no languages detected);
* ``Hugo's outputs``: article pages, indexes and the RSS feeds only
  (``[render] enabled = ["html", "rss"]``, no tag feeds): about Hugo's file
  count;
* ``Hugo's outputs, no enrichment``;
* ``nothing rendered``: parse, enrich and store only (``[render] enabled = []``).

The differences say what enrichment costs and what the output set costs, the
two things a "cold build ≤ 1× Hugo" target depends on. A first build, not
timed, fills the bench's user cache (the lookup tables), so every timed build
is "cold, new folder" in ``bench_build``'s terms. Needs ../shared (skips
otherwise) and prints feedtool's figures only when ``hugo`` is not on PATH.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_build  # a sibling script, not a package

#: name -> (enrichment on, the renderers enabled: ``None`` for every one). With
#: some named, no tag feeds either (Hugo's tags are the sections).
VARIANTS: dict[str, tuple[bool, list[str] | None]] = {
    "full": (True, None),
    "no enrichment": (False, None),
    "Hugo's outputs": (True, ["html", "rss"]),
    "Hugo's outputs, no enrichment": (False, ["html", "rss"]),
    "nothing rendered": (True, []),
}


def config_for(work: Path, name: str) -> Path:
    enriched, renderers = VARIANTS[name]
    text = (bench_build.ROOT / "feedtool.toml").read_text("utf-8")
    # As bench_build's: a feed for each tag carried by two items (keyword tags:
    # the default, five).
    text = re.sub(r"(?m)^keyword_feeds_min_items = \d+\n", "", text)
    least = 1_000_000_000 if renderers else 2
    text = re.sub(r"(?m)^feeds_min_items = \d+$", f"feeds_min_items = {least}", text)
    if not enriched:
        text = re.sub(r"(?m)^\[enrich\]\n", "[enrich]\nenabled = []\n", text)
    if renderers is not None:
        text += f"\n[render]\nenabled = {json.dumps(renderers)}\n"
    path = work / f"{re.sub(r'[^a-z]+', '-', name.lower()).strip('-')}.toml"
    path.write_text(text, "utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bbc", type=int, default=2225, help="BBC-size articles [2225]")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds [3]")
    parser.add_argument("--corpus", type=Path, default=None, help="[../shared/corpus]")
    args = parser.parse_args()
    bench_build.CORPUS = args.corpus or bench_build.CORPUS
    if not (bench_build.CORPUS / "bbc").is_dir():
        print(f"skipped: {bench_build.CORPUS / 'bbc'} not found (needs ../shared)")
        return 0
    hugo = shutil.which("hugo") is not None
    work = Path(tempfile.mkdtemp(prefix="feedtool-bench-parts-"))
    try:
        seeds = work / "seeds"
        articles = bench_build.make_corpus(seeds, args.bbc, ("bbc",))
        if hugo:
            bench_build.make_hugo_site(work / "hugo", articles)
        env = {
            **os.environ,
            "SOURCE_DATE_EPOCH": "1764000000",
            "XDG_CACHE_HOME": str(work / "user-cache"),
        }

        def command(name: str, out: Path) -> list[str]:
            return bench_build.build_command(seeds, out, config_for(work, name))

        bench_build.timed(command("full", work / "warm"), work / "warm", env)
        names = (["Hugo"] if hugo else []) + list(VARIANTS)
        runs: dict[str, list[bench_build.Run]] = {name: [] for name in names}
        for number in range(args.rounds):
            for name in names:
                out = work / f"out-{number}-{len(runs[name])}-{names.index(name)}"
                if name == "Hugo":
                    cmd = ["hugo", "--quiet", "-s", str(work / "hugo"), "-d", str(out)]
                    runs[name].append(bench_build.timed(cmd, out))
                else:
                    runs[name].append(bench_build.timed(command(name, out), out, env))
            # Outputs are kept to the end: files made just after a large
            # deletion cost the next build up to a millisecond each (ext4).
        print(f"\nbbc: {len(articles)} articles, {args.rounds} interleaved rounds, medians")
        base = statistics.median(run.seconds for run in runs["Hugo"]) if hugo else None
        for name in names:
            seconds = statistics.median(run.seconds for run in runs[name])
            ratio = f" = {seconds / base:5.2f}x Hugo" if base else ""
            spread = ", ".join(f"{run.seconds:.2f}" for run in runs[name])
            last = runs[name][-1]
            print(
                f"  {name:31s} {seconds:6.2f} s{ratio}  ({spread})"
                f"  {last.files:6d} files {last.megabytes:6.1f} MB  peak {last.peak_mb:4.0f} MB"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
