"""The gazetteer: named concepts (countries, cities, regions, organisations), the
word lists of ``data/``, and how mentions of a concept add up to a tag.

A library, not an enricher: ``entities`` reads English text with it,
``places_rtl`` matches Arabic, Persian and Urdu names to the same entries,
``keywords`` borrows its word lists, ``dates`` its city time zones, and
``dates``, ``keywords``, ``_script`` and ``scripts/`` its loaders. Every data
file is read once per process.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields, replace
from functools import cache
from importlib import resources
from typing import Any, overload

from feedtool._slug import tag_slug
from feedtool._tables import stored
from feedtool.enrich._text import reading_order
from feedtool.model import Evidence, Tag, TagKind

KINDS: tuple[TagKind, ...] = ("person", "organization", "place")

WIKIDATA = "https://www.wikidata.org/entity/"
ISO_3166_1 = "urn:iso:std:iso:3166:-1"
ISO_3166_2 = "urn:iso:std:iso:3166:-2"
ISO_3166_3 = "urn:iso:std:iso:3166:-3"

# Weight of one mention by where it is: the headline says what the article is about.
WEIGHTS = {"headline": 3.0, "description": 2.0, "caption": 1.5, "dateline": 3.0}

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
    # Places only. How much context a mention needs (see ``NEED_*``), the US,
    # Canadian or Australian state (ISO 3166-2) of a city, and its population
    # (GeoNames), which ranks places of the same name.
    need: int = 1
    state: str | None = None
    population: int = 0

    def __reduce__(self) -> tuple[type[Entry], tuple[Any, ...]]:
        # Unpickled through __init__: dataclasses' own __setstate__ for a
        # frozen, slotted class looks up the fields again for every one of
        # the ~35,000 entries in the kept tables (feedtool._tables).
        return (Entry, tuple(getattr(self, name) for name in _ENTRY_FIELDS))


_ENTRY_FIELDS = tuple(f.name for f in fields(Entry))

# Context a place name needs before it counts as a place: none (countries,
# curated cities, world cities of a million people), a place preposition
# before it ("in Hartford"), or a dateline or "City, State" qualifier
# ("HARTFORD, Conn.", "Reading, Pa.").
NEED_NONE = 1
NEED_PREPOSITION = 2
NEED_QUALIFIER = 3
# A world city this large is named without context ("Lagos", "Chengdu").
BIG_CITY = 1_000_000
GEONAMES = "https://sws.geonames.org/"


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Everything the rules look words up in, loaded once.

    Compact: the ~32,000 entries are kept encoded in one ``bytes`` and made
    into :class:`Entry` objects when a lookup finds them (once per process
    each, so an entry is one object however it is reached). Built as a graph
    of objects, the table was ~32 MB in every parse process and ~0.1 s to
    read back from the kept tables; so it is a few MB, read in a few ms.
    """

    # first token of a name → the entry number of the one name starting with
    # it when that name is the token alone, else ``-1 - n``: the names
    # starting with it are ``starts[n]``
    index: dict[str, int]
    first_names: frozenset[str]
    titles: dict[str, bool]  # word → whether it proves a person follows
    roles: frozenset[str]
    speech: frozenset[str]
    not_names: frozenset[str]
    stopwords: frozenset[str]
    org_heads: frozenset[str]  # last words of organisations' names
    club_heads: frozenset[str]  # ... of football clubs' names, after a place
    club_context: frozenset[str]  # words after a city that make it a club
    # (tokens, entry number) of the names sharing a first token, longest first
    starts: tuple[tuple[tuple[tuple[str, ...], int], ...], ...] = ()
    # the entries, encoded (``_encode``), and where each starts (one more: the end)
    records: bytes = b""
    offsets: array[int] = field(default_factory=lambda: array("I", [0]))
    # place name tokens → every place of that name (entry numbers), the default reading first
    homonym_numbers: dict[tuple[str, ...], tuple[int, ...]] = field(default_factory=dict)
    # qualifier after "City, " ("Conn.", "N.C.", "Texas", "Japan") → ISO codes
    qualifiers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    qualifier_source: str = "(?!)"
    country_numbers: dict[str, int] = field(default_factory=dict)  # code → country
    state_numbers: dict[str, int] = field(default_factory=dict)  # ISO 3166-2 code → state
    # n → (the second tokens of the names of ``starts[n]``, the number of the
    # name that is their first token alone or -1), for the groups of many
    # names ("San", "Al": hundreds): a word after "San" seldom starts any
    # of them, and is then no name of two tokens or more
    seconds: dict[int, tuple[frozenset[str], int]] = field(default_factory=dict)
    # entry number → its Entry, as far as this process has met them
    decoded: dict[int, Entry] = field(default_factory=dict)

    def __reduce__(self) -> tuple[type[Lexicon], tuple[Any, ...]]:
        # The entries this process has made are not part of the kept table.
        return (Lexicon, tuple(getattr(self, f.name) for f in fields(self) if f.name != "decoded"))

    def entry(self, number: int) -> Entry:
        """The entry numbered ``number`` (the same object every time)."""
        found = self.decoded.get(number)
        if found is None:
            found = self.decoded[number] = _decode(self.records, self.offsets, number)
        return found

    def candidates(self, first: str) -> tuple[tuple[tuple[str, ...], Entry], ...]:
        """``(tokens, entry)`` of every name whose first token is ``first``, longest first."""
        found = self.index.get(first)
        if found is None:
            return ()
        if found >= 0:
            return (((first,), self.entry(found)),)
        return tuple((tokens, self.entry(number)) for tokens, number in self.starts[-1 - found])

    def match(self, words: list[str], start: int, stop: int) -> tuple[int, Entry | None]:
        """The longest entry whose tokens are ``words[start:…]``, within ``stop``."""
        found = self.index.get(words[start])
        if found is None:
            return 0, None
        if found >= 0:
            return (1, self.entry(found)) if start < stop else (0, None)
        group = -1 - found
        quick = self.seconds.get(group)
        if quick is not None and (start + 1 >= stop or words[start + 1] not in quick[0]):
            alone = quick[1]
            return (1, self.entry(alone)) if alone >= 0 and start < stop else (0, None)
        for tokens, number in self.starts[group]:
            end = start + len(tokens)
            if end <= stop and tuple(words[start:end]) == tokens:
                return len(tokens), self.entry(number)
        return 0, None

    def names(self) -> Iterator[tuple[tuple[str, ...], Entry]]:
        """Every ``(tokens, entry)`` of the index, for tables built from it.

        The entries are made afresh, not kept: a scan of all of them would
        otherwise keep every one in this process.
        """
        for tokens, number in self._numbered():
            yield tokens, _decode(self.records, self.offsets, number)

    def demonyms(self) -> Iterator[tuple[tuple[str, ...], Entry]]:
        """The ``names()`` whose entry is a demonym ("Iranian"), in the same order.

        The flag is read from each record's bytes: the other entries (tens of
        thousands of places, built while a cold build waits) are not made.
        """
        records, offsets = self.records, self.offsets
        for tokens, number in self._numbered():
            cells = records[offsets[number] : offsets[number + 1]].split(_CELL_BYTES, 8)
            if cells[7]:
                yield tokens, _decode(records, offsets, number)

    def _numbered(self) -> Iterator[tuple[tuple[str, ...], int]]:
        for first, found in self.index.items():
            if found >= 0:
                yield (first,), found
            else:
                yield from self.starts[-1 - found]

    @property
    def homonyms(self) -> _Places:
        """Place name tokens → every place of that name, the default reading first."""
        return _Places(self)

    @property
    def countries(self) -> _Codes:
        """ISO 3166-1 code → the country."""
        return _Codes(self, self.country_numbers)

    @property
    def states(self) -> _Codes:
        """ISO 3166-2 code → the state."""
        return _Codes(self, self.state_numbers)

    @property
    def qualifier_pattern(self) -> re.Pattern[str]:
        """A qualifier right after a place name: ", Conn."."""
        return _compiled(self.qualifier_source)


