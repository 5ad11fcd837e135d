"""Text views of a ``NewsItem`` shared by the enrichers.

Every enricher needs the same thing: the article's text, piece by piece, with
where each piece came from (for ``Evidence.where``) and its line. This module
is the one place that walks the model for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from feedtool._text import derived_from
from feedtool.model import EmbeddedPost, Heading, ListBlock, NewsItem, Paragraph


class Segment(NamedTuple):
    """A piece of an article's text (a tuple: five enrichers make an article's
    segments each, and a frozen dataclass cost several times more to make).

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
    if not derived_from(item.headline, first_paragraph):
        yield Segment("headline", 1, item.headline)
    if item.description and not derived_from(item.description, first_paragraph):
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
        elif isinstance(block, ListBlock):
            # Each item is read on its own: items are not one another's sentences.
            for offset, entry in enumerate(block.items):
                yield Segment("paragraph", block.line + offset, entry, block.language)


# Segments named by their place; any other is named by its line ('line 7').
_NAMED = ("headline", "description", "caption")


def where_label(kind: str, line: int) -> str:
    """``Evidence.where`` of a text segment: 'headline', 'description', 'caption' or 'line N'."""
    return kind if kind in _NAMED else f"line {line}" if line else kind


def reading_order(where: str) -> tuple[int, int]:
    """Sort key of ``Evidence.where`` labels: named places first, then lines in order."""
    if where in _NAMED:
        return (_NAMED.index(where), 0)
    number = where.removeprefix("line ")
    return (len(_NAMED), int(number) if number.isdigit() else 0)
