"""Enricher: entities — the people, organisations and places an article names.

No statistical model: gazetteers kept in ``data/`` (countries from pycountry
plus ``countries.tsv``, ``cities.tsv``, ``regions.tsv``, ``organizations.tsv``)
and a few rules over capitalised word runs.

How a sentence is read. Its tokens are grouped into *chunks*: runs of
capitalised words separated by spaces only (a comma, a dash or a possessive
ends a chunk; "of", "for", "the", "and" and name particles may sit inside).
Each chunk is read left to right, and at each word the longest of these wins:

* a gazetteer entry (case-sensitive, "SNSC" and "Supreme National Security
  Council" are one entry);
* an organisation pattern: capitalised words ending in a head word such as
  Council, Ministry, Party, Agency, University, Court… with an optional
  "of/for [the] …" tail ("Office of the Deputy Prime Minister"). An acronym in
  brackets right after one ("(ODPM)") becomes its alias for the article; an
  acronym after anything else ("Statutory Regulatory Order (SRO)") does not;
* a person's name: 2–4 name-like words after any titles are stripped
  ("Interior Minister Mohsin Naqvi" → "Mohsin Naqvi"). It is kept only with
  evidence: a known given name first, a personal title (Mr, President…) or a
  role word before it ("analyst John Reade"), a verb of saying next to it, an
  apposition (", chief executive of …"), or a "Mr/Ms Surname" elsewhere.

Then, for the whole article: "Mr Blair" and a bare "Larijani" are mentions of
the full name that has the same surname (when exactly one has); the author of
an embedded post is a person; a demonym ("Pakistani", "Saudi-") counts as a
mention of its country only when the article names that country too — on its
own it makes no tag, since "the French government" does not make an article
about France.

Each tag carries ``Evidence``: mentions, where ('headline', 'line 7'…), the
surface forms matched and the rule. Countries have their ISO 3166-1 alpha-2
``code`` (scheme ``urn:iso:std:iso:3166:-1``) and, where the data has one, a
Wikidata URI in ``same_as``; cities have their country's code as ``parent``.
Tags given in front matter win over inferred ones with the same slug.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache

from feedtool._tables import on_release
from feedtool._text import (
    MONTH_NAMES,
    MONTHS,
    WEEKDAY_NAMES,
    WORD_CACHE_SIZE,
    derived_from,
    sentence_spans,
)
from feedtool.config import Config
from feedtool.enrich import enricher
from feedtool.enrich._tags import merge_tags
from feedtool.enrich._text import segments, where_label
from feedtool.enrich.gazetteer import (
    APOSTROPHES,
    KINDS,
    NEED_NONE,
    NEED_PREPOSITION,
    NEED_QUALIFIER,
    TOKEN,
    Entry,
    Found,
    Lexicon,
    absorb,
    in_region,
    lexicon,
    place_named,
    qualified,
    tag_of,
    tokenize,
)
from feedtool.model import EmbeddedPost, NewsItem, Paragraph, Tag


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that may sit inside a chunk between capitalised words.
_CONNECTORS = _words("of for on upon the and & de du des da das do dos del della di")
_PARTICLES = _words(
    "van von der den ter de du des da das do dos del della di le la al el bin ibn bint y"
)
# Words that start a date, never the name after an organisation's "of"/"on"/"for".
_DATE_WORDS = frozenset(
    [
        *WEEKDAY_NAMES,
        *MONTH_NAMES,
        *(m.capitalize() for m in MONTHS),
        *(w[:3] for w in WEEKDAY_NAMES),
        *("Tues", "Wed", "Thur", "Thurs"),
    ]
)
# Before a city, these make a place of a name that needs context ("in Hartford").
_PLACE_PREPOSITIONS = _words(
    "in at near from outside to into across around throughout via inside toward towards"
)
# "<title> of <place>" is a title, not a mention of the place ("Duchess of Edinburgh").
_PEERAGE = _words(
    """Duke Duchess Earl Countess Marquess Marchioness Viscount Viscountess Baron Baroness
Bishop Archbishop Prince Princess Lord Lady Dean Provost"""
)
_LOCAL_PLACES = frozenset({"gazetteer:city", "gazetteer:region"})
# After a city, these name a place in it, so the city still counts ("Las Vegas
# Strip", "Tokyo Bay"); any other capitalised word makes a name of its own
# ("York Central", "Boston Globe").
_FEATURES = _words(
    """Strip Street Road Avenue Square Park Airport Station Bay Harbour Harbor Valley Bridge
