"""Cold, no-op and one-edit builds, side by side with Hugo, with peak memory.

usage: python bench/bench_build.py [--bbc 2225] [--archive 20000 ...] [--jobs N]
                                   [--tag-feeds-min 2] [--no-hugo]

Builds, each as a fresh ``feedtool build`` process through the console entry
point (``feedtool._noop.main``; start-up included, as a newsroom's publish
step pays it):

* ``bbc``: the BBC corpus repeated with distinct headlines to ``--bbc``
  articles;
* ``archive-N``: BBC and Reuters articles (``../shared/corpus``) repeated with
  distinct headlines to N articles, for each N of ``--archive`` (two sizes
  show whether time is linear).

For each: a cold build into an empty folder, a rebuild with nothing changed,
and a rebuild after one article is edited; for an archive, two more edits of
an article whose parse asks lingua (its models: 265 of the 20,000 archive's
articles, none of BBC's), a figure corrected then a word changed. Every
build has a user cache of the bench's own (``XDG_CACHE_HOME``): a build keeps
its lookup tables there, and a cold build into a new folder on a machine where
the same code built before reads them from it instead of building them. So
the BBC corpus has two cold builds: the first ever (an empty user cache: the
tables are built), then one into another new folder (the tables from the user
cache); an archive's cold build says which of the two it is. When ``hugo`` is
on PATH the same articles (as Markdown with title, date and the corpus category
as a tag; pages, RSS and tag feeds; Hugo does no enrichment) are built by Hugo
in the same run and the ratios printed. Peak memory is the largest sum of the
resident set sizes of the build's process tree (pool workers included),
sampled every 20 ms from /proc; beside it the largest sum of proportional set
sizes (PSS), which counts a page the forked workers share with the build once
instead of once per process. The machine is shared: compare ratios from one
run, not absolute times across runs. Needs ../shared (skips otherwise).

The generated articles are dated an hour back (an archive's files are not
seconds old): a file read in the second it was written is re-read by the next
build, which would make the first no-op rebuild a cold start's artefact.
Run in parts with ``--bbc 0`` or ``--archive`` (no sizes), e.g.
``--bbc 0 --archive 20000``.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    files: int
    megabytes: float
    #: Peak of the summed proportional set sizes: a page shared by the forked
    #: pool workers counts once (RSS counts it in every process).
    peak_pss_mb: float = 0.0


def _tree_rss_kb(pid: int) -> int:
    return _tree_memory_kb(pid)[0]


def _tree_memory_kb(pid: int) -> tuple[int, int]:
    """Summed RSS and PSS (kB) of ``pid`` and its descendants."""
    total, pss, stack = 0, 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            with open(f"/proc/{current}/smaps_rollup", encoding="ascii") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as kids:
                    stack.extend(int(child) for child in kids.read().split())
        except (OSError, ValueError):
            continue
    return total, pss


def timed(command: list[str], out: Path, env: dict[str, str] | None = None) -> Run:
    """Run ``command`` to completion: wall time, peak tree RSS, what ``out`` holds after."""
    peak = peak_pss = 0
    # The previous step's writes go to disk first, outside the clock: a cold
    # 20,000-article build leaves ~2 GB of small files dirty, and the kernel's
    # writeback of them (due 30 s after each was written) took ~0.6 s of an
    # edit's wall time in two of four runs (1.13 s against 0.50-0.62 s; with
    # this sync, 0.61 s in both probes). Hugo's run gets the same.
    os.sync()
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        while not done.is_set():
            rss, pss = _tree_memory_kb(process.pid)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            done.wait(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    _, errors = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed ({process.returncode}):\n{errors[-2000:]}")
    if process.returncode == 1:  # some articles failed: say which, or the figures mislead
        print(f"  ({command[0]} exited 1) {errors[-600:].strip()}", file=sys.stderr)
    files = [p for p in out.rglob("*") if p.is_file() and ".feedtool" not in p.parts]
    size = sum(p.stat().st_size for p in files) / 1e6
    return Run(seconds, peak / 1024, len(files), size, peak_pss / 1024)


# --------------------------------------------------------------------------- corpora


def _sources(names: tuple[str, ...]) -> list[tuple[str, Path]]:
    found = []
    for name in names:
        for path in sorted((CORPUS / name).rglob("*.txt")):
            if path.name.upper() != "README.TXT":
                found.append((path.parent.name, path))
    return found


def _read_text(path: Path) -> str:
    """The article's text: a few BBC files are Windows-1252 ("\xa315m"); decoding
    them as UTF-8 with replacement would put U+FFFD into every copy."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def make_corpus(folder: Path, count: int, names: tuple[str, ...]) -> list[Path]:
    """``count`` articles from the corpora ``names``, repeated with distinct headlines."""
    sources = _sources(names)
    folder.mkdir(parents=True)
    written = []
    for number in range(count):
        category, source = sources[number % len(sources)]
        text = _read_text(source).lstrip()
        headline, _, body = text.partition("\n")
        copy = number // len(sources)
        if copy:
            headline = f"{headline.strip()} (part {copy + 1})"
        path = folder / category / f"{number:05d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"{headline.strip()}\n{body}", "utf-8")
        os.utime(path, (time.time() - 3600, time.time() - 3600))
        written.append(path)
    return written


