"""Text helpers every stage shares: sentences, shortening, month names, writing direction.

Month names: English ``MONTHS``; those of many other languages and the Persian
solar calendar in ``month_lexicon`` (read by ``feedtool._calendar``).

One home for each: the parse stage derives headlines and summaries with
``shorten``/``summary``, the enrichers split sentences with ``sentence_spans``,
and the renderers cut JSON-LD headlines and set ``dir`` with the same functions,
so the stages can never disagree about where a sentence ends or which way a
language runs.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata

from feedtool._tables import stored

ELLIPSIS = "…"
HEADLINE_LIMIT = 110  # a headline (derived, or in JSON-LD) is cut to this many characters
# Words kept by each per-word cache of the enrichers (a token's shape, its
# topic cues, its keyword piece), emptied when full. A corpus repeats its
# words, so a few thousand of them make most hits; at 100,000 the caches grew
# by ~40 MB in each parse process over 10,000 articles, at 20,000 by ~15 MB,
# for the same CPU time within noise.
WORD_CACHE_SIZE = 20_000

# --------------------------------------------------------------------------- sentences

# Sentence-final marks of the scripts we meet: Latin, Arabic/Persian '؟', Urdu '۔'.
TERMINAL = ".!?۔؟…"
_CLOSERS = "\"'”’»)]"
_ENDS_SENTENCE = re.compile(rf"[{re.escape(TERMINAL)}][{re.escape(_CLOSERS)}]*$")
# A boundary is terminal punctuation (not after a lone capital, as in "U.S."),
# optional closing quotes, then space.
_BOUNDARY = re.compile(
    rf"(?<![\s.][A-Z])(?<!^[A-Z])[{re.escape(TERMINAL)}]+[{re.escape(_CLOSERS)}]*(?=\s+\S)"
)
_MIN_SENTENCE_WORDS = 4


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends with sentence-final punctuation (closing quotes allowed)."""
    return _ENDS_SENTENCE.search(text) is not None


def has_inner_boundary(text: str) -> bool:
    """Whether a sentence ends somewhere before the end of ``text``."""
    return _BOUNDARY.search(text) is not None


def sentence_spans(text: str) -> list[tuple[int, str]]:
    """Split ``text`` into sentences, as ``(offset, sentence)`` pairs.

    A 'sentence' shorter than a few words joins the next one, which keeps
    'Mr. Smith' and 'No. 10' together. Each boundary adds a word to the
    candidate, so a candidate is re-read at most a few times: linear time.
    """
    return list(_sentence_spans(text))


