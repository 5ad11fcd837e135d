"""Helpers shared by the renderers: the article body as HTML, languages, dates, URLs.

``body_html`` is the one place an article's body becomes HTML: the HTML pages
and the ``content`` of RSS, Atom and JSON Feed all use it, so a fix to escaping
or to ``lang``/``dir`` handling lands everywhere at once.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import quote, unquote, urlsplit

import orjson
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from feedtool._slug import tag_slug
from feedtool._text import derived_from, direction, human_date, is_rtl, shorten
from feedtool.config import Config, RenderConfig
from feedtool.errors import FeedtoolError
from feedtool.model import (
    EmbeddedPost,
    Heading,
    Image,
    ListBlock,
    NewsItem,
    Paragraph,
    Person,
    Tag,
)
from feedtool.render._lxml import etree

if TYPE_CHECKING:
    from feedtool.render import Channel, ItemRef, Site

GENERATOR = "feedtool"
#: Entries of the per-string caches of the renderers (relative links, page paths,
#: meta and tag lines): what recurs (the same few folders' links, a tag's line)
#: is met again long before it falls out of a few hundred entries; 65,536 of them
#: were some 40 MB of a 20,000-article build process, and 4,096 still ~20 MB of
#: each of its two rendering processes at the render phase's peak (1,024: the
#: same CPU within noise, 23 MB less at the peak; 256: ~8 MB less again at the
#: end of the render phase, BBC user CPU within noise).
LRU_SIZE = 256
GENERATOR_URI = "https://github.com/feedtool/feedtool"

# Characters XML 1.0 forbids (lxml refuses them) and noncharacters; a stray one
# in an article must not make a whole feed unwritable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# --------------------------------------------------------------------------- text and languages


def clean(text: str) -> str:
    """``text`` without the control characters XML cannot carry."""
    if text.isprintable():
        # Every character _NOT_XML matches is unprintable (a control, a
        # surrogate, a noncharacter): a C scan instead of the regex, for the
        # hundreds of thousands of short strings a build cleans.
        return text
    return _NOT_XML.sub("", text)


def lang_attrs(language: str | None, context: str) -> Markup:
    """`` lang="…" dir="…"`` for a block in ``language`` inside text in ``context``.

    Empty when the languages are the same; ``dir`` only when the direction changes,
    since it is inherited otherwise.
    """
    if not language or language.lower() == context.lower():
        return Markup("")
    attrs = Markup(' lang="{}"').format(language)
    if is_rtl(language) != is_rtl(context):
        attrs += Markup(' dir="{}"').format(direction(language))
    return attrs


def http_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL, else ``None``.

    URLs come from front matter and article text; a ``javascript:`` one must
    never reach an ``href``.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


# --------------------------------------------------------------------------- dates


def iso(stamp: dt.datetime | dt.date) -> str:
    """RFC 3339 with the item's own offset, to the second ('2025-10-28T00:00:00+03:30')."""
    if isinstance(stamp, dt.datetime):
        return stamp.isoformat(timespec="seconds")
    return stamp.isoformat()


def isos(stamps: Sequence[dt.datetime]) -> list[str]:
    """``[iso(stamp) for stamp in stamps]``, serialised by orjson (C) when every
    stamp has a fixed offset of whole minutes (orjson writes the offset to the
    minute, ``iso`` to the second): an edit at 20,000 articles renders the
    sitemap again, and its 20,000 ``isoformat`` calls were a fifth of that."""
    zones = {stamp.tzinfo for stamp in stamps}
    if not all(
        type(zone) is dt.timezone and not zone.utcoffset(None).seconds % 60 for zone in zones
    ):
        return [iso(stamp) for stamp in stamps]
    if not stamps:
        return []
    text = orjson.dumps(stamps, option=orjson.OPT_OMIT_MICROSECONDS).decode()
    return text[2:-2].split('","')


def whole_seconds(stamp: dt.datetime) -> dt.datetime:
    """``stamp`` without microseconds, so every format shows the same instant."""
    return stamp.replace(microsecond=0)


def unpublished(item: NewsItem | ItemRef, missing: str) -> FeedtoolError:
    """The error of an item rendered before the publish stage gave it its ``missing`` field."""
    return FeedtoolError(
        f"rendered before publication (no {missing})",
        path=item.source_path,
        hint="render items that a build published (feedtool.build gives ids and dates)",
    )


