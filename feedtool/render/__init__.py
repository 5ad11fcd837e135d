"""Render stage: turn published ``NewsItem``s into files.

A renderer is a plain function ``(site) -> Iterator[(relative_path, bytes)]``
(or ``Planned`` outputs) registered with :func:`renderer`; a new format is one
new module that registers itself, imported at the bottom, or a plugin found by
name (see ``feedtool.plugins``); ``[render] enabled`` says which run.
Renderers never read the clock or the file system: all they know is the
``Site``, so output is deterministic.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import functools
import hashlib
import operator
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Sequence
from dataclasses import FrozenInstanceError, dataclass, field, replace
from typing import Any, Generic, Protocol, TypeVar, cast, overload

import orjson

from feedtool.config import Config
from feedtool.model import NewsItem, Person, Tag
from feedtool.plugins import RENDERERS, import_modules
from feedtool.render._common import LRU_SIZE, entry_variant, prime_entries, unpublished
from feedtool.render.formats import FeedFormat


@dataclass(frozen=True)
class Planned:
    """An output a renderer can produce, and what it depends on.

    ``fingerprint`` is a digest of every input the bytes are made from (see
    :func:`fingerprint`); a build that finds the same fingerprint recorded
    for ``path`` skips ``render``, so a renderer must put into it everything
    it reads. ``render`` is only called when the output is out of date.
    """

    path: str
    fingerprint: str
    render: Callable[[], bytes]
    #: The ``source_path`` of the newest item the output shows, if any: a hint
    #: of render order only. A build renders outputs that show the same items
    #: one after the other, so each item is loaded once, not once per format.
    near: str | None = None


Output = tuple[str, bytes]
_SOURCE_PATH = operator.attrgetter("source_path")
_DATE_PUBLISHED = operator.attrgetter("date_published")
T = TypeVar("T")
K = TypeVar("K")
Renderer = Callable[["Site"], Iterator["Output | Planned"]]

#: How many memo entries a site keeps: bounded, so memory stays flat however
#: many articles a build renders (the feeds reuse the newest items most). A
#: build renders an item's outputs one after the other (``Planned.near``): its
#: body and JSON-LD are met again within a few entries, not thousands; 4,096
#: entries were some 20 MB of each process rendering a 20,000-article build.
MEMO_SIZE = 1024
#: How many bytes of rendered feed entries a site keeps in memory (the others
#: are in the item store, when the build has one): the entries of the items
#: rendered last, which the feeds they head splice next. 4 MB were as much of
#: the build process and of the part worker at 20,000 articles; with 1 MB a
#: cold BBC build reads 73,000 entries from the store instead of 55,000.
FRAGMENT_BYTES = 1_000_000


def renderer(
    name: str, *, needs: Sequence[str] = (), after: Sequence[str] = ()
) -> Callable[[Renderer], Renderer]:
    """Register ``function`` as the renderer called ``name``.

    ``needs``: renderers whose files this one's refer to (they must be
    enabled too, and listed earlier); ``after``: ones to list earlier when
    enabled. ``load_config`` checks both.
    """
    return cast(Callable[[Renderer], Renderer], RENDERERS.register(name, needs=needs, after=after))


def fingerprint(*parts: object) -> str:
    """A digest of ``parts`` (strings, numbers, ``None``, nested tuples and lists).

    Serialised by orjson (C), then hashed: a build fingerprints every output,
    and a large site has hundreds of thousands of parts. Other values count
    as their ``str()``.
    """
    data = orjson.dumps(parts, default=str, option=orjson.OPT_PASSTHROUGH_DATETIME)
    return hashlib.sha256(data).hexdigest()[:32]


def shown_digest(item: NewsItem) -> str:
    """A digest of what a summary entry of ``item`` shows in a feed (a tag's RSS,
    Atom and JSON Feed entries: ``EntryMode`` ``summary``), but for what the build
    stamps (its id, slug, URL and dates: :func:`summary_digest` adds them).

    Not its body, which such an entry shows only through ``summary_text``, nor
    the tags' evidence and scores: an edit to an article's text changes those,
    and then its page and main feeds, not the tag feeds that list it.
    tests/test_render.py checks that every field of an item either changes
    this digest or leaves every summary entry as it was.
    """
    from feedtool.render._common import summary_text

    image = item.image
    return fingerprint(
        item.headline,
        item.description,
        summary_text(item),
        item.language,
        [(p.name, p.url, p.kind, p.job_title) for p in item.authors],
        [
            (t.kind, t.name, t.slug, t.code, t.scheme, t.uri, t.same_as, t.parent, t.given)
            for t in item.tags
        ],
        None
        if image is None
        else (image.url, image.caption, image.credit, image.width, image.height),
    )


def summary_digest(
    shown: str,
    id: str | None,
    slug: str,
    url: str,
    published: dt.datetime | None,
    modified: dt.datetime | None,
) -> str:
    """``ItemRef.summary_fingerprint``: ``shown`` (:func:`shown_digest` of the item as
    parsed) and what the build stamps on it."""
    return fingerprint(
        shown,
        id,
        slug,
        url,
        published.isoformat() if published else None,
        modified.isoformat() if modified else None,
    )


@dataclass(frozen=True, slots=True)
class ItemRef:
    """What the site's structure needs of an item, without its body.

    Feeds, sitemaps and the home page are planned from refs; the full
    ``NewsItem`` is loaded only when an output that shows it is rendered.
    ``fingerprint`` changes whenever anything of the published item does;
    ``summary_fingerprint`` whenever anything its summary entries show does
    (what a tag's feeds show of it: :func:`feed_fingerprint`).

    A build holds one per article through its render phase (20,000 of them
    in a large archive): slots, no instance dict; tag triples, authors and
    keyword slugs are shared objects where the builder can share them
    (:func:`keyword_slugs`).
    """

    source_path: str
    id: str | None
    slug: str
    url: str
    headline: str
    description: str | None
    language: str
    date_published: dt.datetime | None
    date_modified: dt.datetime | None
    tags: tuple[tuple[str, str, str], ...]  # (slug, name, kind)
    fingerprint: str
    authors: tuple[Person, ...] = ()
    #: Slugs of the keyword tags enrichment found (not given in front matter):
    #: they get feeds only at ``[tags] keyword_feeds_min_items``. Any
    #: collection; the builders give a tuple of the ``tags``' own slug strings.
    found_keywords: Collection[str] = ()
    #: :func:`summary_digest`; empty: unknown (``fingerprint`` stands in).
    summary_fingerprint: str = ""
    _tag_slugs: tuple[str, ...] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def of(cls, item: NewsItem, digest: str | None = None) -> ItemRef:
        """The ref of ``item``; ``digest`` is a known fingerprint of it."""
        tags = tuple((t.slug, t.name, t.kind) for t in item.tags)
        summary = summary_digest(
            shown_digest(item),
            item.id,
            item.slug,
            item.url,
            item.date_published,
            item.date_modified,
        )
        return cls(
            source_path=item.source_path,
            id=item.id,
            slug=item.slug,
            url=item.url,
            headline=item.headline,
            description=item.description,
            language=item.language,
            date_published=item.date_published,
            date_modified=item.date_modified,
            tags=tags,
            fingerprint=digest or fingerprint(item.model_dump_json()),
            authors=item.authors,
            found_keywords=keyword_slugs(tags, found_keywords(item)),
            summary_fingerprint=summary,
        )

    @property
    def tag_slugs(self) -> tuple[str, ...]:
        # Kept in a slot by hand: ``functools.cached_property`` needs an
        # instance dict (and takes a lock per call in Python 3.11), and a
        # build asks 20,000 refs several times each.
        slugs = self._tag_slugs
        if slugs is None:
            slugs = tuple(slug for slug, _, _ in self.tags)
            object.__setattr__(self, "_tag_slugs", slugs)
        return slugs


def keyword_slugs(tags: Sequence[tuple[str, str, str]], found: Iterable[str]) -> tuple[str, ...]:
    """``found`` (keyword slugs of ``tags``) as ``ItemRef.found_keywords`` keeps them:
    the slug strings of ``tags`` themselves, once each, in their order (a frozenset
    of fresh strings cost 650 bytes a ref)."""
    wanted = set(found)
    if not wanted:
        return ()
    return tuple(
        dict.fromkeys(slug for slug, _, kind in tags if kind == "keyword" and slug in wanted)
    )


class LazyItems(Sequence[NewsItem], Generic[K]):
    """The items named by ``keys`` (store refs, or indexes into a sequence), each
    loaded by ``load`` when it is first used."""

    # One per channel and archive page (20,000 at 20,000 articles): no instance dict.
    __slots__ = ("_load", "_refs")

    def __init__(self, keys: Sequence[K], load: Callable[[K], NewsItem]) -> None:
        self._refs = keys
        self._load = load

    def __len__(self) -> int:
        return len(self._refs)

    @overload
    def __getitem__(self, index: int) -> NewsItem: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[NewsItem]: ...
    def __getitem__(self, index: int | slice) -> NewsItem | Sequence[NewsItem]:
        if isinstance(index, slice):
            return LazyItems(self._refs[index], self._load)
        return self._load(self._refs[index])

    def __iter__(self) -> Iterator[NewsItem]:
        for ref in self._refs:
            yield self._load(ref)

    def __bool__(self) -> bool:
        return bool(self._refs)


def found_keywords(item: NewsItem) -> frozenset[str]:
    """Slugs of ``item``'s keyword tags that enrichment found (not given in front matter)."""
    return frozenset(t.slug for t in item.tags if t.kind == "keyword" and not t.given)


def _refs_of(items: Sequence[NewsItem]) -> tuple[ItemRef, ...]:
    if isinstance(items, LazyItems):
        return tuple(items._refs)
    return tuple(ItemRef.of(item) for item in items)


class FragmentStore(Protocol):
    """Where rendered feed entries outlive a build (the item store)."""

    def fragment(self, key: str) -> bytes | None:
        """The entry cached under ``key``, or ``None``."""
        ...

    def put_fragment(self, path: str, stamp: str, key: str, value: bytes) -> None:
        """Cache ``value`` under ``key``; ``path``'s entries of other stamps are dropped."""
        ...


class FragmentBatches(Protocol):
    """A :class:`FragmentStore` that also reads many entries in one query."""

    def fragments(self, keys: Sequence[str]) -> dict[str, bytes]:
        """The entries cached under ``keys`` (those it has), by key."""
        ...


class Fragments:
    """Feed entries (an RSS ``<item>``, an Atom ``<entry>``, a JSON Feed item),
    each rendered once per item, format and variant, then spliced into every
    feed that carries the item: the main feed, its tags', its authors', the
    archive pages.

    Entries are kept in memory (the newest ``FRAGMENT_BYTES``) and, with a
    ``store``, across builds, keyed by the item's fingerprint and ``salt``
    (the code version and config of the build): an edit to one article
    renders only that article's entries, and the feeds that carry it are
    re-assembled from the entries of the others.
    """

    def __init__(self, store: FragmentStore | None = None, salt: str = "") -> None:
        self.store, self.salt = store, salt
        self._memory: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        #: ``(kind, source_path)`` of every entry rendered (not found cached).
        self.made: list[tuple[str, str]] = []
        #: Keys the last :meth:`prefetch` found missing from the store.
        self._absent: set[str] = set()

    def get(self, kind: str, ref: ItemRef, make: Callable[[], bytes]) -> bytes:
        """The entry ``kind`` (``'rss/full'``…) of ``ref``: cached, or ``make()``."""
        # The ref's fingerprint covers its file, content, id and dates.
        stamp = f"{ref.fingerprint}.{self.salt}"
        key = f"{kind}.{stamp}"
        value = self._memory.get(key)
        if value is not None:
            self._memory.move_to_end(key)
            return value
        if key in self._absent:
            self._absent.discard(key)  # the store had none a moment ago
        elif self.store is not None:
            value = self.store.fragment(key)
        if value is None:
            value = make()
            self.made.append((kind, ref.source_path))
            if self.store is not None:
                self.store.put_fragment(ref.source_path, stamp, key, value)
        self._keep(key, value)
        return value

    def prefetch(self, kinds: Sequence[str], refs: Iterable[ItemRef]) -> None:
        """Read the entries ``kinds`` of ``refs`` that are not in memory from the
        store in one query, when it can (:class:`FragmentBatches`), rather than
        one query each as :meth:`get` asks for them (a feed's, 50 at a time).

        Only a cache is filled: :meth:`get` gives the same entries either way.
        """
        self._absent = set()
        fetch = getattr(self.store, "fragments", None)
        if fetch is None:
            return
        memory, salt = self._memory, self.salt
        wanted = [
            key
            for ref in refs
            for kind in kinds
            if (key := f"{kind}.{ref.fingerprint}.{salt}") not in memory
        ]
        if wanted:
            found = cast(FragmentBatches, self.store).fragments(wanted)
            for key, value in found.items():
                self._keep(key, value)
            # Asked for next (the feed being assembled), these are made without
            # asking the store again. Were one written meanwhile (by another
            # process), it would only be made twice, the same bytes.
            self._absent = set(wanted).difference(found)

    def _keep(self, key: str, value: bytes) -> None:
        self._memory[key] = value
        self._bytes += len(value)
        while self._bytes > FRAGMENT_BYTES and len(self._memory) > 1:
            _, old = self._memory.popitem(last=False)
            self._bytes -= len(old)


class Channel:
    """One feed: the main one (``prefix=''``), a tag's (``prefix='tags/pakistan/'``)
    or an author's (``prefix='authors/jane-doe/'``).

    Immutable, compared and hashed by its fields as a frozen dataclass would be
    (``refs`` aside). A site holds one per tag, author and archive page (20,488
    at 20,000 articles, in each process rendering it): slots, no instance dict,
    and a tag channel made by :func:`tag_channels_of` keeps its tag as the refs'
    own ``(slug, name, kind)`` triple (``ItemRef.tags``), the :class:`Tag` made
    when asked for (:func:`_tag`: the same fields; a model each was 9 MB of
    every such process, a triple of its own ~1 MB).
    """

    __slots__ = (
        "_description",
        "_fingerprint",
        "_summary_fingerprint",
        "_tag",
        "_title",
        "archive",
        "archives",
        "author",
        "current",
        "items",
        "prefix",
        "refs",
    )

    prefix: str
    items: Sequence[NewsItem]
    refs: tuple[ItemRef, ...]
    #: RFC 5005: 0 for the subscription feed, else this archive page's number (1 = oldest).
    archive: int
    #: How many archive pages the channel has.
    archives: int
    #: The prefix of the subscription feed (an archive page's ``current``).
    current: str | None
    author: Person | None
    #: The tag, or a tag channel's ``(slug, name, kind)`` (see :meth:`_of_tag`).
    _tag: Tag | tuple[str, str, str] | None
    _fingerprint: str | None
    _summary_fingerprint: str | None
    #: The title, or for a tag channel made by :func:`tag_channels_of` (its
    #: ``_description`` ``None``) the site's title (the config's string): its
    #: title and description are made from it and the tag's name and kind when
    #: asked for. The two strings of each of 17,000 tag channels were ~3.5 MB
    #: of every process rendering them, a tuple of the three ~1 MB.
    _title: str
    _description: str | None

    def __init__(
        self,
        prefix: str,
        title: str,
        description: str,
        items: Sequence[NewsItem],
        tag: Tag | None = None,
        refs: tuple[ItemRef, ...] = (),
        archive: int = 0,
        archives: int = 0,
        current: str | None = None,
        author: Person | None = None,
    ) -> None:
        self._set(
            prefix=prefix,
            _title=title,
            _description=description,
            items=items,
            _tag=tag,
            refs=refs if refs or not items else _refs_of(items),
            archive=archive,
            archives=archives,
            current=prefix if current is None else current,
            author=author,
            _fingerprint=None,
            _summary_fingerprint=None,
        )

    def _set(self, **values: Any) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @classmethod
    def _of_tag(
        cls,
        triple: tuple[str, str, str],
        prefix: str,
        site_title: str,
        items: Sequence[NewsItem],
        refs: tuple[ItemRef, ...],
    ) -> Channel:
        """A tag's channel whose tag is ``_tag(kind, name, slug)`` of ``triple`` (a ref's
        ``(slug, name, kind)``, kept as it is), made only when :attr:`tag` is asked
        for, as its title and description are (from ``site_title`` and the tag's
        name and kind)."""
        channel = cls(prefix, site_title, None, items, refs=refs)  # type: ignore[arg-type]
        object.__setattr__(channel, "_tag", triple)
        return channel

    @property
    def title(self) -> str:
        if self._description is None:
            return f"{self._title}: {self._triple[1]}"
        return self._title

    @property
    def description(self) -> str:
        description = self._description
        if description is None:
            _, name, kind = self._triple
            return f"Articles of {self._title} tagged '{name}' ({kind})."
        return description

    @property
    def _triple(self) -> tuple[str, str, str]:
        """A tag channel's ``(slug, name, kind)`` (see :meth:`_of_tag`)."""
        triple = self._tag
        assert isinstance(triple, tuple)
        return triple

    @property
    def tag(self) -> Tag | None:
        """The tag of a tag's channel (``None`` for the main and authors' channels)."""
        tag = self._tag
        if isinstance(tag, tuple):
            slug, name, kind = tag
            return _shared_tag(kind, name, slug)
        return tag

    @property
    def tag_slug(self) -> str | None:
        """``tag.slug``, without making the :class:`Tag`."""
        tag = self._tag
        if isinstance(tag, tuple):
            return tag[0]
        return None if tag is None else tag.slug

    def replace(self, **changes: Any) -> Channel:
        """A copy with ``changes`` (what ``dataclasses.replace`` gave): its fingerprint
        made again when asked for."""
        copy = Channel.__new__(Channel)
        for name in self.__slots__:
            object.__setattr__(copy, name, getattr(self, name))
        if self._description is None and {"title", "description"} & changes.keys():
            # The other one as it was, made now.
            copy._set(_title=self.title, _description=self.description)
        for name in ("tag", "title", "description"):
            if name in changes:
                changes[f"_{name}"] = changes.pop(name)
        unknown = set(changes) - set(self.__slots__)
        if unknown:
            raise TypeError(f"Channel has no field {sorted(unknown)[0]!r}")
        copy._set(**changes, _fingerprint=None, _summary_fingerprint=None)
        return copy

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def _key(self) -> tuple[object, ...]:
        return (
            self.prefix,
            self.title,
            self.description,
            self.items,
            self.tag,
            self.archive,
            self.archives,
            self.current,
            self.author,
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Channel)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Channel(prefix={self.prefix!r}, title={self.title!r}, "
            f"description={self.description!r}, items={self.items!r}, tag={self.tag!r}, "
            f"archive={self.archive!r}, archives={self.archives!r}, "
            f"current={self.current!r}, author={self.author!r})"
        )

    @property
    def updated(self) -> dt.datetime:
        """Newest date among the items: feed-level dates never come from the clock."""
        return max(item_updated(i) for i in self.refs)

    @property
    def fingerprint(self) -> str:
        """A digest of everything a feed of this channel shows (once per channel,
        however many formats ask)."""
        digest = self._fingerprint
        if digest is None:
            digest = self._digest([ref.fingerprint for ref in self.refs])
            object.__setattr__(self, "_fingerprint", digest)
        return digest

    @property
    def summary_fingerprint(self) -> str:
        """:attr:`fingerprint` for feeds that show summaries of the items
        (``ItemRef.summary_fingerprint``), not their bodies."""
        digest = self._summary_fingerprint
        if digest is None:
            digest = self._digest([ref.summary_fingerprint or ref.fingerprint for ref in self.refs])
            object.__setattr__(self, "_summary_fingerprint", digest)
        return digest

    def _digest(self, items: list[str]) -> str:
        tag = self.tag
        return fingerprint(
            self.prefix,
            self.title,
            self.description,
            tag.model_dump_json() if tag else None,
            self.author.model_dump_json() if self.author else None,
            items,
            self.archive,
            self.archives,
        )


@dataclass(frozen=True)
class Part:
    """One share of a full plan: planned, checked and rendered apart from the others,
    so no process ever holds the plan of every output at once.

    A part has the outputs whose newest item is ranked ``first`` to ``stop``
    in the order of publication: those items' files (page, JSON-LD…), the
    feeds, archive pages and listing pages those items head. The ``rest``
    has what shows no one item: the sitemaps, OPML, the directories. Every
    output of a site is in exactly one part, and an item's files and the
    feeds it heads in the same one (it is loaded once for all of them).
    A part made by :func:`files_first` has only those items' ``files`` or
    only what they head (not ``files``).
    """

    number: int
    first: int = 0
    stop: int = 0
    rest: bool = False
    files: bool | None = None


def partition(site: Site, outputs: int) -> list[Part]:
    """The parts of ``site``'s full plan, about ``outputs`` outputs to a part: the
    rest first (it has the outputs made from every item), then in order of
    publication. The newest items head most feeds: their parts have fewer items."""
    ranks = site.ranks
    weights = [3] * len(site.refs)  # an item's page, JSON-LD, ninjs
    size = max(site.config.page_size, 1)
    for channel in site.feeds:
        if channel.refs:
            # Its feeds, and a tag's or author's listing pages: all of them go with
            # the channel (``html._listing``), a page per ``page_size`` of its items
            # (the newest items head the biggest tags: counted as one page each,
            # the first part had 5,751 outputs at 20,000 articles, not ~1,024).
            weight = 4
            if not channel.archive and (channel.tag_slug is not None or channel.author is not None):
                weight += (site.channel_size(channel) - 1) // size
            weights[ranks[channel.refs[0].source_path]] += weight
    parts = [Part(0, rest=True)]
    first, total = 0, 0
    for rank, weight in enumerate(weights):
        total += weight
        if total >= outputs or rank == len(weights) - 1:
            parts.append(Part(len(parts), first, rank + 1))
            first, total = rank + 1, 0
    return parts


def files_first(parts: Sequence[Part]) -> list[Part]:
    """``parts`` (made by :func:`partition`) as the rest, then each part's item
    files only, then what each part heads only.

    The items' files load each item once and make its feed entries then
    (:func:`prime_entries`); rendered after them all, the feeds find every
    entry they show made (a build with workers starts them once the files'
    parts are recorded). Part by part, each feed loaded the items whose
    entries it missed: a cold BBC build loaded 6,000 items for 2,225 (0.1-0.3 ms
    each) and made 18,714 entries for 15,675, some in both processes.
    """
    items = [part for part in parts if not part.rest]
    split = [
        *(part for part in parts if part.rest),
        *(replace(part, files=True) for part in items),
        *(replace(part, files=False) for part in items),
    ]
    return [replace(part, number=number) for number, part in enumerate(split)]


@dataclass(frozen=True, eq=False)
class Site:
    """Everything a renderer may use: the config and the items, newest first.

    ``items`` may be a :class:`LazyItems`: renderers that plan their outputs
    from ``refs`` then load only the items of outputs that changed.
    """

    config: Config
    items: Sequence[NewsItem]
    tag_channels: tuple[Channel, ...] = field(default=())
    refs: tuple[ItemRef, ...] = field(default=(), repr=False)
    #: The archive pages (RFC 5005) of every channel, oldest first per channel.
    archives: tuple[Channel, ...] = field(default=())
    #: The feed entries rendered so far (shared by ``dataclasses.replace`` copies).
    fragments: Fragments = field(default_factory=Fragments, repr=False)
    #: ``None``: plan every output. Else the source paths of the items that
    #: changed or moved in the order, in a site whose structure did not (the
    #: same items, each with the same :func:`placement`): the shared loops
    #: (:func:`item_files`, :func:`channel_feeds`, the listings) then plan only
    #: the outputs that show one of them, and skip the others without
    #: fingerprinting them, since nothing they are made from changed. Outputs
    #: made from every item (sitemaps, OPML) are planned anyway; the
    #: directories (names and counts) are not.
    focus: frozenset[str] | None = field(default=None, repr=False)
    #: Every tag slug's refs, newest first, when already grouped (``tag_channels_of``).
    tag_groups: dict[str, Sequence[ItemRef]] | None = field(default=None, repr=False, compare=False)
    #: A focused site whose ``tag_channels`` (and ``tag_groups``) are only those of
    #: the tags of the items in ``focus``: every output a focused plan renders
    #: reads no other (``touches`` skips them). Then ``narrowed`` is the whole
    #: site's :attr:`structure` (the last build's: the same items with the same
    #: placements in the same order make the same channels) and a function
    #: giving every tag channel (:attr:`all_tag_channels`: for the OPML, which
    #: lists them all, when it must be rendered again).
    narrowed: tuple[str, Callable[[], tuple[Channel, ...]]] | None = field(
        default=None, repr=False, compare=False
    )
    _memo: OrderedDict[Hashable, Any] = field(default_factory=OrderedDict, repr=False)
    #: ``None``: plan every output (or every output of the ``focus``). Else the
    #: loops plan only the outputs of this :class:`Part` (:func:`plan_part` sets it).
    part: Part | None = field(default=None, init=False, repr=False)
    _derived: dict[Hashable, Any] = field(default_factory=dict, init=False, repr=False)
    #: :meth:`shows`' answers for tuples of refs, by their id (with the tuple).
    _shown: dict[int, tuple[tuple[ItemRef, ...], bool]] = field(
        default_factory=dict, init=False, repr=False
    )

    def __post_init__(self) -> None:
        if not self.refs and self.items:
            object.__setattr__(self, "refs", _refs_of(self.items))

    @functools.cached_property
    def newest_first(self) -> bool:
        """Whether every ref is dated and ``refs`` are in order of publication,
        newest first, as a build gives them: a list of them sorted by
        ``date_published`` (stably, newest first) is then ``refs`` as they are,
        and the items of the last days are the first ones. One pass, the
        dates compared in C; a sort by a Python key was one pass per list."""
        stamps = list(map(_DATE_PUBLISHED, self.refs))
        if any(stamp is None for stamp in stamps):
            return False
        return all(map(operator.ge, stamps, stamps[1:]))

    @functools.cached_property
    def ranks(self) -> dict[str, int]:
        """Source path → the item's place in ``refs`` (0: the newest)."""
        return {ref.source_path: number for number, ref in enumerate(self.refs)}

    def derived(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, once for this site: what the loops derive from the whole
        site (sorted refs, months), which every :class:`Part` would otherwise
        derive again. Unbounded, unlike :meth:`memo`: for a few such values only."""
        try:
            return cast(T, self._derived[key])
        except KeyError:
            value = self._derived[key] = compute()
            return value

    def item_indexes(self) -> range:
        """The indexes in ``refs`` of the items whose files are planned."""
        part = self.part
        if part is None:
            return range(len(self.refs))
        if part.files is False:
            return range(0)
        return range(part.first, part.stop)

    def headed(self, key: str, channels: Sequence[Channel]) -> Sequence[Channel]:
        """The channels of ``channels`` (the same ones whenever ``key`` is) whose
        outputs the part plans: those whose newest item is one of its items.
        All of them without a part."""
        part = self.part
        if part is None:
            return channels
        if part.files:
            return []
        heads, positions = self.derived(("headed", key), lambda: self._heads(channels))
        start, stop = bisect.bisect_left(heads, part.first), bisect.bisect_left(heads, part.stop)
        return [channels[i] for i in sorted(positions[start:stop])]

    def _heads(self, channels: Sequence[Channel]) -> tuple[list[int], list[int]]:
        """The ranks of the channels' newest items, in order, and the channels' positions."""
        ranks = self.ranks
        pairs = sorted(
            (ranks[channel.refs[0].source_path], position)
            for position, channel in enumerate(channels)
            if channel.refs
        )
        return [rank for rank, _ in pairs], [position for _, position in pairs]

    def owns(self, refs: Sequence[ItemRef]) -> bool:
        """Whether the part plans an output of a list that shows ``refs`` first (a
        listing page): by the rank of its first item, or the rest's if none."""
        part = self.part
        if part is None:
            return True
        if not refs:
            return part.rest
        if part.files:
            return False
        return part.first <= self.ranks[refs[0].source_path] < part.stop

    def owns_rest(self) -> bool:
        """Whether the outputs that show no one item (sitemaps, directories) are planned."""
        return self.part is None or self.part.rest

    def shows(self, refs: Iterable[ItemRef]) -> bool:
        """Whether an output made from ``refs`` (and the site's structure) is planned:
        always without a ``focus``, else when one of them is in it.

        A tuple of refs (a channel's) is looked through once: every feed format
        asks about the same channels, the main and author ones holding every
        article (at 20,000 articles an edit's plan went through 20,000 refs six
        times for them)."""
        focus = self.focus
        if focus is None:
            return True
        if not isinstance(refs, tuple):
            return not focus.isdisjoint(map(_SOURCE_PATH, refs))
        # By identity: kept with the answer, the tuple's id is not another's.
        known = self._shown.get(id(refs))
        if known is None:
            known = self._shown[id(refs)] = (refs, not focus.isdisjoint(map(_SOURCE_PATH, refs)))
        return known[1]

    def touches(self, channel: Channel) -> bool:
        """Whether any item of ``channel`` (of all its items, not only those its
        feed shows) is in the ``focus``: its outputs need planning at all."""
        if self.focus is None:
            return True
        tags, authors = self._focus_groups
        slug = channel.tag_slug
        if slug is not None:
            return slug in tags
        if channel.author is not None:
            from feedtool.render._common import author_dir

            return author_dir(channel.author) in authors
        return True

    @functools.cached_property
    def _focus_groups(self) -> tuple[frozenset[str], frozenset[str]]:
        """The tag slugs and author folders of the items in ``focus``."""
        from feedtool.render._common import author_dir, authors_of

        focus = self.focus or frozenset()
        tags: set[str] = set()
        authors: set[str] = set()
        for ref in self.refs:
            if ref.source_path in focus:
                tags.update(ref.tag_slugs)
                authors.update(author_dir(p) for p in authors_of(ref, self.config))
        return frozenset(tags), frozenset(authors)

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, once per site and key (the newest ``MEMO_SIZE`` keys).

        An item appears in the main feed and in one feed per tag, in three
        formats: its HTML body is rendered once, not a dozen times. Keys of
        items use :func:`item_key`, which two items never share.
        """
        try:
            value = self._memo[key]
            self._memo.move_to_end(key)
            return cast(T, value)
        except KeyError:
            value = self._memo[key] = compute()
            if len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
            return value

    @property
    def main(self) -> Channel:
        """The main feed: the newest ``feed_size`` items (more while it has no
        archive pages: :func:`feedtool.render.archive.subscription_size`)."""
        size = _subscription_size(len(self.refs), self.config)
        return Channel(
            prefix="",
            title=self.config.title,
            description=self.config.description or self.config.title,
            items=self.items[:size],
            refs=self.refs[:size],
            archives=sum(1 for page in self.archives if page.current == ""),
        )

    @property
    def feeds(self) -> tuple[Channel, ...]:
        """Every feed document: the channels, then their archive pages."""
        return (*self.channels, *self.archives)

    @property
    def author_channels(self) -> tuple[Channel, ...]:
        """One feed per author (the configured default author included), by folder."""
        # Keyed by the archive pages too: ``dataclasses.replace`` copies share the
        # memo, and an author's channel counts its pages (``archive.archived``).
        return self.memo(("author_channels", id(self.archives)), self._author_channels)

    @functools.cached_property
    def _author_groups(self) -> dict[str, tuple[Person, list[int]]]:
        """Author folder → (the author, the indexes of their items in ``refs``)."""
        from feedtool.render._common import author_dir, authors_of

        groups: dict[str, tuple[Person, list[int]]] = {}
        config = self.config
        # The refs share their authors' Person objects (one per author): each
        # distinct tuple of them is looked up once, by identity, not hashed as
        # models (pydantic hashes a frozen model field by field, 40,000 times
        # an edit at 20,000 articles).
        known: dict[tuple[int, ...], list[tuple[str, Person]]] = {}
        for index, ref in enumerate(self.refs):
            people = ref.authors
            key = tuple(map(id, people))
            found = known.get(key)
            if found is None:
                found = known[key] = [(author_dir(p), p) for p in authors_of(ref, config)]
            for folder, person in found:
                entry = groups.get(folder)
                if entry is None:
                    entry = groups[folder] = (person, [])
                group = entry[1]
                if not group or group[-1] != index:
                    group.append(index)
        return groups

    def _author_channels(self) -> tuple[Channel, ...]:
        groups = self._author_groups
        pages: dict[str | None, int] = {}
        for page in self.archives:
            pages[page.current] = pages.get(page.current, 0) + 1
        channels = []
        for prefix, (person, indexes) in sorted(groups.items()):
            top = indexes[: _subscription_size(len(indexes), self.config)]
            channels.append(
                Channel(
                    prefix=prefix,
                    title=f"{self.config.title}: {person.name}",
                    description=f"Articles of {self.config.title} by {person.name}.",
                    items=LazyItems(top, self.items.__getitem__),
                    refs=tuple(self.refs[i] for i in top),
                    author=person,
                    archives=pages.get(prefix, 0),
                )
            )
        return tuple(channels)

    @property
    def channels(self) -> tuple[Channel, ...]:
        """The main feed, every per-tag feed, then every author's feed."""
        return (self.main, *self.tag_channels, *self.author_channels)

    def channel_size(self, channel: Channel) -> int:
        """How many items a tag's or an author's channel has (all of them, as
        :meth:`refs_of` gives them, without making that tuple)."""
        from feedtool.render._common import author_dir

        slug = channel.tag_slug
        if slug is not None:
            return len(self._refs_by_tag.get(slug, ()))
        if channel.author is not None:
            group = self._author_groups.get(author_dir(channel.author))
            return 0 if group is None else len(group[1])
        return len(self.refs)

    def refs_of(self, channel: Channel) -> tuple[ItemRef, ...]:
        """Every item of a tag's or an author's channel, not only the newest ``feed_size``.

        The HTML pages list them all, page by page; the feeds keep the newest.
        """
        return self.memo(("refs_of", channel.prefix), lambda: self._channel_refs(channel))

    def _channel_refs(self, channel: Channel) -> tuple[ItemRef, ...]:
        from feedtool.render._common import author_dir

        slug = channel.tag_slug
        if slug is not None:
            return tuple(self._refs_by_tag.get(slug, ()))
        if channel.author is not None:
            return tuple(self._refs_by_author.get(author_dir(channel.author), ()))
        return self.refs

    @functools.cached_property
    def _refs_by_tag(self) -> dict[str, Sequence[ItemRef]]:
        if self.tag_groups is not None:
            return self.tag_groups
        # One pass over the refs: a scan per channel is quadratic on a large site.
        groups: dict[str, list[ItemRef]] = {}
        for ref in self.refs:
            for slug in dict.fromkeys(ref.tag_slugs):
                groups.setdefault(slug, []).append(ref)
        return cast(dict[str, Sequence[ItemRef]], groups)

    @functools.cached_property
    def _refs_by_author(self) -> dict[str, list[ItemRef]]:
        refs = self.refs
        return {
            folder: [refs[index] for index in indexes]
            for folder, (_, indexes) in self._author_groups.items()
        }

    def _keep_groups(self, other: Site) -> Site:
        """``other`` (a copy of this site with the same refs and config) with the
        groups of refs by tag and author this site made: passes over every ref saved."""
        assert other.refs is self.refs and other.config is self.config
        for name in ("_author_groups", "_refs_by_author"):
            if name in self.__dict__:
                other.__dict__[name] = self.__dict__[name]
        return other

    @property
    def structure(self) -> str:
        """A digest of which feeds exist and what they are called.

        Outputs that link to feeds (pages, the home page, OPML) put it in
        their fingerprint.
        """
        if self.narrowed is not None:
            return self.narrowed[0]
        return fingerprint(
            [(c.prefix, c.title, c.description, c.tag_slug) for c in self.tag_channels]
        )

    @property
    def all_tag_channels(self) -> tuple[Channel, ...]:
        """Every tag's channel, even in a :attr:`narrowed` site (built then)."""
        if self.narrowed is not None:
            return self.memo("all_tag_channels", self.narrowed[1])
        return self.tag_channels


def placement(ref: ItemRef, config: Config) -> str:
    """A digest of what puts ``ref`` on the outputs of other items, but for its
    place in the order of publication: its id, address, tags, authors and the
    month it is archived under.

    Two builds whose items have the same placements, in the same order, have
    the same feeds, listings and directories, but for the outputs that show an
    item that changed: what ``Site.focus`` relies on. (An item that keeps its
    placement but moves in the order shifts the items it passes; the build
    focuses on those too.)
    """
    assert ref.date_published is not None
    local = ref.date_published.astimezone(config.zone)
    return fingerprint(
        ref.id,
        ref.slug,
        ref.url,
        (local.year, local.month),
        ref.tags,
        sorted(ref.found_keywords),
        [(person.name, person.url, person.kind) for person in ref.authors],
    )


def item_key(item: NewsItem) -> tuple[str, str | None, str]:
    """A memo key of one published item: its file, its id and its content hash.

    Never the id alone: two files may claim one id, and a memo shared between
    them would show one article's body under the other's headline.
    """
    return (item.source_path, item.id, item.content_hash)


def item_updated(item: NewsItem | ItemRef) -> dt.datetime:
    """``date_modified`` if set, else ``date_published`` (Atom's ``updated``)."""
    stamp = item.date_modified or item.date_published
    if stamp is None:
        raise unpublished(item, "date")
    return stamp


# A tag with every default, copied per channel: model_construct inspects the
# model's defaults on every call, seconds on a site of thousands of tags.
_TAG = Tag.model_construct(kind="keyword", name="-", slug="-")
_TAG_FIELDS_SET = _TAG.__pydantic_fields_set__ | {"kind", "name", "slug"}


def _tag(kind: str, name: str, slug: str) -> Tag:
    """``_TAG.model_copy(update={"kind": kind, "name": name, "slug": slug})``, at a
    fraction of its cost (a site has thousands of tags): the same fields, the
    same fields set."""
    tag = Tag.__new__(Tag)
    values = dict(_TAG.__dict__)
    values.update(kind=kind, name=name, slug=slug)
    object.__setattr__(tag, "__dict__", values)
    object.__setattr__(tag, "__pydantic_extra__", None)
    # One set for every such tag (a tag is frozen: pydantic never adds to it; a
    # copy gets its own): one each was 7 MB of a 17,000-tag site.
    object.__setattr__(tag, "__pydantic_fields_set__", _TAG_FIELDS_SET)
    object.__setattr__(tag, "__pydantic_private__", None)
    return tag


@functools.lru_cache(maxsize=LRU_SIZE)
def _shared_tag(kind: str, name: str, slug: str) -> Tag:
    """``_tag(kind, name, slug)``, the same object while it is asked for again: a
    channel's outputs are planned and rendered one after the other, and each
    asks for its tag a few times."""
    return _tag(kind, name, slug)


def tag_channels_of(
    refs: Sequence[ItemRef],
    config: Config,
    load: Callable[[ItemRef], NewsItem],
    groups: dict[str, Sequence[ItemRef]] | None = None,
    only: frozenset[str] | None = None,
) -> tuple[Channel, ...]:
    """One channel per tag slug carried by at least ``feeds_min_items`` items.

    A tag that is only ever a keyword enrichment found (a phrase of the text,
    not a topic, place, person or organisation, nor a tag an editor gave)
    needs ``keyword_feeds_min_items``: such phrases are the most numerous
    tags, and their feeds mostly near-duplicates of each other's. A feed,
    once it exists, stays as the archive grows: both bars only count items.

    ``groups``, an empty dict, receives every tag slug's refs (all of them, newest
    first, a tuple each): ``Site.tag_groups``, so that the site need not group
    them again.

    ``only``: the channels (and groups) of these slugs alone, each the same as
    among all of them (a focused build's, see ``Site.narrowed``).
    """
    by_slug: dict[str, Any] = {} if groups is None else groups
    first_tag: dict[str, tuple[str, str, str]] = {}
    chosen: set[str] = set()
    # Bound once: the loop runs once per tag of every article (287,000 at 20,000).
    group_of, choose = by_slug.get, chosen.add
    for ref in refs:
        keywords = ref.found_keywords
        for triple in ref.tags:
            slug = triple[0]
            if only is not None and slug not in only:
                continue
            group = group_of(slug)
            if group is None:
                by_slug[slug] = [ref]
                first_tag[slug] = triple
            elif group[-1] is not ref:
                group.append(ref)
            if triple[2] != "keyword" or slug not in keywords:
                choose(slug)
    channels = []
    for slug in sorted(by_slug):
        # A tuple, not the list it was grouped in (a list keeps room to grow):
        # the channel's refs when it shows them all, as most tags' do.
        group = by_slug[slug] = tuple(by_slug[slug])
        least = config.tags.feeds_min_items
        if slug not in chosen:
            least = max(least, config.tags.keyword_feeds_min_items)
        if len(group) < least:
            continue
        size = _subscription_size(len(group), config)
        top = group if size >= len(group) else group[:size]
        channels.append(
            Channel._of_tag(
                first_tag[slug],
                prefix=f"tags/{slug}/",
                site_title=config.title,
                items=LazyItems(top, load),
                refs=top,
            )
        )
    return tuple(channels)


def tag_channels(items: Sequence[NewsItem], config: Config) -> tuple[Channel, ...]:
    """One channel per tag slug carried by at least ``feeds_min_items`` items (newest first)."""
    by_path = {item.source_path: item for item in items}
    refs = [ItemRef.of(item) for item in items]
    return tag_channels_of(refs, config, lambda ref: by_path[ref.source_path])


def _subscription_size(count: int, config: Config) -> int:
    return _sizes()(count, config.feed_size, config.feed_archives)


@functools.cache
def _sizes() -> Callable[[int, int, bool], int]:
    """``feedtool.render.archive.subscription_size`` (that module imports this one),
    imported once, not once per channel."""
    from feedtool.render.archive import subscription_size

    return subscription_size


def channel_feeds(
    site: Site,
    feed: FeedFormat,
    to_bytes: Callable[[Site, Channel], bytes],
    *,
    archives: bool = False,
) -> Iterator[Planned]:
    """The file of ``feed`` for every channel with items (the main one, each tag's and
    author's), then, with ``archives``, for their archive pages (``Site.archives``,
    RFC 5005: Atom and RSS).

    The loop every feed renderer shares; ``to_bytes`` is only called for a
    channel whose fingerprint changed since the last build.
    """
    for channel in (
        site.headed("feeds", site.feeds) if archives else site.headed("channels", site.channels)
    ):
        if channel.refs and site.touches(channel) and site.shows(channel.refs):
            yield Planned(
                feed.path(channel.prefix),
                feed_fingerprint(site, channel),
                lambda channel=channel: to_bytes(site, channel),  # type: ignore[misc]
                near=channel.refs[0].source_path,
            )


def feed_fingerprint(site: Site, channel: Channel) -> str:
    """A digest of everything a feed of ``channel`` shows: of what its entries
    show of each item (:func:`feedtool.render._common.entry_variant`), so a
    tag's feeds, which show summaries, are not rendered again when only the
    body of an item they list changed."""
    if entry_variant(site, channel) == "summary":
        return channel.summary_fingerprint
    return channel.fingerprint


def item_files(
    site: Site,
    path: Callable[[ItemRef], str],
    to_bytes: Callable[[NewsItem], bytes],
    depends: Callable[[ItemRef], str] | None = None,
) -> Iterator[Planned]:
    """One file per published item (its page, its JSON-LD…): the loop those renderers share.

    ``to_bytes`` is only called, with the loaded item, for an item whose
    fingerprint (or ``depends(ref)``, when the file shows more than the item) changed.
    """
    focus = site.focus
    refs = site.refs
    for index in site.item_indexes():
        ref = refs[index]
        if focus is not None and ref.source_path not in focus:
            continue
        yield Planned(
            path(ref),
            depends(ref) if depends is not None else ref.fingerprint,
            lambda index=index: to_bytes(_primed(site, index)),  # type: ignore[misc]
            near=ref.source_path,
        )


def _primed(site: Site, index: int) -> NewsItem:
    """The item of ``site.refs[index]``, its feed entries made (:func:`prime_entries`)."""
    item = site.items[index]
    prime_entries(site, index, item)
    return item


def plan_site(site: Site, names: tuple[str, ...] | None = None) -> Iterator[Output | Planned]:
    """Run the named renderers (default: ``[render] enabled``), yielding outputs or plans."""
    part = site.part
    builtin = RENDERERS.builtin_names() if part is not None else ()
    for name in names or site.config.render.renderers():
        if part is None or name in builtin:
            yield from cast(Renderer, RENDERERS[name])(site)
        elif part.rest:
            # A plugin does not know parts: the rest plans all of its outputs.
            with _part(site, None):
                yield from cast(Renderer, RENDERERS[name])(site)


def plan_part(
    site: Site, part: Part, names: tuple[str, ...] | None = None
) -> list[Output | Planned]:
    """The outputs or plans of one :class:`Part` of ``site`` (see :func:`partition`).

    The loops every renderer shares (:func:`item_files`, :func:`channel_feeds`,
    the listings) skip the others' outputs before fingerprinting them.
    """
    with _part(site, part):
        return list(plan_site(site, names))


@contextlib.contextmanager
def _part(site: Site, part: Part | None) -> Iterator[None]:
    # Set on the one site rather than on a copy: a copy would derive again
    # (``ranks``, the refs by tag…) what every part shares.
    before = site.part
    object.__setattr__(site, "part", part)
    try:
        yield
    finally:
        object.__setattr__(site, "part", before)


def render_site(site: Site, names: tuple[str, ...] | None = None) -> Iterator[Output]:
    """Every output of the named renderers (default: ``[render] enabled``) as ``(path, bytes)``."""
    for output in plan_site(site, names):
        if isinstance(output, Planned):
            yield output.path, output.render()
        else:
            yield output


# Importing its modules registers the built-in renderers (a new one is one new module;
# a new feed format also gets its line in formats.py).
import_modules(__name__, __path__)
