"""Derive the `topics` enricher's data from the IPTC Media Topics vocabulary.

Reads the vocabulary export (``../shared/vocab/iptc-mediatopic-2023-10-24.json``)
and the hand-curated cues (``feedtool/enrich/data/iptc_cues.toml``) and writes
``feedtool/enrich/data/iptc_topics.json``: the level-1 and level-2 concepts
that are not retired (label, level, broader concept, Wikidata mapping) and one
table of cue terms, each with the concepts it counts for and its weight.

Derived cues, per level-2 concept: its label and the labels of all its
narrower concepts that are not retired (weight 1; the parts of a label such as
"weightlifting and powerlifting" weight 0.5). Per level-1 concept: its label and
label parts (weight 1), and the words that characterise the definitions of its
subtree (used in at least 3 of its definitions and at most a quarter as often
elsewhere; weight 0.25). Terms in the cue file's ``[drop]`` list are left out;
curated cues are then added (weight 2, 1 or 0.5). A level-2 cue also counts for
its level-1 parent, at the same weight.

Usage::

    python scripts/make_iptc_data.py            # rewrite the data file
    python scripts/make_iptc_data.py --check    # exit 1 if it is out of date
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from feedtool.enrich.topics import SCHEME, term_key, words

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_VOCAB = ROOT.parent / "shared" / "vocab" / "iptc-mediatopic-2023-10-24.json"
DEFAULT_CUES = ROOT / "feedtool" / "enrich" / "data" / "iptc_cues.toml"
DEFAULT_OUT = ROOT / "feedtool" / "enrich" / "data" / "iptc_topics.json"

CREDIT = (
    "Contains data derived from IPTC Media Topics (© IPTC, CC BY 4.0, "
    "https://iptc.org/standards/media-topics/)"
)
WEIGHTS = {"strong": 2.0, "cues": 1.0, "weak": 0.5}
PROPER_WEIGHT = 2.0
LABEL_WEIGHT = 1.0
LABEL_PART_WEIGHT = 0.5
DEFINITION_WEIGHT = 0.25
DEFINITION_MIN_CONCEPTS = 3
DEFINITION_MIN_SHARE = 0.8
MIN_PREFIX = 3

# Words of definitions that say nothing about a subject.
_STOPWORD_TEXT = """a about above across after against all also among an and any are around as at be
    because been before being between both but by can could did do does done during each
    either else etc even ever every for from further had has have having he her here his
    how however if in including into is it its itself may might more most much must
    no nor not of off often on once one only or other others otherwise our out over own
    per rather same several she should since so some such than that the their them then
    there these they this those though through thus to too under until up upon us use used
    uses using usually various very via was we were what when where whether which while who
    whom whose why will with within without would yet you your
    activity activities area areas aspect aspects based being called case cases certain
    concerning covering covers describe described different especially events example
    form forms general generally group groups include includes including involve involved
    involves involving issue issues item items kind kinds known large like made main make
    making many matters means new news number often part parts particular people person
    persons related relating relation such story stories term terms things type types
    usually way ways well whole wide within work
    behind down five four three two flat hand hard line mark possible post round section
    side size table trying covered double fast feet board circle divided frame early late
    need concern cause matter regard follow largest century generated application
    consisting consist design designed different specific various"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_PARENTHESIS = re.compile(r"\s*\([^)]*\)")
_LABEL_PARTS = re.compile(r",\s*|\s+and\s+|\s+or\s+")


def _key(term: str) -> str:
    """The data file's key of a cue term (see ``feedtool.enrich.topics``)."""
    star = term.rstrip().endswith("*")
    parts = words(term)
    if not parts:
        raise ValueError(f"cue {term!r} has no words")
    if star:
        stem = parts[-1].lower().replace("’", "'")
        if len(stem) < MIN_PREFIX:
            raise ValueError(f"prefix cue {term!r} is shorter than {MIN_PREFIX} letters")
        return " ".join([*(term_key(p) for p in parts[:-1]), stem + "*"])
    return " ".join(term_key(p) for p in parts)


def _label_terms(label: str) -> tuple[str, list[str]]:
    """A label without its qualifier, and its parts when it is a list.

    "beer, wine and spirits" and "robbery and theft" are lists; "supreme and
    high court" is not split, as its parts ("supreme") would not be topics.
    """
    label = _PARENTHESIS.sub("", label).strip()
    parts = [p.strip() for p in _LABEL_PARTS.split(label)]
    if len(parts) < 2 or ("," not in label and any(" " in p for p in parts)):
        return label, []
    return label, [p for p in parts if len(p) >= 4 and p.lower() not in STOPWORDS]