Port Docks Beach Island Islands River Downtown Metro"""
)
# After a lone surname, these show it is a person's: "the Clinton administration".
_LED_BY = frozenset(["administration", "government", "presidency", "premiership"])
# A word after a given name that is usually a common word but here a surname.
_SURNAME_WORDS = frozenset(
    ["Black", "White", "Green", "Brown", "Gold", "May", "King", "Major", "Young", "Bay"]
)
_ACRONYM_AFTER = re.compile(r"\s*\(([A-Z][A-Za-z&]{1,9})\)")
_GAP_IN_CHUNK = re.compile(r"[ \t\u00a0]+")
_APPOSITION = re.compile(
    r"\s*,\s*(?:who\b|(?:(?:a|an|the|his|her|its|their)\s+)?([\w'’-]+(?:\s+[\w'’-]+){0,3}))"
)


# --------------------------------------------------------------------------- tokens


@dataclass(slots=True)
class _Token:
    text: str  # as written, apostrophes straightened
    base: str  # possessive 's or trailing quote removed
    start: int
    end: int
    cap: bool
    poss: bool
    used: bool = False


def _shape(written: str, lex: Lexicon) -> tuple[str, str, bool, bool]:
    """(text, base, cap, poss) of a token as written: see ``_Token``."""
    text = written.translate(APOSTROPHES)
    base, poss = text, False
    if len(text) > 2 and text.endswith("'s") and text not in lex.index:
        base, poss = text[:-2], True
    elif text.endswith("'"):
        base, poss = text[:-1], text.endswith("s'")
    cap = bool(base) and (base[0].isupper() or base in lex.index)
    return text, base, cap, poss


# A token's shape depends on the word and the lexicon only, and a corpus
# repeats its words: shapes are kept, for the lexicon they were made with.
_SHAPES: tuple[Lexicon | None, dict[str, tuple[str, str, bool, bool]]] = (None, {})
_MAX_SHAPES = WORD_CACHE_SIZE  # bounded: a process sees many words


def _forget_shapes() -> None:
    global _SHAPES
    _SHAPES = (None, {})


on_release(_forget_shapes)


# ``TOKEN`` with its match kept by ``split``: the pieces alternate between
# the text between tokens and a token, so each token's offsets are running
# sums of lengths (cheaper than a match object per token).
_SPLIT = re.compile(f"({TOKEN.pattern})")


def _tokens(sentence: str, lex: Lexicon) -> tuple[list[_Token], list[str]]:
    """The sentence's tokens, and the word each stands for (``base`` when
    possessive, else ``text``: what the gazetteer is matched against)."""
    global _SHAPES
    owner, shapes = _SHAPES
    if owner is not lex or len(shapes) > _MAX_SHAPES:
        _SHAPES = (lex, shapes := {})
    result: list[_Token] = []
    words: list[str] = []
    append, word, known = result.append, words.append, shapes.get  # locals
    # Made without calling ``__init__`` (every field is set below): a sentence
    # has tens of tokens and a corpus millions, and the call was most of the cost.
    new = object.__new__
    pieces = _SPLIT.split(sentence)
    position = len(pieces[0])
    for index in range(1, len(pieces), 2):
        written = pieces[index]
        shape = known(written)
        if shape is None:
            shape = shapes[written] = _shape(written, lex)
        token: _Token = new(_Token)
        token.text, token.base, token.cap, token.poss = shape
        token.start = position
        position += len(written)
        token.end = position
        token.used = False
        position += len(pieces[index + 1])
        append(token)
        word(shape[1] if shape[3] else shape[0])
    return result, words


def _chunks(tokens: list[_Token], sentence: str) -> Iterator[tuple[int, int]]:
    """[start, stop) ranges of capitalised runs (connectors inside, never at the ends)."""
    i, n = 0, len(tokens)
    while i < n:
        if not tokens[i].cap:
            i += 1
            continue
        j = i + 1
        last_cap = i
        while j < n and not tokens[j - 1].poss:
            gap = sentence[tokens[j - 1].end : tokens[j].start]
            if gap != " " and not _GAP_IN_CHUNK.fullmatch(gap):
                break
            if tokens[j].cap:
                last_cap = j
            elif tokens[j].base not in _CONNECTORS and tokens[j].base not in _PARTICLES:
                break
            j += 1
        yield i, last_cap + 1
        i = last_cap + 1


# --------------------------------------------------------------------------- reading


@dataclass(slots=True)
class _Candidate:
    """A capitalised run that may be a person's name."""

    words: tuple[str, ...]
    surface: str
    where: str
    evidence: bool  # local evidence that it is a person
    titled: bool  # after a personal title ("Mr", "President")


