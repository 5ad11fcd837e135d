"""Parse stage: plain-text article bytes → ``NewsItem``.

A pure function of its inputs: the same bytes, path and config give the same
item. Front matter values always win over what the layout suggests. Newsroom
lines (bylines, wire trailers, date lines, corrections, the lead's dateline;
see ``_newsroom``) are recognised here and recorded in the model; turning
them and the text into ``date_published``/``date_modified`` is the enrich
stage's job (``feedtool.enrich.newsroom``).
"""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path, PurePosixPath, PureWindowsPath

from pydantic import ValidationError

from feedtool._slug import latin_share, slugify, stem_slug
from feedtool._text import ELLIPSIS, HEADLINE_LIMIT, sentences, shorten, summary, word_count
from feedtool.config import Config
from feedtool.errors import FeedtoolWarning, ParseError
from feedtool.model import (
    EmbeddedPost,
    Heading,
    Image,
    ListBlock,
    NewsItem,
    Paragraph,
    Person,
    Publisher,
)

from ._blocks import Structure, recover, units_of
from ._decode import NotText, decode
from ._frontmatter import FrontMatter, split_front_matter
from ._newsroom import Newsroom, extract

__all__ = ["parse_article"]

_TextBlock = Paragraph | Heading | ListBlock | EmbeddedPost

DESCRIPTION_LIMIT = 300  # a summary taken from the first paragraph is cut to this


def parse_article(
    data: bytes, *, source_path: str, config: Config, path: Path | None = None
) -> NewsItem:
    """Parse one article's bytes. ``source_path`` is relative to the seeds folder
    (it goes into the model); ``path`` is the real file, named in errors."""
    where: Path | str = path if path is not None else source_path
    try:
        return _parse(data, source_path=source_path, config=config, where=where)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "article"
        raise ParseError(
            f"the article gives an invalid {field}: {first['msg']}",
            path=where,
            hint="check the front matter value or the text it comes from",
        ) from exc


def _parse(data: bytes, *, source_path: str, config: Config, where: Path | str) -> NewsItem:
    limit = config.limits.max_article_bytes
    if len(data) > limit:
        raise ParseError(
            f"the article is {len(data):,} bytes, over the limit of {limit:,}",
            path=where,
            hint="split it into several articles, or raise [limits] max_article_bytes",
        )
    try:
        decoded = decode(data)
    except NotText as exc:
        hint = "articles are plain text files, preferably UTF-8"
        if b"\x00" in data:
            hint += "; a UTF-16 file needs a byte order mark (or save it as UTF-8)"
        raise ParseError(f"not a text file ({exc})", path=where, line=1, hint=hint) from exc
    for note in decoded.notes:
        warnings.warn(
            FeedtoolWarning(note.message, path=where, line=note.line, hint=note.hint),
            stacklevel=3,
        )
    if not decoded.text.strip():
        raise ParseError(
            "the article is empty",
            path=where,
            line=1,
            hint="write the headline on line 1 and the paragraphs below it",
        )
    lines = decoded.text.split("\n")
    front, start = split_front_matter(lines, config=config, where=where)
    units = units_of(lines[start:], start + 1)
    if not units:
        assert front is not None  # an all-blank text was rejected above
        raise ParseError(
            "the front matter is not followed by any article text",
            path=where,
            line=front.end_line,
            hint="write the headline and the paragraphs after the closing '+++'",
        )
    kept, newsroom = extract(units)
    if len(kept) >= 1 and any(len(u.text.split()) > 3 for u in kept):
        units = kept
    else:
        newsroom = Newsroom()  # nothing but newsroom lines: read them as text
    structure = recover(units)
    text_blocks = [b for b in structure.body if not isinstance(b, Image)]
    if not text_blocks:
        line = structure.headline.line if structure.headline else units[0].line
        raise ParseError(
            "the article has a headline but no text",
            path=where,
            line=line,
            hint="add the article's paragraphs below the headline",
        )
    if structure.headline is None and len(units) == 1 and len(units[0].text.split()) <= 20:
        raise ParseError(
            "the article is a single short line",
            path=where,
            line=units[0].line,
            hint="put the headline on line 1 and the paragraphs below it",
        )
    return _item(
        front or FrontMatter(end_line=0),
        structure,
        text_blocks,
        newsroom,
        data=data,
        source_path=source_path,
        config=config,
    )


