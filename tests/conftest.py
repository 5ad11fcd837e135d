"""Shared fixtures: sample ``NewsItem``s built straight from the model.

``seed_item`` mirrors seeds/000_ae4195037769579a.txt as the parse and enrich
stages should see it; ``persian_item`` is a right-to-left article;
``hostile_item`` carries markup, CDATA terminators, a ``javascript:`` URL and
control characters in every text field a renderer writes.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from feedtool.config import AuthorConfig, Config, PublisherConfig, WebSubConfig
from feedtool.model import (
    EmbeddedPost,
    Evidence,
    Heading,
    Image,
    NewsItem,
    Paragraph,
    Person,
    Publisher,
    Tag,
)
from feedtool.render import Channel, Site
from feedtool.store import CACHE_DIRNAME

# The user's cache (the key that signs kept lookup tables): one of the test
# session's own, so tests neither read nor leave anything in the real one.
# Set at import, so the interpreters tests start inherit it.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="feedtool-test-cache-")
# Removed when the test session ends (the interpreters tests start have ended by then).
atexit.register(shutil.rmtree, os.environ["XDG_CACHE_HOME"], ignore_errors=True)


def output_tree(out: Path) -> dict[str, bytes]:
    """The published files of the output folder ``out`` by relative path: everything
    but the build cache (``.feedtool/``, never committed)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and CACHE_DIRNAME not in p.relative_to(out).parts
    }


TEHRAN = ZoneInfo("Asia/Tehran")
BASE = "https://news.example.org/"
HUB = "https://hub.example.org/"
HOSTILE = "</script><script>window.__pwned=1</script>"

PUBLISHER = Publisher(name="Regional Desk", url=BASE, logo=BASE + "logo.png")

PAKISTAN = Tag(
    kind="place",
    name="Pakistan",
    slug="pakistan",
    code="PK",
    same_as=("https://www.wikidata.org/wiki/Q843",),
    score=5.0,
    evidence=Evidence(mentions=12, where=("headline", "caption", "line 5"), rule="gazetteer"),
)
POLITICS = Tag(
    kind="topic",
    name="politics",
    slug="politics",
    code="medtop:11000000",
    scheme="http://cv.iptc.org/newscodes/mediatopic/",
    uri="http://cv.iptc.org/newscodes/mediatopic/11000000",
    score=3.0,
    evidence=Evidence(mentions=6, rule="iptc-keywords"),
)
SNSC = Tag(
    kind="organization",
    name="Supreme National Security Council",
    slug="supreme-national-security-council",
    evidence=Evidence(mentions=3, matched=("SNSC", "Supreme National Security Council")),
)


def make_config(*, hub: str | None = HUB, feed_size: int = 50) -> Config:
    """The example feedtool.toml, as a model, with a WebSub hub by default."""
    return Config(
        title="Regional Desk",
        description="News on Iran, Pakistan and the region, enriched with tags and dates.",
        base_url=BASE,
        language="en",
        timezone="Asia/Tehran",
        feed_size=feed_size,
        publisher=PublisherConfig(name="Regional Desk", url=BASE, logo=BASE + "logo.png"),
        author=AuthorConfig(name="Regional Desk staff", kind="Organization"),
        websub=WebSubConfig(hub=hub),
    )


def _words(*texts: str) -> int:
    return sum(len(text.split()) for text in texts)


