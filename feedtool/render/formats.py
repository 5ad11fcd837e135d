"""The feed formats, declared once: file name, media type, label, renderer.

The HTML pages (``<link rel="alternate">``, the feed links), the OPML list,
the WebSub pings of ``publish`` and the ``Content-Type`` of ``serve`` all loop
over ``FEED_FORMATS``: a new feed format is its renderer module plus one
declaration here.
"""

from __future__ import annotations

from dataclasses import dataclass

from feedtool.config import Config


@dataclass(frozen=True, slots=True)
class FeedFormat:
    """One feed format, written once per channel as ``{prefix}{file}``."""

    renderer: str  # the registered renderer that writes it
    file: str  # 'rss.xml'
    media_type: str  # 'application/rss+xml' (without charset)
    label: str  # what a page calls it: 'JSON Feed'
    outline_label: str  # the shorter name in OPML outline texts: 'JSON'
    opml_version: str | None = None  # OPML 2.0 'version' of an rss outline ('RSS2')

    def path(self, prefix: str) -> str:
        """The file of a channel ('tags/pakistan/' → 'tags/pakistan/rss.xml')."""
        return prefix + self.file

    def url(self, config: Config, prefix: str) -> str:
        """Absolute URL of a channel's feed in this format."""
        return config.absolute(self.path(prefix))


RSS = FeedFormat("rss", "rss.xml", "application/rss+xml", "RSS", "RSS", "RSS2")
ATOM = FeedFormat("atom", "atom.xml", "application/atom+xml", "Atom", "Atom")
JSON_FEED = FeedFormat("jsonfeed", "feed.json", "application/feed+json", "JSON Feed", "JSON")

# In the order pages list them; the first is the one a tag links to.
FEED_FORMATS: tuple[FeedFormat, ...] = (RSS, ATOM, JSON_FEED)


def enabled_formats(config: Config) -> tuple[FeedFormat, ...]:
    """The feed formats whose renderer ``[render] enabled`` runs: the ones to link to."""
    enabled = config.render.renderers()
    return tuple(f for f in FEED_FORMATS if f.renderer in enabled)