def published(item: NewsItem | ItemRef) -> dt.datetime:
    """``date_published``; renderers only ever see published items."""
    if item.date_published is None:
        raise unpublished(item, "date")
    return item.date_published


def item_id(item: NewsItem) -> str:
    """``id``; renderers only ever see published items."""
    if item.id is None:
        raise unpublished(item, "id")
    return item.id


# --------------------------------------------------------------------------- people and tags


def authors_of(item: NewsItem | ItemRef, config: Config) -> tuple[Person, ...]:
    """The item's authors (parse gives the configured default author to an
    article that names none).

    An author without a URL of their own gets their author page's, so every
    format can say who wrote the article and where their other articles are.
    """
    people = item.authors
    if not _author_pages(config.render):
        return people
    return tuple(_with_page(person, config.base_url) for person in people)


@functools.lru_cache(maxsize=64)
def _author_pages(render: RenderConfig) -> bool:
    return "author_pages" in render.renderers()


@functools.lru_cache(maxsize=LRU_SIZE)
def _with_page(person: Person, base_url: str) -> Person:
    # Cached: every feed, page and listing asks for the authors of every item.
    if http_url(person.url):
        return person
    return person.model_copy(update={"url": base_url + author_dir(person)})


def author_dir(person: Person) -> str:
    """The folder of an author's page and feeds: ``authors/<slug>/``."""
    return _author_dir(person.name)


@functools.lru_cache(maxsize=LRU_SIZE)
def _author_dir(name: str) -> str:
    return f"authors/{tag_slug(name)}/"


def tag_names(tags: Iterable[Tag]) -> list[str]:
    """Distinct tag names, keywords first (they are what the editor typed), case-insensitively."""
    ordered = sorted(tags, key=lambda t: t.kind != "keyword")
    seen: set[str] = set()
    names: list[str] = []
    for tag in ordered:
        key = tag.name.casefold()
        if key not in seen:
            seen.add(key)
            names.append(tag.name)
    return names


def category(tag: Tag, config: Config) -> tuple[str, str]:
    """``(term, scheme)`` of a tag as an Atom category.

    A coded tag from a vocabulary keeps its code there (IPTC: scheme
    'http://cv.iptc.org/newscodes/mediatopic/', term '11000000', which together
    spell the concept URI); any other tag is its slug in the site's own scheme
    ``{base_url}tags/``.
    """
    if tag.code and tag.scheme:
        return tag.code.split(":", 1)[-1], tag.scheme
    return tag.slug, config.absolute("tags/")


def shows_standfirst(item: NewsItem) -> bool:
    """Whether a page shows ``description`` above the body.

    Without a standfirst the description is the lead paragraph's opening:
    shown again above that paragraph it would be read twice.
    """
    if not item.description:
        return False
    first = next((b.text for b in item.body if isinstance(b, Paragraph)), "")
    return not derived_from(item.description, first)


@dataclass(frozen=True)
class LeadImage:
    """The image that represents an article: its own, else the publisher's default."""

    url: str
    width: int | None = None
    height: int | None = None
    alt: str | None = None
    credit: str | None = None
    own: bool = True


_IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".svg": "image/svg+xml",
}


def image_type(url: str) -> str | None:
    """The media type an image URL's extension names ('image/jpeg'), or None."""
    path = urlsplit(url).path.lower()
    return next((kind for ext, kind in _IMAGE_TYPES.items() if path.endswith(ext)), None)


def own_image(item: NewsItem) -> LeadImage | None:
    """The article's own image, when it has an http(s) URL (feeds show no default)."""
    image = lead_image(item, None)
    return image if image is not None and image.own else None


def lead_image(item: NewsItem, config: Config | None) -> LeadImage | None:
    """The article's image with an http(s) URL, or ``[publisher] default_image``, or None."""
    image = item.image
    if image is not None:
        url = http_url(image.url)
        if url:
            return LeadImage(
                url=url,
                width=image.width,
                height=image.height,
                alt=clean(image.caption) if image.caption else None,
                credit=clean(image.credit) if image.credit else None,
            )
    default = http_url(config.publisher.default_image) if config is not None else None
    if default:
        return LeadImage(url=default, own=False)
    return None


# --------------------------------------------------------------------------- feed addresses


