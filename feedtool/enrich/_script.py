"""Writing systems: which script a text is in, and the Arabic-script cues.

The script alone settles most language questions (Hebrew letters are Hebrew,
Hangul is Korean); the Arabic script is shared by Arabic, Persian and Urdu,
and their spelling differs enough that a letter count usually decides before
any statistical model is needed. The cue thresholds were checked against the
ar/fa/ur corpora in ``../shared/corpus/multilingual`` (every file decided by
cues alone; see ``bench/eval_languages.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from feedtool._tables import stored
from feedtool.enrich.gazetteer import data_lines


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Letters only: digits, punctuation and combining marks of each block are left
# out, so that "2025" or "،" never vote for a script.
_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Latin", re.compile(r"[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u1E00-\u1EFF]+")),
    (
        "Arabic",
        re.compile(
            r"[\u0620-\u064A\u066E-\u06D3\u06D5\u06EE\u06EF\u06FA-\u06FF"
            r"\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFC]+"
        ),
    ),
    ("Cyrillic", re.compile(r"[\u0400-\u0481\u048A-\u052F]+")),
    ("Greek", re.compile(r"[\u0370-\u0373\u0376\u0377\u037B-\u037D\u0386-\u03FF\u1F00-\u1FFF]+")),
    ("Hebrew", re.compile(r"[\u05D0-\u05EA\u05F0-\u05F2\uFB1D-\uFB4F]+")),
    ("Devanagari", re.compile(r"[\u0904-\u0939\u0958-\u0961\u0972-\u097F]+")),
    ("Bengali", re.compile(r"[\u0985-\u09B9\u09DC-\u09E1]+")),
    ("Gurmukhi", re.compile(r"[\u0A05-\u0A39\u0A59-\u0A5E]+")),
    ("Tamil", re.compile(r"[\u0B85-\u0BB9]+")),
    ("Thai", re.compile(r"[\u0E01-\u0E30\u0E40-\u0E46]+")),
    ("Georgian", re.compile(r"[\u10A0-\u10FF]+")),
    ("Armenian", re.compile(r"[\u0531-\u0556\u0561-\u0587]+")),
    ("Ethiopic", re.compile(r"[\u1200-\u137F]+")),
    ("Hangul", re.compile(r"[\uAC00-\uD7AF\u1100-\u11FF\u3130-\u318F]+")),
    ("Kana", re.compile(r"[\u3041-\u3096\u30A1-\u30FA\u31F0-\u31FF]+")),
    ("Han", re.compile(r"[\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF]+")),
)

# ISO 639-1 languages by script. Only these can be configured with effect;
# the first one is what a script means when none of its languages is configured
# and the script leaves no doubt (None: the script alone cannot tell).
SCRIPT_LANGUAGES: dict[str, tuple[str, ...]] = {
    "Latin": _words(
        "en fr de es it pt nl sv da no nb nn fi pl cs sk sl hr bs ro hu tr az id ms tl vi sq et lv"
        " lt ca eu ga cy is af sw so yo zu xh st tn ts mi eo la uz"
    ),
    "Arabic": ("ar", "fa", "ur", "ps", "ckb", "sd", "ug"),
    "Cyrillic": ("ru", "uk", "be", "bg", "mk", "sr", "kk", "mn", "tg"),
    "Greek": ("el",),
    "Hebrew": ("he", "yi"),
    "Devanagari": ("hi", "mr", "ne"),
    "Bengali": ("bn",),
    "Gurmukhi": ("pa",),
    "Tamil": ("ta",),
    "Thai": ("th",),
    "Georgian": ("ka",),
    "Armenian": ("hy",),
    "Ethiopic": ("am",),
    "Hangul": ("ko",),
    "Kana": ("ja",),
    "Han": ("zh",),
}
_NO_DEFAULT = frozenset({"Latin"})

LANGUAGE_SCRIPT: dict[str, str] = {
    lang: script for script, langs in SCRIPT_LANGUAGES.items() for lang in langs
}

# URLs, e-mail addresses and @handles are Latin whatever the language around
# them ("ہم بھائی ہیں … pic.twitter.com/6oeuaaB65m"): any word with '@' or '/'
# goes, which also drops harmless 'and/or'.
# Each whitespace-separated word with an '@' or a '/' in it, whole. (Matched
# only where a word starts: tried at every letter, with the word read to its
# end from each, it took time in the square of a word's length.)
_NOISE = re.compile(r"(?<!\S)\S*[@/]\S*")
# Letters of every script but Latin and Arabic: most texts have none, and
# one search saves counting fourteen scripts.
_OTHER = re.compile(
    r"[\u0370-\u058F\u0590-\u05FF\u0900-\u0E7F\u10A0-\u137F\u1F00-\u1FFF"
    r"\u3040-\u318F\u31F0-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF"
    r"\uFB1D-\uFB4F]"
)


@dataclass(frozen=True, slots=True)
class ScriptCount:
    """The dominant script of a text and how many letters it and all scripts have."""

    script: str | None
    letters: int
    total: int

    @property
    def share(self) -> float:
        return self.letters / self.total if self.total else 0.0


def clean(text: str) -> str:
    """``text`` without URLs, e-mail addresses and handles."""
    if "@" not in text and "/" not in text:
        return text
    return _NOISE.sub(" ", text)


# The Latin letters of ASCII: an ASCII text has no other script's.
_ASCII_LETTERS = bytes(range(ord("A"), ord("Z") + 1)) + bytes(range(ord("a"), ord("z") + 1))


def count_scripts(text: str) -> dict[str, int]:
    """Letters per script in ``text`` (scripts with none are left out)."""
    if text.isascii():
        # Most texts (English ones without a '£' or a curly quote): the bytes
        # deleted by a C translate are the letters the Latin pattern matches.
        latin = _ascii_letters(text.encode("ascii"))
        return {"Latin": latin} if latin else {}
    counts: dict[str, int] = {}
    if _OTHER.search(text):
        for name, pattern in _SCRIPTS:
            n = len(text) - len(pattern.sub("", text))
            if n:
                counts[name] = n
        return counts
    # Latin and Arabic letters only: the ASCII ones are counted as in an ASCII
    # text, the others among the text's other characters (in an English text,
    # a few pound signs and curly quotes).
    others = "".join(_NOT_ASCII.findall(text))
    for name, pattern in _SCRIPTS[:2]:
        n = len(others) - len(pattern.sub("", others))
        if name == "Latin":
            n += _ascii_letters(text.encode("ascii", "ignore"))
        if n:
            counts[name] = n
    return counts


_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def _ascii_letters(data: bytes) -> int:
    """The letters of ASCII ``data``: the bytes a C translate deletes."""
    return len(data) - len(data.translate(None, _ASCII_LETTERS))


def dominant_script(text: str) -> ScriptCount:
    """The script with the most letters; Japanese (kana with kanji) counts as Kana."""
    counts = count_scripts(text)
    if not counts:
        return ScriptCount(None, 0, 0)
    # Kanji outnumber kana in Japanese news; any real share of kana means Japanese.
    if "Kana" in counts and "Han" in counts and counts["Kana"] * 10 >= counts["Han"]:
        counts["Kana"] += counts.pop("Han")
    script = max(counts, key=lambda name: counts[name])
    return ScriptCount(script, counts[script], sum(counts.values()))


def script_default(script: str) -> str | None:
    """What a script means on its own, or None when it cannot say (Latin)."""
    if script in _NO_DEFAULT:
        return None
    return SCRIPT_LANGUAGES[script][0]


# --------------------------------------------------------------------------- Arabic script

# ے ڈ ٹ ڑ ں ھ ہ and the Urdu full stop ۔ do not occur in Persian or Arabic
# spelling; پ چ ژ گ and the Persian forms ی ک do not occur in Arabic;
# ة ى are Arabic (Persian writes ه and ی). Fars News still types Arabic ي/ك,
# so Persian is also recognised by its own frequent words.
_URDU_LETTERS = re.compile(r"[\u06D2\u0688\u0679\u0691\u06BA\u06BE\u06C1\u06D4]")
_PERSIAN_LETTERS = re.compile(r"[\u067E\u0686\u0698\u06AF\u06CC\u06A9]")
_ARABIC_LETTERS = re.compile(r"[\u0629\u0649]")
_HARAKAT = re.compile(r"[\u064B-\u065F\u0670\u0640]")
_WORD = re.compile(r"[\u0620-\u064A\u066E-\u06D3\u06D5\u06FA-\u06FF]+")
_MIN_CUE = 2


@cache
def _cue_words() -> dict[str, frozenset[str]]:
    """ar, fa, ur → the frequent words that vote for it (``data/arabic_script_cues.tsv``)."""
    words: dict[str, set[str]] = {"ar": set(), "fa": set(), "ur": set()}
    for word, language in data_lines("arabic_script_cues.tsv"):
        words[language].add(word)
    return {language: frozenset(found) for language, found in words.items()}


def arabic_cues(text: str) -> dict[str, int]:
    """Orthographic and lexical votes for ar, fa and ur in Arabic-script ``text``."""
    bare = _HARAKAT.sub("", text)
    words = _WORD.findall(bare.replace("\u200c", " "))
    cue_words = _cue_words()
    fa_words = sum(1 for w in words if w in cue_words["fa"])
    ar_words = sum(1 for w in words if w in cue_words["ar"])
    ur_words = sum(1 for w in words if w in cue_words["ur"])
    return {
        "ur": len(_URDU_LETTERS.findall(bare)) + 3 * ur_words,
        "fa": len(_PERSIAN_LETTERS.findall(bare)) + 3 * fa_words,
        "ar": len(_ARABIC_LETTERS.findall(bare)) + 3 * ar_words,
    }


def arabic_script_language(text: str, letters: int) -> str | None:
    """ar, fa or ur when the cues are decisive, else None (ask a model).

    Urdu first: its own letters are frequent (about one letter in ten, so 2 %
    is decisive while a quoted Urdu name in Persian is not) and Urdu shares
    پ چ گ ی ک with Persian. Otherwise a language wins when the
    other has no vote at all or it out-votes it five to one.
    """
    cues = arabic_cues(text)
    if cues["ur"] and cues["ur"] * 50 >= letters:
        return "ur"
    fa, ar = cues["fa"], cues["ar"]
    if fa and not ar:
        return "fa"
    if ar and not fa:
        return "ar"
    if fa >= 5 * ar and fa >= _MIN_CUE:
        return "fa"
    if ar >= 5 * fa and ar >= _MIN_CUE:
        return "ar"
    return None


# --------------------------------------------------------------------------- stop-word votes

# Languages of the Latin and Cyrillic scripts whose stop words the
# ``stop-words`` package lists, by the code they are configured with ('no' is
# Bokmål's list).
_STOP_WORDS_CODE = {
    **{
        code: code
        for code in _words(
            "en fr de es it pt nl sv da nb fi pl cs sk ro hu tr id ms vi ca ru uk bg"
        )
    },
    "no": "nb",
}
VOTING_SCRIPTS = frozenset({"Latin", "Cyrillic"})
_LATIN_WORD = re.compile(r"[^\W\d_]+")
# The first words of a text are enough to vote; long articles cost no more.
_VOTE_CHARS = 1000


def stop_words(language: str) -> frozenset[str]:
    """The ``stop-words`` package's list for ``language`` (empty when it has none)."""
    return _stop_words(language.split("-", 1)[0].lower())


