"""Lingua's detectors: standard library and lingua only.

A parallel build asks lingua from a process of its own
(:class:`feedtool.publish._models.ModelProcess`), a fresh interpreter that
imports this module and nothing of the pipeline, so it holds the models and
little else (~20 MB before the first one).

Lingua loads a language's models (tens of MB for the five n-gram sizes a
short text needs) the first time a detector needs them, and keeps them in a
cache shared by every detector until they are unloaded. A parallel build
asks about a few hundred articles in 20,000, which may between them need a
dozen languages; all of them loaded at once were the build's peak memory.
Which models are loaded never changes an answer.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Question(NamedTuple):
    """A question for lingua: ``text`` as asked (already cleaned and cut) and
    the ``candidates`` it may answer (ISO 639-1, as configured)."""

    text: str
    candidates: tuple[str, ...]


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
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    known = []
    for code in sorted(languages):
        try:
            known.append(
                Language.from_iso_code_639_1(IsoCode639_1.from_str(LINGUA_CODE.get(code, code)))
            )
        except ValueError:
            continue  # a configured language lingua has no model for
    found = LanguageDetectorBuilder.from_languages(*known).build() if len(known) > 1 else None
    if len(_DETECTORS) >= _MAX_DETECTORS:
        _DETECTORS.clear()
    _DETECTORS[languages] = found
    return found


def confidence(text: str, candidates: tuple[str, ...]) -> tuple[str | None, float]:
    """Lingua's most likely language of ``text`` among ``candidates`` (ISO 639-1,
    as configured) and its confidence; ``(None, 0.0)`` when it has none.
    ``text`` is asked as given (already cleaned and cut)."""
    found = detector(frozenset(candidates))
    if found is None:
        return candidates[0], 0.0
    values = found.compute_language_confidence_values(text)
    if not values:
        return None, 0.0
    top = values[0]
    code = str(top.language.iso_code_639_1.name).lower()
    if code not in candidates:  # lingua's 'nb' configured as 'no'
        code = next((c for c in candidates if LINGUA_CODE.get(c) == code), code)
    return code, float(top.value)


def full_models(text: str) -> bool:
    """Whether lingua reads ``text`` with its models of all five n-gram sizes:
    lingua counts the letters of the words it finds, close to these (a text
    near the limit may be taken for the other kind: its answer is the same,
    only the memory it takes differs)."""
    return sum(map(str.isalpha, text)) < _SHORT_TEXT


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
    "confidence",
    "detector",
    "full_models",
    "start",
    "unload",
]
