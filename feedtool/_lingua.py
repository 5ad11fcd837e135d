"""Lingua's detectors: standard library and lingua only.

A parallel build asks lingua from a process of its own
(:class:`feedtool.publish._models.ModelProcess`), a fresh interpreter that
imports this module and nothing of the pipeline, so it holds the models and
little else (~14 MB before the first one).

Lingua loads a language's models (tens of MB for the five n-gram sizes a
short text needs) the first time a detector needs them, and keeps them in a
cache shared by every detector until they are unloaded. A parallel build
asks about a few hundred articles in 20,000, which may between them need a
dozen languages; all of them loaded at once were the build's peak memory.
Which models are loaded never changes an answer.
"""

from __future__ import annotations

from collections import namedtuple

# Not `from typing import ...`: typing is 1.8 MB of a model process, which
# imports this module and lingua alone; mypy reads the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple

    class Question(NamedTuple):
        """A question for lingua: ``text`` as asked (already cleaned and cut) and
        the ``candidates`` it may answer (ISO 639-1, as configured)."""

        text: str
        candidates: tuple[str, ...]
else:
    Question = namedtuple("Question", ["text", "candidates"])


# Lingua reads a text of fewer letters with its models of all five n-gram
# sizes (tens of MB a language: English's ~60 MB), a longer one with its
# trigrams' alone (a few MB).
_SHORT_TEXT = 120

# Configured codes lingua knows by another name: Norwegian is Bokmål to it.
LINGUA_CODE = {"no": "nb"}
# Detectors kept at most (each set of candidates gets its own).
_MAX_DETECTORS = 64
# Lingua detectors by the set of ISO 639-1 codes they may answer.
_DETECTORS: dict[frozenset[str], Any] = {}


def detector(languages: frozenset[str]) -> Any:
    """The cached lingua detector for ``languages`` (None if lingua knows fewer than two)."""
    if languages in _DETECTORS:
        return _DETECTORS[languages]
    found = _build(languages)
    if len(_DETECTORS) >= _MAX_DETECTORS:
        _DETECTORS.clear()
    _DETECTORS[languages] = found
    return found


def _build(languages: frozenset[str]) -> Any:
    """A new lingua detector for ``languages`` (None if lingua knows fewer than two)."""
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    known = []
    for code in sorted(languages):
        try:
            known.append(
                Language.from_iso_code_639_1(IsoCode639_1.from_str(LINGUA_CODE.get(code, code)))
            )
        except ValueError:
            continue  # a configured language lingua has no model for
    return LanguageDetectorBuilder.from_languages(*known).build() if len(known) > 1 else None


def confidence(text: str, candidates: tuple[str, ...]) -> tuple[str | None, float]:
    """Lingua's most likely language of ``text`` among ``candidates`` (ISO 639-1,
    as configured) and its confidence; ``(None, 0.0)`` when it has none.
    ``text`` is asked as given (already cleaned and cut)."""
    found = detector(frozenset(candidates))
    if found is None:
        return candidates[0], 0.0
    _load_in_turn(text, candidates)
    values = found.compute_language_confidence_values(text)
    if not values:
        return None, 0.0
    top = values[0]
    code = str(top.language.iso_code_639_1.name).lower()
    if code not in candidates:  # lingua's 'nb' configured as 'no'
        code = next((c for c in candidates if LINGUA_CODE.get(c) == code), code)
    return code, float(top.value)


def _load_in_turn(text: str, candidates: tuple[str, ...]) -> None:
    """Have lingua load the models it reads ``text`` with among more than two
    ``candidates`` one language at a time, the largest first, before it is asked.

    Asked at once, lingua loads the models of all of a question's languages an
    n-gram size at a time, five-grams last, in its hash order. A model being
    read takes about as much again as it holds (its text, a first table), so
    the last five-grams loaded take that much more beside all the others: a
    short text on Czech, English, French and Polish took 168 to 193 MB in a
    bare process, by which five-grams came last (Czech's are twice English's).
    Loaded in turn (Czech and Polish, then English; French with the question),
    the last to load are among the smallest: 167 MB every time, the same
    142 MB held once loaded.

    Only for a short text (all five sizes: the shorter models of a long one are
    a few MB) whose letters are all ASCII: lingua's rules, which may narrow
    a question's languages by the letters it has, then rule out no
    Latin-script language, so each part asks for models the whole question
    loads anyway. Which models are loaded, and when, never changes an answer.
    """
    if len(candidates) < 3 or not full_models(text):
        return
    if not all(char.isascii() for char in text if char.isalpha()):
        return
    order = sorted(candidates, key=lambda code: (-_MODEL_MB.get(code, 25), code))
    for end in range(2, len(order)):
        part = _build(frozenset(order[:end]))
        if part is not None:
            part.compute_language_confidence_values(text)


