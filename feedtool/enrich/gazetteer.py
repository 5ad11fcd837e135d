"""The gazetteer: named concepts (countries, cities, regions, organisations), the
word lists of ``data/``, and how mentions of a concept add up to a tag.

A library, not an enricher: ``entities`` reads English text with it,
``places_rtl`` matches Arabic, Persian and Urdu names to the same entries,
``keywords`` borrows its word lists, ``dates`` its city time zones and
``scripts/`` its loaders. Every data file is read once per process.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources

import pycountry

from feedtool._slug import tag_slug
from feedtool.enrich._text import reading_order
from feedtool.model import Evidence, Tag, TagKind

KINDS: tuple[TagKind, ...] = ("person", "organization", "place")

WIKIDATA = "https://www.wikidata.org/entity/"
ISO_3166_1 = "urn:iso:std:iso:3166:-1"
ISO_3166_2 = "urn:iso:std:iso:3166:-2"
ISO_3166_3 = "urn:iso:std:iso:3166:-3"

# Weight of one mention by where it is: the headline says what the article is about.
WEIGHTS = {"headline": 3.0, "description": 2.0, "caption": 1.5}

# Curly apostrophes are stored straight: "O’Brien" and "O'Brien" are one name.
APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})
TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[\w&]+(?:[-'’.&]\w+)*['’]?")

# --------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class Entry:
    """One gazetteer concept: what a matched name stands for."""

    kind: TagKind
    name: str
    rule: str
    code: str | None = None
    scheme: str | None = None
    parent: str | None = None
    same_as: tuple[str, ...] = ()
    demonym: bool = False


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Everything the rules look words up in, loaded once."""

    # first token → (tokens, entry) pairs, longest first
    index: dict[str, tuple[tuple[tuple[str, ...], Entry], ...]]
    first_names: frozenset[str]
    titles: dict[str, bool]  # word → whether it proves a person follows
    roles: frozenset[str]
    speech: frozenset[str]
    not_names: frozenset[str]
    stopwords: frozenset[str]

    def match(self, words: list[str], start: int, stop: int) -> tuple[int, Entry | None]:
        """The longest entry whose tokens are ``words[start:…]``, within ``stop``."""
        for tokens, entry in self.index.get(words[start], ()):
            end = start + len(tokens)
            if end <= stop and tuple(words[start:end]) == tokens:
                return len(tokens), entry
        return 0, None


def data_lines(name: str) -> Iterator[list[str]]:
    """Rows of a tab-separated file in ``data/``, comments and blank lines skipped."""
    text = resources.files("feedtool.enrich").joinpath("data", name).read_text("utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            yield [cell.strip() for cell in line.split("\t")]


def data_words(name: str) -> frozenset[str]:
    """The first column of a list in ``data/``."""
    return frozenset(row[0] for row in data_lines(name))


def _cell(row: list[str], number: int) -> str:
    return row[number] if len(row) > number else ""


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]


def _same_as(qid: str) -> tuple[str, ...]:
    return (WIKIDATA + qid,) if re.fullmatch(r"Q[1-9][0-9]*", qid) else ()


def tokenize(text: str) -> list[str]:
    """Words as the gazetteer stores them (apostrophes straightened)."""
    return [m.group().translate(APOSTROPHES) for m in TOKEN.finditer(text)]


def _countries() -> Iterator[tuple[Entry, list[str], list[str]]]:
    """(entry, names, demonyms) for every country pycountry knows, plus the extra rows."""
    extra = {row[0].split(">")[0]: row for row in data_lines("countries.tsv")}
    for country in pycountry.countries:
        row = extra.pop(country.alpha_2, [])
        name = _cell(row, 1) or getattr(country, "common_name", None) or country.name
        names = [name, *_split(_cell(row, 2))]
        for official in (country.name, getattr(country, "official_name", "")):
            if official and "," not in official and "(" not in official:
                names.append(official)
        entry = Entry(
            kind="place",
            name=name,
            rule="gazetteer:country",
            code=country.alpha_2,
            scheme=ISO_3166_1,
            same_as=_same_as(_cell(row, 4)),
        )
        yield entry, names, _split(_cell(row, 3))
    for code, row in extra.items():  # UK nations and former states
        parent = row[0].split(">")[1] if ">" in row[0] else None
        entry = Entry(
            kind="place",
            name=row[1],
            rule="gazetteer:country",
            code=code,
            scheme=ISO_3166_2 if "-" in code else ISO_3166_3,
            parent=parent,
            same_as=_same_as(_cell(row, 4)),
        )
        yield entry, [row[1], *_split(_cell(row, 2))], _split(_cell(row, 3))