@dataclass(slots=True)
class _Reader:
    lex: Lexicon
    found: dict[tuple[str, str], Found] = field(default_factory=dict)
    local: dict[str, Entry] = field(default_factory=dict)  # acronyms defined in the text
    people: list[_Candidate] = field(default_factory=list)
    loose: list[tuple[str, str]] = field(default_factory=list)  # (word, where) unexplained
    defined: set[int] = field(default_factory=set)  # offsets of "(ACRONYM)" definitions
    where: str = ""  # the segment being read

    def hit(self, entry: Entry, surface: str, where: str) -> None:
        key = (entry.rule if entry.demonym else entry.kind, entry.name)
        found = self.found.get(key)
        if found is None:
            found = self.found[key] = Found(entry)
        found.add(surface, where)

    # ------------------------------------------------------------------ per sentence

    def sentence(self, text: str, where: str, names_allowed: bool) -> None:
        tokens, words = _tokens(text, self.lex)
        self.defined.clear()
        self.where = where
        for start, stop in _chunks(tokens, text):
            self._chunk(tokens, words, start, stop, text, where, names_allowed)
        for token in tokens:
            if token.cap and not token.used:
                if "-" in token.base:
                    self._hyphenated(token, where)
                    if token.used:
                        continue
                self.loose.append((token.base, where))

    def _lookup(
        self, words: list[str], tokens: list[_Token], j: int, stop: int
    ) -> tuple[int, Entry | None]:
        local = self.local.get(words[j])
        if local is not None:
            return 1, local
        length, entry = self.lex.match(words, j, stop)
        if entry is None and tokens[j].text != words[j]:  # "McDonald's" is a name, not a possessive
            length, entry = self.lex.match([tokens[j].text], 0, 1)
        return length, entry

    def _chunk(
        self,
        tokens: list[_Token],
        words: list[str],
        start: int,
        stop: int,
        text: str,
        where: str,
        names_allowed: bool,
    ) -> None:
        lex = self.lex
        j = start
        titled = False
        while j < stop:
            token = tokens[j]
            if token.start in self.defined:
                token.used = True
                j += 1
                continue
            if not token.cap:
                j += 1
                titled = False
                continue
            g_len, entry = self._lookup(words, tokens, j, stop)
            if entry is not None and entry.kind == "place" and entry.rule in _LOCAL_PLACES:
                entry = self._place_in_context(tokens, words, j, g_len, stop, text, entry, titled)
                if entry is None:
                    g_len = 0
            p_len = _org_pattern(tokens, words, j, stop, lex) if names_allowed else 0
            if p_len > g_len:
                self._organization(tokens, j, j + p_len, text, where)
                j += p_len
                titled = False
                continue
            if entry is not None and not (
                g_len == 1
                and names_allowed
                and token.base in lex.first_names
                and j + 1 < stop
                and _name_like(tokens[j + 1].base)
                and tokens[j + 1].base not in lex.not_names
            ):
                if self._is_club(tokens, j, g_len, entry):
                    for t in tokens[j : j + g_len]:
                        t.used = True
                else:
                    self._gazetteer(entry, tokens, j, j + g_len, text, where)
                j += g_len
                titled = False
                continue
            if token.base in lex.titles and j + 1 < stop and tokens[j + 1].cap and not token.poss:
                titled = titled or lex.titles[token.base]
                token.used = True
                j += 1
                continue
            if (
                token.base.lower() in lex.stopwords
                or token.base in lex.not_names
                or not names_allowed
            ):
                j += 1
                titled = False
                continue
            k = self._name_span(tokens, j, stop)
            if k == j:
                j += 1
                continue
            self._person(tokens, start, j, k, text, where, titled)
            j = k
            titled = False

    def _place_in_context(
        self,
        tokens: list[_Token],
        words: list[str],
        j: int,
        length: int,
        stop: int,
        text: str,
        entry: Entry,
        titled: bool,
    ) -> Entry | None:
        """The place a city or region name stands for here, or None when it is none.

        A qualifier ("Hartford, Conn.", "Paris, Texas") picks the place of that
        name in that state or country, and the state is a mention too. Without
        one, the name is no place after a personal title ("Mr Washington"), in
        "<peerage title> of <place>" ("Duchess of Edinburgh"), or when a
        capitalised word follows it in the same name ("York Central", "Boston
        Globe"); and it needs the context its entry asks for.
        """
        lex = self.lex
        k = j + length
        last = tokens[k - 1]
        if not last.poss:
            m = lex.qualifier_pattern.match(text, last.end)
            if m is not None:
                place = qualified(entry, m.group(1))
                if place is not None:
                    state = lex.states.get(lex.qualifiers[m.group(1)][0])
                    if state is not None and in_region(place, (state.code or "",)):
                        # the qualifier is this state, not another place ("Atlanta, Georgia")
                        self.defined.update(
                            t.start for t in tokens[k:] if m.start(1) <= t.start < m.end(1)
                        )
                        self.hit(state, m.group(1), self.where)
                    return place
                codes = lex.qualifiers[m.group(1)]
                if all("-" in code for code in codes):
                    # 'Cairo, Ga.', 'Essex, Ontario': a town of that state too
                    # small for the gazetteer, not the namesake abroad; the
                    # state is named.
                    state = lex.states.get(codes[0]) if len(codes) == 1 else None
                    if state is not None:
                        self.defined.update(
                            t.start for t in tokens[k:] if m.start(1) <= t.start < m.end(1)
                        )
                        self.hit(state, m.group(1), self.where)
                    return None
        if titled:
            return None
        if j >= 2 and tokens[j - 1].base == "of" and tokens[j - 2].base in _PEERAGE:
            return None
        if (
            k < stop
            and tokens[k].cap
            and not last.poss
            and tokens[k].base not in lex.titles
            and tokens[k].base not in _FEATURES
            and _weak(lex.match(words, k, stop)[1])
        ):
            return None
        if entry.need >= NEED_QUALIFIER:
            return None
        if entry.need >= NEED_PREPOSITION and not (
            j > 0 and tokens[j - 1].base.lower() in _PLACE_PREPOSITIONS
        ):
            return None
        return entry

    def _gazetteer(
        self, entry: Entry, tokens: list[_Token], j: int, k: int, text: str, where: str
    ) -> None:
        for t in tokens[j:k]:
            t.used = True
        surface = text[tokens[j].start : tokens[k - 1].end]
        if tokens[k - 1].poss:
            surface = surface[: len(surface) - (len(tokens[k - 1].text) - len(tokens[k - 1].base))]
        self.hit(entry, surface.translate(APOSTROPHES), where)
        if entry.kind == "organization":
            self._acronym(entry, text, tokens[k - 1].end)

    def _organization(self, tokens: list[_Token], j: int, k: int, text: str, where: str) -> None:
        name = " ".join(t.base if t.poss else t.text for t in tokens[j:k])
        entry = Entry("organization", name, "pattern:organization")
        self._gazetteer(entry, tokens, j, k, text, where)

    def _acronym(self, entry: Entry, text: str, end: int) -> None:
        """Make "(ODPM)" right after an organisation's name its alias in this article."""
        m = _ACRONYM_AFTER.match(text, end)
        if m is None:
            return
        acronym = m.group(1)
        known = self.local.get(acronym) or self.lex.match([acronym], 0, 1)[1]
        if known is None:
            self.local[acronym] = known = entry
        if known == entry:  # the definition names the organisation once, not twice
            self.defined.add(m.start(1))
            found = self.found[(entry.kind, entry.name)]
            found.matched[acronym] = None

    def _is_club(self, tokens: list[_Token], j: int, length: int, entry: Entry) -> bool:
        k = j + length
        return (
            entry.rule == "gazetteer:city"
            and not tokens[k - 1].poss
            and k < len(tokens)
            and tokens[k].base in self.lex.club_context
        )

    def _hyphenated(self, token: _Token, where: str) -> None:
        """'Saudi-Pakistani', 'Pakistan-Saudi', 'UK-wide': each part may be a place."""
        parts = [(part, self.lex.match([part], 0, 1)[1]) for part in token.base.split("-")]
        if any(e is None and len(p) > 2 and p.isupper() for p, e in parts):
            return  # "WGBH-Boston": a name of its own
        for part, entry in parts:
            # A part that is a place only in context ("Ashton-Tate") is no place here.
            if entry is not None and entry.kind == "place" and entry.need == NEED_NONE:
                self.hit(entry, part, where)
                token.used = True

    def _name_span(self, tokens: list[_Token], j: int, stop: int) -> int:
        lex = self.lex
        k = j
        names = 0
        first_is_given = _given(tokens[j].base, lex)
        if tokens[j].base in lex.titles or (tokens[j].base.endswith("ly") and not first_is_given):
            return j  # a title alone, or a sentence adverb: "Certainly I would…"
        while k < stop and names < 4:
            t = tokens[k]
            if t.cap:
                if not _name_like(t.base):
                    break
                if k > j:
                    if t.base.lower() in lex.stopwords:
                        break
                    if t.base in lex.not_names and not (
                        first_is_given and t.base in _SURNAME_WORDS
                    ):
                        break
                    if (
                        lex.match(
                            [w.base for w in tokens[k : min(stop, k + 4)]], 0, min(stop, k + 4) - k
                        )[0]
                        > 1
                    ):
                        break
                    if t.base in lex.titles and k + 1 < stop and tokens[k + 1].cap:
                        break
                names += 1
                k += 1
                if t.poss:
                    break
            elif t.base in _PARTICLES and names and k + 1 < stop and tokens[k + 1].cap:
                k += 1
            else:
                break
        while k > j and not tokens[k - 1].cap:
            k -= 1
        return k

    def _person(
        self,
        tokens: list[_Token],
        chunk_start: int,
        j: int,
        k: int,
        text: str,
        where: str,
        titled: bool,
    ) -> None:
        lex = self.lex
        words = tuple(t.base for t in tokens[j:k])
        surface = " ".join(t.base for t in tokens[j:k])
        before = tokens[chunk_start - 1].base.lower() if chunk_start > 0 else ""
        after = tokens[k].base.lower() if k < len(tokens) else ""
        evidence = (
            titled
            or _given(words[0], lex)
            or (j == chunk_start and (before in lex.roles or before in lex.speech))
            or (
                after in lex.speech
                and _GAP_IN_CHUNK.fullmatch(text[tokens[k - 1].end : tokens[k].start]) is not None
            )
            or _apposition(text, tokens[k - 1].end, lex)
        )
        if len(words) == 1 and after in _LED_BY and not tokens[j].poss:
            titled = True  # "the Clinton administration", "the Blair government"
        if len(words) == 1 and not titled:
            return  # a bare word: maybe a surname, linked in the article pass
        for t in tokens[j:k]:
            t.used = True
        self.people.append(_Candidate(words, surface, where, evidence, titled))
        if (
            len(words) == 2
            and j - 2 >= chunk_start
            and tokens[j - 1].base == "and"
            and not tokens[j - 2].used
            and _given(tokens[j - 2].base, lex)
        ):  # "Robin and Barry Gibb": Robin Gibb too
            sibling = (tokens[j - 2].base, words[-1])
            tokens[j - 2].used = True
            self.people.append(_Candidate(sibling, " ".join(sibling), where, evidence, titled))