# MB held by each Latin-script language's models of all five n-gram sizes, as
# lingua 2.1 loads them (each measured in a process of its own, RSS before and
# after a five-letter question): which to load first. Others count as 25.
_MODEL_SIZES = """
    hu:50 cs:49 sk:30 lt:30 pl:29 lv:29 tr:29 is:29 fi:26 et:26 hr:25 de:25 sv:25
    nl:25 sl:25 da:25 ro:24 nb:24 no:24 az:24 es:23 en:23 fr:23 it:15 pt:15 ca:14
    sq:14 id:14 nn:13 bs:13 la:13 cy:13 af:13 ga:11 eu:11 vi:9 ms:7 lg:7 zu:7 tl:7
    xh:7 so:7 yo:4 sw:3 mi:3 sn:2 ts:2 tn:2 st:2
"""
_MODEL_MB = {code: int(size) for code, size in (pair.split(":") for pair in _MODEL_SIZES.split())}


def full_models(text: str) -> bool:
    """Whether lingua reads ``text`` with its models of all five n-gram sizes:
    lingua counts the letters of the words it finds, close to these (a text
    near the limit may be taken for the other kind: its answer is the same,
    only the memory it takes differs)."""
    return sum(map(str.isalpha, text)) < _SHORT_TEXT


# ASCII as lingua reads it: a capital as its small letter, every other
# character but a letter as one separator (see ``answer_key``).
_AS_READ = {code: " " for code in range(128) if not chr(code).isalpha()}
_AS_READ.update((code, chr(code + 32)) for code in range(ord("A"), ord("Z") + 1))
# Lingua's version, found once (``answer_key``); empty when unknown.
_VERSION: list[str] = []


def answer_key(question: Question) -> str | None:
    """A digest of all that lingua's answer to ``question`` depends on (lingua's
    version, the candidates, the text as lingua reads it), to keep the answer
    under; ``None`` when lingua's version is unknown.

    Lingua 2.1 (lingua-rs 1.7, ``split_text_into_words``) reads a text as its
    words alone, the runs of letters of the lowercased text: its rules, the
    letter count that chooses the models and the n-grams all come from them.
    So an ASCII capital is its small letter to it, and every run of ASCII
    characters other than letters (digits, punctuation, spaces) one
    separator; the key reads them so (a corrected figure asks nothing new),
    and every other character as it is. Not in a text with a capital sigma,
    the one letter whose lowercase depends on what follows it (a final ς,
    unless punctuation and then a letter follow): such a text is keyed as it is.
    """
    # Imported here, as hashlib below: a model process imports this module
    # and needs neither.
    if not _VERSION:
        from importlib.metadata import PackageNotFoundError, version

        try:
            _VERSION.append(version("lingua-language-detector"))
        except PackageNotFoundError:
            _VERSION.append("")
    if not _VERSION[0]:
        return None
    text = question.text
    if "\u03a3" not in text:
        text = " ".join(filter(None, text.translate(_AS_READ).split(" ")))
    import hashlib

    parts = (_VERSION[0], ",".join(question.candidates), text)
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def unload() -> None:
    """Unload every model the cached detectors loaded, and forget the detectors."""
    for found in _DETECTORS.values():
        if found is not None:
            found.unload_language_models()
    _DETECTORS.clear()


def start() -> None:
    """In a model process: nothing to prepare (models load on first use)."""


def answer(question: tuple[str, tuple[str, ...]]) -> tuple[str | None, float]:
    """:func:`confidence` of ``(text, candidates)``: a model process's task."""
    return confidence(*question)


__all__ = [
    "LINGUA_CODE",
    "Question",
    "answer",
    "answer_key",
    "confidence",
    "detector",
    "full_models",
    "start",
    "unload",
]