@cache
def lexicon() -> Lexicon:
    """Load and index the data files (once per process)."""
    entries: dict[tuple[str, ...], Entry] = {}

    def add(name: str, entry: Entry) -> None:
        tokens = tuple(tokenize(name))
        if tokens and tokens not in entries:  # earlier sources win a shared name
            entries[tokens] = entry

    for row in data_lines("organizations.tsv"):
        entry = Entry(
            "organization", row[0], "gazetteer:organization", same_as=_same_as(_cell(row, 2))
        )
        for name in (row[0], *_split(_cell(row, 1))):
            add(name, entry)
    demonyms: list[tuple[str, Entry]] = []
    for entry, names, adjectives in _countries():
        for name in names:
            add(name, entry)
        demonym = Entry(
            entry.kind, entry.name, "demonym", entry.code, entry.scheme, entry.parent,
            entry.same_as, demonym=True,
        )  # fmt: skip
        demonyms.extend((adjective, demonym) for adjective in adjectives)
    for row in data_lines("cities.tsv"):
        entry = Entry(
            "place", row[0], "gazetteer:city", parent=row[1], same_as=_same_as(_cell(row, 4))
        )
        for name in (row[0], *_split(_cell(row, 3))):
            add(name, entry)
    for row in data_lines("regions.tsv"):
        entry = Entry("place", row[0], "gazetteer:region", parent=_cell(row, 2) or None)
        for name in (row[0], *_split(_cell(row, 1))):
            add(name, entry)
    for adjective, entry in demonyms:
        add(adjective, entry)

    index: dict[str, list[tuple[tuple[str, ...], Entry]]] = {}
    for tokens, entry in entries.items():
        index.setdefault(tokens[0], []).append((tokens, entry))
    titles = {row[0]: _cell(row, 1) == "person" for row in data_lines("titles.tsv")}
    return Lexicon(
        index={k: tuple(sorted(v, key=lambda p: -len(p[0]))) for k, v in index.items()},
        first_names=data_words("first_names.txt"),
        titles=titles,
        roles=data_words("roles.txt"),
        speech=data_words("speech_verbs.txt"),
        not_names=data_words("not_names.txt"),
        stopwords=data_words("stopwords_en.txt"),
    )


@cache
def city_zones() -> dict[str, str]:
    """City (or territory) name or alias → IANA zone, from ``cities.tsv`` and ``regions.tsv``."""
    zones: dict[str, str] = {}
    for row in data_lines("cities.tsv"):
        if _cell(row, 2):
            for name in (row[0], *_split(_cell(row, 3))):
                zones.setdefault(name, row[2])
    for row in data_lines("regions.tsv"):
        if _cell(row, 3):
            for name in (row[0], *_split(_cell(row, 1))):
                zones.setdefault(name, row[3])
    return zones


# --------------------------------------------------------------------------- mentions


@dataclass(slots=True)
class Found:
    """Mentions of one concept gathered over the article."""

    entry: Entry
    mentions: int = 0
    weight: float = 0.0
    # Ordered sets: a name on every line of a long article is added once per
    # mention, and a list's membership test would make that quadratic.
    where: dict[str, None] = field(default_factory=dict)
    matched: dict[str, None] = field(default_factory=dict)

    def add(self, surface: str, where: str) -> None:
        self.mentions += 1
        self.weight += WEIGHTS.get(where, 1.0)
        self.where[where] = None
        self.matched[surface] = None


def gazetteer_tag(entry: Entry, mentions: Iterable[tuple[str, str]], rule: str) -> Tag:
    """The tag of ``entry`` found as ``(surface, where)`` mentions, scored as this module does.

    For taggers of other languages that match the same concepts: the tag's
    fields (name, slug, code, scheme, same_as, parent) are this module's.
    """
    found = Found(replace(entry, rule=rule))
    for surface, where in mentions:
        found.add(surface, where)
    return tag_of(found)


def tag_of(found: Found) -> Tag:
    e = found.entry
    return Tag(
        kind=e.kind,
        name=e.name,
        slug=tag_slug(e.name),
        code=e.code,
        scheme=e.scheme,
        same_as=e.same_as,
        parent=e.parent,
        score=round(found.weight, 3),
        evidence=Evidence(
            mentions=found.mentions,
            where=tuple(sorted(found.where, key=reading_order)),
            matched=tuple(found.matched),
            rule=e.rule,
        ),
    )


def absorb(target: Found, source: Found) -> None:
    """Count ``source``'s mentions as ``target``'s (the same concept found twice)."""
    target.mentions += source.mentions
    target.weight += source.weight
    target.where.update(source.where)
    target.matched.update(source.matched)