def home_url(config: Config) -> str:
    """Absolute URL of the HTML index every feed describes."""
    return config.absolute("index.html")


def page_path(item: NewsItem | ItemRef, config: Config) -> str:
    """Where the item's HTML page is written, relative to the output folder.

    ``item.url`` decides (front matter may set it): a URL ending in '/' is a
    folder's ``index.html``. Parse has checked that a front-matter ``url`` lies
    under ``base_url``; any other URL keeps the default place.
    """
    return _page_path(item.url, item.slug, config.base_url)


@functools.lru_cache(maxsize=LRU_SIZE)
def _page_path(url: str, slug: str, base_url: str) -> str:
    if url.startswith(base_url):
        path = unquote(urlsplit(url[len(base_url) :]).path)
        if path and not path.startswith("/"):
            return path + "index.html" if path.endswith("/") else path
    return f"articles/{slug}.html"


def relative(from_page: str, to_path: str) -> str:
    """A relative link from one output file to another ('../tags/iran/index.html').

    Relative links let the output folder be browsed from disk as well as served.
    """
    return _relative(posixpath.dirname(from_page), to_path)


@functools.lru_cache(maxsize=LRU_SIZE)
def _relative(start: str, to_path: str) -> str:
    # posixpath.relpath without its two os.getcwd() calls: both paths are
    # relative to the output folder (a site links thousands of times). The
    # pairs seldom repeat (every listing page links each of its articles),
    # their paths do: each is split and quoted once while in its cache.
    start_parts = _parts(start)
    to_parts = _parts(to_path)
    common = 0
    for mine, theirs in zip(start_parts, to_parts, strict=False):
        if mine != theirs:
            break
        common += 1
    # quote("a/b", safe="/") is the quoted parts joined by "/", and ".." is its own quote.
    return "/".join(("..",) * (len(start_parts) - common) + _quoted(to_path)[common:]) or "."


@functools.lru_cache(maxsize=LRU_SIZE)
def _parts(path: str) -> tuple[str, ...]:
    """The names of ``path`` once normalised ('.' and empty names dropped)."""
    return tuple(p for p in posixpath.normpath(path or ".").split("/") if p != ".")


@functools.lru_cache(maxsize=LRU_SIZE)
def _quoted(path: str) -> tuple[str, ...]:
    return tuple(quote(p, safe="/") for p in _parts(path))


# --------------------------------------------------------------------------- body HTML


@functools.cache
def environment() -> Environment:
    """The jinja2 environment of ``templates/``: autoescaping on, undefined names fatal."""
    return Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )


# A bare http(s) URL in running text; trailing punctuation belongs to the sentence.
_BARE_URL = re.compile(r"https?://[^\s<>\"“”‘’«»]+")
_URL_TRAILING = ".,;:!?)]}'\"…،؛۔"


def bare_urls(text: str) -> tuple[str, ...]:
    """The http(s) URLs written out in ``text``, in order, without trailing punctuation."""
    found: dict[str, None] = {}
    for match in _BARE_URL.finditer(text):
        url = match[0].rstrip(_URL_TRAILING)
        if http_url(url):
            found[url] = None
    return tuple(found)


def _linked(text: str, links: tuple[str, ...], home: str | None = None) -> Markup:
    """``text`` escaped, with each http(s) URL of ``links`` it contains made a link.

    A link may be written without its scheme in the text ('pic.twitter.com/…').
    Links to another host than ``home`` get ``rel="nofollow noopener"``: the
    publication vouches for none of them.
    """
    spans: list[tuple[int, int, str]] = []
    for link in dict.fromkeys(links):
        href = http_url(link)
        if href is None:
            continue
        bare = href.split("://", 1)[1]
        for written in (href, bare):
            start = text.find(written)
            while start != -1:
                end = start + len(written)
                if not any(s < end and start < e for s, e, _ in spans):
                    spans.append((start, end, href))
                start = text.find(written, end)
    out = Markup("")
    position = 0
    for start, end, href in sorted(spans):
        out += escape(text[position:start])
        if home is not None and _host(href) == home:
            out += Markup('<a href="{}">{}</a>').format(href, text[start:end])
        else:
            out += Markup('<a href="{}" rel="nofollow noopener">{}</a>').format(
                href, text[start:end]
            )
        position = end
    return out + escape(text[position:])


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _text_markup(text: str, home: str | None) -> Markup:
    """Running text escaped, its bare http(s) URLs linked."""
    text = clean(text)
    return _linked(text, bare_urls(text), home) if "://" in text else escape(text)


