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
article ال: "والاقتصاد" → "اقتصاد").
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from importlib import resources

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

# Letters, and the marks and joiners that belong inside a word in the scripts
# read here (Python's \w leaves out combining marks: "हिन्दी" must stay whole).
# Apostrophes and hyphens split: "l'économie" → "l", "économie".
_INNER = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
    "\u06d6-\u06ed\u0900-\u0dff\u0e00-\u0e7f\u200c\u200d"
)
WORD = re.compile(rf"[^\W\d_](?:[^\W\d_]|[{_INNER}])*")

# Arabic-script letter variants that writers and keyboards mix: hamza seats,
# alef maqsura, Arabic and Persian yeh and kaf, teh marbuta (written ه in Persian).
_ARABIC_VARIANTS = str.maketrans(
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
        "ı": "i",
    }
)
# Marks removed from keys: Latin/Greek/Cyrillic accents (after NFKD), Arabic
# vowel marks and tatweel, joiners.
_MARKS = re.compile(
    r"[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200c\u200d]"
)
# Arabic proclitics: a conjunction, then a preposition and/or the article.
_AR_CONJUNCTIONS = ("و", "ف")
_AR_ARTICLES = ("بال", "کال", "فال", "وال", "لل", "ال", "ب", "ل", "ک")


def fold(word: str) -> str:
    """The key of a word or cue: case-folded, without accents or vowel marks."""
    word = word.casefold()
    if not word.isascii():
        word = _MARKS.sub("", unicodedata.normalize("NFKD", word))
        word = unicodedata.normalize("NFC", word).translate(_ARABIC_VARIANTS)
    return word


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
    cache: dict[str, Entries] = field(default_factory=dict)

    def lookup(self, word: str) -> Entries:
        """The cues a word (as written) counts for, each topic once at its best weight."""
        cached = self.cache.get(word)
        if cached is not None:
            return cached
        key = fold(word)
        keys = [key]
        if self.language == "ar":
            keys.extend(_arabic_stems(key))
        elif key.endswith("s") and len(key) > 3:
            keys.append(key[:-1])  # a plural in -s of a listed singular
        best: dict[str, float] = {}
        for candidate in keys:
            for entries in self._matches(candidate):
                for code, weight in entries:
                    if weight > best.get(code, 0.0):
                        best[code] = weight
        found = tuple(sorted(best.items()))
        if len(self.cache) > 100_000:  # bounded: a long-running server sees many words
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
    groups: dict[str, dict[str, dict[str, float]]] = {"": {}, "*": {}, "-": {}}
    for topic, table in tables.items():
        code = TOPICS[topic]
        for strength, terms in table.items():
            if strength not in WEIGHTS:
                raise CueFileError(f"{language}: [{topic}] has unknown list {strength!r}")
            for term in terms:
                kind = "*" if term.endswith("*") else "-" if term.startswith("*") else ""
                key = fold(term.strip("*"))
                if kind and len(key) < _MIN_AFFIX:
                    raise CueFileError(f"{language}: {term!r} is too short to match by its ends")
                if not key or " " in key:
                    raise CueFileError(f"{language}: {term!r} is not one word")
                weights = groups[kind].setdefault(key, {})
                weights[code] = max(weights.get(code, 0.0), WEIGHTS[strength])
    words, prefixes, suffixes = (
        {key: tuple(sorted(w.items())) for key, w in groups[kind].items()}
        for kind in ("", "*", "-")
    )
    return Lexicon(
        language=language,
        words=words,
        prefixes=prefixes,
        suffixes=suffixes,
        prefix_lengths=tuple(sorted({len(p) for p in prefixes}, reverse=True)),
        suffix_lengths=tuple(sorted({len(s) for s in suffixes}, reverse=True)),
    )


def file_name(language: str) -> str:
    return f"topic_cues_{language}.toml"


@functools.cache
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
