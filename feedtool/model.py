"""Public data model: what an article becomes once parsed and enriched.

Every model is a frozen pydantic v2 model; sequences are tuples so that a
``NewsItem`` is hashable-by-value in spirit and can never be mutated by a
renderer. Datetimes are always timezone-aware (``AwareDatetime``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------- people


class Person(_Frozen):
    """An author or a person behind an embedded post."""

    name: str = Field(min_length=1, description="Display name, e.g. 'Ali Larijani'.")
    url: str | None = Field(default=None, description="Profile page URL, if known.")
    kind: Literal["Person", "Organization"] = Field(
        default="Person", description="schema.org type to use for this author."
    )
    job_title: str | None = Field(
        default=None, description="Role given by a byline, e.g. 'Health Correspondent'."
    )


class Publisher(_Frozen):
    """The organisation that publishes the feed (from the config)."""

    name: str = Field(min_length=1)
    url: str
    logo: str | None = Field(default=None, description="Absolute URL of a logo image.")


# --------------------------------------------------------------------------- blocks


class Paragraph(_Frozen):
    """A paragraph of running text."""

    type: Literal["paragraph"] = "paragraph"
    text: str = Field(min_length=1)
    line: int = Field(ge=1, description="1-based line of the source file it starts on.")
    language: str | None = Field(
        default=None, description="BCP 47 tag when it differs from the article's."
    )


class Heading(_Frozen):
    """A sub-heading ('Wider context')."""

    type: Literal["heading"] = "heading"
    text: str = Field(min_length=1)
    line: int = Field(ge=1)
    language: str | None = None


class EmbeddedPost(_Frozen):
    """A social-media post quoted in the article, with its attribution line.

    ``— Ali Larijani | علی لاریجانی (@alilarijani_ir) October 28, 2025`` gives
    ``author='Ali Larijani'``, ``author_alternate_name='علی لاریجانی'``,
    ``handle='alilarijani_ir'`` and ``date=2025-10-28``.
    """

    type: Literal["post"] = "post"
    text: str = Field(min_length=1, description="The post's text, links included.")
    author: str = Field(min_length=1)
    author_alternate_name: str | None = Field(
        default=None, description="The name in another script, after ' | '."
    )
    handle: str | None = Field(default=None, description="Account handle without '@'.")
    date: dt.date | None = Field(default=None, description="Date on the attribution line.")
    links: tuple[str, ...] = Field(default=(), description="URLs found in the text.")
    line: int = Field(ge=1, description="Line of the post's text.")
    language: str | None = None
    author_language: str | None = Field(
        default=None, description="BCP 47 tag of ``author_alternate_name``."
    )

    @property
    def url(self) -> str | None:
        """Profile URL of the handle on X (formerly Twitter)."""
        return f"https://x.com/{self.handle}" if self.handle else None


class Image(_Frozen):
    """A photo: optional URL, caption and credit (``(WANA)`` → ``WANA``)."""

    type: Literal["image"] = "image"
    url: str | None = Field(default=None, description="Absolute URL, from front matter.")
    caption: str | None = None
    credit: str | None = None
    width: int | None = Field(default=None, ge=1, description="Pixels, when front matter says.")
    height: int | None = Field(default=None, ge=1, description="Pixels, when front matter says.")
    line: int | None = Field(default=None, ge=1)


class ListBlock(_Frozen):
    """A bulleted (``- ``, ``• ``) or numbered (``1. ``, ``2) ``) list, one entry per item."""

    type: Literal["list"] = "list"
    ordered: bool = Field(default=False, description="True for a numbered list.")
    start: int = Field(default=1, ge=0, description="Number of the first item of an ordered list.")
    items: tuple[Annotated[str, Field(min_length=1)], ...] = Field(
        min_length=1, description="The items' text, without their bullets or numbers."
    )
    line: int = Field(ge=1, description="Line of the first item.")
    language: str | None = None

    @property
    def text(self) -> str:
        """The items, one per line (for word counts, enrichment and plain text)."""
        return "\n".join(self.items)


Block = Annotated[
    Paragraph | Heading | ListBlock | EmbeddedPost | Image, Field(discriminator="type")
]


# --------------------------------------------------------------------------- enrichment

TagKind = Literal["person", "organization", "place", "topic", "keyword"]


class Evidence(_Frozen):
    """Why a tag was given: how often and where it was found."""

    mentions: int = Field(ge=0, description="Number of mentions in the article.")
    where: tuple[str, ...] = Field(
        default=(), description="Places found: 'headline', 'description', 'caption', 'line 7'…"
    )
    matched: tuple[str, ...] = Field(
        default=(), description="Surface forms that matched, e.g. ('SNSC', 'Supreme National …')."
    )
    rule: str = Field(default="", description="Which rule or source produced the tag.")


class Tag(_Frozen):
    """A person, organisation, place, subject topic or keyword attached to an article."""

    kind: TagKind
    name: str = Field(min_length=1, description="Canonical display name.")
    slug: str = Field(min_length=1, description="URL-safe key, used for per-tag feeds.")
    code: str | None = Field(
        default=None, description="ISO 3166-1 alpha-2 for countries, IPTC qcode for topics."
    )
    scheme: str | None = Field(
        default=None, description="URI of the vocabulary the code belongs to."
    )
    uri: str | None = Field(default=None, description="URI of the concept itself.")
    same_as: tuple[str, ...] = Field(default=(), description="Wikidata and similar URIs.")
    parent: str | None = Field(
        default=None, description="Code of the broader concept (topics), or country (cities)."
    )
    score: float = Field(default=1.0, ge=0.0, description="Relative weight; higher is stronger.")
    given: bool = Field(default=False, description="True when from front matter.")
    evidence: Evidence = Field(default_factory=lambda: Evidence(mentions=0))


Granularity = Literal["year", "month", "day", "minute"]


class DateMention(_Frozen):
    """A date the text mentions, resolved to an absolute value."""

    text: str = Field(min_length=1, description="The words as written, e.g. 'on Tuesday'.")
    value: dt.date = Field(description="First day of the period it names.")
    granularity: Granularity
    sentence: str = Field(description="The sentence it occurs in.")
    line: int = Field(ge=1)
    rule: str = Field(default="", description="How it was resolved ('explicit', 'weekday'…).")


class _WrittenDate(_Frozen):
    """A date as a newsroom line writes it, in the Gregorian calendar.

    ``year`` is ``None`` when the line gives none ('LONDON, Nov 27 (Reuters) -'):
    such a date means the latest ``month``/``day`` not after the article's
    reference time, which the publish stage knows (its first publication);
    see ``feedtool.enrich.newsroom``. ``time`` and ``utc_offset`` (minutes)
    come from '14:00 GMT'; a time without a zone is local to ``timezone``.
    """

    year: int | None = Field(default=None, ge=1, le=9999)
    month: int | None = Field(default=None, ge=1, le=12)
    day: int | None = Field(default=None, ge=1, le=31)
    time: dt.time | None = None
    utc_offset: int | None = Field(default=None, ge=-1080, le=1080)

    @property
    def date(self) -> dt.date | None:
        """The full date, when the line gives (or resolution found) its year."""
        if self.year is None or self.month is None or self.day is None:
            return None
        try:
            return dt.date(self.year, self.month, self.day)
        except ValueError:
            return None


class Dateline(_WrittenDate):
    """The dateline opening a wire story's lead: 'HARTFORD, Conn., March 26 (Reuters) -'.

    The text stays in the lead; this records what it says. ``place`` is the
    city as a reader would write it ('Hartford'); ``place_text`` as written.
    """

    text: str = Field(min_length=1, description="The dateline as written, dash included.")
    place: str | None = Field(default=None, description="City, e.g. 'Hartford'.")
    place_text: str | None = Field(default=None, description="City as written, e.g. 'HARTFORD'.")
    region: str | None = Field(
        default=None, description="State, province or country after the city, e.g. 'Conn.'."
    )
    agency: str | None = Field(default=None, description="News agency, e.g. 'Reuters', 'dpa'.")
    line: int = Field(ge=1)


DateLineKind = Literal["published", "updated"]


class DateLine(_WrittenDate):
    """A line that dates the article: 'Published 13 November 2025', 'Updated at 14:00 GMT'.

    A bare date under the byline is a ``published`` line. These lines leave the body.
    """

    kind: DateLineKind
    text: str = Field(min_length=1, description="The line as written.")
    line: int = Field(ge=1)


class Correction(_WrittenDate):
    """A correction or clarification notice: 'Correction, 21 November 2025: …'.

    It leaves the body; renderers show it as a notice (JSON-LD ``correction``).
    """

    kind: Literal["correction", "clarification"] = "correction"
    text: str = Field(min_length=1, description="What was corrected, without the label.")
    line: int = Field(ge=1)


DateSource = Literal["front_matter", "text", "first_published"]
LanguageSource = Literal["front_matter", "config", "detected"]


# --------------------------------------------------------------------------- the item


class NewsItem(_Frozen):
    """One article, parsed and enriched.

    ``id`` and ``date_published`` may be ``None`` only before publication: the
    publish stage fills them from front matter, the text or the state file, and
    every renderer receives items with both set.
    """

    id: str | None = Field(default=None, description="Stable tag: URI (RFC 4151).")
    url: str = Field(description="Absolute URL of the article's HTML page.")
    slug: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    headline: str = Field(min_length=1)
    description: str | None = Field(default=None, description="Standfirst / summary.")
    body: tuple[Block, ...] = Field(description="The article as typed blocks, in order.")
    image: Image | None = Field(default=None, description="The lead photo, if any.")
    authors: tuple[Person, ...] = ()
    publisher: Publisher
    date_published: AwareDatetime | None = None
    date_published_source: DateSource | None = Field(
        default=None, description="Where date_published came from; 'text' means inferred."
    )
    date_modified: AwareDatetime | None = None
    dateline: Dateline | None = Field(default=None, description="The lead's dateline, if any.")
    date_lines: tuple[DateLine, ...] = Field(
        default=(), description="Newsroom lines dating the article, in order."
    )
    corrections: tuple[Correction, ...] = Field(
        default=(), description="Correction and clarification notices, in order."
    )
    language: str = Field(description="BCP 47 tag of the article, e.g. 'en'.")
    language_source: LanguageSource = Field(
        default="config", description="Where ``language`` came from; front matter always wins."
    )
    tags: tuple[Tag, ...] = ()
    draft: bool = Field(
        default=False,
        description="From front matter: kept out of every output unless a build previews drafts.",
    )
    date_mentions: tuple[DateMention, ...] = ()
    word_count: int = Field(ge=0)
    source_path: str = Field(description="Path of the source file, relative to the seeds dir.")
    content_hash: str = Field(description="sha256 of the source bytes, hex.")

    def tags_of(self, kind: TagKind) -> tuple[Tag, ...]:
        """The tags of one kind, in their order."""
        return tuple(t for t in self.tags if t.kind == kind)

    @property
    def text_blocks(self) -> tuple[Paragraph | Heading | ListBlock | EmbeddedPost, ...]:
        """Body blocks that carry text (everything but images)."""
        return tuple(b for b in self.body if not isinstance(b, Image))
