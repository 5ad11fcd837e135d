"""Recover an article's structure from plain lines.

The layouts met in practice (see the seed and the corpora):

* seed: headline, standfirst, a lone ``-``, a photo caption ending in ``(WANA)``,
  then one paragraph per line, short sub-headings, and quoted posts followed by
  an attribution line ``— Name | نام (@handle) October 28, 2025``;
* BBC: headline, blank line, paragraphs separated by blank lines, ``- `` lists;
* Persian: headline, abstract on the next line, blank line, paragraphs;
* Urdu: no headline at all, paragraphs only, BBC Urdu photo credit lines.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from feedtool._text import MONTHS, ends_sentence, has_inner_boundary
from feedtool.model import Block, EmbeddedPost, Heading, Image, ListBlock, Paragraph

# ---------------------------------------------------------------------------- thresholds

_HEADLINE_MAX_WORDS = 20  # the longest headline in the corpora has 19 words (Persian)
_HEADLINE_MAX_CHARS = 150
_HEADLINE_PERIOD_MAX_WORDS = 12  # "Nasa probe lands on Titan." may end with a period
_HEADING_MAX_WORDS = 10
_HEADING_MAX_CHARS = 80
_WRAPPED_WIDTHS = range(50, 101)  # hard-wrapped text is wrapped at 50 to 100 columns
_AUTHOR_MAX_WORDS = 8
_CREDIT_MAX_WORDS = 5
_CREDIT_MAX_CHARS = 40

# ---------------------------------------------------------------------------- patterns

_SEPARATOR = re.compile(r"^(?:([-—–―*_=~•·])(?:\s*\1)*)$")
_LIST_ITEM = re.compile(r"^[-*•●▪–]\s+(?P<text>\S.*)$")
# '1. ', '2) ', '۳. ' (any script's digits): a numbered item, when two or more follow in order.
_NUMBERED_ITEM = re.compile(r"^(?P<number>\d{1,3})[.)]\s+(?P<text>\S.*)$")
_DASH = re.compile(r"^(?P<dash>—|―|–|--|-)\s*(?P<rest>\S.*)$")
_HANDLE = re.compile(r"\(?@(?P<handle>[A-Za-z0-9_]{1,30})\)?$")
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_DATE_PATTERNS = (
    re.compile(rf"{_MONTH}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})$"),
    re.compile(rf"(?P<day>\d{{1,2}})\s+{_MONTH},?\s+(?P<year>\d{{4}})$"),
    re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})$"),
)
_URL = re.compile(r"(?:https?://|(?<![\w./@])(?:pic\.twitter\.com|t\.co)/)[^\s<>\"“”‘’«»]+")
_URL_TRAILING = ".,;:!?)]}'\"…"
_TRAILING_CREDIT = re.compile(r"^(?P<caption>.*\S)\s*\((?P<credit>[^()]+)\)$")
# BBC pages flattened to text keep their photo furniture as words.
_PHOTO_LINE = re.compile(
    r"^(?:Image copyright|Image source|Copyright|تصویر کے کاپی رائٹ|تصویر کا ذریعہ)\s+"
    r"(?P<credit>\S.*?)(?:\s+Image caption\s+(?P<caption>\S.*))?$"
)
_CAPTION_LINE = re.compile(r"^Image caption\s+(?P<caption>\S.*)$")


# ---------------------------------------------------------------------------- units


@dataclass(frozen=True, slots=True)
class Unit:
    """One logical line: a source line, or hard-wrapped lines joined."""

    line: int
    text: str
    gap_before: bool  # a blank line (or the start of the text) comes before it


@dataclass(frozen=True, slots=True)
class Structure:
    """What the layout tells, before any defaults are applied."""

    headline: Unit | None  # None: the text has no headline line
    standfirst: Unit | None
    image: Image | None
    body: tuple[Block, ...]


def units_of(lines: list[str], first_line: int) -> list[Unit]:
    """Logical lines of ``lines`` (``first_line`` is the file line of ``lines[0]``)."""
    groups: list[list[tuple[int, str]]] = [[]]
    for index, raw in enumerate(lines):
        text = " ".join(raw.split())
        if text:
            groups[-1].append((first_line + index, text))
        elif groups[-1]:
            groups.append([])
    groups = [g for g in groups if g]
    width = max((len(t) for g in groups for _, t in g), default=0)
    # Wrapped text needs blank lines between its paragraphs; one-paragraph-per-line
    # text (the seed) may have none and short lines anywhere.
    wrapped = width in _WRAPPED_WIDTHS and len(groups) > 1 and any(len(g) > 1 for g in groups)
    units: list[Unit] = []
    for group in groups:
        gap = True
        for number, text in group:
            previous = units[-1] if units and not gap else None
            if wrapped and previous is not None and _continues_wrap(previous.text, text, width):
                units[-1] = Unit(previous.line, f"{previous.text} {text}", previous.gap_before)
            else:
                units.append(Unit(number, text, gap))
            gap = False
    return _join_broken(units)


def _continues_wrap(previous: str, text: str, width: int) -> bool:
    # A wrapper breaks a line only when the next word would not fit: a short line
    # inside a block ended on purpose (a heading, the last line of an item).
    if _special(text):
        return False
    return len(previous) + 1 + len(text.split()[0]) > width


def _join_broken(units: list[Unit]) -> list[Unit]:
    """Rejoin a paragraph broken in the middle of a sentence (BBC files lost the
    names between 'Real Madrid' / 'did' / 'ask for an option…')."""
    out: list[Unit] = []
    for unit in units:
        if len(out) > 1 and unit.text[0] in _CONTINUATION_PUNCTUATION:
            last = out[-1]
            out[-1] = Unit(last.line, f"{last.text}{unit.text}", last.gap_before)
        elif len(out) > 1 and _starts_lowercase(unit.text) and _open_ended(out[-1].text):
            last = out[-1]
            out[-1] = Unit(last.line, f"{last.text} {unit.text}", last.gap_before)
        else:
            out.append(unit)
    return out


# No paragraph starts with these; a line that does lost its beginning.
_CONTINUATION_PUNCTUATION = ".,;:!?)]}،؛"


def _starts_lowercase(text: str) -> bool:
    first = text.split()[0]
    return first.isalpha() and first.islower() and not _special(text)


def _open_ended(text: str) -> bool:
    return not ends_sentence(text) and not _special(text) and text[-1:] not in ':;"”'


def _special(text: str) -> bool:
    return bool(
        _SEPARATOR.match(text)
        or _LIST_ITEM.match(text)
        or _NUMBERED_ITEM.match(text)
        or attribution(text)
        or _PHOTO_LINE.match(text)
        or _CAPTION_LINE.match(text)
    )


# ---------------------------------------------------------------------------- recognisers


@dataclass(frozen=True, slots=True)
class Attribution:
    """``— Name | alternate (@handle) date`` under a quoted post."""

    author: str
    alternate: str | None
    handle: str | None
    date: dt.date | None


def attribution(text: str) -> Attribution | None:
    """The attribution line of an embedded post, or ``None``."""
    found = _DASH.match(text)
    if not found:
        return None
    rest = found["rest"].strip()
    date: dt.date | None = None
    for pattern in _DATE_PATTERNS:
        match = pattern.search(rest)
        if match and (date := _date(match)) is not None:
            rest = rest[: match.start()].rstrip(" ,·-–")
            break
    handle: str | None = None
    match = _HANDLE.search(rest)
    if match and (match[0].startswith("(") == match[0].endswith(")")):
        handle = match["handle"]
        rest = rest[: match.start()].rstrip(" ,·")
    if found["dash"] == "-" and handle is None and date is None:
        return None  # '- text' is a list item unless it carries a handle or a date
    author, _, alternate = (part.strip() for part in rest.partition("|"))
    if not author or len(author.split()) > _AUTHOR_MAX_WORDS or re.search(r"[.!?:;]", author):
        return None
    if handle is None and date is None and len(author.split()) > _AUTHOR_MAX_WORDS // 2 + 2:
        return None
    return Attribution(author, alternate or None, handle, date)


def _date(match: re.Match[str]) -> dt.date | None:
    month_text = match["month"]
    month = int(month_text) if month_text.isdigit() else MONTHS.get(month_text.lower())
    if month is None:
        return None
    try:
        return dt.date(int(match["year"]), month, int(match["day"]))
    except ValueError:
        return None


def links(text: str) -> tuple[str, ...]:
    """URLs in a post's text; bare ``pic.twitter.com/…`` gets its ``https://``."""
    found: list[str] = []
    for match in _URL.finditer(text):
        url = match[0].rstrip(_URL_TRAILING)
        if not url.startswith(("http://", "https://")):
            url = "https://" + url
        if url not in found:
            found.append(url)
    return tuple(found)