def _item(
    front: FrontMatter,
    structure: Structure,
    text_blocks: list[_TextBlock],
    newsroom: Newsroom,
    *,
    data: bytes,
    source_path: str,
    config: Config,
) -> NewsItem:
    content_hash = hashlib.sha256(data).hexdigest()
    headline = front.headline or (
        structure.headline.text if structure.headline else _derived_headline(text_blocks)
    )
    slug = front.slug or _slug(source_path, headline, content_hash)
    return NewsItem(
        id=front.id,
        url=front.url or config.absolute(f"articles/{slug}.html"),
        slug=slug,
        headline=headline,
        description=front.description or _description(structure, text_blocks, newsroom),
        body=structure.body,
        image=_image(front, structure.image),
        authors=_authors(front, newsroom, config),
        publisher=Publisher(
            name=config.publisher.name, url=config.publisher.url, logo=config.publisher.logo
        ),
        date_published=front.published,
        date_published_source="front_matter" if front.published else None,
        date_modified=front.modified,
        dateline=newsroom.dateline,
        date_lines=newsroom.date_lines,
        corrections=newsroom.corrections,
        language=front.language or config.language,
        language_source="front_matter" if front.language else "config",
        tags=front.tags,
        draft=front.draft,
        word_count=sum(word_count(b.text) for b in text_blocks),
        source_path=source_path,
        content_hash=content_hash,
    )


def _derived_headline(text_blocks: list[_TextBlock]) -> str:
    """The first sentence of the first paragraph, for texts without a headline line."""
    first = next((b for b in text_blocks if isinstance(b, Paragraph)), text_blocks[0])
    sentence = sentences(first.text)[0]
    if sentence.endswith((".", "۔")) and not sentence.endswith(ELLIPSIS):
        sentence = sentence[:-1].rstrip()
    return shorten(sentence, HEADLINE_LIMIT)


def _description(
    structure: Structure, text_blocks: list[_TextBlock], newsroom: Newsroom
) -> str | None:
    if structure.standfirst is not None:
        return structure.standfirst.text
    first = next((b for b in text_blocks if isinstance(b, Paragraph)), None)
    if first is None:
        return None
    text = first.text
    dateline = newsroom.dateline
    # A summary leaves out the lead's dateline ('LONDON, Nov 27 (Reuters) -').
    if dateline is not None and first.line == dateline.line and text.startswith(dateline.text):
        text = text[len(dateline.text) :].strip() or text
    return summary(text, DESCRIPTION_LIMIT)


def _image(front: FrontMatter, found: Image | None) -> Image | None:
    given = front.image
    if given is None:
        return found
    base = found or Image()
    return Image(
        url=given.url or base.url,
        caption=given.caption if given.caption is not None else base.caption,
        credit=given.credit if given.credit is not None else base.credit,
        width=given.width,
        height=given.height,
        line=base.line,
    )


def _authors(front: FrontMatter, newsroom: Newsroom, config: Config) -> tuple[Person, ...]:
    """Front matter, else the byline (or wire trailer), else the config's default."""
    if front.authors is not None:
        return front.authors
    return newsroom.authors or _default_authors(config)


def _default_authors(config: Config) -> tuple[Person, ...]:
    if config.author is None:
        return ()
    author = config.author
    kind = "Person" if author.kind == "Person" else "Organization"
    return (Person(name=author.name, url=author.url, kind=kind),)


def _slug(source_path: str, headline: str, content_hash: str) -> str:
    # Either separator may appear in a source path given on any system.
    stem = PureWindowsPath(PurePosixPath(source_path).name).stem
    meaningful = stem_slug(stem)
    if meaningful:
        return meaningful
    if latin_share(headline) >= 0.5 and (from_headline := slugify(headline)):
        return from_headline
    return slugify(stem) or f"article-{content_hash[:12]}"
