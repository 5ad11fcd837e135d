"""Renderers of the HTML site: article pages, the paginated index, monthly
archives, tag pages and author pages.

- ``html``: each article's page, where its ``url`` says (``articles/<slug>.html``
  unless front matter moves it), and ``index.html``, ``page/2.html``…;
- ``archive``: ``archive/index.html`` (the months) and ``archive/YYYY/MM/index.html``;
- ``tag_pages``: ``tags/index.html`` and ``tags/<slug>/index.html`` for every tag
  that has feeds (the same rule decides both, so a tag page always links its
  feeds and the number of files per article stays bounded);
- ``author_pages``: ``authors/index.html`` and ``authors/<slug>/index.html``.

Long lists are paginated: ``<folder>index.html`` then ``<folder>page/N.html``.

Pages come from the jinja2 templates in ``templates/`` with autoescaping on.
The only markup inserted unescaped is the article body (``body_markup``, built
from escaped parts) and the JSON-LD, which ``script_json`` has escaped so that
no text can close its ``<script>``. A Content-Security-Policy forbids scripts
anyway: the JSON-LD is data, not code.

Links between pages are relative (the output folder can be browsed from
disk); canonical, OpenGraph and feed-discovery links are absolute.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from markupsafe import Markup, escape

from feedtool._text import MONTH_NAMES, direction, human_date
from feedtool.config import Config
from feedtool.model import NewsItem
from feedtool.render import (
    Channel,
    ItemRef,
    Output,
    Planned,
    Site,
    fingerprint,
    item_files,
    item_updated,
    renderer,
)
from feedtool.render._common import (
    LRU_SIZE,
    _relative,
    author_dir,
    authors_of,
    clean,
    environment,
    home_url,
    http_url,
    iso,
    lang_attrs,
    lead_image,
    memo_body_markup,
    page_path,
    published,
    relative,
    shows_standfirst,
    tag_names,
)
from feedtool.render.formats import enabled_formats
from feedtool.render.jsonld import memo_article_jsonld, script_json

_KIND_TITLES = (
    ("topic", "Topics"),
    ("person", "People"),
    ("organization", "Organisations"),
    ("place", "Places"),
    ("keyword", "Keywords"),
)
_KIND_NAMES = {
    "topic": "Topic",
    "person": "Person",
    "organization": "Organisation",
    "place": "Place",
    "keyword": "Keyword",
}


@dataclass(frozen=True)
class _Feed:
    type: str
    label: str
    title: str
    href: str


@dataclass(frozen=True)
class _When:
    iso: str
    human: str


@dataclass(frozen=True)
class _Link:
    name: str
    url: str | None
    title: str | None = None


@dataclass(frozen=True)
class _Notice:
    label: str
    when: _When | None
    text: str


@dataclass(frozen=True)
class _Pages:
    number: int
    count: int
    newer: str | None
    older: str | None


@dataclass(frozen=True)
class _Entry:
    name: str
    href: str
    count: int
    lang_attrs: Markup = field(default_factory=Markup)


@dataclass(frozen=True)
class _Group:
    title: str
    entries: list[_Entry] = field(default_factory=list)


# --------------------------------------------------------------------------- shared parts


def _feeds(config: Config, channel: Channel) -> list[_Feed]:
    title = clean(channel.title)
    return [
        _Feed(f.media_type, f.label, f"{title} ({f.label})", f.url(config, channel.prefix))
        for f in enabled_formats(config)
    ]


def _when(stamp: dt.datetime) -> _When:
    return _When(iso(stamp), human_date(stamp))


def _when_day(day: dt.date) -> _When:
    return _When(day.isoformat(), human_date(day))


_SECTIONS = (
    ("Archive", "archive", "archive/index.html"),
    ("Tags", "tag_pages", "tags/index.html"),
    ("Authors", "author_pages", "authors/index.html"),
)


@functools.lru_cache(maxsize=LRU_SIZE)
def _folder_links(renderers: tuple[str, ...], folder: str) -> tuple[str, Markup]:
    """The home link and the site navigation of a page in ``folder`` (they
    depend on the folder only: every article page shares one pair)."""
    page = f"{folder}/index.html" if folder else "index.html"
    # Only the sections a renderer of this build writes: no link leads nowhere.
    links = [(label, relative(page, path)) for label, name, path in _SECTIONS if name in renderers]
    return relative(page, "index.html"), _nav_links(tuple(links))


def _common(site: Site, page: str, language: str | None = None) -> dict[str, object]:
    """Template values every page has."""
    config = site.config
    language = language or config.language
    values = dict(site.memo(("page values", language), lambda: _page_values(site, language)))
    values["home"], values["site_nav"] = _folder_links(
        config.render.renderers(), page.rpartition("/")[0]
    )
    values["page_links"] = []
    return values


def _page_values(site: Site, language: str) -> dict[str, object]:
    """The values of :func:`_common` that depend on the page's language only
    (the main feed's title and folder are the config's): once per site."""
    config = site.config
    return {
        "lang": language,
        "dir": direction(language),
        "ui_lang": lang_attrs(config.language, language),
        "site_title": clean(config.title),
        **_feed_values(tuple(_feeds(config, site.main))),
    }


# The repeated parts of the templates (feed links, navigation) are escaped and
# joined here, as autoescaping would write them, once per distinct value:
# every page of a site has the same, or one of a few.


def _feed_values(feeds: tuple[_Feed, ...]) -> dict[str, Markup]:
    """``feed_links`` (the head's ``<link>``s) and ``feed_nav`` (the footer's) of ``feeds``."""
    return {"feed_links": _feed_links(feeds), "feed_nav": _feed_anchors(feeds)}


def _own_feed_values(own: tuple[_Feed, ...], main: tuple[_Feed, ...]) -> dict[str, Markup]:
    """``_feed_values(own + main)``, from the parts each escaped once: a channel's
    own feeds (used once more for its "Follow" line) and the main feeds (the
    same on every page)."""
    if not own or not main:
        return _feed_values(own + main)
    return {
        "feed_links": Markup(_feed_links(own) + _feed_links(main)),
        "feed_nav": Markup(_feed_anchors(own) + " · " + _feed_anchors(main)),
    }


@functools.lru_cache(maxsize=LRU_SIZE)
def _feed_links(feeds: tuple[_Feed, ...]) -> Markup:
    return Markup(
        "".join(
            f'<link rel="alternate" type="{escape(f.type)}" title="{escape(f.title)}"'
            f' href="{escape(f.href)}">\n'
            for f in feeds
        )
    )


@functools.lru_cache(maxsize=LRU_SIZE)
def _feed_anchors(feeds: tuple[_Feed, ...]) -> Markup:
    return Markup(
        " · ".join(
            f'<a href="{escape(f.href)}" type="{escape(f.type)}">{escape(f.label)}</a>'
            for f in feeds
        )
    )


@functools.lru_cache(maxsize=LRU_SIZE)
def _nav_links(links: tuple[tuple[str, str], ...]) -> Markup:
    return Markup(
        "".join(f' <a href="{escape(href)}">{escape(label)}</a>' for label, href in links)
    )


@functools.lru_cache(maxsize=LRU_SIZE)
def _meta(attribute: str, name: str, content: str) -> str:
    """A ``<meta>`` line of the article template, escaped as autoescaping would.

    Cached: the ``article:tag`` lines of a tag recur on every page that has it.
    """
    return f'<meta {attribute}="{escape(name)}" content="{escape(content)}">\n'


@functools.lru_cache(maxsize=LRU_SIZE)
def _tag_item(name: str, href: str | None) -> str:
    """A tag's ``<li>`` in the article template (its link is the same from every
    article page in the same folder)."""
    if href:
        return f'<li><a href="{escape(href)}" rel="tag">{escape(name)}</a></li>\n'
    return f"<li>{escape(name)}</li>\n"


def tag_feed_prefixes(site: Site) -> dict[str, str]:
    """Tag slug → prefix of its channel ('tags/pakistan/'), for tags that have feeds."""
    prefixes: dict[str, str] = {}
    for channel in site.tag_channels:
        slug = channel.tag.slug if channel.tag else channel.prefix.strip("/").rsplit("/", 1)[-1]
        prefixes[slug] = channel.prefix
    return prefixes


# --------------------------------------------------------------------------- articles


@renderer("html")
def render_html(site: Site) -> Iterator[Output | Planned]:
    """Yield one page per item of the site, then the index pages."""
    prefixes = site.memo("tag_feed_prefixes", lambda: tag_feed_prefixes(site))
    yield from item_files(
        site,
        lambda ref: page_path(ref, site.config),
        lambda item: article_page(site, item, prefixes).encode("utf-8"),
        # A page also links its tags' feeds: it changes when one appears or goes.
        lambda ref: fingerprint(ref.fingerprint, [(s, prefixes.get(s)) for s in ref.tag_slugs]),
    )
    yield from _listing(
        site,
        folder="",
        title=clean(site.config.title),
        heading=clean(site.config.title),
        description=clean(site.config.description) if site.config.description else None,
        refs=site.derived("home", lambda: _newest_first(site)),
        canonical=home_url(site.config),
    )


def article_page(site: Site, item: NewsItem, tag_feeds: dict[str, str] | None = None) -> str:
    """The HTML page of one article."""
    config = site.config
    if tag_feeds is None:
        tag_feeds = tag_feed_prefixes(site)
    page = page_path(item, config)
    first = published(item)
    updated = item_updated(item)
    headline = clean(item.headline)
    description = clean(item.description) if item.description else None
    names = tag_names(item.tags)
    opengraph: list[tuple[str, str]] = [
        ("og:type", "article"),
        ("og:title", headline),
    ]
    if description:
        opengraph.append(("og:description", description))
    opengraph += [("og:url", item.url), ("og:site_name", clean(config.title))]
    image = lead_image(item, config)
    twitter = [("twitter:card", "summary_large_image" if image else "summary")]
    twitter.append(("twitter:title", headline))
    if description:
        twitter.append(("twitter:description", description))
    if image:
        opengraph.append(("og:image", image.url))
        if image.width and image.height:
            opengraph += [
                ("og:image:width", str(image.width)),
                ("og:image:height", str(image.height)),
            ]
        twitter.append(("twitter:image", image.url))
        if image.alt:
            opengraph.append(("og:image:alt", image.alt))
            twitter.append(("twitter:image:alt", image.alt))
    opengraph += [
        ("article:published_time", iso(first)),
        ("article:modified_time", iso(updated)),
    ]
    opengraph += [("article:tag", clean(name)) for name in names]

    slugs = {tag.name: tag.slug for tag in reversed(item.tags)}
    tags = []
    renderers = config.render.renderers()
    tag_pages = "tag_pages" in renderers
    folder = page.rpartition("/")[0]  # as ``relative`` takes it
    for name in names:
        prefix = tag_feeds.get(slugs[name])
        href = _relative(folder, f"{prefix}index.html") if prefix and tag_pages else None
        tags.append(_tag_item(clean(name), href))
    author_pages = "author_pages" in renderers
    authors = [
        _Link(
            clean(a.name),
            relative(page, author_dir(a) + "index.html") if author_pages else http_url(a.url),
            clean(a.job_title) if a.job_title else None,
        )
        for a in authors_of(item, config)
    ]
    values = _common(site, page, item.language)
    values["ui_lang"] = lang_attrs(config.language, item.language)
    return (
        environment()
        .get_template("article.html")
        .render(
            **values,
            headline=headline,
            description=description,
            standfirst=description if shows_standfirst(item) else None,
            canonical=item.url,
            meta=Markup(
                "".join(
                    [_meta("property", *pair) for pair in opengraph]
                    + [_meta("name", *pair) for pair in twitter]
                )
            ),
            jsonld=script_json(memo_article_jsonld(site, item)),
            authors=authors,
            corrections=[
                _Notice(
                    c.kind.capitalize(),
                    _when_day(c.date) if c.date else None,
                    clean(c.text),
                )
                for c in item.corrections
            ],
            published=_when(first),
            modified=_when(updated) if updated != first else None,
            body=memo_body_markup(site, item),
            tags=Markup("".join(tags)),
        )
    )


# --------------------------------------------------------------------------- listings


def _page_paths(folder: str, count: int) -> list[str]:
    return [f"{folder}index.html"] + [f"{folder}page/{n}.html" for n in range(2, count + 1)]


def _listing(
    site: Site,
    *,
    folder: str,
    title: str,
    heading: str,
    description: str | None,
    refs: Sequence[ItemRef],
    canonical: str,
    channel: Channel | None = None,
) -> Iterator[Planned]:
    """The pages of a list of articles, ``page_size`` to a page, newest first.

    Planned from refs: a page is rendered again only when one of its
    articles, its neighbours or the channel changes. A channel's pages are
    planned by the part that has the channel (``Site.headed``); the others'
    (home, months) by the part of each page's first article.
    """
    size = site.config.page_size
    starts = range(0, len(refs), size)
    if channel is None and not any(site.owns(refs[start : start + 1]) for start in starts or (0,)):
        return
    chunks = [tuple(refs[start : start + size]) for start in starts] or [()]
    paths = _page_paths(folder, len(chunks))
    for number, (path, chunk) in enumerate(zip(paths, chunks, strict=True), 1):
        if (channel is None and not site.owns(chunk)) or not site.shows(chunk):
            continue
        digest = fingerprint(
            "listing",
            paths,
            title,
            heading,
            description,
            canonical,
            channel.prefix if channel else None,
            channel.title if channel else None,
            # What a listing shows of each article, not the article's fingerprint:
            # an edit to a body re-renders its page and feeds, not every list it is on.
            [
                (
                    r.headline,
                    r.description,
                    iso(published(r)),
                    r.language,
                    page_path(r, site.config),
                )
                for r in chunk
            ],
        )
        yield Planned(
            path,
            digest,
            lambda number=number, chunk=chunk: _listing_page(  # type: ignore[misc]
                site, paths, number, chunk, title, heading, description, canonical, channel
            ),
        )


def _listed(site: Site, chunk: Sequence[ItemRef], path: str) -> str:
    """The articles of a listing page ``path``, each as its ``<li>`` and a line break.

    An article is listed on the home pages, its month's and every tag's pages:
    escaped once (while in :func:`_listed_parts`' cache), then given each
    page's relative link.
    """
    config = site.config
    context = config.language
    folder = path.rpartition("/")[0]  # as ``relative`` takes it
    parts: list[str] = []
    for ref in chunk:
        stamp = published(ref)
        before, after = _listed_parts(
            ref.source_path,
            ref.headline,
            ref.description,
            stamp,
            # Equal instants in other offsets are equal keys: the offset tells them apart.
            stamp.utcoffset(),
            ref.language,
            context,
        )
        # A quoted path holds nothing ``escape`` would change (``quote`` keeps only
        # letters, digits, ``_.-~/`` and its ``%`` escapes).
        parts += (before, _relative(folder, page_path(ref, config)), after, "\n")
    return "".join(parts)


@functools.lru_cache(maxsize=LRU_SIZE)
def _listed_parts(
    source_path: str,
    headline: str,
    description: str | None,
    date_published: dt.datetime,
    offset: dt.timedelta | None,
    language: str,
    context: str,
) -> tuple[str, str]:
    """The escaped HTML of a listed article before its link and after it
    (``source_path`` and ``offset``: keys only; ``context``: the site's language).

    Its own cache, not the site's memo: an article is listed on a dozen pages
    far apart in the render order, and its entries there pushed out the
    bodies and page values the memo keeps. Plain f-strings and ``escape``:
    ``Markup.format`` (a ``string.Formatter``) cost ten times as much.
    """
    when = _when(date_published)
    before = f'<li{lang_attrs(language, context)}>\n<h2><a href="'
    after = (
        f'">{escape(clean(headline))}</a></h2>\n<p class="meta">'
        f'<time datetime="{escape(when.iso)}">{escape(when.human)}</time></p>\n'
    )
    if description:
        after += f"<p>{escape(clean(description))}</p>\n"
    return before, after + "</li>"


def _listing_page(
    site: Site,
    paths: Sequence[str],
    number: int,
    chunk: Sequence[ItemRef],
    title: str,
    heading: str,
    description: str | None,
    canonical: str,
    channel: Channel | None,
) -> bytes:
    config = site.config
    path = paths[number - 1]
    values = _common(site, path)
    own_feeds = tuple(_feeds(config, channel)) if channel is not None else ()
    if own_feeds:
        # Autodiscovery: a reader given this page subscribes to its own feeds first.
        main = site.memo(("main feeds",), lambda: tuple(_feeds(config, site.main)))
        values.update(_own_feed_values(own_feeds, main))
    newer = relative(path, paths[number - 2]) if number > 1 else None
    older = relative(path, paths[number]) if number < len(paths) else None
    values["page_links"] = [(rel, href) for rel, href in (("prev", newer), ("next", older)) if href]
    articles = _listed(site, chunk, path)
    suffix = f" (page {number})" if number > 1 else ""
    values.update(
        title=f"{title}{suffix}",
        heading=heading,
        description=description,
        canonical=canonical if number == 1 else config.absolute(path),
        own_feeds=_feed_anchors(own_feeds),
        articles=Markup(articles),
        groups=[],
        pages=_Pages(number, len(paths), newer, older) if len(paths) > 1 else None,
    )
    return listing_html(values).encode("utf-8")


# --------------------------------------------------------------------------- listing stencils

# The values of ``listing.html`` a listing page fills in. What else it is given
# decides the page's shape: its direction, which optional parts it has (a
# description, its own feeds, articles, the links to the pages before and
# after it), and no groups (a directory renders through jinja2).
_LISTING_VALUES = (
    "lang",
    "ui_lang",
    "site_title",
    "home",
    "site_nav",
    "feed_links",
    "feed_nav",
    "title",
    "heading",
    "description",
    "canonical",
    "own_feeds",
    "articles",
)
_HOLE = re.compile(r"FeedtoolHole[0-9]+x")


def listing_html(values: dict[str, Any]) -> str:
    """``listing.html`` rendered with ``values``: the stencil of the page's shape
    (the template rendered once with stand-ins, cut at them) filled in with the
    values escaped as autoescaping escapes them. Thousands of tag pages differ
    only in those values; jinja2 spent ~0.1 ms a page on the same structure.
    (tests/test_render.py checks it gives jinja2's text for every shape.)
    """
    pages = values["pages"]
    links = values["page_links"]
    stencil = None
    if not values["groups"]:
        stencil = _listing_stencil(
            values["dir"] == "rtl",
            bool(values["description"]),
            bool(values["own_feeds"]),
            bool(values["articles"]),
            tuple(rel for rel, _ in links),
            None if pages is None else (bool(pages.newer), bool(pages.older)),
        )
    if stencil is None:
        return environment().get_template("listing.html").render(**values)
    fills = [values[name] for name in _LISTING_VALUES]
    fills += (href for _, href in links)
    if pages is not None:
        fills += (pages.number, pages.count, pages.newer, pages.older)
    parts = stencil[0]
    out = [parts[0]]
    for hole, text in zip(stencil[1], parts[1:], strict=True):
        out += (escape(fills[hole]), text)
    return "".join(out)


@functools.lru_cache(maxsize=64)
def _listing_stencil(
    rtl: bool,
    description: bool,
    own_feeds: bool,
    articles: bool,
    rels: tuple[str, ...],
    pages: tuple[bool, bool] | None,
) -> tuple[list[str], list[int]] | None:
    """The text of a listing page of this shape cut at its values: the texts
    around them, and which value (by its number in :func:`listing_html`'s
    order) goes in each gap; ``None`` unless every value given is shown
    (jinja2 renders such a page)."""
    names = [*_LISTING_VALUES, *(f"link {n}" for n in range(len(rels)))]
    if pages is not None:
        names += ("number", "count", "newer", "older")
    stand = {name: f"FeedtoolHole{n}x" for n, name in enumerate(names)}
    shown = {
        "description": description,
        "own_feeds": own_feeds,
        "articles": articles,
        "newer": pages is not None and pages[0],
        "older": pages is not None and pages[1],
    }
    # An optional part left out is given as the template would see it empty.
    values: dict[str, Any] = {
        name: stand[name] if shown.get(name, True) else None for name in _LISTING_VALUES
    }
    values.update(
        dir="rtl" if rtl else "ltr",
        page_links=[(rel, stand[f"link {n}"]) for n, rel in enumerate(rels)],
        groups=[],
        pages=None,
    )
    if pages is not None:
        values["pages"] = SimpleNamespace(
            **{name: stand[name] if shown.get(name, True) else None for name in names[-4:]}
        )
    document = environment().get_template("listing.html").render(**values)
    found = _HOLE.findall(document)
    if set(found) != {stand[name] for name in names if shown.get(name, True)}:
        return None
    number = {text: n for n, text in enumerate(stand.values())}
    return _HOLE.split(document), [number[text] for text in found]


def _directory(site: Site, path: str, title: str, description: str, groups: list[_Group]) -> Output:
    """A page of links to other pages (the months, the tags, the authors)."""
    values = _common(site, path)
    html = (
        environment()
        .get_template("listing.html")
        .render(
            **values,
            title=f"{title} — {clean(site.config.title)}",
            heading=title,
            description=description,
            canonical=site.config.absolute(path),
            own_feeds="",
            articles="",
            groups=[g for g in groups if g.entries],
            pages=None,
        )
    )
    return path, html.encode("utf-8")


# --------------------------------------------------------------------------- archive


@renderer("archive")
def render_archive(site: Site) -> Iterator[Output | Planned]:
    """Yield ``archive/index.html`` and one paginated listing per month."""
    config = site.config
    months = site.derived("months", lambda: _months(site))
    groups: dict[int, _Group] = {}
    for (year, month), items in months.items():
        folder = f"archive/{year:04d}/{month:02d}/"
        name = f"{MONTH_NAMES[month - 1]} {year}"
        groups.setdefault(year, _Group(str(year))).entries.append(
            _Entry(name, relative("archive/index.html", folder + "index.html"), len(items))
        )
        yield from _listing(
            site,
            folder=folder,
            title=f"{name} — {clean(config.title)}",
            heading=name,
            description=f"Articles of {clean(config.title)} published in {name}.",
            refs=items,
            canonical=config.absolute(folder),
        )
    # Names and counts only: unchanged while the site's structure is (``Site.focus``).
    if site.focus is None and site.owns_rest():
        yield _directory(
            site,
            "archive/index.html",
            "Archive",
            f"Every article of {clean(config.title)}, month by month.",
            list(groups.values()),
        )


def _newest_first(site: Site) -> Sequence[ItemRef]:
    """The refs sorted by publication, newest first (stably): ``site.refs`` as
    they are when already so (``Site.newest_first``: a build's)."""
    if site.newest_first:
        return site.refs
    return sorted(site.refs, key=published, reverse=True)


def _months(site: Site) -> dict[tuple[int, int], list[ItemRef]]:
    """The items of each month (in the site's time zone), newest first."""
    months: dict[tuple[int, int], list[ItemRef]] = {}
    zone = site.config.zone
    month: list[ItemRef] = []
    key = None
    for ref in _newest_first(site):
        local = published(ref).astimezone(zone)
        if (local.year, local.month) != key:
            key = (local.year, local.month)
            month = months.setdefault(key, [])
        month.append(ref)
    return months


# --------------------------------------------------------------------------- tags


@renderer("tag_pages")
def render_tag_pages(site: Site) -> Iterator[Output | Planned]:
    """Yield ``tags/index.html`` and a paginated page for every tag that has feeds."""
    config = site.config
    for channel in site.headed("tags", site.tag_channels):
        if channel.tag is None or not channel.items or not site.touches(channel):
            continue
        tag = channel.tag
        items = site.refs_of(channel)
        name = clean(tag.name)
        yield from _listing(
            site,
            folder=channel.prefix,
            title=f"{name} — {clean(config.title)}",
            heading=name,
            description=f"{_KIND_NAMES[tag.kind]}: {len(items)} article"
            + ("" if len(items) == 1 else "s"),
            refs=items,
            canonical=config.absolute(channel.prefix),
            channel=channel,
        )
    # Names and counts only: unchanged while the site's structure is (``Site.focus``).
    if site.focus is None and site.owns_rest():
        groups = {kind: _Group(title) for kind, title in _KIND_TITLES}
        for channel in site.tag_channels:
            if channel.tag is None or not channel.items:
                continue
            groups[channel.tag.kind].entries.append(
                _Entry(
                    clean(channel.tag.name),
                    relative("tags/index.html", channel.prefix + "index.html"),
                    len(site.refs_of(channel)),
                    Markup(' dir="auto"'),
                )
            )
        for group in groups.values():
            group.entries.sort(key=lambda e: (e.name.casefold(), e.href))
        yield _directory(
            site,
            "tags/index.html",
            "Tags",
            "Topics, people, organisations, places and keywords, each with its page and feeds.",
            list(groups.values()),
        )


# --------------------------------------------------------------------------- authors


@renderer("author_pages")
def render_author_pages(site: Site) -> Iterator[Output | Planned]:
    """Yield ``authors/index.html`` and a paginated page for every author."""
    config = site.config
    for channel in site.headed("authors", site.author_channels):
        assert channel.author is not None
        if not site.touches(channel):
            continue
        person = channel.author
        items = site.refs_of(channel)
        name = clean(person.name)
        own = http_url(person.url)
        about = f"{len(items)} article" + ("" if len(items) == 1 else "s")
        if own and not own.startswith(config.absolute(channel.prefix)):
            about += f" · {own}"
        yield from _listing(
            site,
            folder=channel.prefix,
            title=f"{name} — {clean(config.title)}",
            heading=name,
            description=about,
            refs=items,
            canonical=config.absolute(channel.prefix),
            channel=channel,
        )
    # Names and counts only: unchanged while the site's structure is (``Site.focus``).
    if site.focus is None and site.owns_rest():
        group = _Group("Authors")
        for channel in site.author_channels:
            assert channel.author is not None
            group.entries.append(
                _Entry(
                    clean(channel.author.name),
                    relative("authors/index.html", channel.prefix + "index.html"),
                    len(site.refs_of(channel)),
                    Markup(' dir="auto"'),
                )
            )
        group.entries.sort(key=lambda e: (e.name.casefold(), e.href))
        yield _directory(
            site,
            "authors/index.html",
            "Authors",
            f"Who writes for {clean(config.title)}.",
            [group],
        )