@cache
def _compiled(source: str) -> re.Pattern[str]:
    # Compiled when first used, not when the table is read: hundreds of alternatives.
    return re.compile(source)


class _Places:
    """``Lexicon.homonyms``: entries made from their numbers as they are asked for."""

    __slots__ = ("_lex",)

    def __init__(self, lex: Lexicon) -> None:
        self._lex = lex

    @overload
    def get(self, tokens: tuple[str, ...]) -> tuple[Entry, ...] | None: ...

    @overload
    def get(self, tokens: tuple[str, ...], default: tuple[Entry, ...]) -> tuple[Entry, ...]: ...

    def get(
        self, tokens: tuple[str, ...], default: tuple[Entry, ...] | None = None
    ) -> tuple[Entry, ...] | None:
        numbers = self._lex.homonym_numbers.get(tokens)
        if numbers is None:
            return default
        return tuple(self._lex.entry(number) for number in numbers)

    def __getitem__(self, tokens: tuple[str, ...]) -> tuple[Entry, ...]:
        return tuple(self._lex.entry(number) for number in self._lex.homonym_numbers[tokens])

    def __contains__(self, tokens: object) -> bool:
        return tokens in self._lex.homonym_numbers

    def __len__(self) -> int:
        return len(self._lex.homonym_numbers)