def photo_line(text: str, line: int) -> Image | None:
    """A BBC-style 'Image copyright X Image caption Y' line as an image."""
    match = _PHOTO_LINE.match(text)
    if match:
        return Image(caption=match["caption"], credit=match["credit"], line=line)
    match = _CAPTION_LINE.match(text)
    if match:
        return Image(caption=match["caption"], line=line)
    return None


def captioned_photo(text: str, line: int) -> Image | None:
    """A caption with its credit in final parentheses: '… Tehran (WANA)'."""
    match = _TRAILING_CREDIT.match(text)
    if not match:
        return None
    credit = match["credit"].strip()
    if (
        len(credit) > _CREDIT_MAX_CHARS
        or len(credit.split()) > _CREDIT_MAX_WORDS
        or not any(c.isalpha() for c in credit)
        or credit[0].islower()
    ):
        return None
    return Image(caption=match["caption"].rstrip(" ,;:-–—"), credit=credit, line=line)


def headline_like(text: str) -> bool:
    """Short, one sentence, not a list item: what a headline looks like."""
    words = text.split()
    if len(words) > _HEADLINE_MAX_WORDS or len(text) > _HEADLINE_MAX_CHARS:
        return False
    if _special(text):
        return False
    if text.endswith((".", "۔")) and (
        len(words) > _HEADLINE_PERIOD_MAX_WORDS or has_inner_boundary(text)
    ):
        return False
    return any(c.isalpha() for c in text)


