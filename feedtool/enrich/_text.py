"""Text views of a ``NewsItem`` shared by the enrichers.

Every enricher needs the same thing: the article's text, piece by piece, with
where each piece came from (for ``Evidence.where``) and its line. This module
is the one place that walks the model for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from feedtool.model import EmbeddedPost, Heading, NewsItem, Paragraph


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of an article's text.

    ``where`` is 'headline', 'description', 'caption', 'heading', 'paragraph'
    or 'post'; ``line`` is the 1-based source line (0 when unknown);
    ``language`` is the block's own tag, when it has one.
    """

    where: str
    line: int
    text: str
    language: str | None = None


def segments(item: NewsItem) -> Iterator[Segment]:
    """The article's text in reading order: headline, description, caption, body."""
    first_paragraph = next((b.text for b in item.body if isinstance(b, Paragraph)), "")
    # A file without a headline line gets its first sentence as headline, and
    # one without a standfirst its first paragraph as description: reading
    # those again would double-count every mention in them.
    if not _taken_from(item.headline, first_paragraph):
        yield Segment("headline", 1, item.headline)
    if item.description and not _taken_from(item.description, first_paragraph):
        yield Segment("description", 2, item.description)
    if item.image is not None and item.image.caption:
        yield Segment("caption", item.image.line or 0, item.image.caption)
    for block in item.body:
        if isinstance(block, Paragraph):
            yield Segment("paragraph", block.line, block.text, block.language)
        elif isinstance(block, Heading):
            yield Segment("heading", block.line, block.text, block.language)
        elif isinstance(block, EmbeddedPost):
            yield Segment("post", block.line, block.text, block.language)


def _taken_from(summary: str, paragraph: str) -> bool:
    stem = summary.rstrip("…").rstrip()
    return bool(stem) and paragraph.startswith(stem)


# A sentence ends at . ! ? (or the Arabic-script ۔ ؟) followed by space and a
# capital, a digit, a quote or a non-Latin letter; abbreviations such as
# "Mr." or "U.S." are the usual trap, handled by requiring the next word to
# start a sentence and by the small list below.
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "gen",
        "col",
        "lt",
        "sgt",
        "rep",
        "sen",
        "gov",
        "pres",
        "rev",
        "no",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "e.g",
        "i.e",
    ]
)
_WINDOW = 32
_SENTENCE_END = re.compile(r"(?<=[.!?۔؟])([\"'”’)]*)\s+(?=[\"'“‘(]?[A-Z0-9\u0600-\u06FF])")


def sentences(text: str) -> list[tuple[int, str]]:
    """Split ``text`` into sentences, as ``(offset, sentence)`` pairs."""
    result: list[tuple[int, str]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        # Only the last word is read, through a bounded window: slicing from
        # ``start`` each time is quadratic when abbreviations follow each
        # other for a megabyte ("Mr. A Mr. A …"). No abbreviation is longer.
        tail = text[max(start, match.end(1) - _WINDOW) : match.end(1)].split()
        last_word = tail[-1].rstrip(".").lower() if tail else ""
        if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue
        result.append((start, text[start : match.end(1)]))
        start = match.end()
    if start < len(text) and text[start:].strip():
        result.append((start, text[start:]))
    return result
