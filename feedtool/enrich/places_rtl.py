"""Enricher: places_rtl — country and city tags for Arabic, Persian and Urdu articles.

The ``entities`` enricher reads English only; this one gives an article whose
language is ar, fa or ur the place tags an English article naming the same
places gets: the tag fields (canonical English name, slug, ISO code, scheme,
Wikidata ``same_as``, a city's country as ``parent``) are taken from the
English gazetteer's records, so ``tags/pakistan/`` collects English and Urdu
articles alike.

Names come from ``data/places_rtl.tsv`` (written by
``scripts/make_places_rtl.py`` from pycountry's translations plus rows added by
hand), one index per language: a word that is a place in one language can be
a common word in another (Urdu ترکی is Turkey, Persian ترکی is "Turkish").

Matching is done on normalised text (diacritics and tatweel removed, the
letter variants that Arabic, Persian and Urdu spell differently unified, ZWNJ
read as a space), by a dict lookup per word, longest name first. In Arabic a
word may carry one conjunction (و ف) and one preposition (ب ل ك) before the
name, and لل stands for ل + ال; a name that is also a feminine adjective
(السعودية) right after a feminine noun is the adjective. Rows of the data with
the code '-' are phrases that contain a place name but name no place ("باريس
سان جيرمان", "بے چین"): they are matched like names so that they hide the
shorter name inside them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from feedtool._tables import on_release, stored
from feedtool.config import Config
from feedtool.enrich import enricher
from feedtool.enrich._tags import merge_tags
from feedtool.enrich._text import segments, where_label
from feedtool.enrich.gazetteer import Entry, data_lines, gazetteer_tag, lexicon
from feedtool.errors import FeedtoolError
from feedtool.model import NewsItem, Tag

LANGUAGES: tuple[str, ...] = ("ar", "fa", "ur")
RULES: frozenset[str] = frozenset(f"gazetteer-{lang}" for lang in LANGUAGES)
DATA_FILE = "places_rtl.tsv"

# A word: a run of Arabic-script letters and the marks on them (digits, the
# Arabic comma and the Urdu full stop end it; so does ZWNJ). Other scripts are
# not read at all: no name is written in them.
_WORD = re.compile(
    "[\u0610-\u061a\u0620-\u065f\u066e-\u06d3\u06d5-\u06ef\u06fa-\u06ff"
    "\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc]+"
)
# Text between the words of one name: spaces, ZWNJ, a hyphen — not a full stop.
_JOINER = re.compile(r"[\s\u200c\u200d\-‐]*")
_TABLE: dict[int, str | None] = {
    **{code: None for code in range(0x064B, 0x0660)},  # harakat, hamza and madda above
    **{code: None for code in range(0x0610, 0x061B)},  # honorifics and small marks
    **{code: None for code in range(0x06D6, 0x06EE)},  # Quranic annotation marks
    0x0670: None,  # superscript alef
    0x0640: None,  # tatweel
    0x200D: None,  # ZWJ
    0x200C: " ",  # ZWNJ: "اسلام‌آباد" and "اسلام آباد" are one name
    **{ord(c): "ی" for c in "يىئ"},
    ord("ك"): "ک",
    **{ord(c): "ا" for c in "أإآٱ"},
    **{ord(c): "ه" for c in "ةۀۃہۂھ"},
    ord("ؤ"): "و",
}
_ARABIC_CONJUNCTIONS = "وف"
_ARABIC_PREPOSITIONS = "بلک"  # normalised: ك is ک
_ARTICLE = "ال"
# Arabic country names that are also feminine adjectives: right after a
# feminine noun they are the adjective ("الشركة السعودية", "حكومة سورية").
_ADJECTIVAL = frozenset(["السعودیه", "سوریه"])
_PRESENTATION_FORMS = "\ufb50"


def normalize(text: str) -> str:
    """``text`` as the matcher compares it: marks dropped, letter variants unified."""
    if max(text, default="\0") >= _PRESENTATION_FORMS:
        text = unicodedata.normalize("NFKC", text)
    return text.translate(_TABLE)


def name_tokens(name: str) -> tuple[str, ...]:
    """The normalised words of a gazetteer name."""
    return tuple(_WORD.findall(normalize(name)))


# --------------------------------------------------------------------------- data

# A name: the words after its first one, and the entry it stands for (None: a
# phrase that only hides the names inside it).
_Name = tuple[tuple[str, ...], Entry | None]


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """One language's names, indexed by their first normalised word, longest first."""

    index: dict[str, tuple[_Name, ...]]


