"""Top-level topic cues of languages other than English, for the ``topics`` enricher.

The IPTC vocabulary is English only, so each other language has a hand-written
file ``data/topic_cues_<lang>.toml`` of general news words per IPTC level-1
topic (see ``data/NOTICE-topic-cues.md`` for what they are and are not). A
language's file is read on first use; a language without one has no cues.

Matching is one dict lookup per distinct word form (then cached): a word is
reduced to its key (:func:`fold`: case-folded, accents and Arabic-script
vowel marks removed, Arabic-script letter variants unified) and looked up
whole (and, ending in -s, without it: a plural), by its prefixes of the
lengths the file's ``word*`` cues have (endings: "économi*" finds
"économique") and, in compounding languages, by its suffixes of the lengths
of ``*word`` cues ("*politik" finds "Außenpolitik"). Arabic words are also
looked up without their proclitics (و، ف، ب، ل، ك and the
article ال: "والاقتصاد" → "اقتصاد"), Hebrew ones without their prefixed
letters (ו ה ב ל מ ש כ: "והממשלה" → "ממשלה"). A cue of two or three words
("kinh tế", "hava durumu") is matched before the words inside it.

Chinese, Japanese and Thai are written without spaces between words: there a
run of letters is read left to right, taking at each point the longest cue
that starts there ("经济增长" → "经济", "增长"), one dict lookup per cue length.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, fields
from importlib import resources
from typing import Any, cast

from feedtool._tables import stored
from feedtool._text import FOLD, WORD_CACHE_SIZE

Entries = tuple[tuple[str, float], ...]

# The files' table names → IPTC level-1 qcodes.
TOPICS: dict[str, str] = {
    "arts": "medtop:01000000",
    "crime": "medtop:02000000",
    "disaster": "medtop:03000000",
    "economy": "medtop:04000000",
    "education": "medtop:05000000",
    "environment": "medtop:06000000",
    "health": "medtop:07000000",
    "human_interest": "medtop:08000000",
    "labour": "medtop:09000000",
    "lifestyle": "medtop:10000000",
    "politics": "medtop:11000000",
    "religion": "medtop:12000000",
    "science": "medtop:13000000",
    "society": "medtop:14000000",
    "sport": "medtop:15000000",
    "conflict": "medtop:16000000",
    "weather": "medtop:17000000",
}
WEIGHTS = {"strong": 2.0, "cues": 1.0, "weak": 0.5}
_MIN_AFFIX = 3  # a prefix or suffix cue shorter than this would match everything
# ... except in scripts whose letters are syllables or words (Hangul, Han, kana)
_MIN_AFFIX_SYLLABIC = 2
_SYLLABIC_FROM = 0x1100
# Languages written without spaces between words.
UNSPACED = frozenset({"zh", "ja", "th"})
# ... and about how many letters make a word there (for the length of a text)
_LETTERS_PER_WORD = {"zh": 2, "ja": 3, "th": 5}

# Letters, and the marks and joiners that belong inside a word in the scripts
# read here (Python's \w leaves out combining marks: "हिन्दी" must stay whole).
# Apostrophes and hyphens split: "l'économie" → "l", "économie".
_INNER = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
    "\u06d6-\u06ed\u0900-\u0dff\u0e00-\u0e7f\u200c\u200d"
)
WORD = re.compile(rf"[^\W\d_](?:[^\W\d_]|[{_INNER}])*")

# Arabic-script letter variants (shared with month names), and Turkish dotless i,
# which case folding keeps apart from i.
_LETTER_VARIANTS = {**FOLD, ord("ı"): "i"}
# Marks removed from keys: Latin/Greek/Cyrillic accents (after NFKD), Arabic
# vowel marks and tatweel, joiners.
_MARKS = re.compile(
    r"[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200c\u200d]"
)
# Arabic proclitics: a conjunction, then a preposition and/or the article.
_AR_CONJUNCTIONS = ("و", "ف")
_AR_ARTICLES = ("بال", "کال", "فال", "وال", "لل", "ال", "ب", "ل", "ک")


# Languages whose diacritics tell words apart: Vietnamese tones ("đảng" party,
# "đang" currently; "mưa" rain, "mua" buy), Finnish and Hungarian vowels
# ("sää" weather, "saa" gets; "tűz" fire).
_KEEP_MARKS = frozenset({"vi", "fi", "hu"})


def fold(word: str, language: str = "") -> str:
    """The key of a word or cue: case-folded, without accents or vowel marks
    (except in a language whose marks tell words apart)."""
    word = word.casefold()
    if language in _KEEP_MARKS:
        return unicodedata.normalize("NFC", word)
    if not word.isascii():
        word = _MARKS.sub("", unicodedata.normalize("NFKD", word))
        word = unicodedata.normalize("NFC", word).translate(_LETTER_VARIANTS)
    return word


_HE_PREFIXES = "והבלמשכ"


def _hebrew_stems(key: str) -> list[str]:
    """The key without one or two prefixed letters (ו ה ב ל מ ש כ); the stem keeps 3."""
    stems = []
    rest = key
    for _ in range(2):
        if len(rest) > 3 and rest[0] in _HE_PREFIXES:
            rest = rest[1:]
            stems.append(rest)
    return stems


def _arabic_stems(key: str) -> list[str]:
    """The key without its proclitics, longest first; the stem keeps 3 letters."""
    stems = []
    for conjunction in ("", *_AR_CONJUNCTIONS):
        if conjunction and not key.startswith(conjunction):
            continue
        rest = key[len(conjunction) :]
        if conjunction and len(rest) >= 3:
            stems.append(rest)
        for article in _AR_ARTICLES:
            if rest.startswith(article) and len(rest) - len(article) >= 3:
                stems.append(rest[len(article) :])
                break
    return stems


@dataclass(slots=True)
class Lexicon:
    """One language's cues, by key."""

    language: str
    words: dict[str, Entries]
    prefixes: dict[str, Entries]
    suffixes: dict[str, Entries]
    prefix_lengths: tuple[int, ...]
    suffix_lengths: tuple[int, ...]
    # cues of several words, by their keys joined with a space
    phrases: dict[str, Entries] = field(default_factory=dict)
    # first word of a phrase → the most words of a phrase starting with it
    phrase_starts: dict[str, int] = field(default_factory=dict)
    # lengths of the whole-word cues, longest first (unspaced scripts)
    word_lengths: tuple[int, ...] = ()
    cache: dict[str, Entries] = field(default_factory=dict)

    def __reduce__(self) -> tuple[type[Lexicon], tuple[Any, ...]]:
        # The words this process has met are not part of the table kept on
        # disk (``feedtool._tables``).
        return (Lexicon, tuple(getattr(self, f.name) for f in fields(self) if f.name != "cache"))

    def scan(self, text: str) -> tuple[list[tuple[str, Entries]], int]:
        """Each cue occurrence in ``text`` (its surface form and what it counts for),
        and the number of words read (estimated from letters where words are unspaced).
        """
        if self.language in UNSPACED:
            return self._scan_unspaced(text)
        found: list[tuple[str, Entries]] = []
        matches = list(WORD.finditer(text))
        i, n = 0, len(matches)
        while i < n:
            size, entries = 1, cast(Entries, ())
            first = fold(matches[i].group(), self.language) if self.phrases else ""
            longest = self.phrase_starts.get(first) if first else None
            for k in range(min(longest or 0, n - i), 1, -1):
                key = " ".join(fold(m.group(), self.language) for m in matches[i : i + k])
                phrase = self.phrases.get(key)
                if phrase:
                    size, entries = k, phrase
                    break
            if not entries:
                entries = self.lookup(matches[i].group())
            if entries:
                found.append((text[matches[i].start() : matches[i + size - 1].end()], entries))
            i += size
        return found, n

    def _scan_unspaced(self, text: str) -> tuple[list[tuple[str, Entries]], int]:
        found: list[tuple[str, Entries]] = []
        letters = 0
        for match in WORD.finditer(text):
            run = fold(match.group(), self.language)
            letters += len(run)
            i = 0
            while i < len(run):
                for length in self.word_lengths:
                    entries = self.words.get(run[i : i + length])
                    if entries:
                        found.append((run[i : i + length], entries))
                        i += length
                        break
                else:
                    i += 1
        return found, letters // _LETTERS_PER_WORD[self.language]

    def lookup(self, word: str) -> Entries:
        """The cues a word (as written) counts for, each topic once at its best weight."""
        cached = self.cache.get(word)
        if cached is not None:
            return cached
        key = fold(word, self.language)
        keys = [key]
        if self.language == "ar":
            keys.extend(_arabic_stems(key))
        elif self.language == "he":
            keys.extend(_hebrew_stems(key))
        elif key.endswith("s") and len(key) > 3:
            keys.append(key[:-1])  # a plural in -s of a listed singular
        best: dict[str, float] = {}
        for candidate in keys:
            for entries in self._matches(candidate):
                for code, weight in entries:
                    if weight > best.get(code, 0.0):
                        best[code] = weight
        found = tuple(sorted(best.items()))
        if len(self.cache) > WORD_CACHE_SIZE:  # bounded: a process sees many words
            self.cache.clear()
        self.cache[word] = found
        return found

    def _matches(self, key: str) -> list[Entries]:
        found = []
        whole = self.words.get(key)
        if whole:
            found.append(whole)
        for length in self.prefix_lengths:
            if length <= len(key):
                entries = self.prefixes.get(key[:length])
                if entries:
                    found.append(entries)
        for length in self.suffix_lengths:
            if length < len(key):
                entries = self.suffixes.get(key[-length:])
                if entries:
                    found.append(entries)
        return found


