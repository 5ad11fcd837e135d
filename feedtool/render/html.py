"""Renderer ``html``: ``articles/<slug>.html`` per article and ``index.html``.

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
from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import Markup

from feedtool._text import direction, human_date
from feedtool.config import Config
from feedtool.model import NewsItem
from feedtool.render import Channel, Output, Planned, Site, fingerprint, item_updated, renderer
from feedtool.render._common import (
    clean,
    environment,
    home_url,
    http_url,
    iso,
    lang_attrs,
    memo_body_markup,
    published,
    tag_names,
)
from feedtool.render.formats import FEED_FORMATS
from feedtool.render.jsonld import memo_article_jsonld, script_json


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
class _TagLink:
    name: str
    feed: str | None


@renderer("html")
def render_html(site: Site) -> Iterator[Output | Planned]:
    """Yield one page per item of the site, then ``index.html``."""
    feeds = tag_feed_prefixes(site)
    for index, ref in enumerate(site.refs):
        yield Planned(
            f"articles/{ref.slug}.html",
            fingerprint(ref.fingerprint, [(slug, feeds.get(slug)) for slug in ref.tag_slugs]),
            lambda index=index: article_page(site, site.items[index], feeds).encode("utf-8"),  # type: ignore[misc]
        )
    yield Planned(
        "index.html",
        fingerprint(site.structure, [ref.fingerprint for ref in site.refs]),
        lambda: index_page(site).encode("utf-8"),
    )


def tag_feed_prefixes(site: Site) -> dict[str, str]:
    """Tag slug → prefix of its channel ('tags/pakistan/'), for tags that have feeds."""
    prefixes: dict[str, str] = {}
    for channel in site.tag_channels:
        slug = channel.tag.slug if channel.tag else channel.prefix.strip("/").rsplit("/", 1)[-1]
        prefixes[slug] = channel.prefix
    return prefixes


def _feeds(config: Config, channel: Channel) -> list[_Feed]:
    title = clean(channel.title)
    return [
        _Feed(f.media_type, f.label, f"{title} ({f.label})", f.url(config, channel.prefix))
        for f in FEED_FORMATS
    ]


def _when(stamp: dt.datetime) -> _When:
    return _When(iso(stamp), human_date(stamp))


def _when_day(day: dt.date) -> _When:
    return _When(day.isoformat(), human_date(day))


def article_page(site: Site, item: NewsItem, tag_feeds: dict[str, str] | None = None) -> str:
    """The HTML page of one article."""
    config = site.config
    if tag_feeds is None:
        tag_feeds = tag_feed_prefixes(site)
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
    image = http_url(item.image.url) if item.image else None
    if image:
        opengraph.append(("og:image", image))
        if item.image and item.image.caption:
            opengraph.append(("og:image:alt", clean(item.image.caption)))
    opengraph += [
        ("article:published_time", iso(first)),
        ("article:modified_time", iso(updated)),
    ]
    opengraph += [("article:tag", clean(name)) for name in names]

    slugs = {tag.name: tag.slug for tag in reversed(item.tags)}
    tags = []
    for name in names:
        prefix = tag_feeds.get(slugs[name])
        tags.append(_TagLink(clean(name), "../" + FEED_FORMATS[0].path(prefix) if prefix else None))

    return (
        environment()
        .get_template("article.html")
        .render(
            lang=item.language,
            dir=direction(item.language),
            ui_lang=lang_attrs(config.language, item.language),
            site_title=clean(config.title),
            home="../index.html",
            feeds=_feeds(config, site.main),
            tag_feed_type=FEED_FORMATS[0].media_type,
            headline=headline,
            description=description,
            canonical=item.url,
            opengraph=opengraph,
            jsonld=script_json(memo_article_jsonld(site, item)),
            authors=[
                _Link(clean(a.name), http_url(a.url), clean(a.job_title) if a.job_title else None)
                for a in item.authors
            ],
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
            tags=tags,
        )
    )


@dataclass(frozen=True)
class _Article:
    headline: str
    href: str
    published: _When
    description: str | None
    lang_attrs: Markup


@dataclass(frozen=True)
class _TagFeeds:
    title: str
    feeds: list[_Feed]


def index_page(site: Site) -> str:
    """The home page: every article, newest first, and the feeds."""
    config = site.config
    items = sorted(site.refs, key=published, reverse=True)
    articles = [
        _Article(
            headline=clean(item.headline),
            href=f"articles/{item.slug}.html",
            published=_when(published(item)),
            description=clean(item.description) if item.description else None,
            lang_attrs=lang_attrs(item.language, config.language),
        )
        for item in items
    ]
    tag_feeds = [
        _TagFeeds(
            clean(channel.title),
            [_Feed(f.media_type, f.label, f.label, f.path(channel.prefix)) for f in FEED_FORMATS],
        )
        for channel in site.tag_channels
        if channel.items
    ]
    return (
        environment()
        .get_template("index.html")
        .render(
            lang=config.language,
            dir=direction(config.language),
            ui_lang=Markup(""),
            site_title=clean(config.title),
            home="index.html",
            feeds=_feeds(config, site.main),
            description=clean(config.description) if config.description else None,
            canonical=home_url(config),
            articles=articles,
            tag_feeds=tag_feeds,
        )
    )