def _weak(entry: Entry | None) -> bool:
    """No entry, or one that is no place without context of its own."""
    return entry is None or entry.need > NEED_NONE


def _given(word: str, lex: Lexicon) -> bool:
    return _name_like(word) and (word in lex.first_names or word.split("-")[0] in lex.first_names)


@lru_cache(maxsize=1 << 16)  # a pure function of a word, asked of every capitalised one
def _name_like(word: str) -> bool:
    if not word or not word[0].isupper():
        return False
    if len(word) > 1 and word.replace("-", "").replace("'", "").isupper():
        return False  # an acronym: "HAL", "BRC"
    if not all(ch.isalpha() or ch in "-'." for ch in word):
        return False
    return all(part[:1].isupper() for part in word.split("-"))  # not "Oscar-winning"


# Words of the articles parsed, of no use to rendering (see ``_tables.release``).
on_release(_name_like.cache_clear)


def _apposition(text: str, end: int, lex: Lexicon) -> bool:
    m = _APPOSITION.match(text, end)
    if m is None:
        return False
    if m.group(1) is None:
        return True  # ", who …"
    return any(w.lower().translate(APOSTROPHES) in lex.roles for w in m.group(1).split())


def _org_pattern(tokens: list[_Token], words: list[str], j: int, stop: int, lex: Lexicon) -> int:
    """Length of an organisation name starting at ``j`` (0 when there is none)."""
    best = 0
    k = j
    while k < stop and tokens[k].cap and tokens[k].base.lower() not in lex.stopwords:
        base = tokens[k].base
        if base in lex.club_heads and k > j and not (k + 1 < stop and tokens[k + 1].cap):
            best = k + 1
        elif base in lex.org_heads:
            end = k + 1
            m = end
            while not tokens[m - 1].poss and m + 1 < stop and tokens[m].base in ("of", "for", "on"):
                n = m + 1
                if tokens[n].base == "the" and n + 1 < stop:
                    n += 1
                if not tokens[n].cap or tokens[n].base in _DATE_WORDS:
                    break  # 'Acme Corp on Monday', 'Globex Inc on Nov. 3': a date, not a name
                while n < stop and tokens[n].cap:
                    n += 1
                    if tokens[n - 1].poss:
                        break
                if (
                    n + 1 < stop
                    and not tokens[n - 1].poss
                    and tokens[n].base in ("and", "&")
                    and tokens[n + 1].cap
                    and not _given(tokens[n + 1].base, lex)
                ):
                    n += 2
                    while n < stop and tokens[n].cap and not tokens[n - 1].poss:
                        n += 1
                end = m = n
            if k > j or end > k + 1:
                best = max(best, end)
        if tokens[k].poss:
            break
        k += 1
    return best - j if best else 0