class CueFileError(ValueError):
    """A topic cue file that does not follow its format (a bug in the shipped data)."""


def parse(language: str, text: str) -> Lexicon:
    """A language's lexicon from the text of its cue file."""
    data = tomllib.loads(text)
    tables: dict[str, dict[str, list[str]]] = {k: v for k, v in data.items() if isinstance(v, dict)}
    unknown = set(tables) - set(TOPICS)
    if unknown:
        raise CueFileError(f"{language}: unknown topics {sorted(unknown)}")
    groups: dict[str, dict[str, dict[str, float]]] = {"": {}, "*": {}, "-": {}, " ": {}}
    for topic, table in tables.items():
        code = TOPICS[topic]
        for strength, terms in table.items():
            if strength not in WEIGHTS:
                raise CueFileError(f"{language}: [{topic}] has unknown list {strength!r}")
            for term in terms:
                kind = "*" if term.endswith("*") else "-" if term.startswith("*") else ""
                key = " ".join(fold(w, language) for w in term.strip("*").split())
                syllabic = bool(key) and ord(key[0]) >= _SYLLABIC_FROM
                if kind and len(key) < (_MIN_AFFIX_SYLLABIC if syllabic else _MIN_AFFIX):
                    raise CueFileError(f"{language}: {term!r} is too short to match by its ends")
                if not key or (" " in key and (kind or language in UNSPACED)):
                    raise CueFileError(f"{language}: {term!r} cannot be matched")
                if " " in key:
                    kind = " "
                weights = groups[kind].setdefault(key, {})
                weights[code] = max(weights.get(code, 0.0), WEIGHTS[strength])
    words, prefixes, suffixes, phrases = (
        {key: tuple(sorted(w.items())) for key, w in groups[kind].items()}
        for kind in ("", "*", "-", " ")
    )
    phrase_starts: dict[str, int] = {}
    for key in phrases:
        parts = key.split(" ")
        phrase_starts[parts[0]] = max(phrase_starts.get(parts[0], 0), len(parts))
    return Lexicon(
        language=language,
        words=words,
        prefixes=prefixes,
        suffixes=suffixes,
        prefix_lengths=tuple(sorted({len(p) for p in prefixes}, reverse=True)),
        suffix_lengths=tuple(sorted({len(s) for s in suffixes}, reverse=True)),
        phrases=phrases,
        phrase_starts=phrase_starts,
        word_lengths=tuple(sorted({len(w) for w in words}, reverse=True)),
    )


def file_name(language: str) -> str:
    return f"topic_cues_{language}.toml"


@stored
def lexicon(language: str) -> Lexicon | None:
    """The cues of ``language`` (ISO 639-1), or None when feedtool has none for it."""
    if not language.isalpha():
        return None
    path = resources.files("feedtool.enrich").joinpath("data", file_name(language))
    if not path.is_file():
        return None
    return parse(language, path.read_text("utf-8"))


def languages() -> tuple[str, ...]:
    """The languages with a cue file, sorted."""
    data = resources.files("feedtool.enrich").joinpath("data")
    names = (p.name for p in data.iterdir())
    return tuple(
        sorted(
            n.removeprefix("topic_cues_").removesuffix(".toml")
            for n in names
            if n.startswith("topic_cues_") and n.endswith(".toml")
        )
    )
