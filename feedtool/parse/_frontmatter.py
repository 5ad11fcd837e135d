"""Optional TOML front matter between ``+++`` lines, validated key by key.

Every problem becomes a ``ParseError`` that names the key and its line in the
article file (not in the front matter), with a hint how to fix it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

from feedtool._slug import MAX_SLUG, SLUG_RE, tag_slug
from feedtool.config import Config
from feedtool.errors import ParseError
from feedtool.model import Evidence, Person, Tag, TagKind

FENCE = "+++"

KEYS = (
    "id",
    "url",
    "slug",
    "title",
    "headline",
    "description",
    "authors",
    "published",
    "modified",
    "image",
    "tags",
    "language",
    "draft",
)
_TAG_KINDS: dict[str, TagKind] = {
    "people": "person",
    "organizations": "organization",
    "places": "place",
    "topics": "topic",
    "keywords": "keyword",
}
_AUTHOR_KEYS = ("name", "url", "kind")
_IMAGE_KEYS = ("url", "caption", "credit", "width", "height")
_LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")
# Characters XML 1.0 cannot carry (C0 controls but tab/LF/CR, and U+FFFE/FFFF),
# plus DEL and the C1 controls, which are never meant in a value.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
MIN_YEAR, MAX_YEAR = 1900, 2200
_DATE_HINT = "use a TOML date-time such as 2025-10-28T09:30:00+03:30, or a date 2025-10-28"


@dataclass(frozen=True, slots=True)
class ImageFields:
    """The parts of ``image`` that front matter gives; ``None`` means 'not given'."""

    url: str | None = None
    caption: str | None = None
    credit: str | None = None
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """Validated front matter; ``None`` fields were not given."""

    end_line: int  # 1-based line of the closing fence
    id: str | None = None
    url: str | None = None
    slug: str | None = None
    headline: str | None = None
    description: str | None = None
    authors: tuple[Person, ...] | None = None
    published: dt.datetime | None = None
    modified: dt.datetime | None = None
    image: ImageFields | None = None
    tags: tuple[Tag, ...] = ()
    language: str | None = None
    draft: bool = False


class _BadKey(Exception):
    """A bad value; the caller turns it into a ``ParseError`` at the key's line."""

    def __init__(self, key: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.key = key
        self.message = message
        self.hint = hint


def split_front_matter(
    lines: list[str], *, config: Config, where: Path | str
) -> tuple[FrontMatter | None, int]:
    """Front matter (if the first line is ``+++``) and the index of the first body line."""
    if not lines or lines[0].strip() != FENCE:
        return None, 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == FENCE), None)
    if end is None:
        raise ParseError(
            "front matter opened with '+++' on line 1 is never closed",
            path=where,
            line=1,
            hint="add a line '+++' after the last front matter key",
        )
    source = lines[1:end]
    try:
        table = tomllib.loads("\n".join(source) + "\n")
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_POSITION.search(str(exc))
        # tomllib counts from the line after the opening fence; "end of document"
        # errors belong to the closing fence.
        line = int(found.group(1)) + 1 if found else end + 1
        message = _TOML_POSITION.sub("", str(exc)).replace("(at end of document)", "").strip()
        raise ParseError(
            f"invalid TOML in front matter: {message}",
            path=where,
            line=line,
            hint='check the TOML syntax, e.g. title = "Quoted text"; dates unquoted',
        ) from exc
    try:
        front = _validate(table, end_line=end + 1, config=config)
    except _BadKey as exc:
        raise ParseError(
            exc.message,
            path=where,
            line=_line_of_key(source, exc.key.split(".")[0]),
            hint=exc.hint,
        ) from exc
    return front, end + 1


def _line_of_key(source: list[str], key: str) -> int | None:
    pattern = re.compile(
        rf"""^\s*(?:["']?{re.escape(key)}["']?\s*[.=]|\[\[?\s*["']?{re.escape(key)}["']?\s*[.\]])"""
    )
    for index, line in enumerate(source):
        if pattern.match(line):
            return index + 2  # +1 for 1-based, +1 for the opening fence
    return None