def heading_like(text: str) -> bool:
    """Short, no sentence punctuation, starting with a capital (or uncased script)."""
    if len(text.split()) > _HEADING_MAX_WORDS or len(text) > _HEADING_MAX_CHARS:
        return False
    if _special(text) or text[0].islower() or not any(c.isalpha() for c in text):
        return False
    if text.count(",") + text.count("،") > 2 or "@" in text or "://" in text:
        return False  # a list of names, a handle or an address is no heading
    if text.endswith(("?", "؟")):
        return not has_inner_boundary(text)
    return not ends_sentence(text) and text[-1] not in ",،:;\"”'’»)"


# ---------------------------------------------------------------------------- structure


def recover(units: list[Unit]) -> Structure:
    """Headline, standfirst, lead image and body blocks of an article's units."""
    index = 0
    image: Image | None = None
    if len(units) > 1 and (lead := photo_line(units[0].text, units[0].line)):
        image, index = lead, 1  # BBC Urdu pages open with the photo credit
    headline: Unit | None = None
    standfirst: Unit | None = None
    if len(units) > index + 1 and headline_like(units[index].text):
        headline = units[index]
        index += 1
        following = units[index] if index < len(units) else None
        # A line right under the headline, with no blank line between, is the
        # standfirst (seed, Persian); after a blank line it is the first paragraph.
        if (
            following is not None
            and not following.gap_before
            and index + 1 < len(units)
            and not _special(following.text)
            and (attribution_at(units, index + 1) is None)
        ):
            standfirst = following
            index += 1
        if index < len(units) and _SEPARATOR.match(units[index].text):
            index += 1
            if index < len(units) and (
                caption := captioned_photo(units[index].text, units[index].line)
            ):
                image = _merge_image(image, caption)
                index += 1
    if image is None and index < len(units) and index + 1 < len(units):
        lead = photo_line(units[index].text, units[index].line)
        if lead is not None:
            image, index = lead, index + 1
    return Structure(headline, standfirst, image, _blocks(units[index:]))


def attribution_at(units: list[Unit], index: int) -> Attribution | None:
    """The attribution at ``units[index]``, if there is one."""
    return attribution(units[index].text) if index < len(units) else None


def _merge_image(first: Image | None, second: Image) -> Image:
    if first is None:
        return second
    return first.model_copy(
        update={"caption": first.caption or second.caption, "credit": first.credit or second.credit}
    )


def _blocks(units: list[Unit]) -> tuple[Block, ...]:
    blocks: list[Block] = []
    index = 0
    while index < len(units):
        unit = units[index]
        text = unit.text
        following = units[index + 1] if index + 1 < len(units) else None
        if _SEPARATOR.match(text):
            index += 1  # a thematic break carries no text and the model has no rule block
            continue
        image = photo_line(text, unit.line)
        if image is not None:
            blocks.append(image)
            index += 1
            continue
        credit = attribution_at(units, index + 1)
        if credit is not None and attribution(text) is None:
            blocks.append(
                EmbeddedPost(
                    text=text,
                    author=credit.author,
                    author_alternate_name=credit.alternate,
                    handle=credit.handle,
                    date=credit.date,
                    links=links(text),
                    line=unit.line,
                )
            )
            index += 2
            continue
        previous_heading_like = index > 0 and heading_like(units[index - 1].text)
        # A heading may introduce an embedded post, whose text is often short.
        following_is_post = attribution_at(units, index + 2) is not None
        if (
            following is not None
            and heading_like(text)
            and (following_is_post or not heading_like(following.text))
            and not _LIST_ITEM.match(following.text)
            and not previous_heading_like
        ):
            # Runs of short lines are lists (fixtures, names), not headings.
            blocks.append(Heading(text=text, line=unit.line))
        elif (found := _list_at(units, index)) is not None:
            block, index = found
            blocks.append(block)
            continue
        else:
            blocks.append(Paragraph(text=text, line=unit.line))
        index += 1
    return tuple(blocks)


def _list_at(units: list[Unit], index: int) -> tuple[ListBlock, int] | None:
    """The list starting at ``units[index]`` and the index after it, or ``None``.

    Consecutive bullet lines make one list; numbered lines do when at least
    two follow each other counting up by one (a lone '2. ' may start a sentence).
    """
    first = units[index]
    if _LIST_ITEM.match(first.text):
        items: list[str] = []
        end = index
        while end < len(units) and (bullet := _LIST_ITEM.match(units[end].text)):
            items.append(bullet["text"])
            end += 1
        return ListBlock(items=tuple(items), line=first.line), end
    numbered = _NUMBERED_ITEM.match(first.text)
    if numbered is None:
        return None
    start = int(numbered["number"])
    items = [numbered["text"]]
    end = index + 1
    while end < len(units) and (item := _NUMBERED_ITEM.match(units[end].text)):
        if int(item["number"]) != start + len(items):
            break
        items.append(item["text"])
        end += 1
    if len(items) < 2:
        return None
    return ListBlock(ordered=True, start=start, items=tuple(items), line=first.line), end