class _Codes:
    """``Lexicon.countries`` and ``.states``: code → entry, made when asked for."""

    __slots__ = ("_lex", "_numbers")

    def __init__(self, lex: Lexicon, numbers: dict[str, int]) -> None:
        self._lex, self._numbers = lex, numbers

    def get(self, code: str | None, default: Entry | None = None) -> Entry | None:
        number = self._numbers.get(code) if code is not None else None
        return default if number is None else self._lex.entry(number)

    def __getitem__(self, code: str) -> Entry:
        return self._lex.entry(self._numbers[code])

    def __contains__(self, code: object) -> bool:
        return code in self._numbers

    def __len__(self) -> int:
        return len(self._numbers)


# An entry's fields in one line: ``_CELL`` between them, ``_ITEM`` between the
# ``same_as`` links, written short (``_LINKS``); an empty cell is ``None``.
_CELL = "\x1f"
_CELL_BYTES = _CELL.encode()
_ITEM = "\x1e"
_LINKS = ((WIKIDATA, "w"), (GEONAMES, "g"))


def _encode(entry: Entry) -> str:
    links = []
    for link in entry.same_as:
        for prefix, short in _LINKS:
            if link.startswith(prefix):
                link = short + link[len(prefix) :]
                break
        else:
            link = "=" + link
        links.append(link)
    cells = [
        entry.kind,
        entry.name,
        entry.rule,
        entry.code,
        entry.scheme,
        entry.parent,
        _ITEM.join(links),
        "1" if entry.demonym else "",
        str(entry.need),
        entry.state,
        str(entry.population),
    ]
    # "" stands for None: a field that is "" would come back as None.
    if "" in cells[:6] or "" in cells[8:]:
        raise ValueError(f"an empty field in gazetteer entry {entry!r}")
    line = _CELL.join([cell or "" for cell in cells])
    # Checked on the line, not cell by cell (a cold build waits while tens of
    # thousands of entries are encoded): exactly the separators put there.
    if line.count(_CELL) != len(cells) - 1 or line.count(_ITEM) != max(len(links) - 1, 0):
        raise ValueError(f"a separator in gazetteer entry {entry!r}")
    return line


_INTERNED: dict[str, str] = {}