# --------------------------------------------------------------------------- the article


def _titlecase(text: str) -> bool:
    """Whether a headline Capitalises Every Word (then capitals say nothing)."""
    words = [w for w in re.findall(r"[^\W\d_]{4,}", text)]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) / len(words) > 0.7


def _lead_again(item: NewsItem, description: str) -> bool:
    """Whether the description is the datelined lead without its dateline (the
    standfirst parse derives): its places and names would count twice."""
    dateline = item.dateline
    lead = next((b for b in item.body if isinstance(b, Paragraph)), None)
    if dateline is None or lead is None or lead.line != dateline.line:
        return False
    if not lead.text.startswith(dateline.text):
        return False
    return derived_from(description, lead.text[len(dateline.text) :].lstrip())


def find_entities(item: NewsItem) -> list[Tag]:
    """People, organisations and places named in ``item`` (inferred tags only)."""
    lex = lexicon()
    reader = _Reader(lex)
    dateline = _dateline_places(item, reader)
    for seg in segments(item):
        if seg.where == "description" and _lead_again(item, seg.text):
            continue
        where = where_label(seg.where, seg.line)
        names_allowed = not (seg.where == "headline" and _titlecase(seg.text))
        for _offset, sentence in sentence_spans(seg.text):
            reader.sentence(sentence, where, names_allowed)
    people = [tag_of(p.found) for p in _resolve_people(reader, item)]
    _settle_homonyms(reader, dateline)
    _imply_countries(reader)
    _drop_minor_implied(reader)
    named = {f.entry.name: f for f in reader.found.values() if not f.entry.demonym}
    for f in reader.found.values():
        if f.entry.demonym and f.entry.name in named and named[f.entry.name].entry.kind == "place":
            absorb(named[f.entry.name], f)
    if item.dateline is not None:
        _demonym_countries(reader, item, named)
        _drop_passing_countries(reader, item)
    tags = [tag_of(f) for f in reader.found.values() if not f.entry.demonym] + people
    tags.sort(key=lambda t: (KINDS.index(t.kind), -t.score, t.name))
    return tags