def _validate(table: Mapping[str, Any], *, end_line: int, config: Config) -> FrontMatter:
    for key in table:
        if key not in KEYS:
            raise _BadKey(key, f"unknown front matter key '{key}'", _suggest(key, KEYS))
    if "title" in table and "headline" in table:
        raise _BadKey("headline", "front matter gives both 'title' and 'headline'", "keep one")
    headline_key = "headline" if "headline" in table else "title"

    def opt(key: str, convert: Callable[[str, Any], Any]) -> Any:
        return convert(key, table[key]) if key in table else None

    front = FrontMatter(
        end_line=end_line,
        id=opt("id", _uri),
        url=opt("url", lambda k, v: _page_url(k, v, config)),
        slug=opt("slug", _slug),
        headline=opt(headline_key, _text),
        description=opt("description", _text),
        authors=opt("authors", lambda k, v: _authors(k, v, config)),
        published=opt("published", lambda k, v: _datetime(k, v, config)),
        modified=opt("modified", lambda k, v: _datetime(k, v, config)),
        image=opt("image", lambda k, v: _image(k, v, config)),
        tags=opt("tags", _tags) or (),
        language=opt("language", _language),
        draft=bool(opt("draft", _boolean)),
    )
    if front.published and front.modified and front.modified < front.published:
        raise _BadKey(
            "modified",
            f"'modified' ({front.modified.isoformat()}) is before 'published' "
            f"({front.published.isoformat()})",
            "a correction cannot predate the article: fix either date",
        )
    return front


def _suggest(key: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    did_you_mean = f"did you mean '{close[0]}'? " if close else ""
    return f"{did_you_mean}known keys: {', '.join(known)}"


def _fail(key: str, message: str, hint: str | None = None) -> NoReturn:
    raise _BadKey(key, f"front matter '{key}': {message}", hint)


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str):
        _fail(key, f"expected a string, got {_kind(value)}", f'quote it: {key} = "…"')
    bad = _NOT_XML.search(value)
    if bad is not None:
        _fail(
            key,
            f"contains the control character U+{ord(bad.group()):04X}",
            "remove it: a TOML escape such as \\u0001 writes an invisible character"
            " that no feed can carry",
        )
    text = " ".join(value.split())
    if not text:
        _fail(key, "must not be empty", f"remove the '{key}' line or give a value")
    return text


def _boolean(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        _fail(key, f"expected true or false, got {_kind(value)}", f"write {key} = true (unquoted)")
    return value


def _uri(key: str, value: Any) -> str:
    text = _text(key, value)
    if not _URI_RE.match(text):
        _fail(key, f"{text!r} is not a URI", 'use e.g. id = "tag:news.example.org,2025:my-story"')
    return text


def _url(key: str, value: Any, config: Config) -> str:
    text = _text(key, value)
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.netloc:
        return text
    if not parts.scheme and not parts.netloc and not text.startswith("//") and " " not in text:
        # A path is relative to the site's base URL, like everything else we write.
        return config.absolute(text)
    _fail(key, f"{text!r} is not an http(s) URL", "give an absolute https:// URL or a site path")


def _page_url(key: str, value: Any, config: Config) -> str:
    """The article's own URL: it decides where the page is written, so it must lie
    inside the output folder (under ``base_url``) and name a page."""
    url = _url(key, value, config)
    hint = 'use a site path such as url = "2025/my-story/" or "news/my-story.html"'
    if not url.startswith(config.base_url):
        _fail(key, f"{url!r} is outside the site ({config.base_url})", hint)
    parts = urlsplit(url[len(config.base_url) :])
    path = parts.path
    if parts.query or parts.fragment:
        _fail(key, f"{url!r} has a query or fragment; a page is a path", hint)
    if not path or path.startswith("/"):
        _fail(key, f"{url!r} is the site's home page, not an article's", hint)
    if not path.endswith(("/", ".html", ".htm")):
        _fail(key, f"{url!r} ends neither in '/' nor in '.html'", hint)
    if any(part in (".", "..") or part.startswith(".") for part in path.split("/")):
        _fail(key, f"{url!r} leaves the output folder or names a hidden file", hint)
    return url


def _slug(key: str, value: Any) -> str:
    text = _text(key, value)
    if not SLUG_RE.match(text) or len(text) > MAX_SLUG:
        _fail(
            key,
            f"{text!r} is not a valid slug",
            f"use lower-case ASCII letters, digits and hyphens, at most {MAX_SLUG} characters",
        )
    return text


def _language(key: str, value: Any) -> str:
    text = _text(key, value)
    if not _LANGUAGE_RE.match(text):
        _fail(key, f"{text!r} is not a BCP 47 language tag", 'use e.g. "en", "fa" or "ur-PK"')
    primary, _, rest = text.partition("-")
    return primary.lower() + ("-" + rest if rest else "")


def _authors(key: str, value: Any, config: Config) -> tuple[Person, ...]:
    if isinstance(value, str | dict):
        value = [value]  # one author written without the list brackets
    if not isinstance(value, list):
        _fail(key, f"expected a list of names or tables, got {_kind(value)}")
    people: list[Person] = []
    for index, entry in enumerate(value):
        if isinstance(entry, str):
            people.append(Person(name=_text(key, entry)))
            continue
        if not isinstance(entry, dict):
            _fail(key, f"entry {index + 1} is {_kind(entry)}", 'use "Name" or {name = "…"}')
        for sub in entry:
            if sub not in _AUTHOR_KEYS:
                _fail(key, f"unknown key '{sub}' in entry {index + 1}", _suggest(sub, _AUTHOR_KEYS))
        if "name" not in entry:
            _fail(key, f"entry {index + 1} has no 'name'", '{name = "…", url = "https://…"}')
        kind = _text(key, entry.get("kind", "Person"))
        if kind not in ("Person", "Organization"):
            _fail(key, f"kind {kind!r} is neither 'Person' nor 'Organization'")
        url = _url(key, entry["url"], config) if "url" in entry else None
        people.append(
            Person(
                name=_text(key, entry["name"]),
                url=url,
                kind="Person" if kind == "Person" else "Organization",
            )
        )
    return tuple(people)


def _datetime(key: str, value: Any, config: Config) -> dt.datetime:
    if isinstance(value, str):
        text = value.strip()
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            _fail(key, f"{text!r} is not a date", _DATE_HINT)
    if isinstance(value, dt.date) and not MIN_YEAR <= value.year <= MAX_YEAR:
        # Year 1 has a local-mean-time offset (+03:25:44 in Tehran) that readers
        # misread, and year 9999 would sit on top of every feed for ever.
        _fail(
            key,
            f"year {value.year} is outside {MIN_YEAR}–{MAX_YEAR}",
            "check the year for a typo (e.g. 0025 for 2025); news is dated within that range",
        )
    if isinstance(value, dt.datetime):
        # A time written without an offset is local time of the publication.
        return value if value.tzinfo is not None else value.replace(tzinfo=config.zone)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(0), tzinfo=config.zone)
    _fail(key, f"expected a date or date-time, got {_kind(value)}", _DATE_HINT)


