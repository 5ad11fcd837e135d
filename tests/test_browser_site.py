"""The site as a reader sees it in Debian's headless Chromium: an English, an
Urdu and an Arabic article page, a tag page and the index, screenshotted, with
layout facts asserted (direction, alignment, fonts with real glyphs, links
that resolve). CI installs the Noto fonts; the font check names what is missing.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from _servers import Server, copy_seeds, feedtool_serve, free_port, write_config

from feedtool.config import load_config
from feedtool.publish import build

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None or CHROMEDRIVER is None,
        reason="needs Debian's chromium and chromium-driver",
    ),
]

URDU = """+++
language = "ur"
url = "ur/bazaar/"
tags = { places = ["کراچی"] }
+++
کراچی میں نئی سڑک کا افتتاح ہو گیا ہے
شہر کے میئر نے بدھ کے روز نئی سڑک کا افتتاح کیا۔

حکام کا کہنا ہے کہ اس سڑک سے روزانہ ہزاروں گاڑیاں گزریں گی اور ٹریفک کم ہو گا۔

شہریوں نے اس منصوبے کا خیر مقدم کیا ہے اور کہا ہے کہ یہ کام بہت پہلے ہونا چاہیے تھا۔
"""

ARABIC = """+++
language = "ar"
tags = { places = ["القاهرة"] }
+++
افتتاح جسر جديد في القاهرة
افتتح محافظ القاهرة يوم الأربعاء جسراً جديداً فوق نهر النيل.

وقال المسؤولون إن الجسر سيخفف الازدحام المروري في وسط المدينة بشكل كبير.

ورحب السكان بالمشروع وقالوا إنه سيختصر وقت التنقل اليومي إلى العمل.
"""


@dataclass
class Built:
    server: Server
    out: Path

    def url(self, relative: str) -> str:
        return self.server.url + relative


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    base = tmp_path_factory.mktemp("site")
    port = free_port()
    config = load_config(write_config(base / "feedtool.toml", f"http://127.0.0.1:{port}/"))
    seeds = copy_seeds(base / "seeds")
    (seeds / "urdu.txt").write_text(URDU, "utf-8")
    (seeds / "arabic.txt").write_text(ARABIC, "utf-8")
    out = base / "feeds"
    report = build(seeds, out, config, ping=False)
    assert report.errors == (), report.errors
    with feedtool_serve(out, port=port) as server:
        yield Built(server, out)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or ""
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=900,1200",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _open(browser: Any, url: str, shots: Path, name: str) -> None:
    browser.get(url)
    assert browser.execute_script("return document.readyState") == "complete"
    browser.execute_script("return document.fonts.ready")
    shot = shots / f"{name}.png"
    browser.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5_000


def _fonts_used(browser: Any, selector: str) -> dict[str, int]:
    """Font family → glyph count Chromium really drew for the element's text."""
    document = browser.execute_cdp_cmd("DOM.getDocument", {})
    node = browser.execute_cdp_cmd(
        "DOM.querySelector", {"nodeId": document["root"]["nodeId"], "selector": selector}
    )
    browser.execute_cdp_cmd("CSS.enable", {})
    fonts = browser.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})
    return {font["familyName"]: font["glyphCount"] for font in fonts["fonts"]}


_ALIGNMENT = """
const h1 = document.querySelector('h1');
const range = document.createRange();
range.selectNodeContents(h1);
const text = range.getBoundingClientRect(), box = h1.getBoundingClientRect();
return [getComputedStyle(h1).direction, text.left - box.left, box.right - text.right];
"""


def _links_resolve(built: Built, browser: Any, page: str) -> int:
    hrefs = browser.execute_script(
        "return Array.from(document.querySelectorAll('a[href], link[href]')).map(a => a.href)"
    )
    checked = 0
    for href in hrefs:
        if not href.startswith(built.server.url):
            continue
        path = urlsplit(href).path
        status, _, _ = built.server.request("GET", path)
        assert status == 200, f"{page}: {href} answers {status}"
        checked += 1
    return checked


def _article(built: Built, headline_start: str) -> str:
    import json

    for item in json.loads((built.out / "feed.json").read_text("utf-8"))["items"]:
        if item["title"].startswith(headline_start):
            return str(item["url"])
    raise AssertionError(headline_start)


def test_english_article_page(built: Built, browser: Any, tmp_path: Path) -> None:
    _open(browser, _article(built, "Iran, Pakistan"), tmp_path, "english")
    direction, left_gap, _ = browser.execute_script(_ALIGNMENT)
    assert direction == "ltr" and left_gap < 2
    tags = browser.execute_script(
        "return Array.from(document.querySelectorAll('ul.tags a')).map(a => a.href)"
    )
    assert tags and all("/tags/" in href and href.endswith("/index.html") for href in tags)
    assert _links_resolve(built, browser, "english") >= 10


@pytest.mark.parametrize(
    ("name", "headline", "font", "letters"),
    [
        ("urdu", "کراچی", "Noto Nastaliq Urdu", "ہے۔"),
        ("arabic", "افتتاح", "Noto Naskh Arabic", "جسر"),
    ],
)
def test_right_to_left_article_pages(
    built: Built, browser: Any, tmp_path: Path, name: str, headline: str, font: str, letters: str
) -> None:
    url = _article(built, headline)
    if name == "urdu":  # front matter `url` decided where this page lives
        assert url == built.url("ur/bazaar/")
    _open(browser, url, tmp_path, name)
    direction, _, right_gap = browser.execute_script(_ALIGNMENT)
    # Right to left, and the headline hugs the right edge.
    assert direction == "rtl" and right_gap < 2
    assert browser.execute_script("return document.documentElement.dir") == "rtl"
    # No tofu: every glyph of the headline and the body comes from the Noto font.
    for selector in ("h1", "main article p:not(.byline)"):
        used = _fonts_used(browser, selector)
        assert font in used, f"{selector} drawn with {used}; install fonts-noto-core/extra"
        assert set(used) <= {font, "Noto Naskh Arabic", "Noto Sans"}, used
    assert browser.execute_script(
        "return document.fonts.check(arguments[0], arguments[1])", f'16px "{font}"', letters
    )
    assert _links_resolve(built, browser, name) >= 5


def test_tag_page_and_index(built: Built, browser: Any, tmp_path: Path) -> None:
    _open(browser, built.url("tags/pakistan/"), tmp_path, "tag")
    assert browser.find_element("tag name", "h1").text == "Pakistan"
    feeds = browser.execute_script(
        "return Array.from(document.querySelectorAll('link[rel=alternate]')).map(l => l.href)"
    )
    assert feeds[0] == built.url("tags/pakistan/rss.xml")
    listed = browser.execute_script(
        "return Array.from(document.querySelectorAll('ol.articles h2 a')).map(a => a.href)"
    )
    assert listed and all(urljoin(built.server.url, h).startswith(built.server.url) for h in listed)
    _links_resolve(built, browser, "tag")
    _open(browser, built.url("index.html"), tmp_path, "index")
    entries = browser.execute_script(
        """return Array.from(document.querySelectorAll('ol.articles > li')).map(
             li => [li.lang, getComputedStyle(li).direction])"""
    )
    assert ("ur", "rtl") in [tuple(e) for e in entries]
    assert ("", "ltr") in [tuple(e) for e in entries]
    assert _links_resolve(built, browser, "index") >= 5
