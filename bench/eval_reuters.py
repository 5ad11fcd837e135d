"""Country tags and economy topics on Reuters wire copy.

    python bench/eval_reuters.py [--split dev|held-out|all] [--errors N] [--config PATH]
                                 [--dump ERRORS.jsonl]

Reads ../shared/corpus/reuters-train (3,217 Reuters-21578 articles of 1987 with
gold ``places``, ``topics`` and ``dateline`` in metadata.jsonl), parses and
enriches each file as the pipeline does (default config unless ``--config``),
and prints per split:

* country tags — precision, recall and F1, micro-averaged over articles, of the
  countries the item is tagged with (place tags whose ``code`` is an ISO 3166-1
  alpha-2 or ISO 3166-3 code) against the gold ``places`` (mapped to codes
  below);
* economy first — on articles with gold topics (all of them are economic
  categories: earn, acq, grain, money-fx…), the share whose first topic tag is
  IPTC medtop:04000000 "economy, business and finance";
* topic coverage — the share of all articles with at least one level-1 topic;

Dateline dates are scored by ``bench/eval_datelines.py`` (which runs the
publish stage's year resolution).

Split: the held-out part is every article whose ``newid`` is divisible by 5
(about a fifth); the rules were developed looking only at the others ('dev').
Quote held-out figures. Exits 0 with a message when ../shared is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from feedtool import load_config
from feedtool.config import Config, default_config
from feedtool.enrich import enrich_item
from feedtool.parse import parse_article

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "reuters-train"
ECONOMY = "medtop:04000000"
COUNTRY_SCHEMES = ("urn:iso:std:iso:3166:-1", "urn:iso:std:iso:3166:-3")

# Reuters-21578 place names → the codes the gazetteer uses. West Germany is
# Germany (ISO 3166-1 DE); the other states of 1987 that no longer exist keep
# their ISO 3166-3 codes.
GOLD_CODES = {
    "algeria": "DZ", "angola": "AO", "argentina": "AR", "aruba": "AW", "australia": "AU",
    "austria": "AT", "bahrain": "BH", "bangladesh": "BD", "belgium": "BE", "bolivia": "BO",
    "botswana": "BW", "brazil": "BR", "brunei": "BN", "burma": "MM", "cameroon": "CM",
    "canada": "CA", "cayman-islands": "KY", "chad": "TD", "chile": "CL", "china": "CN",
    "colombia": "CO", "costa-rica": "CR", "cuba": "CU", "cyprus": "CY",
    "czechoslovakia": "CSHH", "denmark": "DK", "dominican-republic": "DO",
    "east-germany": "DDDE", "ecuador": "EC", "egypt": "EG", "el-salvador": "SV",
    "finland": "FI", "france": "FR", "gabon": "GA", "ghana": "GH", "greece": "GR",
    "guam": "GU", "guatemala": "GT", "haiti": "HT", "honduras": "HN", "hong-kong": "HK",
    "hungary": "HU", "iceland": "IS", "india": "IN", "indonesia": "ID", "iran": "IR",
    "iraq": "IQ", "ireland": "IE", "israel": "IL", "italy": "IT", "ivory-coast": "CI",
    "jamaica": "JM", "japan": "JP", "jordan": "JO", "kampuchea": "KH", "kenya": "KE",
    "kuwait": "KW", "lebanon": "LB", "libya": "LY", "luxembourg": "LU", "malaysia": "MY",
    "mauritania": "MR", "mauritius": "MU", "mexico": "MX", "morocco": "MA",
    "netherlands": "NL", "new-zealand": "NZ", "nicaragua": "NI", "nigeria": "NG",
    "north-korea": "KP", "norway": "NO", "oman": "OM", "pakistan": "PK", "panama": "PA",
    "papua-new-guinea": "PG", "paraguay": "PY", "peru": "PE", "philippines": "PH",
    "poland": "PL", "portugal": "PT", "qatar": "QA", "saudi-arabia": "SA", "senegal": "SN",
    "sierra-leone": "SL", "singapore": "SG", "south-africa": "ZA", "south-korea": "KR",
    "spain": "ES", "sri-lanka": "LK", "sudan": "SD", "suriname": "SR", "sweden": "SE",
    "switzerland": "CH", "syria": "SY", "taiwan": "TW", "tanzania": "TZ", "thailand": "TH",
    "trinidad-tobago": "TT", "tunisia": "TN", "turkey": "TR", "uae": "AE", "uk": "GB",
    "uruguay": "UY", "us-virgin-islands": "VI", "usa": "US", "ussr": "SUHH",
    "venezuela": "VE", "west-germany": "DE", "yemen-arab-republic": "YE",
    "yugoslavia": "YUCS", "zaire": "CD", "zambia": "ZM", "zimbabwe": "ZW",
}  # fmt: skip


def held_out(newid: int) -> bool:
    """Whether an article belongs to the held-out split."""
    return newid % 5 == 0


class _Score:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0
        self.economy = self.with_topics = self.covered = self.articles = 0
        self.fps: Counter[str] = Counter()
        self.fns: Counter[str] = Counter()
        self.first_topics: Counter[str] = Counter()
        self.misses: list[str] = []

    def line(self, name: str) -> str:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        eco = self.economy / self.with_topics if self.with_topics else 0.0
        cov = self.covered / self.articles if self.articles else 0.0
        return (
            f"{name:9s} {self.articles:5d} articles  countries P {p:.3f} R {r:.3f} F1 {f:.3f}"
            f" (tp {self.tp}, fp {self.fp}, fn {self.fn})  economy-first {eco:.3f}"
            f" ({self.economy}/{self.with_topics})  topic coverage {cov:.3f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "held-out", "all"), default="all")
    parser.add_argument("--errors", type=int, default=0, help="show this many frequent errors")
    parser.add_argument("--config", type=Path, help="feedtool.toml to use (default: defaults)")
    parser.add_argument("--limit", type=int, default=0, help="read only this many articles")
    parser.add_argument(
        "--dump",
        type=Path,
        help="write each article's country errors (JSON lines: file, split, false positives "
        "with the words that matched, false negatives) to this file",
    )
    args = parser.parse_args()
    meta = CORPUS / "metadata.jsonl"
    if not meta.is_file():
        print("skipped: ../shared/corpus/reuters-train not found")
        return 0
    config: Config = load_config(args.config) if args.config else default_config()
    scores = {"dev": _Score(), "held-out": _Score()}
    start = time.perf_counter()
    rows = [json.loads(line) for line in meta.read_text("utf-8").splitlines() if line.strip()]
    dump: list[dict[str, object]] = []
    if args.limit:
        rows = rows[: args.limit]
    for row in rows:
        split = "held-out" if held_out(row["newid"]) else "dev"
        if args.split != "all" and split != args.split:
            continue
        path = CORPUS / row["file"]
        item = enrich_item(
            parse_article(path.read_bytes(), source_path=row["file"], config=config), config
        )
        s = scores[split]
        s.articles += 1
        got = {
            t.code
            for t in item.tags
            if t.kind == "place" and t.scheme in COUNTRY_SCHEMES and t.code is not None
        }
        gold = {GOLD_CODES[p] for p in row["places"]}
        s.tp += len(got & gold)
        s.fp += len(got - gold)
        s.fn += len(gold - got)
        s.fps.update(got - gold)
        s.fns.update(gold - got)
        if args.dump and got != gold:
            matched = {
                t.code: list(t.evidence.matched)
                for t in item.tags
                if t.kind == "place" and t.code in got - gold
            }
            dump.append(
                {
                    "file": row["file"],
                    "split": split,
                    "fp": matched,
                    "fn": sorted(gold - got),
                    "title": row["title"][:80],
                }
            )
        topics = [t for t in item.tags if t.kind == "topic"]
        if any(t.parent is None for t in topics):
            s.covered += 1
        if row["topics"]:
            s.with_topics += 1
            first = topics[0].code if topics else "(none)"
            s.first_topics[first or "(none)"] += 1
            if first == ECONOMY:
                s.economy += 1
            elif len(s.misses) < 400:
                s.misses.append(f"{row['file']}: {row['title'][:60]} -> {first}")
    elapsed = time.perf_counter() - start
    total = _Score()
    for s in scores.values():
        for key in ("tp", "fp", "fn", "economy", "with_topics", "covered", "articles"):
            setattr(total, key, getattr(total, key) + getattr(s, key))
        total.fps.update(s.fps)
        total.fns.update(s.fns)
        total.first_topics.update(s.first_topics)
    n = sum(s.articles for s in scores.values())
    print(f"{CORPUS.name}: {n} articles, {1000 * elapsed / max(n, 1):.2f} ms per article")
    for name, s in scores.items():
        if s.articles:
            print(s.line(name))
    if args.split == "all":
        print(total.line("all"))
    if args.dump:
        args.dump.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in dump))
    if args.errors:
        print("false positives:", total.fps.most_common(args.errors))
        print("false negatives:", total.fns.most_common(args.errors))
        print("first topics on gold-topic articles:", total.first_topics.most_common(8))
        for s in scores.values():
            for miss in s.misses[: args.errors]:
                print("  not economy:", miss)
    return 0


if __name__ == "__main__":
    sys.exit(main())