def _decode(records: bytes, offsets: array[int], number: int) -> Entry:
    cells = records[offsets[number] : offsets[number + 1]].decode("utf-8").split(_CELL)
    kind, name, rule, code, scheme, parent, links, demonym, need, state, population = cells
    same_as = []
    if links:
        for link in links.split(_ITEM):
            short, rest = link[0], link[1:]
            same_as.append(rest if short == "=" else _PREFIXES[short] + rest)
    shared = _INTERNED.setdefault
    return Entry(
        kind=shared(kind, kind),  # type: ignore[arg-type]
        name=name,
        rule=shared(rule, rule),
        code=shared(code, code) if code else None,
        scheme=shared(scheme, scheme) if scheme else None,
        parent=shared(parent, parent) if parent else None,
        same_as=tuple(same_as),
        demonym=bool(demonym),
        need=int(need),
        state=shared(state, state) if state else None,
        population=int(population),
    )


_PREFIXES = {short: prefix for prefix, short in _LINKS}


def _compact(
    entries: dict[tuple[str, ...], Entry],
    homonyms: dict[tuple[str, ...], tuple[Entry, ...]],
    countries: dict[str, Entry],
    states: dict[str, Entry],
) -> tuple[
    dict[str, int],
    tuple[tuple[tuple[tuple[str, ...], int], ...], ...],
    bytes,
    array[int],
    dict[tuple[str, ...], tuple[int, ...]],
    dict[str, int],
    dict[str, int],
]:
    """The lexicon's entries as numbers into one encoded ``bytes``.

    Numbered by identity: an Entry reached by several names (or by a name and
    ``states``) is one number, so one object again once decoded; distinct
    objects of equal value stay distinct, as they were.
    """
    numbers: dict[int, int] = {}
    chunks: list[bytes] = []
    offsets = array("I", [0])
    keep: list[Entry] = []  # alive while numbered: an id is only unique among live objects

    def number(entry: Entry) -> int:
        found = numbers.get(id(entry))
        if found is None:
            found = numbers[id(entry)] = len(chunks)
            keep.append(entry)
            chunks.append(_encode(entry).encode("utf-8"))
            offsets.append(offsets[-1] + len(chunks[-1]))
        return found

    words: dict[str, str] = {}  # one object per token across the names
    grouped: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for tokens, entry in entries.items():
        tokens = tuple(words.setdefault(t, t) for t in tokens)
        grouped.setdefault(tokens[0], []).append((tokens, number(entry)))
    index: dict[str, int] = {}
    starts: list[tuple[tuple[tuple[str, ...], int], ...]] = []
    for first, names in grouped.items():
        if len(names) == 1 and len(names[0][0]) == 1:
            index[first] = names[0][1]
        else:
            index[first] = -1 - len(starts)
            starts.append(tuple(sorted(names, key=lambda p: -len(p[0]))))
    homonym_numbers = {
        tuple(words.setdefault(t, t) for t in tokens): tuple(number(e) for e in found)
        for tokens, found in homonyms.items()
    }
    country_numbers = {code: number(e) for code, e in countries.items()}
    state_numbers = {code: number(e) for code, e in states.items()}
    return (
        index,
        tuple(starts),
        b"".join(chunks),
        offsets,
        homonym_numbers,
        country_numbers,
        state_numbers,
    )