def build(vocab_path: Path, cues_path: Path) -> bytes:
    """The data file's bytes, derived from the vocabulary and the cue file."""
    vocab = json.loads(vocab_path.read_text("utf-8"))
    cue_file = tomllib.loads(cues_path.read_text("utf-8"))
    all_concepts = {c["qcode"]: c for c in vocab["concepts"]}
    live = {code: c for code, c in all_concepts.items() if not c["retired"]}

    def ancestor(code: str, level: int) -> str:
        concept = live[code]
        while concept["level"] > level:
            concept = live[concept["broader"]]
        return str(concept["qcode"])

    emitted = {code: c for code, c in live.items() if c["level"] <= 2}
    for code, c in emitted.items():
        if c["uri"] != SCHEME + code.split(":", 1)[1]:
            raise ValueError(f"{code}: URI {c['uri']!r} is not in {SCHEME}")

    drop = {_key(t) for t in cue_file.get("drop", {}).get("terms", [])}
    priors: dict[str, float] = {}
    proper: dict[str, dict[str, float]] = defaultdict(dict)
    weights: dict[str, dict[str, float]] = defaultdict(dict)

    def add(term: str, code: str, weight: float, *, derived: bool) -> None:
        try:
            key = _key(term)
        except ValueError:
            if derived:
                return
            raise
        if derived and key in drop:
            return
        if weight > weights[key].get(code, 0.0):
            weights[key][code] = weight

    # Labels: level-1 labels and their parts for the level-1 concept, deeper
    # labels for their level-2 ancestor.
    for code, c in live.items():
        label, parts = _label_terms(c["label_en_GB"])
        target = code if c["level"] == 1 else ancestor(code, 2)
        add(label, target, LABEL_WEIGHT, derived=True)
        part_weight = LABEL_WEIGHT if c["level"] == 1 else LABEL_PART_WEIGHT
        for part in parts:
            add(part, target, part_weight, derived=True)

    # Definition words characteristic of one level-1 subtree.
    per_top: dict[str, Counter[str]] = defaultdict(Counter)
    overall: Counter[str] = Counter()
    for code, c in live.items():
        found = {
            term_key(w)
            for w in words(c["definition_en_GB"] or "")
            if len(w) >= 4 and w.lower() not in STOPWORDS and w.isalpha()
        }
        per_top[ancestor(code, 1)].update(found)
        overall.update(found)
    for top, counter in per_top.items():
        for key, count in counter.items():
            if key in STOPWORDS or key in drop:
                continue
            characteristic = (
                count >= DEFINITION_MIN_CONCEPTS and count >= DEFINITION_MIN_SHARE * overall[key]
            )
            if characteristic and weights[key].get(top, 0.0) < DEFINITION_WEIGHT:
                weights[key][top] = DEFINITION_WEIGHT

    # Curated cues.
    for code, table in cue_file.items():
        if code == "drop":
            continue
        concept = all_concepts.get(code)
        if concept is None:
            raise ValueError(f"{cues_path.name}: [{code}] is not in the vocabulary")
        if concept["retired"]:
            raise ValueError(f"{cues_path.name}: [{code}] is retired")
        if concept["level"] > 2:
            raise ValueError(f"{cues_path.name}: [{code}] is at level {concept['level']}, not 1-2")
        if table.get("label") != concept["label_en_GB"]:
            raise ValueError(
                f"{cues_path.name}: [{code}] label {table.get('label')!r} is not the "
                f"vocabulary's {concept['label_en_GB']!r}"
            )
        unknown = set(table) - {"label", "prior", "proper", *WEIGHTS}
        if unknown:
            raise ValueError(f"{cues_path.name}: [{code}] has unknown keys {sorted(unknown)}")
        for kind, weight in WEIGHTS.items():
            for term in table.get(kind, []):
                add(term, code, weight, derived=False)
        for word in table.get("proper", []):
            if len(words(word)) != 1 or word.lower() == word:
                raise ValueError(f"{cues_path.name}: [{code}] proper {word!r}: one capital word")
            proper[word][code] = PROPER_WEIGHT
        if "prior" in table:
            if concept["level"] != 1 or not 0.5 <= table["prior"] <= 2.0:
                raise ValueError(f"{cues_path.name}: [{code}] prior: level 1 only, 0.5-2.0")
            priors[code] = float(table["prior"])

    # A level-2 cue counts for its parent too.
    for per_code in [*weights.values(), *proper.values()]:
        for code, weight in list(per_code.items()):
            parent = emitted[code]["broader"]
            if parent is not None and weight > per_code.get(parent, 0.0):
                per_code[parent] = weight

    return _dump(emitted, weights, proper, priors, vocab_path.name)


def _same_as(uri: str | None) -> list[str]:
    if not uri:
        return []
    # The export spells a few mappings as page URLs; Wikidata's entity URI is
    # the identifier.
    return [uri.replace("https://www.wikidata.org/wiki/", "https://www.wikidata.org/entity/")]


def _dump(
    concepts: dict[str, dict[str, Any]],
    weights: dict[str, dict[str, float]],
    proper: dict[str, dict[str, float]],
    priors: dict[str, float],
    source: str,
) -> bytes:
    def line(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    concept_lines = [
        line(code)
        + ":"
        + line(
            [
                c["label_en_GB"],
                c["level"],
                c["broader"],
                _same_as(c["wikidata"]),
                priors.get(code, 1.0),
            ]
        )
        for code, c in sorted(concepts.items())
    ]

    def table(cues: dict[str, dict[str, float]]) -> str:
        return ",\n".join(
            f"{line(key)}:{line(sorted(per_code.items()))}"
            for key, per_code in sorted(cues.items())
            if per_code
        )

    out = [
        "{",
        f'"credit":{line(CREDIT)},',
        f'"source":{line(source)},',
        f'"generator":{line("scripts/make_iptc_data.py")},',
        '"concepts":{',
        ",\n".join(concept_lines),
        "},",
        '"proper":{',
        table(proper),
        "},",
        '"cues":{',
        table(weights),
        "}",
        "}",
        "",
    ]
    return "\n".join(out).encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vocab", type=Path, default=DEFAULT_VOCAB)
    parser.add_argument("--cues", type=Path, default=DEFAULT_CUES)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="fail if --out is out of date")
    args = parser.parse_args(argv)
    data = build(args.vocab, args.cues)
    if args.check:
        current = args.out.read_bytes() if args.out.exists() else b""
        if current != data:
            print(f"{args.out} is out of date: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    args.out.write_bytes(data)
    print(f"wrote {args.out} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