def _figure(image: Image) -> Markup:
    caption = clean(image.caption) if image.caption else None
    parts = Markup("")
    src = http_url(image.url)
    if src:
        parts += Markup('<img src="{}" alt="{}">').format(src, caption or "")
    if caption or image.credit:
        text = escape(caption or "")
        if image.credit:
            credit = Markup('<small class="credit">({})</small>').format(clean(image.credit))
            text = text + Markup(" ") + credit if caption else credit
        parts += Markup("<figcaption>{}</figcaption>").format(text)
    return Markup("<figure>{}</figure>").format(parts) if parts else Markup("")


def _post(post: EmbeddedPost, context: str, home: str | None = None) -> Markup:
    language = post.language or context
    text = _linked(clean(post.text), post.links, home)
    who = Markup("{}").format(clean(post.author))
    if post.author_alternate_name:
        alt_lang = post.author_language
        alt_attrs = (
            Markup(' lang="{}" dir="{}"').format(alt_lang, direction(alt_lang))
            if alt_lang
            else Markup(' dir="auto"')
        )
        who += Markup(" | <span{}>{}</span>").format(alt_attrs, clean(post.author_alternate_name))
    if post.handle and post.url:
        who += Markup(' (<a href="{}" rel="nofollow noopener">@{}</a>)').format(
            post.url, clean(post.handle)
        )
    if post.date:
        who += Markup(' <time datetime="{}">{}</time>').format(
            iso(post.date), human_date(post.date)
        )
    return Markup(
        '<blockquote class="post"{}>\n<p>{}</p>\n<footer{}>— {}</footer>\n</blockquote>'
    ).format(lang_attrs(language, context), text, lang_attrs(context, language), who)


def body_markup(item: NewsItem) -> Markup:
    """The article body as safe HTML: lead figure, paragraphs, ``<h2>``s, lists, quoted posts.

    ``lang``/``dir`` are relative to ``item.language`` (the page's language).
    Bare http(s) URLs become links; links off the article's own host get
    ``rel="nofollow noopener"``.
    """
    context = item.language
    home = _host(item.url)
    blocks: list[Markup] = []
    if item.image is not None and item.image not in item.body:
        blocks.append(_figure(item.image))
    for block in item.body:
        attrs = lang_attrs(getattr(block, "language", None), context)
        if isinstance(block, Paragraph):
            # What ``Markup("<p{}>{}</p>").format`` gives (both parts are
            # markup already), without its pure-Python formatter.
            blocks.append(Markup(f"<p{attrs}>{_text_markup(block.text, home)}</p>"))
        elif isinstance(block, Heading):
            blocks.append(Markup("<h2{}>{}</h2>").format(attrs, clean(block.text)))
        elif isinstance(block, ListBlock):
            entries = Markup("\n").join(
                Markup("<li>{}</li>").format(_text_markup(entry, home)) for entry in block.items
            )
            if block.ordered:
                start = Markup(' start="{}"').format(block.start) if block.start != 1 else ""
                blocks.append(Markup("<ol{}{}>\n{}\n</ol>").format(attrs, start, entries))
            else:
                blocks.append(Markup("<ul{}>\n{}\n</ul>").format(attrs, entries))
        elif isinstance(block, EmbeddedPost):
            blocks.append(_post(block, context, home))
        else:
            blocks.append(_figure(block))
    return Markup("\n").join(b for b in blocks if b)


def body_html(item: NewsItem) -> str:
    """The article body as an HTML fragment (see ``body_markup``)."""
    return str(body_markup(item))


def content_html(item: NewsItem, config: Config, body: Markup | None = None) -> str:
    """``body_html`` for a feed whose language is ``config.language``.

    A reader shows it inside its own page, so an article in another language is
    wrapped in an element saying which, and which way it runs. ``body`` is the
    item's ``body_markup`` when the caller already has it.
    """
    body = body_markup(item) if body is None else body
    if item.language.lower() == config.language.lower():
        return str(body)
    return str(
        Markup('<div lang="{}" dir="{}">\n{}\n</div>').format(
            item.language, direction(item.language), body
        )
    )