# Dates, entities and keywords each split the same paragraphs, one after the
# other: the last few hundred are kept (a text's hash is computed once per string).
@functools.lru_cache(maxsize=256)
def _sentence_spans(text: str) -> tuple[tuple[int, str], ...]:
    spans: list[tuple[int, str]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        candidate = text[start : match.end()]
        # (Its first words only: a long sentence is not cut into all of its words.)
        if len(candidate.split(None, _MIN_SENTENCE_WORDS - 1)) >= _MIN_SENTENCE_WORDS:
            spans.append((start, candidate))
            start = match.end()
            while start < len(text) and text[start].isspace():
                start += 1
    if text[start:].strip():
        spans.append((start, text[start:]))
    return tuple(spans)


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` (see ``sentence_spans``), without surrounding space."""
    return [sentence.strip() for _, sentence in sentence_spans(text)]


# --------------------------------------------------------------------------- shortening


def shorten(text: str, limit: int = HEADLINE_LIMIT) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, '…' included."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS) + 1]
    space = cut.rfind(" ")
    # One giant "word" (a URL, unspaced script) is cut where it must be.
    cut = cut[:space] if space > limit // 2 else cut[: limit - len(ELLIPSIS)]
    return cut.rstrip(" ,;:،؛-–—") + ELLIPSIS


def derived_from(summary: str, paragraph: str) -> bool:
    """Whether ``summary`` is ``paragraph``'s opening (a derived headline or description).

    Such a summary says nothing the paragraph does not: reading or showing both
    would count or show it twice.
    """
    stem = summary.rstrip(ELLIPSIS).rstrip()
    return bool(stem) and paragraph.startswith(stem)


def summary(text: str, limit: int) -> str:
    """As many whole sentences of ``text`` as fit in ``limit``; else a shortened first one."""
    if len(text) <= limit:
        return text
    chosen = ""
    for sentence in sentences(text):
        longer = f"{chosen} {sentence}".strip()
        if len(longer) > limit:
            break
        chosen = longer
    return chosen or shorten(text, limit)


# From a token's first letter or digit ([^\W_] is exactly str.isalnum) to its
# end: one match per whitespace-separated token that has one, found in C.
_COUNTED = re.compile(r"[^\W_]\S*")


def word_count(text: str) -> int:
    """Words: whitespace-separated tokens with at least one letter or digit."""
    return len(_COUNTED.findall(text))


# --------------------------------------------------------------------------- months

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# 'may' is its own abbreviation; 'sept' is as common as 'sep'.
MONTHS: dict[str, int] = {
    **{name.lower(): number for number, name in enumerate(MONTH_NAMES, 1)},
    **{name[:3].lower(): number for number, name in enumerate(MONTH_NAMES, 1)},
    "sept": 9,
}


# Month names of other languages: CLDR's (through babel) for every locale of
# MONTH_LOCALES, wide and abbreviated, with the regional Arabic sets
# (Levantine 'تشرين الثاني', Maghrebi 'نونبر'), and the Persian solar months
# as jdatetime spells them. A name meaning different months in two languages
# is left out. Built on first use.
MONTH_LOCALES: tuple[str, ...] = (
    *("en", "fr", "de", "es", "it", "pt", "nl", "tr", "id", "pl", "ro", "sv", "da", "nb"),
    *("ru", "uk", "el", "ar", "ar_SY", "ar_MA", "ar_TN", "fa", "ur"),
)


# Arabic-script letter variants that writers and keyboards mix: hamza seats,
# alef maqsura, Arabic and Persian yeh and kaf, teh marbuta (written ه in
# Persian), Urdu heh and noon ghunna. Month names and topic cues match in
# either spelling.
FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ی",
        "ي": "ی",
        "ئ": "ی",
        "ك": "ک",
        "ة": "ه",
        "ۀ": "ه",
        "ؤ": "و",
        "ہ": "ه",
        "ۃ": "ه",
        "ں": "ن",
    }
)


def _fold(text: str) -> str:
    return text.lower().translate(FOLD).rstrip(".")


def ascii_digits(text: str) -> str:
    """``text`` with every decimal digit (Arabic-Indic, Persian, …) as 0-9; same length."""
    if text.isascii():
        return text
    return "".join(
        str(unicodedata.decimal(c)) if c.isdecimal() and not c.isascii() else c for c in text
    )


@stored
def month_lexicon() -> dict[str, tuple[str, int]]:
    """Folded month name → (calendar, month number)."""
    from babel.dates import get_month_names

    names: dict[str, set[tuple[str, int]]] = {}

    def add(name: str, calendar: str, month: int) -> None:
        key = _fold(name)
        if len(key) >= 3 or not key.isascii():
            names.setdefault(key, set()).add((calendar, month))

    for locale in MONTH_LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for month, name in get_month_names(width, context, locale=locale).items():
                    add(name, "gregorian", month)
    for name, month in MONTHS.items():
        add(name, "gregorian", month)  # 'Sept', AP style, is not in CLDR's English
    import jdatetime

    for month, name in enumerate(jdatetime.date.j_months_fa, 1):
        add(name, "persian", month)
    return {key: next(iter(found)) for key, found in names.items() if len(found) == 1}


@functools.cache
def weekday_names() -> frozenset[str]:
    """Folded weekday names and abbreviations of the ``MONTH_LOCALES`` languages."""
    return frozenset(_weekday_lexicon())


@stored
def _weekday_lexicon() -> dict[str, int | None]:
    """Folded weekday name → its number (Monday 0), ``None`` when two languages
    give one spelling different days."""
    from babel.dates import get_day_names

    days: dict[str, int | None] = {}
    for locale in MONTH_LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_day_names(width, context, locale=locale).items():
                    key = _fold(name)
                    days[key] = number if days.get(key, number) == number else None
                    # Persian and Urdu names are written with or without the joiner.
                    if "\u200c" in key:
                        spaced = key.replace("\u200c", " ")
                        days[spaced] = number if days.get(spaced, number) == number else None
    return days


def weekday_number(word: str) -> int | None:
    """The day of the week ``word`` names (Monday 0, 'mardi' 1, 'یکشنبه' 6), or ``None``."""
    return _weekday_lexicon().get(_fold(word.rstrip(",")))


def is_weekday(word: str) -> bool:
    """Whether ``word`` names a day of the week ('Sunday', 'dimanche', 'Sun.', 'یکشنبه')."""
    return _fold(word.rstrip(",")) in weekday_names()


def month_number(name: str) -> tuple[str, int] | None:
    """(calendar, month) of a month name in any supported language, or ``None``."""
    return month_lexicon().get(_fold(name))


def human_date(stamp: dt.date) -> str:
    """'October 28, 2025' whatever the process locale."""
    return f"{MONTH_NAMES[stamp.month - 1]} {stamp.day}, {stamp.year}"


# --------------------------------------------------------------------------- direction

# Primary language subtags whose default script is written right to left
# (CLDR likely scripts: 'ks' is Arabic-script Kashmiri; 'ku' alone is Latin
# Kurmanji, 'ku-Arab' is caught by its script subtag; 'iw', 'ji' are the old
# codes of Hebrew and Yiddish).
RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ji", "ks", "ps", "sd", "syr", "ug", "ur", "yi"}
)
RTL_SCRIPTS = frozenset({"adlm", "arab", "hebr", "mand", "nkoo", "rohg", "samr", "syrc", "thaa"})


def is_rtl(language: str | None) -> bool:
    """Whether a BCP 47 tag names a right-to-left language or script ('ur', 'az-Arab')."""
    if not language:
        return False
    subtags = language.lower().replace("_", "-").split("-")
    scripts = [s for s in subtags[1:] if len(s) == 4 and s.isalpha()]
    if scripts:
        return scripts[0] in RTL_SCRIPTS
    return subtags[0] in RTL_LANGUAGES


def direction(language: str | None) -> str:
    """'rtl' or 'ltr'."""
    return "rtl" if is_rtl(language) else "ltr"
