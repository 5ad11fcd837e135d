"""Renderer ``jsonld``: ``articles/<slug>.jsonld``, a schema.org ``NewsArticle`` per article.

``article_jsonld`` builds the object (the HTML pages embed the same one) and
uses only types and properties of schema.org 30.0, each on a type that allows
it. Tags become:

- topics → ``about``: ``DefinedTerm`` (``@id`` the IPTC concept URI, ``termCode``
  its qcode, ``inDefinedTermSet`` the scheme URI);
- persons and organisations → ``mentions`` (``Person`` / ``Organization`` with
  ``sameAs``);
- places → ``contentLocation`` and ``mentions`` (``Country`` when the tag has an
  ISO 3166 alpha-2 code and no parent, else ``Place``);
- every tag name, keywords first → ``keywords``.

Newsroom lines: the dateline → ``dateline`` (its place leads
``contentLocation``) and its agency → ``sourceOrganization``; a byline's
title → the author's ``jobTitle``; corrections → ``correction``
(``CorrectionComment`` with ``text`` and ``datePublished``).

``script_json`` serialises for a ``<script type="application/ld+json">``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from feedtool._text import HEADLINE_LIMIT, shorten
from feedtool.config import Config
from feedtool.model import Correction, NewsItem, Person, Tag
from feedtool.render import Output, Planned, Site, item_files, item_key, item_updated, renderer
from feedtool.render._common import (
    authors_of,
    clean,
    http_url,
    iso,
    item_id,
    json_bytes,
    lead_image,
    plain_text,
    published,
    tag_names,
)

# In a <script> element only '</script' (and '<!--') end or confuse the data;
# escaping every '<', '>' and '&' rules them out without parsing. U+2028/2029
# are valid in JSON but were line terminators in pre-2019 JavaScript.
_SCRIPT_ESCAPES = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)
_SCRIPT_BYTES = tuple(
    (chr(char).encode("utf-8"), escaped.encode("ascii"))
    for char, escaped in _SCRIPT_ESCAPES.items()
)


@renderer("jsonld")
def render_jsonld(site: Site) -> Iterator[Output | Planned]:
    """Yield ``articles/<slug>.jsonld`` for every item of the site."""
    return item_files(
        site,
        lambda ref: f"articles/{ref.slug}.jsonld",
        lambda item: json_bytes(memo_article_jsonld(site, item)),
    )


def memo_article_jsonld(site: Site, item: NewsItem) -> dict[str, Any]:
    """``article_jsonld``, computed once for the page and the ``.jsonld`` file."""
    return site.memo(("jsonld", item_key(item)), lambda: article_jsonld(item, site.config))


def script_json(data: object) -> str:
    """JSON that cannot end the ``<script>`` element it is embedded in.

    Every '<', '>', '&', U+2028 and U+2029 becomes a ``\\uXXXX`` escape; these
    characters only occur inside JSON strings, where the escape means the same.
    """
    encoded = orjson.dumps(data, option=orjson.OPT_INDENT_2)
    # On the UTF-8 bytes, each character that is there: ``str.translate`` maps
    # every character of the text through a dict (0.7 ms for 12 kB), a bytes
    # replace is a memchr. An ASCII byte never occurs inside a multi-byte
    # sequence, so these bytes are exactly those characters.
    for char, escaped in _SCRIPT_BYTES:
        if char in encoded:
            encoded = encoded.replace(char, escaped)
    return encoded.decode("utf-8")


def script_block(data: object) -> str:
    """A complete ``<script type="application/ld+json">`` element, ready to paste."""
    return f'<script type="application/ld+json">\n{script_json(data)}\n</script>'


def headline(text: str, limit: int = HEADLINE_LIMIT) -> str:
    """``text`` without XML-unsafe characters, shortened to ``limit`` (Google's 110)."""
    return shorten(clean(text), limit)


def article_jsonld(item: NewsItem, config: Config) -> dict[str, Any]:
    """The ``NewsArticle`` of ``item``, as embedded in its page and written to ``.jsonld``."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": item.url + "#article",
        "url": item.url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": item.url},
        "identifier": item_id(item),
        "headline": headline(item.headline),
    }
    if item.description:
        data["description"] = clean(item.description)
    data["inLanguage"] = item.language
    data["datePublished"] = iso(published(item))
    data["dateModified"] = iso(item_updated(item))
    authors = [_agent(person) for person in authors_of(item, config)]
    if authors:
        data["author"] = authors
    if item.dateline is not None:
        data["dateline"] = clean(item.dateline.text)
        if item.dateline.agency:
            data["sourceOrganization"] = {
                "@type": "Organization",
                "name": clean(item.dateline.agency),
            }
    publisher: dict[str, Any] = {
        "@type": "Organization",
        "name": clean(item.publisher.name),
        "url": item.publisher.url,
    }
    logo = http_url(item.publisher.logo)
    if logo:
        publisher["logo"] = {"@type": "ImageObject", "url": logo}
    data["publisher"] = publisher
    # Never an ImageObject without a url: search engines reject the article.
    image = lead_image(item, config)
    if image is not None:
        picture: dict[str, Any] = {"@type": "ImageObject", "url": image.url}
        if image.width and image.height:
            picture["width"] = image.width
            picture["height"] = image.height
        if image.alt:
            picture["caption"] = image.alt
        if image.credit:
            picture["creditText"] = image.credit
        data["image"] = picture
    keywords = [clean(name) for name in tag_names(item.tags)]
    if keywords:
        data["keywords"] = keywords
    about = [_topic(tag) for tag in item.tags_of("topic")]
    if about:
        data["about"] = about
    countries = {t.code: t for t in item.tags_of("place") if t.code and t.parent is None}
    places = [_thing(tag, countries) for tag in item.tags_of("place")]
    mentions = [
        _thing(tag, countries)
        for tag in item.tags
        if tag.kind in ("person", "organization", "place")
    ]
    if mentions:
        data["mentions"] = mentions
    places = _dateline_first(item, places)
    if places:
        data["contentLocation"] = places
    corrections = [_correction(c) for c in item.corrections]
    if corrections:
        data["correction"] = corrections
    data["wordCount"] = item.word_count
    data["articleBody"] = plain_text(item)
    return data


def _agent(person: Person) -> dict[str, Any]:
    agent: dict[str, Any] = {"@type": person.kind, "name": clean(person.name)}
    if person.job_title and person.kind == "Person":
        agent["jobTitle"] = clean(person.job_title)
    url = http_url(person.url)
    if url:
        agent["url"] = url
    return agent


def _dateline_first(item: NewsItem, places: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The dateline's place leads ``contentLocation``: the place tag of that name
    when the taggers found it, else a ``Place`` named as the dateline writes it."""
    dateline = item.dateline
    if dateline is None or not dateline.place:
        return places
    names = {dateline.place.casefold(), (dateline.place_text or "").casefold()}
    for index, tag in enumerate(item.tags_of("place")):
        if tag.name.casefold() in names or any(m.casefold() in names for m in tag.evidence.matched):
            return [places[index], *places[:index], *places[index + 1 :]]
    return [{"@type": "Place", "name": clean(dateline.place)}, *places]


def _correction(correction: Correction) -> dict[str, Any]:
    comment: dict[str, Any] = {"@type": "CorrectionComment", "text": clean(correction.text)}
    if correction.date is not None:
        comment["datePublished"] = correction.date.isoformat()
    return comment


def _same_as(tag: Tag) -> list[str]:
    return [url for url in (http_url(u) for u in tag.same_as) if url]


def _thing(tag: Tag, countries: dict[str, Tag] | None = None) -> dict[str, Any]:
    if tag.kind == "person":
        kind = "Person"
    elif tag.kind == "organization":
        kind = "Organization"
    elif tag.code and len(tag.code) == 2 and tag.code.isalpha() and tag.parent is None:
        kind = "Country"
    else:
        kind = "Place"
    thing: dict[str, Any] = {"@type": kind, "name": clean(tag.name)}
    same_as = _same_as(tag)
    if same_as:
        thing["sameAs"] = same_as
    if kind == "Place" and tag.parent:
        # A city or state: its country, as the item's country tag has it when it
        # has one (name, Wikidata), else as the ISO 3166-1 code of an address.
        country = (countries or {}).get(tag.parent)
        if country is not None:
            thing["containedInPlace"] = _thing(country)
        else:
            thing["address"] = {"@type": "PostalAddress", "addressCountry": tag.parent}
    return thing


def _topic(tag: Tag) -> dict[str, Any]:
    term: dict[str, Any] = {"@type": "DefinedTerm"}
    uri = http_url(tag.uri)
    if uri:
        term["@id"] = uri
    term["name"] = clean(tag.name)
    if tag.code:
        term["termCode"] = tag.code
    scheme = http_url(tag.scheme)
    if scheme:
        term["inDefinedTermSet"] = scheme
    if uri:
        term["url"] = uri
    same_as = _same_as(tag)
    if same_as:
        term["sameAs"] = same_as
    return term