def person_json(author: Person, url_key: str) -> dict[str, str]:
    """An author as feeds write one: its name, and its URL under ``url_key`` if any."""
    person = {"name": clean(author.name)}
    url = http_url(author.url)
    if url:
        person[url_key] = url
    return person


def json_bytes(data: object) -> bytes:
    """The house style of every JSON file: UTF-8, indent 2, final newline.

    orjson's encoder is C all the way, where the standard library falls back to
    pure Python as soon as it indents: on a corpus build that is seconds.
    """
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def memo_body_markup(site: Site, item: NewsItem) -> Markup:
    """``body_markup``, rendered once per item for its page and every feed."""
    from feedtool.render import item_key

    return site.memo(("body", item_key(item)), lambda: body_markup(item))


def memo_content_html(site: Site, item: NewsItem) -> str:
    """``content_html``, rendered once per item however many feeds carry it."""
    from feedtool.render import item_key

    return site.memo(
        ("content_html", item_key(item)),
        lambda: content_html(item, site.config, memo_body_markup(site, item)),
    )


#: How an entry shows an item's body: ``full`` (the whole body as HTML),
#: ``lean`` (a summary and a link, as HTML content) or ``summary`` (no content
#: element: the standfirst as the entry's summary).
EntryMode = Literal["full", "lean", "summary"]


def entry_variant(site: Site, channel: Channel) -> str:
    """How ``channel``'s feeds show bodies: ``full``, ``summary`` or ``capped``.

    The main feed (and its archive pages) carries every body whole. A tag's
    feeds carry summaries unless ``[tags] feed_content = "full"``: an item
    appears in one feed per tag, in three formats, and full bodies there made
    tag feeds most of a site's bytes. ``capped`` (author feeds, and tag feeds
    in ``full`` mode) is the whole body up to ``[limits] feed_body_bytes`` and
    a summary with a link beyond (a 5 MB article with 40 tags must not write
    600 MB of feeds).
    """
    if not channel.current:
        return "full"
    if channel.tag_slug is not None and site.config.tags.feed_content == "summary":
        return "summary"
    return "capped"


def summary_text(item: NewsItem) -> str:
    """What a summary entry shows: the standfirst, else the start of the body."""
    return clean(item.description or shorten(plain_text(item), 300))


def lean_content_html(item: NewsItem, config: Config) -> str:
    """A summary of ``item`` and a link to it, as the HTML content of an entry.

    The summary is marked with the item's language, as :func:`content_html`
    marks a body; the link's words are the publication's (like the pages'
    "updated"), so they stay outside that mark.
    """
    summary = f"<p>{html.escape(summary_text(item))}</p>"
    link = f'<p><a href="{html.escape(item.url)}">Read the full article</a></p>'
    if item.language.lower() == config.language.lower():
        return summary + link
    language = html.escape(item.language)
    return f'<div lang="{language}" dir="{direction(item.language)}">{summary}</div>{link}'


#: Makes one item's entry in a feed format: ``make(site, item, mode, content_html)``.
EntryMaker = Callable[["Site", NewsItem, EntryMode, str], bytes]

#: The built-in feed formats' entry makers, by format ('rss'…), and whether the
#: format writes archive pages too (see :func:`entry_maker`).
_ENTRY_MAKERS: dict[str, tuple[EntryMaker, bool]] = {}


def entry_maker(feed: str, *, archives: bool) -> Callable[[EntryMaker], EntryMaker]:
    """Register ``feed``'s entry maker (the one its feeds pass to :func:`feed_entries`);
    ``archives``: the format writes the channels' archive pages too.

    When an item is loaded to make its entry in one format, its entries in
    the other registered formats that render the same channel are made then
    too: each format's feeds are rendered apart, and by then the item may be
    gone from the loader's cache (it was loaded once more per format).
    """

    def register(make: EntryMaker) -> EntryMaker:
        _ENTRY_MAKERS[feed] = (make, archives)
        return make

    return register


def _sibling_makers(site: Site, channel: Channel, feed: str) -> tuple[tuple[str, EntryMaker], ...]:
    """The entry makers of the other enabled formats whose feeds carry ``channel``."""

    def compute() -> tuple[tuple[str, EntryMaker], ...]:
        enabled = site.config.render.renderers()
        return tuple(
            (other, make)
            for other, (make, archives) in _ENTRY_MAKERS.items()
            if other != feed and other in enabled and (archives or not channel.archive)
        )

    return site.derived(("entry siblings", feed, bool(channel.archive)), compute)