def _english_records() -> tuple[dict[str, Entry], dict[str, Entry]]:
    """The English gazetteer's countries by code and cities by name."""
    countries: dict[str, Entry] = {}
    cities: dict[str, Entry] = {}
    for _tokens, entry in lexicon().names():
        if entry.demonym or entry.kind != "place":
            continue
        if entry.rule == "gazetteer:country" and entry.code:
            countries.setdefault(entry.code, entry)
        elif entry.rule == "gazetteer:city":
            cities.setdefault(entry.name, entry)
    return countries, cities


def _data_error(message: str) -> FeedtoolError:
    return FeedtoolError(
        message,
        path=f"feedtool/enrich/data/{DATA_FILE}",
        hint="the data files disagree: add the place to the English data or regenerate"
        " places_rtl.tsv with scripts/make_places_rtl.py",
    )


@stored
def gazetteers() -> dict[str, Gazetteer]:
    """Load ``data/places_rtl.tsv`` (once per process); raise on a row the English data lacks."""
    countries, cities = _english_records()
    names: dict[str, dict[tuple[str, ...], Entry | None]] = {lang: {} for lang in LANGUAGES}
    for row in data_lines(DATA_FILE):
        lang, code, city, name = row[0], row[1], row[2], row[3]
        entry: Entry | None
        if code == "-":
            entry = None
        elif city:
            entry = cities.get(city)
            if entry is None or entry.parent != code:
                raise _data_error(f"city {city!r} ({code}) is not in cities.tsv")
        else:
            entry = countries.get(code)
            if entry is None:
                raise _data_error(f"country {code!r} is not in the gazetteer")
        tokens = name_tokens(name)
        variants = [tokens]
        if len(tokens) > 1:  # "اسلام‌آباد" is also typed without the ZWNJ
            variants.append(("".join(tokens),))
        for variant in variants:
            names[lang].setdefault(variant, entry)
    result: dict[str, Gazetteer] = {}
    for lang, table in names.items():
        index: dict[str, list[_Name]] = {}
        for tokens, entry in table.items():
            index.setdefault(tokens[0], []).append((tokens[1:], entry))
        result[lang] = Gazetteer(
            {k: tuple(sorted(v, key=lambda n: -len(n[0]))) for k, v in index.items()}
        )
    return result


# --------------------------------------------------------------------------- matching


@lru_cache(maxsize=1 << 16)
def _word(raw: str) -> str:
    return normalize(raw)


def _forms(word: str) -> list[tuple[str, int]]:
    """An Arabic ``word`` and what it is without its clitic prefixes (and how many)."""
    forms = [(word, 0)]
    rest, cut = word, 0
    if rest[0] in _ARABIC_CONJUNCTIONS and len(rest) > 3:
        rest, cut = rest[1:], 1
        forms.append((rest, cut))
    if rest[0] in _ARABIC_PREPOSITIONS and len(rest) > 3:
        forms.append((rest[1:], cut + 1))
    for form, cut in list(forms):
        if form.startswith("لل") and len(form) > 3:  # ل + ال: "للعراق"
            forms.append((_ARTICLE + form[2:], cut))
    return forms


# A candidate: the name's words after the first, its entry, and how many
# letters of the written word are clitics, not the name.
_Candidate = tuple[tuple[str, ...], Entry | None, int]


