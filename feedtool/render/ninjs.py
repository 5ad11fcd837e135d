"""Renderer ``ninjs``: ``articles/<slug>.ninjs.json``, one IPTC ninjs 3.1 object per article.

ninjs ("news in JSON") is how news agencies exchange items. The mapping:

- ``uri`` is the item's permanent ``tag:`` URI; ``altIds`` carry the page URL;
- ``firstCreated``/``contentCreated`` are the publication date, ``versionCreated``
  the last modification (or the publication date);
- ``headlines``, ``descriptions`` (the standfirst) and two ``bodies`` (the same
  HTML the pages and feeds show, and plain text with word and character counts);
- ``people`` holds the authors (``rel`` "author") and the people mentioned
  (``rel`` "mentioned"); ``organisations`` and ``places`` likewise;
- ``subjects`` holds IPTC Media Topics with their concept URIs and, as ninjs 3
  has no ``keywords`` property any more, keywords with ``rel`` "keyword";
- the lead photo is an association of type ``picture``;
- a dateline's agency is an ``infoSources`` entry with ``role`` "source", its
  place the item's ``located``.

Every property name and shape follows the 3.1 JSON Schema, whose root forbids
unknown properties.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from feedtool.config import Config
from feedtool.model import Image, NewsItem, Tag
from feedtool.render import Output, Planned, Site, item_files, renderer
from feedtool.render._common import (
    authors_of,
    body_html,
    clean,
    http_url,
    iso,
    item_id,
    json_bytes,
    memo_body_markup,
    plain_text,
    published,
)

NINJS_VERSION = "3.1"
NINJS_SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#"

JsonObject = dict[str, Any]


@renderer("ninjs")
def render_ninjs(site: Site) -> Iterator[Output | Planned]:
    """Yield ``articles/<slug>.ninjs.json`` for every item."""
    return item_files(
        site,
        lambda ref: f"articles/{ref.slug}.ninjs.json",
        # The body's HTML is the page's and the feeds' (rendered once per item).
        lambda item: json_bytes(ninjs(item, site.config, str(memo_body_markup(site, item)))),
    )


def _is_uri(value: str | None) -> bool:
    """An absolute URI (scheme and something after it), as ``format: uri`` demands."""
    if not value or any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return bool(parts.scheme) and bool(parts.netloc or parts.path)


def _tag_uri(tag: Tag) -> str | None:
    if _is_uri(tag.uri):
        return tag.uri
    if tag.code and tag.scheme:
        candidate = tag.scheme + tag.code.split(":", 1)[-1]
        if _is_uri(candidate):
            return candidate
    return next((uri for uri in tag.same_as if _is_uri(uri)), None)


def _concept(tag: Tag, rel: str) -> JsonObject:
    concept: JsonObject = {"name": clean(tag.name), "rel": rel}
    uri = _tag_uri(tag)
    if uri:
        concept["uri"] = uri
    concept["literal"] = tag.code or tag.slug
    return concept


def _picture(item: NewsItem, image: Image, config: Config) -> JsonObject | None:
    src = http_url(image.url)
    if src is None and not image.caption:
        return None
    picture: JsonObject = {
        "name": "featureimage",
        "rel": "featureimage",
        "uri": src or f"{item_id(item)}#image",
        "type": "picture",
    }
    if image.caption:
        picture["descriptions"] = [
            {"role": "caption", "contentType": "text/plain", "value": clean(image.caption)}
        ]
    if image.credit:
        picture["by"] = clean(image.credit)
    if src:
        picture["renditions"] = [{"name": "original", "href": src}]
    return picture


def ninjs(item: NewsItem, config: Config, body: str | None = None) -> JsonObject:
    """The ninjs 3.1 object of one published item (``body``: its ``body_html``,
    when the caller has it)."""
    created = iso(published(item))
    text = plain_text(item)
    authors = authors_of(item, config)
    data: JsonObject = {
        "standard": {"name": "ninjs", "version": NINJS_VERSION, "schema": NINJS_SCHEMA},
        "uri": item_id(item),
        "type": "text",
        "representationType": "full",
        "firstCreated": created,
        "contentCreated": created,
        "versionCreated": iso(item.date_modified) if item.date_modified else created,
        "pubStatus": "usable",
        "language": item.language,
        "slugline": item.slug,
        "headlines": [{"role": "main", "contentType": "text/plain", "value": clean(item.headline)}],
    }
    if item.description:
        data["descriptions"] = [
            {"role": "summary", "contentType": "text/plain", "value": clean(item.description)}
        ]
    data["bodies"] = [
        {
            "role": "main",
            "contentType": "text/html",
            "wordCount": item.word_count,
            "value": body_html(item) if body is None else body,
        },
        {
            "role": "main",
            "contentType": "text/plain",
            "charCount": len(text),
            "wordCount": item.word_count,
            "value": text,
        },
    ]
    if authors:
        data["by"] = ", ".join(clean(a.name) for a in authors)
    people: list[JsonObject] = [
        {"name": clean(a.name), "rel": "author", **({"uri": a.url} if _is_uri(a.url) else {})}
        for a in authors
        if a.kind == "Person"
    ]
    people.extend(_concept(tag, "mentioned") for tag in item.tags_of("person"))
    organisations: list[JsonObject] = [
        {"name": clean(a.name), "rel": "author", **({"uri": a.url} if _is_uri(a.url) else {})}
        for a in authors
        if a.kind == "Organization"
    ]
    organisations.extend(_concept(tag, "mentioned") for tag in item.tags_of("organization"))
    places = [_concept(tag, "mentioned") for tag in item.tags_of("place")]
    subjects = [_concept(tag, "about") for tag in item.tags_of("topic")]
    subjects.extend(_concept(tag, "keyword") for tag in item.tags_of("keyword"))
    for key, values in (
        ("people", people),
        ("organisations", organisations),
        ("places", places),
        ("subjects", subjects),
    ):
        if values:
            data[key] = values
    publisher = config.publisher
    data["infoSources"] = [
        {"name": clean(publisher.name), "role": "publisher", "uri": publisher.url}
        if _is_uri(publisher.url)
        else {"name": clean(publisher.name), "role": "publisher"}
    ]
    dateline = item.dateline
    if dateline is not None and dateline.agency:
        data["infoSources"].append({"name": clean(dateline.agency), "role": "source"})
    if dateline is not None and dateline.place:
        data["located"] = clean(dateline.place)
    data["copyrightHolder"] = clean(publisher.name)
    data["altIds"] = [{"role": "url", "value": item.url}]
    if item.image is not None:
        picture = _picture(item, item.image, config)
        if picture is not None:
            data["associations"] = [picture]
    return data
