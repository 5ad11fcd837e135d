"""CPU per feed entry, article page and embedded JSON-LD, against the ways they replaced.

    python bench/bench_render_parts.py [CORPUS] [--articles N] [--repeat R]

Parses and enriches the first N articles of CORPUS (default
../shared/corpus/bbc), gives them ids and dates as a build would, then times,
per item, in this one run (best of R passes):

* an Atom ``<entry>`` and an RSS ``<item>`` (full body and summary) built
  element by element (``atom._entry``, ``rss._entry``) against the feedgen
  path they follow (a feedgen feed per entry, serialised and parsed back:
  ``atom._make_entry``, ``rss._make_item``), checking both give the same bytes;
* ``jsonld.script_json`` against ``str.translate`` of the whole JSON;
* ``html.article_page`` (no baseline kept: its figure only).

Prints milliseconds per item and the ratio new/baseline. CPU time
(``time.process_time``), so other load on the machine matters less than for
wall time, but still: compare ratios from one run. Exits 0 with a message
when the corpus is absent.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import orjson
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from feedtool import load_config
from feedtool.enrich import enrich_item
from feedtool.model import NewsItem
from feedtool.parse import parse_article
from feedtool.publish import find_articles
from feedtool.render import Site, atom, html, jsonld, rss
from feedtool.render._common import content_html, fragment

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "corpus"


def _best(work: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def _feedgen_atom(site: Site, item: NewsItem, mode: str, content: str) -> bytes:
    root = etree.Element(f"{atom._ATOM}feed", nsmap={None: atom._ATOM[1:-1]})
    root.append(atom._make_entry(site, item, mode, content))  # type: ignore[arg-type]
    return fragment(root, b"<entry", b"</entry>")


def _feedgen_rss(site: Site, item: NewsItem, mode: str, content: str) -> bytes:
    root = etree.Element("rss", nsmap=rss._ITEM_NSMAP)
    etree.SubElement(root, "channel").append(rss._make_item(site, item, mode, content))  # type: ignore[arg-type]
    return rss._hex_references(fragment(root, b"<item>", b"</item>"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=SHARED / "bbc")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3, help="passes per step (best counts)")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"skipped: {args.corpus} not found (needs ../shared)")
        return 0
    config = load_config(ROOT / "feedtool.toml")
    warnings.simplefilter("ignore")
    items = []
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    for number, path in enumerate(find_articles(args.corpus)[: args.articles]):
        parsed = parse_article(path.read_bytes(), source_path=path.name, config=config)
        item = enrich_item(parsed, config)
        stamp = {"id": f"tag:example.org,2025:{number}", "date_published": start}
        items.append(item.model_copy(update=stamp))
    site = Site(config=config, items=tuple(items))
    contents = [content_html(item, config) for item in items]
    count = len(items)
    print(f"{args.corpus}: {count} articles, best of {args.repeat} passes, CPU ms per item")

    def entries(make: Callable[[Site, NewsItem, str, str], bytes]) -> Callable[[], list[bytes]]:
        def work() -> list[bytes]:
            made = []
            for item, content in zip(items, contents, strict=True):
                made.append(make(site, item, "full", content))
                made.append(make(site, item, "summary", ""))
            return made

        return work

    for name, new, old in (
        ("atom entry", atom._entry, _feedgen_atom),
        ("rss item", rss._entry, _feedgen_rss),
    ):
        if entries(new)() != entries(old)():  # type: ignore[arg-type]
            print(f"  {name}: NOT the bytes of feedgen")
            return 1
        fast = _best(entries(new), args.repeat) / (2 * count) * 1000  # type: ignore[arg-type]
        slow = _best(entries(old), args.repeat) / (2 * count) * 1000
        print(f"  {name:12s} {fast:6.3f}  feedgen {slow:6.3f}  ratio {fast / slow:5.2f}")

    data = [jsonld.article_jsonld(item, config) for item in items]

    def translated() -> list[str]:
        escapes = jsonld._SCRIPT_ESCAPES
        dumped = [orjson.dumps(d, option=orjson.OPT_INDENT_2) for d in data]
        return [text.decode().translate(escapes) for text in dumped]

    def replaced() -> list[str]:
        return [jsonld.script_json(d) for d in data]

    assert translated() == replaced()
    fast = _best(replaced, args.repeat) / count * 1000
    slow = _best(translated, args.repeat) / count * 1000
    print(f"  {'script_json':12s} {fast:6.3f}  translate {slow:6.3f}  ratio {fast / slow:5.2f}")

    prefixes = html.tag_feed_prefixes(site)
    page = _best(lambda: [html.article_page(site, item, prefixes) for item in items], args.repeat)
    print(f"  {'article page':12s} {page / count * 1000:6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