def seed_item() -> NewsItem:
    """seeds/000_ae4195037769579a.txt, parsed and enriched."""
    slug = "iran-pakistan-discuss-expanding-strategic-partnership"
    body = (
        Paragraph(
            line=5,
            text="Iran’s Supreme National Security Council Secretary, Ali Larijani, confirmed on "
            "Tuesday that the ties between Iran and Pakistan have the potential to extend beyond "
            "the current level of cooperation and advance toward a long-term strategic "
            "partnership.",
        ),
        Paragraph(
            line=6,
            text="During the Pakistani Interior Minister Mohsin Naqvi’s visit to Tehran, Larijani "
            "discussed ways to strengthen the security standing of both countries within current "
            "diplomatic dynamics, emphasizing the expansion of joint strategic cooperation to "
            "maintain stability and security in the region.",
        ),
        EmbeddedPost(
            line=7,
            text="ہم بھائی ہیں، اپنے گھر میں خوش آمدید! 🇮🇷🤝🇵🇰 pic.twitter.com/6oeuaaB65m",
            links=("https://pic.twitter.com/6oeuaaB65m",),
            author="Ali Larijani",
            author_alternate_name="علی لاریجانی",
            author_language="fa",
            handle="alilarijani_ir",
            date=dt.date(2025, 10, 28),
            language="ur",
        ),
        Paragraph(
            line=9,
            text="Furthermore, the SNSC Secretary emphasized the need to deepen cooperation across "
            "security, defense, political, and economic fields, highlighting that Pakistan’s "
            "stance during the 12-day war demonstrates a shared understanding of the strategic "
            "realities in the region.",
        ),
        Paragraph(
            line=10,
            text="The meeting also addressed strengthening bilateral cooperation in political, "
            "security, and economic areas, as well as enhancing joint regional coordination "
            "between Iran and Pakistan.",
        ),
        Heading(line=11, text="Wider context"),
        Paragraph(
            line=12,
            text="In August, Iranian President Masoud Pezeshkian visited Pakistan’s capital, "
            "Islamabad, stressing that positive and constructive relations exist between the two "
            "countries and that these ties are set to advance to higher levels.",
        ),
        Paragraph(
            line=13,
            text="On October 25, Iran’s Minister of Roads and Urban Development, Farzaneh Sadegh "
            "Maloujerdi, announced that Tehran and Islamabad have finalized a new agreement "
            "designed to streamline customs procedures and enable more efficient truck traffic "
            "between the two nations.",
        ),
        Heading(line=16, text="On Saudi-Pakistani agreement"),
        Paragraph(
            line=17,
            text="On a related note, Larijani commented on the recent strategic agreement between "
            "Pakistan and Saudi Arabia, calling it a smart and positive step in confronting "
            "shared threats.",
        ),
        EmbeddedPost(
            line=18,
            text="توقيعُ اتفاقيةٍ استراتيجيةٍ بين باكستان والمملكةِ العربيةِ السعوديةِ أمرٌ "
            "يُسعدُنا؛ فاليومَ العالمُ الإسلاميُّ بحاجةٍ إلى هذه الأُخوّة.",
            author="Ali Larijani",
            author_alternate_name="علی لاریجانی",
            author_language="fa",
            handle="alilarijani_ir",
            date=dt.date(2025, 10, 28),
            language="ar",
        ),
        Paragraph(
            line=20,
            text="In a post on X, the SNSC chief hailed the signing of a strategic agreement "
            "between Pakistan and Saudi Arabia as a welcome development.",
        ),
    )
    return NewsItem(
        id=f"tag:news.example.org,2025-10-28:{slug}",
        url=f"{BASE}articles/{slug}.html",
        slug=slug,
        headline="Iran, Pakistan discuss expanding strategic partnership",
        description="Iran and Pakistan aim to elevate their cooperation into a long-term "
        "strategic partnership, focusing on regional security and diplomatic coordination.",
        body=body,
        image=Image(
            url=BASE + "images/larijani-naqvi.jpg",
            caption="Secretary of the Supreme National Security Council Ali Larijani shakes "
            "hands with Pakistan's Interior Minister Mohsin Naqvi, during their meeting in "
            "Tehran, Iran, October 28, 2025",
            credit="WANA",
            line=4,
        ),
        # No byline: the parse stage gave it the configured default author.
        authors=(Person(name="Regional Desk staff", kind="Organization"),),
        publisher=PUBLISHER,
        date_published=dt.datetime(2025, 10, 28, 0, 0, tzinfo=TEHRAN),
        date_published_source="text",
        language="en",
        tags=(
            Tag(
                kind="person",
                name="Ali Larijani",
                slug="ali-larijani",
                score=4.0,
                evidence=Evidence(mentions=5, matched=("Ali Larijani", "Larijani")),
            ),
            Tag(kind="person", name="Mohsin Naqvi", slug="mohsin-naqvi"),
            SNSC,
            PAKISTAN,
            Tag(
                kind="place",
                name="Iran",
                slug="iran",
                code="IR",
                same_as=("https://www.wikidata.org/wiki/Q794",),
            ),
            Tag(kind="place", name="Tehran", slug="tehran", parent="IR"),
            POLITICS,
            Tag(kind="keyword", name="strategic partnership", slug="strategic-partnership"),
            Tag(kind="keyword", name="barter trade", slug="barter-trade"),
        ),
        word_count=_words(*(b.text for b in body)),
        source_path="000_ae4195037769579a.txt",
        content_hash=hashlib.sha256(b"seed").hexdigest(),
    )