def feed_entries(
    site: Site,
    channel: Channel,
    feed: str,
    make: Callable[[NewsItem, EntryMode, str], bytes],
) -> list[bytes]:
    """The serialised entries of ``channel``'s items in the feed format ``feed``.

    Each is ``make(item, mode, content_html)``, called only for an item whose
    entry of this variant is not cached (``site.fragments``): items are loaded
    only then, so a feed whose entries are all known is assembled without
    reading one article. An item loaded here also gets its entries of the
    same variant in the other formats that carry the channel (see
    :func:`entry_maker`), while it is at hand.
    """
    variant = entry_variant(site, channel)
    siblings = _sibling_makers(site, channel, feed) if feed in _ENTRY_MAKERS else ()
    fragments = site.fragments
    fragments.prefetch(_variant_kinds(feed, variant), channel.refs)
    entries = []
    held: list[tuple[ItemRef, Callable[[], NewsItem]]] = []  # the items loaded here
    for index, ref in enumerate(channel.refs):
        loaded: list[NewsItem] = []

        # Called (at once, if ever) within this iteration: defaults bind them anyway.
        def load(index: int = index, loaded: list[NewsItem] = loaded) -> NewsItem:
            if not loaded:
                loaded.append(channel.items[index])
            return loaded[0]

        entries.append(_variant_entry(site, feed, variant, ref, load, make))
        if loaded and siblings:
            held.append((ref, load))
    if held:
        kinds = [kind for other, _ in siblings for kind in _variant_kinds(other, variant)]
        fragments.prefetch(kinds, [ref for ref, _ in held])
        for other, other_make in siblings:
            made = functools.partial(other_make, site)
            for ref, again in held:
                _variant_entry(site, other, variant, ref, again, made)
    return entries


#: A ref's bits in :func:`_entry_needs`: the entry variants its feeds show,
#: shifted by ``_CURRENT`` for a subscription feed, which every format renders
#: (an archive page, only the formats that write archives).
_VARIANT_BITS = {"full": 1, "summary": 2, "capped": 4}
_CURRENT = 3


def _entry_needs(site: Site) -> bytearray:
    """By rank in ``site.refs``: the entry variants the site's feeds show of each item."""

    def compute() -> bytearray:
        ranks = site.ranks
        needs = bytearray(len(site.refs))
        for channel in site.feeds:
            bit = _VARIANT_BITS[entry_variant(site, channel)]
            if not channel.archive:
                bit <<= _CURRENT
            for ref in channel.refs:
                needs[ranks[ref.source_path]] |= bit
        return needs

    return site.derived(("entry needs",), compute)


def prime_entries(site: Site, index: int, item: NewsItem) -> None:
    """Make the feed entries of ``site.refs[index]`` that the site's feeds show
    (each format's, each variant's), while its ``item`` is loaded for its own files.

    A full plan renders every item's files before the feeds
    (:func:`feedtool.render.files_first`): a feed then finds the entries of
    the items it lists made, where it used to load every item whose entry it
    missed, again. Once per item and process; none in a focused plan, whose
    few feeds ask for what they show.
    """
    if site.focus is not None:
        return
    needs = _entry_needs(site)
    need, needs[index] = needs[index], 0
    if not need:
        return
    enabled = site.config.render.renderers()
    wanted: list[tuple[str, str, EntryMaker]] = []
    for feed, (make, archives) in _ENTRY_MAKERS.items():
        if feed in enabled:
            bits = need | need >> _CURRENT if archives else need >> _CURRENT
            wanted += ((feed, v, make) for v, bit in _VARIANT_BITS.items() if bits & bit)
    ref = site.refs[index]
    # One query for the item's entries a store may have, not one an entry.
    site.fragments.prefetch([k for f, v, _ in wanted for k in _variant_kinds(f, v)], [ref])
    for feed, variant, make in wanted:
        made = functools.partial(make, site)
        _variant_entry(site, feed, variant, ref, lambda: item, made)


def _variant_kinds(feed: str, variant: str) -> tuple[str, ...]:
    """The entry kinds a feed of ``variant`` may read (``capped``: and ``full``)."""
    if variant == "capped":
        return (f"{feed}/capped", f"{feed}/full")
    return (f"{feed}/{variant}",)


