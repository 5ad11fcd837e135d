"""Small text helpers shared by the parse modules: sentences, trimming, word counts."""

from __future__ import annotations

import re

ELLIPSIS = "…"
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


def sentences(text: str) -> list[str]:
    """Split into sentences; a 'sentence' shorter than a few words joins the next one,
    which keeps 'Mr. Smith' and 'No. 10' together."""
    parts: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        candidate = text[start : match.end()].strip()
        if len(candidate.split()) >= _MIN_SENTENCE_WORDS:
            parts.append(candidate)
            start = match.end()
    rest = text[start:].strip()
    if rest:
        parts.append(rest)
    return parts


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, '…' included."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS) + 1]
    space = cut.rfind(" ")
    # One giant "word" (a URL, unspaced script) is cut where it must be.
    cut = cut[:space] if space > limit // 2 else cut[: limit - len(ELLIPSIS)]
    return cut.rstrip(" ,;:،؛-–—") + ELLIPSIS


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


def word_count(text: str) -> int:
    """Words: whitespace-separated tokens with at least one letter or digit."""
    return sum(1 for token in text.split() if any(c.isalnum() for c in token))