@cache
def _stop_words(language: str) -> frozenset[str]:
    from stop_words import StopWordError, get_stop_words

    try:
        return frozenset(get_stop_words(_STOP_WORDS_CODE.get(language, language)))
    except StopWordError:
        return frozenset()


def has_stop_words(language: str) -> bool:
    """Whether the ``stop-words`` package has a list that votes for ``language``."""
    return language.split("-", 1)[0].lower() in _STOP_WORDS_CODE


@stored
def _vote_index(candidates: frozenset[str]) -> dict[str, tuple[tuple[str, float], ...]]:
    """word → (language, weight) for the candidates' stop words.

    A word shared by k candidates' lists gives each of them 1/k of a vote, so
    "a" or "in" say little and "und" or "the" say much.
    """
    owners: dict[str, list[str]] = {}
    for language in sorted(candidates):
        if language in _STOP_WORDS_CODE:
            for word in _stop_words(language):
                owners.setdefault(word, []).append(language)
    # Thousands of words share one set of owners: one tuple each, not one per
    # word (a smaller table, read back from the kept file in a third of the time).
    shared: dict[tuple[str, ...], tuple[tuple[str, float], ...]] = {}
    return {
        word: shared.get(key := tuple(langs))
        or shared.setdefault(key, tuple((lang, 1.0 / len(langs)) for lang in langs))
        for word, langs in owners.items()
    }


def stop_word_votes(text: str, candidates: tuple[str, ...]) -> list[tuple[str, float]]:
    """Stop-word votes of the candidate languages in ``text``, best first.

    Only candidates with a stop list vote; the others are left to a model.
    """
    index = _vote_index(frozenset(candidates))
    votes: dict[str, float] = {}
    for word in _LATIN_WORD.findall(text[:_VOTE_CHARS].lower()):
        for language, weight in index.get(word, ()):
            votes[language] = votes.get(language, 0.0) + weight
    return sorted(votes.items(), key=lambda pair: (-pair[1], pair[0]))