def persian_item() -> NewsItem:
    """A right-to-left article with one English quotation and an update."""
    slug = "iran-pakistan-cooperation-fa"
    body = (
        Paragraph(line=4, text="دو طرف درباره همکاری‌های امنیتی و اقتصادی گفت‌وگو کردند."),
        Paragraph(line=5, text="“We are brothers,” the minister said in English.", language="en"),
        Heading(line=6, text="زمینه"),
        Paragraph(line=7, text="ایران و پاکستان در ماه‌های اخیر چند توافق تجاری امضا کرده‌اند."),
    )
    return NewsItem(
        id=f"tag:news.example.org,2025-10-29:{slug}",
        url=f"{BASE}articles/{slug}.html",
        slug=slug,
        headline="گسترش همکاری‌های ایران و پاکستان",
        description="وزیر کشور پاکستان در سفر به تهران با علی لاریجانی دیدار کرد.",
        body=body,
        authors=(Person(name="Reza Karimi", url=BASE + "authors/reza-karimi"),),
        publisher=PUBLISHER,
        date_published=dt.datetime(2025, 10, 29, 10, 30, tzinfo=TEHRAN),
        date_published_source="front_matter",
        date_modified=dt.datetime(2025, 10, 29, 14, 0, tzinfo=TEHRAN),
        language="fa",
        tags=(PAKISTAN, SNSC, POLITICS),
        word_count=_words(*(b.text for b in body)),
        source_path="001_fa.txt",
        content_hash=hashlib.sha256(b"fa").hexdigest(),
    )


def hostile_item() -> NewsItem:
    """Every text a renderer writes tries to break out of its context."""
    slug = "hostile-markup"
    body = (
        Paragraph(line=3, text=f"Body {HOSTILE} & <b>bold</b> ]]> tail\x0c."),
        Paragraph(line=4, text=f"نص عربي {HOSTILE} ]]> نهاية", language="ar"),
        Heading(line=5, text="<h1>Heading</h1> & ]]>"),
        EmbeddedPost(
            line=6,
            text=f"Post {HOSTILE} https://example.org/a?b=1&c=2 javascript:alert(1)",
            links=("https://example.org/a?b=1&c=2", "javascript:alert(1)"),
            author='<img src=x onerror="alert(1)">',
            author_alternate_name="<b>שלום</b>",
            handle="evil_handle",
            date=dt.date(2025, 10, 27),
        ),
    )
    return NewsItem(
        id=f"tag:news.example.org,2025-10-27:{slug}",
        url=f"{BASE}articles/{slug}.html",
        slug=slug,
        headline=f"Hostile {HOSTILE} & <b>bold</b> ]]> שלום עולם and a headline long enough "
        "to be cut for search engines",
        description=f"Desc {HOSTILE} & <b>x</b> ]]> مرحبا",
        body=body,
        image=Image(caption=f"Caption {HOSTILE} & ]]>", credit="<i>Agency</i> & Co", line=2),
        authors=(Person(name="Mallory <b>", url="javascript:alert(1)"),),
        publisher=PUBLISHER,
        date_published=dt.datetime(2025, 10, 27, 8, 0, tzinfo=dt.UTC),
        date_published_source="front_matter",
        language="en",
        tags=(
            Tag(kind="keyword", name="<script>alert(1)</script>", slug="script-alert"),
            PAKISTAN,
        ),
        word_count=_words(*(b.text for b in body)),
        source_path="002_hostile.txt",
        content_hash=hashlib.sha256(b"hostile").hexdigest(),
    )


def make_site(items: tuple[NewsItem, ...] | None = None, *, hub: str | None = HUB) -> Site:
    """A site of ``items`` (default: the three samples, newest first) with tag channels."""
    config = make_config(hub=hub)
    if items is None:
        items = (persian_item(), seed_item(), hostile_item())
    channels = []
    for tag in (PAKISTAN, POLITICS):
        tagged = tuple(i for i in items if any(t.slug == tag.slug for t in i.tags))
        if tagged:
            channels.append(
                Channel(
                    prefix=f"tags/{tag.slug}/",
                    title=f"{config.title}: {tag.name}",
                    description=f"Articles tagged {tag.name}",
                    items=tagged[: config.feed_size],
                    tag=tag,
                )
            )
    return Site(config=config, items=items, tag_channels=tuple(channels))


@pytest.fixture
def sample_config() -> Config:
    return make_config()


@pytest.fixture
def sample_items() -> tuple[NewsItem, ...]:
    """The sample items, newest first: Persian, seed, hostile."""
    return (persian_item(), seed_item(), hostile_item())


@pytest.fixture
def sample_site() -> Site:
    return make_site()


@pytest.fixture
def site_factory() -> Callable[..., Site]:
    """``make_site`` for tests that need other items or no hub."""
    return make_site