def _dateline_places(item: NewsItem, reader: _Reader) -> Entry | None:
    """Count the dateline's place ("HARTFORD, Conn.") and its state; return the place."""
    dateline = item.dateline
    if dateline is None or not dateline.place:
        return None
    place, region = place_named(dateline.place, dateline.region)
    if place is not None:
        reader.hit(place, dateline.place, "dateline")
    if region is not None and region is not place and region.kind == "place":
        reader.hit(region, dateline.region or region.name, "dateline")
    return place


def _settle_homonyms(reader: _Reader, dateline: Entry | None) -> None:
    """Move a place name to a homonym in a state the article otherwise names.

    By default a name is its most populous place (the country for "Georgia",
    France's Paris). A US, Canadian or Australian place of that name wins when
    the dateline or another place of the article lies in its state
    ("Birmingham" with "Alabama"; "Georgia" in copy datelined "ATLANTA, Ga.").
    A qualified mention ("Paris, Texas") was settled when read.
    """
    lex = reader.lex
    places = [
        (key, f)
        for key, f in reader.found.items()
        if f.entry.kind == "place" and not f.entry.demonym
    ]
    for key, f in places:
        entry = f.entry
        others = lex.homonyms.get(tuple(tokenize(entry.name.split(",", 1)[0])), ())
        if len(others) < 2:
            continue
        states = {o.entry.state for _k, o in places if o is not f and o.entry.state}
        if dateline is not None and dateline.state:
            states.add(dateline.state)
        if entry.state in states:
            continue
        choice = next(
            (o for o in others if o is not entry and o.kind == "place" and o.state in states),
            None,
        )
        if choice is None:
            continue
        del reader.found[key]
        moved = Found(choice, f.mentions, f.weight, f.where, f.matched)
        target = reader.found.get((choice.kind, choice.name))
        if target is None:
            reader.found[(choice.kind, choice.name)] = moved
        else:
            absorb(target, moved)