def make_hugo_site(folder: Path, articles: list[Path]) -> None:
    """The same articles as a Hugo site: Markdown pages, home/section/tag lists and RSS."""
    (folder / "layouts" / "_default").mkdir(parents=True)
    (folder / "hugo.toml").write_text(
        'baseURL = "https://news.example.org/"\ntitle = "Bench"\n'
        "disableKinds = []\n[taxonomies]\ntag = 'tags'\n",
        "utf-8",
    )
    layouts = folder / "layouts" / "_default"
    (layouts / "single.html").write_text(
        "<!doctype html><html><head><title>{{ .Title }}</title></head><body>"
        "<h1>{{ .Title }}</h1><time>{{ .Date }}</time>{{ .Content }}"
        "{{ range .Params.tags }}<a href='/tags/{{ . | urlize }}/'>{{ . }}</a>{{ end }}"
        "</body></html>\n",
        "utf-8",
    )
    (layouts / "list.html").write_text(
        "<!doctype html><html><head><title>{{ .Title }}</title></head><body><ul>"
        "{{ range .Pages }}<li><a href='{{ .RelPermalink }}'>{{ .Title }}</a></li>{{ end }}"
        "</ul></body></html>\n",
        "utf-8",
    )
    content = folder / "content" / "posts"
    content.mkdir(parents=True)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    for number, path in enumerate(articles):
        headline, _, body = path.read_text("utf-8").partition("\n")
        date = (start + dt.timedelta(minutes=number)).isoformat()
        title = headline.replace("\\", "\\\\").replace('"', '\\"')
        (content / f"{number:05d}.md").write_text(
            f'+++\ntitle = "{title}"\ndate = "{date}"\ntags = ["{path.parent.name}"]\n+++\n{body}',
            "utf-8",
        )


def build_command(seeds: Path, out: Path, config: Path) -> list[str]:
    """A quiet ``feedtool build`` through the console entry point, as users run it."""
    return [
        sys.executable,
        "-c",
        "import sys; from feedtool._noop import main; sys.exit(main())",
        "build",
        str(seeds),
        "-o",
        str(out),
        "-c",
        str(config),
        "--no-ping",
        "-q",
    ]


def edit(path: Path) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\nThis paragraph was added by an editor after publication.\n")


def figure_corrected(data: bytes) -> bytes:
    """An article's bytes with a figure corrected: its last digit becomes another."""
    at = max(m.start() for m in re.finditer(rb"\d", data))
    return data[:at] + (b"3" if data[at : at + 1] == b"7" else b"7") + data[at + 1 :]