def _variant_entry(
    site: Site,
    feed: str,
    variant: str,
    ref: ItemRef,
    load: Callable[[], NewsItem],
    make: Callable[[NewsItem, EntryMode, str], bytes],
) -> bytes:
    """The entry of ``ref`` in ``feed`` as ``variant`` shows it: cached, or made."""

    def summary() -> bytes:
        return make(load(), "summary", "")

    if variant == "full":
        return _full_entry(site, feed, ref, load, make)
    if variant == "summary":
        return site.fragments.get(f"{feed}/summary", ref, summary)

    def capped() -> bytes:
        item = load()
        if len(memo_content_html(site, item)) <= site.config.limits.feed_body_bytes:
            return b""  # the full entry: kept once, under its own key
        return make(item, "lean", lean_content_html(item, site.config))

    entry = site.fragments.get(f"{feed}/capped", ref, capped)
    return entry or _full_entry(site, feed, ref, load, make)


def _full_entry(
    site: Site,
    feed: str,
    ref: ItemRef,
    load: Callable[[], NewsItem],
    make: Callable[[NewsItem, EntryMode, str], bytes],
) -> bytes:
    def full() -> bytes:
        item = load()
        return make(item, "full", memo_content_html(site, item))

    return site.fragments.get(f"{feed}/full", ref, full)


def plain_text(item: NewsItem) -> str:
    """The text of the body blocks, one per paragraph (JSON-LD ``articleBody``)."""
    return "\n\n".join(clean(block.text) for block in item.text_blocks)


def xml_bytes(root: etree._Element) -> bytes:
    """Indented UTF-8 XML with a declaration and a final newline.

    Re-indenting here makes the layout independent of how the tree was built.
    """
    etree.indent(root, space="  ")
    return bytes(etree.tostring(root, encoding="UTF-8", xml_declaration=True)) + b"\n"


def fragment(root: etree._Element, start: bytes, end: bytes) -> bytes:
    """The one entry (from ``start`` to the last ``end``) of the document ``root``,
    serialised exactly as :func:`xml_bytes` writes it inside a feed.

    ``root`` declares every namespace the entry uses, as a feed's root does,
    so the entry carries no declarations and can be spliced into any feed.
    """
    etree.indent(root, space="  ")
    data = bytes(etree.tostring(root, encoding="UTF-8"))
    return data[data.index(start) : data.rindex(end) + len(end)]


def splice(head: bytes, tail: bytes, separator: bytes, entries: Iterable[bytes]) -> bytes:
    """``head`` (a feed without entries, ending in ``tail``) with ``entries`` before ``tail``."""
    if not head.endswith(tail):  # pragma: no cover - a renderer's bug, not the input's
        raise ValueError(f"the feed does not end in {tail!r}")
    parts = [head[: len(head) - len(tail)]]
    for entry in entries:
        parts += (separator, entry)
    parts.append(tail)
    return b"".join(parts)


def xml_text(value: str) -> bytes:
    """``value`` as lxml serialises it as an element's text (UTF-8)."""
    element = etree.Element("t")
    element.text = value
    data = bytes(etree.tostring(element, encoding="UTF-8", xml_declaration=False))
    return data[3:-4] if value else b""


def xml_attribute(value: str) -> bytes:
    """``value`` as lxml serialises it as an attribute's value (UTF-8)."""
    element = etree.Element("t", a=value)
    data = bytes(etree.tostring(element, encoding="UTF-8", xml_declaration=False))
    return data[6:-3]


def stencil(document: bytes, holes: Sequence[bytes]) -> list[bytes] | None:
    """``document`` cut at its ``holes`` (stand-ins for values, one item per
    occurrence expected): text, hole, text, hole…, text. ``None`` when the
    document holds them another number of times (a stand-in in other text)."""
    pattern = re.compile(b"|".join(re.escape(hole) for hole in dict.fromkeys(holes)))
    parts: list[bytes] = []
    position = 0
    for match in pattern.finditer(document):
        parts += (document[position : match.start()], match[0])
        position = match.end()
    parts.append(document[position:])
    return parts if sorted(parts[1::2]) == sorted(holes) else None


def fill(parts: list[bytes], values: dict[bytes, bytes]) -> bytes:
    """A :func:`stencil` with each hole replaced by its value."""
    return b"".join(values[part] if index % 2 else part for index, part in enumerate(parts))
