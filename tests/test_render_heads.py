"""Feed heads filled into a stencil are the bytes feedgen and lxml would write."""

from __future__ import annotations

import dataclasses

from conftest import make_site
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedtool.render import Channel, Site, atom, rss
from feedtool.render._common import clean, published, whole_seconds
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
    channel = dataclasses.replace(site.tag_channels[0], title=title, description=description)
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
    channel = dataclasses.replace(site.tag_channels[0], title=title, description=description)
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