def _lead_labels(item: NewsItem) -> set[str]:
    first = next((b.line for b in item.body if isinstance(b, Paragraph)), 0)
    return {"headline", "description", "dateline", where_label("paragraph", first)}


def _demonym_countries(reader: _Reader, item: NewsItem, named: dict[str, Found]) -> None:
    """In datelined copy, a country the story is about though it only says
    'Japanese' ('Japanese crushers bought … Japanese crushers continue'): its
    demonym twice or more, once in the lead, makes the country's tag (evidence
    rule 'demonym'). Once alone, it is no place ('the French government')."""
    lead = _lead_labels(item)
    for key, f in list(reader.found.items()):
        entry = f.entry
        if (
            entry.demonym
            and entry.kind == "place"
            and entry.code
            and entry.name not in named
            and f.mentions >= 2
            and lead.intersection(f.where)
        ):
            del reader.found[key]
            f.entry = replace(entry, demonym=False)
            reader.found[(entry.kind, entry.name)] = f


def _drop_passing_countries(reader: _Reader, item: NewsItem) -> None:
    """In datelined copy, a country named once outside the lead is background.

    Wire stories name countries in passing ("… as the U.S. dollar fell"); the
    dateline already says where the story is. So a country needs two mentions
    or one in the headline, standfirst, dateline or first paragraph.
    """
    lead = _lead_labels(item)
    for key, f in list(reader.found.items()):
        country = f.entry.rule in ("gazetteer:country", "implied:place") and not f.entry.demonym
        if country and f.mentions < 2 and not lead.intersection(f.where):
            del reader.found[key]


def _imply_countries(reader: _Reader) -> None:
    """A city, state or region in one country implies that country's tag (Osaka → Japan).

    An implied tag has no mentions of its own (rule 'implied:place'); a
    country named too keeps its rule. Either way the country gets half the
    weight of the places in it, and their places in the text.
    """
    lex = reader.lex
    countries = {
        f.entry.code: f
        for f in reader.found.values()
        if f.entry.code and f.entry.parent is None and not f.entry.demonym
    }
    for f in list(reader.found.values()):
        entry = f.entry
        parent = entry.parent
        if entry.kind != "place" or entry.demonym or parent is None:
            continue
        found = countries.get(parent)
        if found is None:
            country = lex.countries.get(parent)
            if country is None:
                continue
            found = countries[parent] = Found(replace(country, rule="implied:place"))
            reader.found[(country.kind, country.name)] = found
        found.weight += f.weight / 2
        found.where.update(f.where)