@lru_cache(maxsize=1 << 16)
def _candidates(lang: str, raw: str) -> tuple[_Candidate, ...]:
    """The names that may start at the written word ``raw``, longest first."""
    index = gazetteers()[lang].index
    word = _word(raw)
    if not word:
        return ()
    if lang != "ar":
        return tuple((rest, entry, 0) for rest, entry in index.get(word, ()))
    found = [
        (rest, entry, cut) for form, cut in _forms(word) for rest, entry in index.get(form, ())
    ]
    return tuple(sorted(found, key=lambda n: -len(n[0])))  # stable: the word as written first


on_release(_candidates.cache_clear)


def find_places(text: str, lang: str) -> Iterator[tuple[Entry, str]]:
    """``(entry, surface)`` of the places named in ``text``, written in ``lang`` (ar, fa or ur).

    The surface is the name as written, without the clitics before it.
    """
    raw = _WORD.findall(text)
    spans: list[tuple[int, int]] = []  # of the words, computed at the first match
    i, n = 0, len(raw)
    while i < n:
        length, chosen, cut = 0, None, 0
        for rest, entry, clitics in _candidates(lang, raw[i]):
            if rest:
                end = i + 1 + len(rest)
                if end > n or tuple(_word(w) for w in raw[i + 1 : end]) != rest:
                    continue
                spans = spans or [m.span() for m in _WORD.finditer(text)]
                if not all(
                    _JOINER.fullmatch(text, spans[j][1], spans[j + 1][0]) for j in range(i, end - 1)
                ):
                    continue
            length, chosen, cut = 1 + len(rest), entry, clitics
            break
        if not length:
            i += 1
            continue
        if chosen is not None and not (lang == "ar" and _adjective(raw, i)):
            spans = spans or [m.span() for m in _WORD.finditer(text)]
            start = spans[i][0] + _letters_span(raw[i], cut)
            yield chosen, text[start : spans[i + length - 1][1]]
        i += length


def _letters_span(raw: str, letters: int) -> int:
    """Length of the start of ``raw`` that holds its first ``letters`` letters and their marks."""
    if not letters:
        return 0
    seen = 0
    for position, char in enumerate(raw):
        if normalize(char):
            if seen == letters:
                return position
            seen += 1
    return len(raw)


@dataclass(slots=True)
class _Mentions:
    entry: Entry
    rule: str
    mentions: list[tuple[str, str]] = field(default_factory=list)


def _adjective(raw: list[str], i: int) -> bool:
    """Whether Arabic word ``i`` is a name used as an adjective of the noun before it."""
    return i > 0 and _word(raw[i]) in _ADJECTIVAL and _word(raw[i - 1]).endswith("ه")


def _language(tag: str | None) -> str | None:
    return tag.split("-", 1)[0].lower() if tag else None


def find_rtl_places(item: NewsItem) -> list[Tag]:
    """Country and city tags of an ar, fa or ur article (none for other languages)."""
    article = _language(item.language)
    if article not in LANGUAGES:
        return []
    found: dict[tuple[str, str | None], _Mentions] = {}
    for seg in segments(item):
        lang = _language(seg.language) or article
        if lang not in LANGUAGES:
            continue  # an English quotation: not this enricher's business
        where = where_label(seg.where, seg.line)
        for entry, surface in find_places(seg.text, lang):
            key = (entry.name, entry.code)
            if key not in found:
                found[key] = _Mentions(entry, f"gazetteer-{lang}")
            found[key].mentions.append((surface, where))
    tags = [gazetteer_tag(m.entry, m.mentions, m.rule) for m in found.values()]
    tags.sort(key=lambda t: (-t.score, t.name))
    return tags


@enricher("places_rtl", after=("languages", "entities"))
def places_rtl(item: NewsItem, config: Config) -> NewsItem:
    """Tag an Arabic, Persian or Urdu ``item`` with the countries and cities it names."""
    inferred = find_rtl_places(item)
    if not inferred and not any(t.evidence.rule in RULES for t in item.tags):
        return item
    # An English name of the same place inside the article pools with this one.
    return merge_tags(item, inferred, lambda t: t.evidence.rule in RULES, pool=True)
