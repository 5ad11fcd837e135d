"""Feed heads filled into a stencil, and entries built element by element, are
the bytes feedgen and lxml would write."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from conftest import PAKISTAN, make_site
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from feedtool.model import Image, NewsItem, Person
from feedtool.render import Channel, Site, atom, html, rss
from feedtool.render._common import (
    EntryMode,
    clean,
    content_html,
    environment,
    fragment,
    published,
    whole_seconds,
)
from feedtool.render.formats import RSS

# Any text a tag name or a config title could hold: markup, entities, quotes,
# carriage returns, tabs, right-to-left and astral characters, controls.
_TEXT = st.text(
    alphabet=st.sampled_from([*"aZ &<>\"'\r\n\t;#x3C", "é", "ی", "\u200c", "😀", "\x07"]),
    min_size=1,
    max_size=24,
)


def _slow_rss(site: Site, channel: Channel, media: bool) -> bytes:
    config = site.config
    head = rss._head_xml(
        config,
        clean(channel.title),
        clean(channel.description),
        RSS.url(config, channel.prefix),
        whole_seconds(channel.updated),
        whole_seconds(max(published(i) for i in channel.refs)),
        [],
        0,
        media,
    )
    return rss._hex_references(head)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_TEXT, description=_TEXT, media=st.booleans(), hub=st.booleans())
def test_the_rss_stencil_gives_the_bytes_of_feedgen(
    title: str, description: str, media: bool, hub: bool
) -> None:
    site = make_site(hub="https://hub.example.org/" if hub else None)
    channel = site.tag_channels[0].replace(title=title, description=description)
    if not (clean(title) and clean(description)):
        return  # such a channel takes the slow path itself (feedgen refuses an empty title)
    assert rss._head(site, channel, media=media) == _slow_rss(site, channel, media)


def _slow_atom(site: Site, channel: Channel) -> bytes:
    url = atom.feed_id(site, channel)
    return atom._head_xml(
        site.config,
        clean(channel.title),
        clean(channel.description),
        url,
        url,
        whole_seconds(channel.updated),
        [],
        0,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_TEXT, description=_TEXT, hub=st.booleans())
def test_the_atom_stencil_gives_the_bytes_of_feedgen(
    title: str, description: str, hub: bool
) -> None:
    site = make_site(hub="https://hub.example.org/" if hub else None)
    channel = site.tag_channels[0].replace(title=title, description=description)
    if not (clean(title) and clean(description)):
        return  # such a channel takes the slow path itself (feedgen refuses an empty title)
    assert atom._head(site, channel) == _slow_atom(site, channel)


def test_a_stand_in_in_the_config_takes_the_slow_path() -> None:
    site = make_site()
    logo = "https://news.example.org/FeedtoolHoleSelf.png"
    publisher = site.config.publisher.model_copy(update={"logo": logo})
    config = site.config.model_copy(update={"publisher": publisher})
    site = dataclasses.replace(site, config=config)
    channel = site.tag_channels[0]
    assert rss._stencil(config, False) is None
    assert atom._stencil(config) is None
    assert rss._head(site, channel, media=False) == _slow_rss(site, channel, False)
    assert atom._head(site, channel) == _slow_atom(site, channel)
    assert logo.encode() in atom._head(site, channel)


# --------------------------------------------------------------------------- entries

_ENTRY_MODES = st.sampled_from(["full", "lean", "summary"])


def _feedgen_atom_entry(site: Site, item: NewsItem, mode: EntryMode, content: str) -> bytes:
    root = etree.Element(f"{atom._ATOM}feed", nsmap={None: atom._ATOM[1:-1]})
    root.append(atom._make_entry(site, item, mode, content))
    return fragment(root, b"<entry", b"</entry>")


def _feedgen_rss_item(site: Site, item: NewsItem, mode: EntryMode, content: str) -> bytes:
    root = etree.Element("rss", nsmap=rss._ITEM_NSMAP)
    etree.SubElement(root, "channel").append(rss._make_item(site, item, mode, content))
    return rss._hex_references(fragment(root, b"<item>", b"</item>"))


# Text that ``clean`` empties: feedgen then writes an empty element.
_EMPTIED = st.just("\x07")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sample=st.integers(0, 2),
    headline=_TEXT,
    description=st.none() | _EMPTIED | _TEXT,
    author=st.none() | _EMPTIED | _TEXT,
    author_url=st.none() | st.sampled_from(["https://a.example.org/x?a=1&b=2", "ftp://x"]),
    tag_name=_EMPTIED | _TEXT,
    content=st.just("") | _TEXT.map(clean),
    image=st.sampled_from([None, "https://x.example.org/a.jpg", "https://x.example.org/a"]),
    caption=st.none() | _EMPTIED | _TEXT,
    language=st.sampled_from(["en", "fa", "EN"]),
    mode=_ENTRY_MODES,
)
def test_entries_built_directly_are_the_bytes_of_feedgen(
    sample: int,
    headline: str,
    description: str | None,
    author: str | None,
    author_url: str | None,
    tag_name: str,
    content: str,
    image: str | None,
    caption: str | None,
    language: str,
    mode: EntryMode,
) -> None:
    """Atom ``<entry>``s and RSS ``<item>``s made element by element are those
    feedgen makes (serialised, parsed back and serialised again), for any text."""
    site = make_site()
    item = site.items[sample]
    authors = (Person(name=author, url=author_url),) if author else item.authors
    tags = (*item.tags, PAKISTAN.model_copy(update={"name": tag_name, "code": None}))
    item = item.model_copy(
        update={
            "headline": headline,
            "description": description,
            "authors": authors,
            "tags": tags,
            "language": language,
            "image": Image(url=image, caption=caption, credit=caption) if image else item.image,
        }
    )
    # Either the same bytes or the same refusal (an empty title; a control
    # character, which lxml refuses and content_html never leaves).
    built = _outcome(lambda: atom._entry(site, item, mode, content))
    assert built == _outcome(lambda: _feedgen_atom_entry(site, item, mode, content))
    built = _outcome(lambda: rss._entry(site, item, mode, content))
    assert built == _outcome(lambda: _feedgen_rss_item(site, item, mode, content))


def _outcome(make: Callable[[], bytes]) -> bytes | str:
    try:
        return make()
    except ValueError as exc:
        return f"ValueError: {exc}"


def test_sample_entries_built_directly_are_the_bytes_of_feedgen() -> None:
    site = make_site()
    for item in site.items:
        for mode in ("full", "lean", "summary"):
            content = "" if mode == "summary" else content_html(item, site.config)
            built = atom._entry(site, item, mode, content)  # type: ignore[arg-type]
            assert built == _feedgen_atom_entry(site, item, mode, content)  # type: ignore[arg-type]
            built = rss._entry(site, item, mode, content)  # type: ignore[arg-type]
            assert built == _feedgen_rss_item(site, item, mode, content)  # type: ignore[arg-type]
            assert b"<category" in built or not item.tags


def test_an_item_feedgen_refuses_keeps_its_error() -> None:
    site = make_site()
    item = site.items[0].model_copy(update={"headline": "\x07"})
    with pytest.raises(ValueError, match="Required fields not set"):
        atom._entry(site, item, "full", "")
    with pytest.raises(ValueError, match="Required fields not set"):
        rss._entry(site, item, "full", "")


_MAYBE_TEXT = st.one_of(st.none(), st.just(""), _TEXT)
_MAYBE_MARKUP = st.one_of(st.just(""), _TEXT.map(html.Markup))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.fixed_dictionaries(
        {name: _TEXT for name in ("lang", "site_title", "home", "title", "heading", "canonical")}
    ),
    markup=st.fixed_dictionaries(
        {
            name: _MAYBE_MARKUP
            for name in ("ui_lang", "site_nav", "feed_links", "feed_nav", "own_feeds", "articles")
        }
    ),
    description=_MAYBE_TEXT,
    rtl=st.booleans(),
    links=st.lists(st.tuples(st.sampled_from(["prev", "next", 'a"<']), _TEXT), max_size=2),
    pages=st.one_of(
        st.none(),
        st.tuples(st.integers(1, 999), st.integers(1, 999), _MAYBE_TEXT, _MAYBE_TEXT).map(
            lambda p: html._Pages(*p)
        ),
    ),
    stand_in=st.booleans(),
)
def test_the_listing_stencil_gives_the_text_of_jinja2(
    texts: dict[str, str],
    markup: dict[str, str],
    description: str | None,
    rtl: bool,
    links: list[tuple[str, str]],
    pages: object,
    stand_in: bool,
) -> None:
    values: dict[str, object] = {**texts, **markup}
    if stand_in:  # a value that looks like a stand-in is a value like any other
        values["heading"] = "FeedtoolHole3x"
    values.update(
        dir="rtl" if rtl else "ltr",
        description=description,
        page_links=links,
        groups=[],
        pages=pages,
    )
    expected = environment().get_template("listing.html").render(**values)
    assert html.listing_html(values) == expected