def _image(key: str, value: Any, config: Config) -> ImageFields:
    if isinstance(value, str):
        return ImageFields(url=_url(key, value, config))
    if not isinstance(value, dict):
        _fail(key, f"expected a URL or a table, got {_kind(value)}")
    for sub in value:
        if sub not in _IMAGE_KEYS:
            _fail(key, f"unknown key '{sub}'", _suggest(sub, _IMAGE_KEYS))
    return ImageFields(
        url=_url(key, value["url"], config) if "url" in value else None,
        caption=_text(key, value["caption"]) if "caption" in value else None,
        credit=_text(key, value["credit"]) if "credit" in value else None,
        width=_pixels(key, "width", value),
        height=_pixels(key, "height", value),
    )


def _pixels(key: str, sub: str, table: Mapping[str, Any]) -> int | None:
    if sub not in table:
        return None
    value = table[sub]
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= 100_000:
        _fail(key, f"'{sub}' must be a whole number of pixels, got {value!r}", f"e.g. {sub} = 1200")
    return int(value)


def _tags(key: str, value: Any) -> tuple[Tag, ...]:
    groups: list[tuple[TagKind, Any]]
    if isinstance(value, list):
        groups = [("keyword", value)]
    elif isinstance(value, dict):
        groups = []
        for sub, names in value.items():
            if sub not in _TAG_KINDS:
                _fail(key, f"unknown tag kind '{sub}'", _suggest(sub, tuple(_TAG_KINDS)))
            groups.append((_TAG_KINDS[sub], names))
    else:
        _fail(key, f"expected a list or a table of lists, got {_kind(value)}")
    tags: list[Tag] = []
    seen: set[tuple[str, str]] = set()
    for kind, names in groups:
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list):
            _fail(key, f"expected a list of names, got {_kind(names)}")
        for raw in names:
            name = _text(key, raw)
            slug = tag_slug(name)
            if (kind, slug) in seen:
                continue
            seen.add((kind, slug))
            tags.append(
                Tag(
                    kind=kind,
                    name=name,
                    slug=slug,
                    given=True,
                    evidence=Evidence(mentions=0, where=("front matter",), rule="front_matter"),
                )
            )
    return tuple(tags)


def _kind(value: Any) -> str:
    names = {
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        list: "a list",
        dict: "a table",
        dt.datetime: "a date-time",
        dt.date: "a date",
        dt.time: "a time of day",
    }
    return names.get(type(value), type(value).__name__)