def data_lines(name: str) -> Iterator[list[str]]:
    """Rows of a tab-separated file in ``data/``, comments and blank lines skipped."""
    text = resources.files("feedtool.enrich").joinpath("data", name).read_text("utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            yield [cell.strip() for cell in line.split("\t")]


@cache
def data_words(name: str) -> frozenset[str]:
    """The first column of a list in ``data/`` (read once per process, on first use)."""
    return frozenset(row[0] for row in data_lines(name))


def _cell(row: list[str], number: int) -> str:
    return row[number] if len(row) > number else ""


def _split(cell: str) -> list[str]:
    if "|" not in cell:  # most cells: empty, or one name (tens of thousands of rows)
        cell = cell.strip()
        return [cell] if cell else []
    return [part.strip() for part in cell.split("|") if part.strip()]


def _same_as(qid: str) -> tuple[str, ...]:
    return (WIKIDATA + qid,) if re.fullmatch(r"Q[1-9][0-9]*", qid) else ()


def tokenize(text: str) -> list[str]:
    """Words as the gazetteer stores them (apostrophes straightened)."""
    if text.isalpha():  # most names: one plain word (33,000 city names load faster)
        return [text]
    return [m.group().translate(APOSTROPHES) for m in TOKEN.finditer(text)]


def _countries() -> Iterator[tuple[Entry, list[str], list[str]]]:
    """(entry, names, demonyms) for every country pycountry knows, plus the extra rows."""
    # Imported here: only a build of the lookup tables needs it (a build that
    # reads them from its folder's file never does), and its loading, logging
    # included, is some 8 ms of an edit's start.
    import pycountry

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


@stored
def lexicon() -> Lexicon:
    """Load and index the data files (once per process)."""
    entries: dict[tuple[str, ...], Entry] = {}
    places: dict[tuple[str, ...], list[Entry]] = {}  # every place of a name, first wins

    def add(name: str, entry: Entry) -> None:
        tokens = tuple(tokenize(name))
        if not tokens:
            return
        if tokens not in entries:  # earlier sources win a shared name
            entries[tokens] = entry
        if entry.kind == "place" and not entry.demonym:
            known = places.setdefault(tokens, [])
            if not any(entry is k for k in known):
                known.append(entry)

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
    world_rows = _world_rows()
    for row in data_lines("cities.tsv"):
        record = world_rows.get((row[0], row[1]))
        entry = Entry(
            "place",
            row[0],
            "gazetteer:city",
            parent=row[1],
            same_as=_same_as(_cell(row, 4)) + ((f"{GEONAMES}{record[4]}/",) if record else ()),
            state=(record[2] or None) if record else None,
            population=int(record[3]) if record else 0,
        )
        for name in (row[0], *_split(_cell(row, 3))):
            add(name, entry)
    for row in data_lines("regions.tsv"):
        entry = Entry("place", row[0], "gazetteer:region", parent=_cell(row, 2) or None)
        for name in (row[0], *_split(_cell(row, 1))):
            add(name, entry)
    first_names = data_words("first_names.txt")
    not_names = data_words("not_names.txt")
    stopwords = data_words("stopwords_en.txt")
    titles = {row[0]: _cell(row, 1) == "person" for row in data_lines("titles.tsv")}
    states = _states(first_names)
    world = _world_cities(states, first_names | not_names | frozenset(titles), stopwords)
    for state, names in states.values():
        for name in names:
            add(name, state)
    for entry, names in world:
        for name in names:
            add(name, entry)
    for adjective, entry in demonyms:
        add(adjective, entry)
    homonyms = {tokens: tuple(found) for tokens, found in places.items() if len(found) > 1}
    countries = {e.code: e for e, _n, _d in _countries() if e.code}
    qualifiers = _qualifiers(states, _countries())

    index, starts, records, offsets, homonym_numbers, country_numbers, state_numbers = _compact(
        entries,
        homonyms,
        countries,
        {code: entry for code, (entry, _names) in states.items()},
    )
    # Only the making reads GeoNames' rows (tens of thousands of lists): not
    # kept, nor inherited by the parse workers.
    _world_table.cache_clear()
    _world_rows.cache_clear()
    return Lexicon(
        index=index,
        first_names=first_names,
        titles=titles,
        roles=data_words("roles.txt"),
        speech=data_words("speech_verbs.txt"),
        not_names=not_names,
        stopwords=stopwords,
        org_heads=data_words("org_heads.txt"),
        club_heads=data_words("club_heads.txt"),
        club_context=data_words("club_context.txt"),
        starts=starts,
        records=records,
        offsets=offsets,
        homonym_numbers=homonym_numbers,
        qualifiers=qualifiers,
        qualifier_source=(
            r"\s*,\s*("
            + "|".join(re.escape(q) for q in sorted(qualifiers, key=lambda q: (-len(q), q)))
            + r")(?![\w'’-])"
        ),
        country_numbers=country_numbers,
        state_numbers=state_numbers,
        seconds=_seconds(starts),
    )


# A group of names this large is looked up by its second tokens first.
_MANY_NAMES = 16


def _seconds(
    starts: tuple[tuple[tuple[tuple[str, ...], int], ...], ...],
) -> dict[int, tuple[frozenset[str], int]]:
    """``Lexicon.seconds`` of ``starts``."""
    found: dict[int, tuple[frozenset[str], int]] = {}
    for n, names in enumerate(starts):
        if len(names) >= _MANY_NAMES:
            alone = next((number for tokens, number in names if len(tokens) == 1), -1)
            found[n] = (frozenset(tokens[1] for tokens, _n in names if len(tokens) > 1), alone)
    return found


@cache
def _world_table() -> tuple[list[str], ...]:
    """The rows of ``world_cities.tsv``, most populous first."""
    return tuple(data_lines("world_cities.tsv"))


@cache
def _world_rows() -> dict[tuple[str, str], list[str]]:
    """(name, country) → the most populous row of ``world_cities.tsv`` so named."""
    rows: dict[tuple[str, str], list[str]] = {}
    for row in _world_table():
        rows.setdefault((row[0], row[1]), row)
    return rows


def _states(given_names: frozenset[str]) -> dict[str, tuple[Entry, list[str]]]:
    """ISO 3166-2 code → (entry, names matched anywhere) of the states in ``states.tsv``.

    A state whose name is also a given name ("Victoria") is matched only
    with a qualifier or a dateline.
    """
    states: dict[str, tuple[Entry, list[str]]] = {}
    for row in data_lines("states.tsv"):
        name, code = row[0], row[1]
        entry = Entry(
            "place",
            name,
            "gazetteer:region",
            code=code,
            scheme=ISO_3166_2,
            parent=code[:2],
            same_as=_same_as(_cell(row, 3)),
            need=NEED_QUALIFIER if name in given_names else NEED_NONE,
            state=code,
        )
        states[code] = (entry, [name])
    return states


def _world_cities(
    states: dict[str, tuple[Entry, list[str]]], not_alone: frozenset[str], stopwords: frozenset[str]
) -> list[tuple[Entry, list[str]]]:
    """Entries of ``world_cities.tsv`` (GeoNames), most populous first, with their names.

    A city named like a more populous place is shown with its state or
    country ("Paris, Texas"). Context needed: none from a million people on,
    else a place preposition; a qualifier or a dateline when the name is an
    English word, a given name, a title or a word never in a name.
    """
    country_names = {e.code: e.name for e, _n, _d in _countries() if e.code}
    curated = {(row[0], row[1]) for row in data_lines("cities.tsv")}
    seen: set[str] = {name for name, _code in curated}
    seen.update(entry.name for entry, _names in states.values())
    cities: list[tuple[Entry, list[str]]] = []
    for row in _world_table():
        name, country, state = row[0], row[1], _cell(row, 2)
        if (
            not name[:1].isupper()
            or name == country_names.get(country)
            or ((name, country) in curated and _world_rows()[(name, country)] is row)
        ):
            continue  # "les Escaldes"; a city-state's city; the curated row's city
        population = int(row[3])
        word = "w" in _cell(row, 6)
        if word or name in not_alone or name.lower() in stopwords:
            need = NEED_QUALIFIER
        elif population >= BIG_CITY:
            need = NEED_NONE
        else:
            need = NEED_PREPOSITION
        label = name
        if name in seen:
            where = states[state][0].name if state in states else country_names.get(country)
            label = f"{name}, {where or country}"
        seen.add(name)
        entry = Entry(
            "place",
            label,
            "gazetteer:city",
            parent=country,
            same_as=(f"{GEONAMES}{row[4]}/",),
            need=need,
            state=state or None,
            population=population,
        )
        names = [name, *_split(_cell(row, 7))]
        if name.startswith("Saint "):  # "St. Paul", "St Petersburg"
            names += [f"St. {name[6:]}", f"St {name[6:]}"]
        cities.append((entry, names))
    return cities


def _qualifiers(
    states: dict[str, tuple[Entry, list[str]]],
    countries: Iterable[tuple[Entry, list[str], list[str]]],
) -> dict[str, tuple[str, ...]]:
    """What may follow "City, ": state names and abbreviations, country names."""
    found: dict[str, list[str]] = {}
    for row in data_lines("states.tsv"):
        for text in (row[0], *_split(_cell(row, 2))):
            found.setdefault(text, []).append(row[1])
    for entry, names, _adjectives in countries:
        if entry.code:
            for name in names:
                found.setdefault(name, []).append(entry.code)
    return {text: tuple(dict.fromkeys(codes)) for text, codes in found.items()}


def in_region(entry: Entry, codes: Iterable[str], *, exact: bool = False) -> bool:
    """Whether the place ``entry`` lies in one of ``codes`` (ISO 3166-1 or -2).

    A state's code matches a city of that state; loosely (not ``exact``) also
    any place of its country whose state is unknown.
    """
    for code in codes:
        if code in (entry.state, entry.code):
            return True
        country, _dash, subdivision = code.partition("-")
        if entry.parent == country and (not subdivision or (not exact and entry.state is None)):
            return True
        if entry.code == country and not subdivision:
            return True
    return False


def _in_region_best(places: Iterable[Entry], codes: tuple[str, ...]) -> Entry | None:
    """The first of ``places`` in ``codes``, exact matches first."""
    places = tuple(places)
    return next((p for p in places if in_region(p, codes, exact=True)), None) or next(
        (p for p in places if in_region(p, codes)), None
    )


def qualified(entry: Entry, qualifier: str) -> Entry | None:
    """The place named like ``entry`` that lies in ``qualifier`` ("Conn."), if any."""
    lex = lexicon()
    codes = lex.qualifiers.get(qualifier, ())
    if not codes:
        return None
    others = lex.homonyms.get(tuple(tokenize(_plain_name(entry))), (entry,))
    return _in_region_best((o for o in others if o.rule == entry.rule), codes)


def _plain_name(entry: Entry) -> str:
    """'Paris' for 'Paris, Texas'."""
    return entry.name.split(",", 1)[0] if entry.rule == "gazetteer:city" else entry.name


def place_named(name: str, region: str | None = None) -> tuple[Entry | None, Entry | None]:
    """The place a dateline names ('HARTFORD', 'Conn.') and the region it qualifies it with.

    Case does not matter (datelines are in capitals). With ``region``, a
    place of that name in that state or country wins over a larger one
    elsewhere; without, the most populous.
    """
    lex = lexicon()
    tokens = tuple(tokenize(_titled(name)))
    if not tokens:
        return None, None
    places = lex.homonyms.get(tokens)
    if places is None:
        _n, entry = lex.match(list(tokens), 0, len(tokens))
        places = (entry,) if entry is not None and entry.kind == "place" else ()
    region_entry = None
    chosen = places[0] if places else None
    if region:
        region_text = region.strip()
        codes = (
            lex.qualifiers.get(region_text)
            or lex.qualifiers.get(_titled(region_text))
            or lex.qualifiers.get(region_text + ".", ())  # "Pa" for "Pa."
        )
        if codes:
            # a place of that name elsewhere is not the one meant ("GREENWICH, Conn.")
            chosen = _in_region_best(places, codes)
            region_entry = lex.states.get(codes[0]) or lex.countries.get(codes[0])
    return chosen, region_entry


def _titled(text: str) -> str:
    """'NEW YORK' → 'New York'; text in mixed case is left alone."""
    if not text.isupper():
        return text
    return " ".join(
        w[:1] + w[1:].lower() if not re.fullmatch(r"(?:[A-Z]\.)+", w) else w for w in text.split()
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