def _drop_minor_implied(reader: _Reader) -> None:
    """A country only implied by a place in the body is no tag when another country
    weighs more.

    A city named in passing ('the Paris accord', 'talks in Moscow', 'rumours in
    Tokyo') often stands for a government or a market, not for where the story
    happens; where the article names another country more, that one is its
    place. The dateline's country, and a country the story is mainly about,
    stay.
    """
    countries = [
        (key, f)
        for key, f in reader.found.items()
        if f.entry.code
        and f.entry.kind == "place"
        and f.entry.parent is None
        and not f.entry.demonym
    ]
    heaviest = max((f.weight for _key, f in countries), default=0.0)
    for key, f in countries:
        if f.entry.rule == "implied:place" and "dateline" not in f.where and f.weight < heaviest:
            del reader.found[key]


@dataclass(slots=True)
class _Person:
    words: tuple[str, ...]
    rule: str
    found: Found


def _resolve_people(reader: _Reader, item: NewsItem) -> list[_Person]:
    """Merge name candidates into people and count their later mentions."""
    people: dict[tuple[str, ...], _Person] = {}

    def person(words: tuple[str, ...], rule: str) -> _Person:
        key = tuple(w.casefold() for w in words)
        if key not in people:
            people[key] = _Person(words, rule, Found(Entry("person", " ".join(words), rule)))
        return people[key]

    for block in item.body:
        if isinstance(block, EmbeddedPost):
            words = tuple(block.author.split())
            if 1 < len(words) <= 5:
                person(words, "post-author").found.add(
                    block.author, where_label("post", block.line)
                )
    honorific = {c.words[-1] for c in reader.people if c.titled and len(c.words) == 1}
    confirmed = {tuple(w.casefold() for w in c.words) for c in reader.people if c.evidence}
    pending: list[_Candidate] = []
    for c in reader.people:
        key = tuple(w.casefold() for w in c.words)
        if len(c.words) > 1 and (key in confirmed or c.words[-1] in honorific):
            person(c.words, "pattern:name").found.add(c.surface, c.where)
        else:
            pending.append(c)
    # A shorter name inside a longer one is the same person ("Sadegh Maloujerdi").
    # Indexed by their endings: comparing every name with every other is
    # quadratic in the people an article names. Only shorter names are merged
    # away, so the longer ones a name is compared with are still there.
    endings: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for key in people:
        for size in range(1, len(key)):
            endings.setdefault(key[-size:], []).append(key)
    for key in sorted(people, key=len):
        longer = endings.get(key, [])
        if len(longer) == 1:
            target, source = people[longer[0]], people.pop(key)
            absorb(target.found, source.found)
    by_surname: dict[str, list[_Person]] = {}
    by_given: dict[str, list[_Person]] = {}
    for p in people.values():
        by_surname.setdefault(p.words[-1], []).append(p)
        by_given.setdefault(p.words[0], []).append(p)
    for c in pending:
        word = c.words[-1]
        if len(c.words) == 1:  # "Mr Blair", "President Bush", "Sir Cliff"
            matches = by_surname.get(word) or by_given.get(word) or []
            if len(matches) == 1:
                matches[0].found.add(c.surface, c.where)
            elif not matches:
                p = person(c.words, "pattern:title")
                p.found.add(c.surface, c.where)
                by_surname[word] = [p]
        else:  # an unconfirmed run whose last word is a known surname: "Tears of the Sun Willis"
            matches = by_surname.get(word, [])
            if len(matches) == 1 and len(matches[0].words) > 1:
                matches[0].found.add(word, c.where)
    for word, where in reader.loose:
        matches = by_surname.get(word, [])
        if len(word) > 1 and len(matches) == 1 and len(matches[0].words) > 1:
            matches[0].found.add(word, where)
    # "Sue Essex … Essex said": a lone word that is a person's surname is that person.
    for key, found in list(reader.found.items()):
        owners = [by_surname.get(m, []) for m in found.matched]
        if (
            not found.entry.demonym
            and all(len(o) == 1 and len(o[0].words) > 1 for o in owners)
            and len({id(o[0]) for o in owners}) == 1
        ):
            absorb(owners[0][0].found, reader.found.pop(key))
    return list(people.values())


@enricher("entities")
def entities(item: NewsItem, config: Config) -> NewsItem:
    """Tag ``item`` with the people, organisations and places it names."""
    return merge_tags(item, find_entities(item), lambda t: t.kind in KINDS)
