"""Pages in a real browser (Debian's headless Chromium through chromedriver) and
through extruct, as search engines' scrapers read them.

The site is built from the seeds plus a hostile article whose headline,
standfirst, caption, paragraph and post carry ``</script><script>…`` and
event-handler markup, and served by ``feedtool serve``.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from _servers import Server, copy_seeds, feedtool_serve, free_port, write_config

from feedtool.config import load_config
from feedtool.publish import build

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
needs_browser = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
)

SEED_HEADLINE = "Iran, Pakistan discuss expanding strategic partnership"
PAYLOAD = "</script><script>window.__pwned=1</script>"
IMG = "<img src=x onerror=window.__pwned=1>"
HOSTILE_HEADLINE = f"Hostile {PAYLOAD} headline"
HOSTILE = f"""{HOSTILE_HEADLINE}
A standfirst that tries {PAYLOAD} and {IMG} in the summary of the article.
-
A caption with {PAYLOAD} in it, shot in Tehran, Iran, October 28, 2025 (WANA{PAYLOAD})
The first paragraph is ordinary text about a meeting between two ministers in Tehran on Tuesday.
The second paragraph has {PAYLOAD} and {IMG} and "quotes" & ampersands <b>inside</b> it.
A quoted post with {PAYLOAD} {IMG} https://example.org/x
— Mallory Attacker (@mallory) October 28, 2025
The last paragraph closes the article with <!-- a comment --> and ]]> and a final sentence.
"""


@dataclass
class Site:
    server: Server
    out: Path

    def page(self, relative: str) -> str:
        return self.server.url + relative

    def article(self, headline_start: str) -> str:
        """The relative path of the article page whose <h1> starts as given."""
        for path in sorted(self.out.glob("articles/*.html")):
            feed = (self.out / "feed.json").read_text("utf-8")
            for item in json.loads(feed)["items"]:
                if item["title"].startswith(headline_start) and item["url"].endswith(path.name):
                    return path.relative_to(self.out).as_posix()
        raise AssertionError(f"no article page for {headline_start!r}")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    base = tmp_path_factory.mktemp("browser")
    port = free_port()
    config = load_config(write_config(base / "feedtool.toml", f"http://127.0.0.1:{port}/"))
    seeds = copy_seeds(base / "seeds")
    (seeds / "hostile.txt").write_text(HOSTILE, "utf-8")
    out = base / "feeds"
    report = build(seeds, out, config, ping=False)
    assert report.errors == (), report.errors
    # Control pages: one proving scripts run and are detected, one whose CSP is gone.
    (out / "control.html").write_text(
        "<!doctype html><title>c</title><script>window.__pwned=1</script>", "utf-8"
    )
    with feedtool_serve(out, port=port) as server:
        yield Site(server, out)


# --------------------------------------------------------------------------- the browser


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip("needs Debian's chromium and chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--disable-dev-shm-usage",
        "--window-size=1000,1400",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _load(browser: Any, url: str) -> None:
    browser.get(url)
    assert browser.execute_script("return document.readyState") == "complete"


def _news_articles(blocks: list[str]) -> list[dict[str, Any]]:
    found = []
    for text in blocks:
        data = json.loads(text)
        nodes = data.get("@graph", [data]) if isinstance(data, dict) else data
        found += [n for n in nodes if isinstance(n, dict) and n.get("@type") == "NewsArticle"]
    return found


_LD_SCRIPTS = """return Array.from(document.querySelectorAll('script[type="application/ld+json"]'))
    .map(s => s.textContent)"""


@needs_browser
@pytest.mark.browser
def test_json_ld_read_by_the_browser_is_the_news_article(site: Site, browser: Any) -> None:
    _load(browser, site.page(site.article("Iran, Pakistan")))
    (article,) = _news_articles(browser.execute_script(_LD_SCRIPTS))
    assert article["headline"] == SEED_HEADLINE
    assert article["@context"] in ("https://schema.org", "https://schema.org/")
    assert browser.find_element("tag name", "h1").text == SEED_HEADLINE


@needs_browser
@pytest.mark.browser
def test_urdu_and_arabic_posts_run_right_to_left(site: Site, browser: Any) -> None:
    _load(browser, site.page(site.article("Iran, Pakistan")))
    posts = browser.execute_script(
        """return Array.from(document.querySelectorAll('blockquote')).map(el => {
             const p = el.querySelector('p') || el;
             return [p.textContent, getComputedStyle(p).direction, el.lang];
           })"""
    )
    directions = {text.strip()[:6]: (direction, lang) for text, direction, lang in posts}
    urdu = next(v for k, v in directions.items() if k.startswith("ہم"))
    arabic = next(v for k, v in directions.items() if k.startswith("توقي"))
    assert urdu == ("rtl", "ur")
    assert arabic == ("rtl", "ar")
    # The English around them stays left to right (so the check above can fail).
    paragraph = browser.execute_script(
        "const p = document.querySelector('main p'); return getComputedStyle(p).direction"
    )
    assert paragraph == "ltr"


@needs_browser
@pytest.mark.browser
def test_control_page_proves_scripts_run_and_are_detected(site: Site, browser: Any) -> None:
    _load(browser, site.page("control.html"))
    assert browser.execute_script("return window.__pwned") == 1


def _assert_inert(browser: Any) -> None:
    assert browser.execute_script("return typeof window.__pwned") == "undefined"
    # Escaping alone must hold (the page's CSP would also block inline scripts):
    # the only <script> elements are JSON-LD data, and no element got an on* handler.
    scripts = browser.execute_script("return Array.from(document.scripts).map(s => s.type)")
    assert scripts and set(scripts) == {"application/ld+json"}
    handlers = browser.execute_script(
        """return Array.from(document.querySelectorAll('*')).filter(
             el => Array.from(el.attributes).some(a => a.name.startsWith('on'))).length"""
    )
    assert handlers == 0
    assert browser.execute_script("return document.querySelectorAll('img[src=\"x\"]').length") == 0


@needs_browser
@pytest.mark.browser
def test_hostile_article_runs_no_script(site: Site, browser: Any) -> None:
    relative = site.article("Hostile")
    _load(browser, site.page(relative))
    _assert_inert(browser)
    # The text is shown as text, and the JSON-LD still parses to the same headline.
    assert browser.find_element("tag name", "h1").text == HOSTILE_HEADLINE
    body = browser.find_element("tag name", "main").text
    assert PAYLOAD in body and IMG in body
    (article,) = _news_articles(browser.execute_script(_LD_SCRIPTS))
    assert article["headline"] == HOSTILE_HEADLINE
    assert PAYLOAD in article["description"]

    # The same page without its Content-Security-Policy: escaping alone must hold.
    html = (site.out / relative).read_text("utf-8")
    without_csp, count = re.subn(r"<meta http-equiv=\"Content-Security-Policy\"[^>]*>", "", html)
    assert count == 1
    (site.out / "articles" / "no-csp.html").write_text(without_csp, "utf-8")
    _load(browser, site.page("articles/no-csp.html"))
    _assert_inert(browser)
    assert browser.find_element("tag name", "h1").text == HOSTILE_HEADLINE


@needs_browser
@pytest.mark.browser
def test_index_with_a_hostile_headline_runs_no_script(site: Site, browser: Any) -> None:
    _load(browser, site.page(""))
    assert browser.execute_script("return typeof window.__pwned") == "undefined"
    assert HOSTILE_HEADLINE in browser.find_element("tag name", "main").text


# --------------------------------------------------------------------------- extruct


@pytest.mark.parametrize("headline", ["Iran, Pakistan", "Hostile"])
def test_extruct_finds_exactly_one_news_article(site: Site, headline: str) -> None:
    import extruct

    relative = site.article(headline)
    html = (site.out / relative).read_text("utf-8")
    data = extruct.extract(
        html,
        base_url=site.page(relative),
        syntaxes=["json-ld", "microdata", "rdfa", "opengraph"],
        uniform=True,
    )
    found = [
        node
        for syntax in ("json-ld", "microdata", "rdfa")
        for node in data.get(syntax, [])
        if "NewsArticle" in str(node.get("@type", ""))
    ]
    assert len(found) == 1, found
    assert found[0]["headline"].startswith(headline)
    # It describes this page (the page is the article's main entity).
    assert found[0]["url"] == site.page(relative)


# --------------------------------------------------------------------------- feedtool jsonld


def _jsonld_block(*args: str) -> str:
    from click.testing import CliRunner

    from feedtool.cli import main

    result = CliRunner().invoke(main, ["jsonld", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("headline", ["Iran, Pakistan", "Hostile"])
def test_jsonld_command_prints_a_block_to_paste(site: Site, headline: str) -> None:
    import extruct

    base = site.out.parent
    source = next(
        p for p in (base / "seeds").glob("*.txt") if p.read_text("utf-8").startswith(headline)
    )
    block = _jsonld_block(str(source), "-c", str(base / "feedtool.toml"), "-o", str(site.out))
    assert block.startswith('<script type="application/ld+json">')
    # Only the block's own end tag may close it, whatever the article says.
    assert block.lower().count("</script") == 1 and block.rstrip().endswith("</script>")
    page = f"<!doctype html><html><head>{block}</head><body><p>x</p></body></html>"
    (found,) = extruct.extract(page, syntaxes=["json-ld"], uniform=True)["json-ld"]
    assert found["@type"] == "NewsArticle" and found["headline"].startswith(headline)
    # With the built site's state, the id is the published one.
    relative = site.article(headline)
    built = json.loads((site.out / relative).with_suffix(".jsonld").read_text("utf-8"))
    assert found["identifier"] == built["identifier"]
    assert found["datePublished"] == built["datePublished"]


def test_jsonld_command_reports_a_bad_file(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from feedtool.cli import main

    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = CliRunner().invoke(main, ["jsonld", str(empty), "-c", str(tmp_path / "none.toml")])
    assert result.exit_code == 2
    assert "none.toml" in result.output or "empty.txt" in result.output