def word_changed(data: bytes) -> bytes:
    """An article's bytes with a word changed: its last word of ASCII letters gets an 'x'."""
    last = list(re.finditer(rb"[A-Za-z]+", data))[-1]
    return data[: last.end()] + b"x" + data[last.end() :]


def needing_lingua(articles: list[Path], config_path: Path) -> Path | None:
    """The first article from the middle of ``articles`` on (then from the start)
    whose parse asks lingua as it is, after ``figure_corrected`` and after
    ``word_changed`` too (the bench's ``edit`` adds English words, which mostly
    decide without lingua): one whose text is short enough for lingua to load
    its models of all five n-gram sizes (the costly case) if there is one, else
    any; ``None`` when there is none."""
    import warnings

    from feedtool import load_config
    from feedtool._lingua import full_models
    from feedtool.enrich import enrich_item
    from feedtool.enrich.languages import ModelsElsewhere, keep_models_elsewhere
    from feedtool.parse import parse_article

    config = load_config(config_path)

    def asked(data: bytes) -> str | None:
        """The text lingua is asked about first, if it is."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                enrich_item(parse_article(data, source_path="a.txt", config=config), config)
        except ModelsElsewhere as exc:
            return exc.question.text
        except Exception:
            return None
        return None

    keep_models_elsewhere()
    found = None
    middle = len(articles) // 2
    for path in articles[middle:] + articles[:middle]:
        data = path.read_bytes()
        text = asked(data) if re.search(rb"\d", data) else None
        if text is None or (found is not None and not full_models(text)):
            continue
        figure = figure_corrected(data)
        if asked(figure) is not None and asked(word_changed(figure)) is not None:
            if full_models(text):
                return path
            found = found or path
    return found


# --------------------------------------------------------------------------- runs


#: Whether a build of this run has kept the lookup tables in its user cache.
_TABLES_KEPT = False


def bench(
    name: str,
    seeds: Path,
    articles: list[Path],
    work: Path,
    args: argparse.Namespace,
    user_cache: Path,
    first_ever: bool = False,
):
    config = work / "feedtool.toml"
    text = (ROOT / "feedtool.toml").read_text("utf-8")
    config.write_text(
        # The seed config is a small site's (a feed for every tag); an archive
        # takes the large-site defaults, but for feeds_min_items as asked.
        # (A plain replace would also hit keyword_feeds_min_items.)
        re.sub(
            r"(?m)^(keyword_)?feeds_min_items = \d+\n",
            lambda m: "" if m[1] else f"feeds_min_items = {args.tag_feeds_min}\n",
            text,
        ),
        "utf-8",
    )
    out = work / "out"
    command = build_command(seeds, out, config)
    if args.jobs:
        command += ["--jobs", str(args.jobs)]
    global _TABLES_KEPT
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1764000000", "XDG_CACHE_HOME": str(user_cache)}
    colds: list[tuple[str, Run]] = []
    if first_ever:
        # The user cache emptied: the build makes the tables (and keeps them there).
        shutil.rmtree(user_cache, ignore_errors=True)
        first_out = work / "out-first"
        first = timed(
            [str(first_out) if part == str(out) else part for part in command], first_out, env
        )
        colds.append(("cold, first ever", first))
        _TABLES_KEPT = True
    cold = timed(command, out, env)
    colds.append(("cold, new folder" if _TABLES_KEPT else "cold, first ever", cold))
    _TABLES_KEPT = True
    noop = timed(command, out, env)
    edit(articles[len(articles) // 2])
    one = timed(command, out, env)
    # An article that needs lingua's models, edited twice: a figure corrected
    # (the words lingua is asked about are the same: the store has its answer)
    # and a word changed (lingua asked again).
    lingua: list[tuple[str, Run]] = []
    needing = needing_lingua(articles, config) if name.startswith("archive") else None
    if needing is not None:
        changes = (("lingua: a figure", figure_corrected), ("lingua: a word", word_changed))
        for label, change in changes:
            needing.write_bytes(change(needing.read_bytes()))
            lingua.append((label, timed(command, out, env)))
    hugo = None
    if args.hugo:
        site = work / "hugo"
        make_hugo_site(site, articles)
        hugo_out = work / "hugo-out"
        hugo_cmd = ["hugo", "--quiet", "-s", str(site), "-d", str(hugo_out)]
        hugo = timed(hugo_cmd, hugo_out)
    count = len(articles)
    print(f"\n{name}: {count} articles")
    rows = [*colds, ("no-op rebuild", noop), ("one article edited", one), *lingua]
    for label, run in rows:
        line = (
            f"  feedtool {label:<19} {run.seconds:7.2f} s  peak RSS {run.peak_mb:5.0f} MB"
            f" (PSS {run.peak_pss_mb:4.0f} MB)"
            f"  ({1000 * run.seconds / count:.2f} ms/article)"
        )
        if hugo:
            line += f"  = {run.seconds / hugo.seconds:5.2f}x Hugo cold"
        print(line)
    if colds[-1][0] == "cold, new folder":
        print("  (cold, new folder: the lookup tables read from the user cache, not built)")
    if needing is not None:
        print(
            f"  (lingua: {needing.relative_to(seeds)}, whose parse asks lingua's models, edited:"
            " a figure corrected, then a word changed)"
        )
    print(
        f"  feedtool output: {cold.files} files, {cold.megabytes:.0f} MB"
        f" ({cold.files / count:.1f} files and {1000 * cold.megabytes / count:.0f} kB per article)"
    )
    if hugo:
        print(
            f"  hugo     cold                {hugo.seconds:7.2f} s  peak RSS {hugo.peak_mb:5.0f} MB"
            f"  ({hugo.files} files, {hugo.megabytes:.0f} MB)"
        )
    return cold


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bbc", type=int, default=2225, help="BBC-size articles [2225]")
    parser.add_argument(
        "--archive", type=int, nargs="*", default=[2000, 20000], help="archive sizes"
    )
    parser.add_argument("--jobs", type=int, default=None, help="feedtool --jobs [all cores]")
    parser.add_argument("--tag-feeds-min", type=int, default=2, help="feeds_min_items [2]")
    parser.add_argument("--no-hugo", dest="hugo", action="store_false")
    parser.add_argument("--corpus", type=Path, default=None, help="[../shared/corpus]")
    args = parser.parse_args()
    global CORPUS
    CORPUS = args.corpus or CORPUS
    if not (CORPUS / "bbc").is_dir():
        print(f"skipped: {CORPUS / 'bbc'} not found (needs ../shared)")
        return 0
    if args.hugo and shutil.which("hugo") is None:
        print("hugo not on PATH: feedtool figures only")
        args.hugo = False
    # What ``pip install`` does: with PYTHONDONTWRITEBYTECODE set (as on CI
    # machines) every build would otherwise compile feedtool's modules again.
    compileall.compile_dir(ROOT / "feedtool", quiet=1)
    work = Path(tempfile.mkdtemp(prefix="feedtool-bench-"))
    user_cache = work / "user-cache"
    try:
        if args.bbc:
            seeds = work / "bbc" / "seeds"
            articles = make_corpus(seeds, args.bbc, ("bbc",))
            bench("bbc", seeds, articles, work / "bbc", args, user_cache, first_ever=True)
        colds = {}
        for size in args.archive:
            folder = work / f"archive-{size}"
            seeds = folder / "seeds"
            articles = make_corpus(seeds, size, ("bbc", "reuters-train"))
            colds[size] = bench(f"archive-{size}", seeds, articles, folder, args, user_cache)
            # Kept until the end: on ext4 without a journal, every file made in
            # the half minute after a large deletion costs up to a millisecond
            # of kernel time (the inode allocator skips the recently freed
            # inodes, one by one), which the next cold build would measure.
        if len(colds) >= 2:
            small, large = min(colds), max(colds)
            print(
                f"\nlinearity: {large} / {small} articles = {large / small:.1f}x articles,"
                f" cold time {colds[large].seconds / colds[small].seconds:.1f}x"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
