"""The publication's configuration: ``feedtool.toml``.

Loaded into frozen pydantic models. Unknown keys are errors (a typo must not
be silently ignored) and every error names the key and the file.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from feedtool.errors import ConfigError
from feedtool.plugins import ENRICHERS, RENDERERS

CONFIG_FILENAME = "feedtool.toml"


# Characters XML 1.0 cannot carry (C0 controls but tab/LF/CR, U+FFFE/FFFF), DEL
# and C1 controls: a TOML escape such as "\u0001" writes one invisibly.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def _no_control(value: object) -> None:
    texts = (
        [value]
        if isinstance(value, str)
        else [*value.keys(), *value.values()]
        if isinstance(value, dict)
        else list(value)
        if isinstance(value, tuple | list)
        else []
    )
    for text in texts:
        if isinstance(text, str) and (bad := _NOT_XML.search(text)):
            raise ValueError(
                f"contains the control character U+{ord(bad.group()):04X}; remove it"
                " (feeds cannot carry it)"
            )


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _printable(cls, value: object) -> object:
        _no_control(value)
        return value


def _check_http_url(value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an absolute http(s) URL such as 'https://example.org/'")


class PublisherConfig(_Frozen):
    """``[publisher]``: who publishes the feeds."""

    name: str = Field(min_length=1)
    url: str
    logo: str | None = Field(default=None, description="Absolute URL of a logo image.")
    default_image: str | None = Field(
        default=None,
        description="Absolute URL of the image shown for articles that have none of their own.",
    )

    @field_validator("logo", "default_image")
    @classmethod
    def _image_url(cls, value: str | None) -> str | None:
        if value is not None:
            _check_http_url(value)
        return value


class AuthorConfig(_Frozen):
    """``[author]``: the default author of articles that name none."""

    name: str = Field(min_length=1)
    url: str | None = None
    kind: Annotated[str, Field(pattern="^(Person|Organization)$")] = "Organization"


class TagsConfig(_Frozen):
    """``[tags]``: overrides applied after enrichment (front matter tags always win)."""

    drop: tuple[str, ...] = Field(default=(), description="Tag names or slugs never to emit.")
    rename: dict[str, str] = Field(default_factory=dict, description="Old name → new name.")
    feeds_min_items: int = Field(
        default=2,
        ge=1,
        description="Per-tag feeds are written for tags carried by at least this many items;"
        " a feed of one article is noise on a large site (and three files per tag).",
    )
    keyword_feeds_min_items: int = Field(
        default=5,
        ge=1,
        description="Keyword tags enrichment found (phrases of the text; not topics, places,"
        " people, organisations or front matter tags) get feeds only when carried by at"
        " least this many items (and `feeds_min_items`): they are the most numerous tags,"
        " and their feeds mostly near-duplicates.",
    )
    feed_content: Literal["summary", "full"] = Field(
        default="summary",
        description="What tag feeds (and their archive pages) carry of each item:"
        " 'summary' (headline, standfirst, link, image, dates, categories) or 'full'"
        " (the whole body, up to `[limits] feed_body_bytes`). The main and author"
        " feeds always carry the body.",
    )


# The languages detected by default: the most published on the web (W3Techs'
# content-language ranking) that the script, stop words or lingua tell apart.
DEFAULT_LANGUAGES: tuple[str, ...] = (
    "en", "es", "de", "fr", "ja", "ru", "pt", "it", "fa", "nl", "pl", "tr", "zh", "vi",
    "id", "ko", "cs", "ar", "uk", "hu", "sv", "el", "ro", "da", "fi", "no", "he", "th",
    "hi", "bn", "ur",
)  # fmt: skip


class EnrichConfig(_Frozen):
    """``[enrich]``: which enrichers run and how."""

    enabled: tuple[str, ...] = Field(
        default=("languages", "dates", "entities", "places_rtl", "topics", "keywords"),
        description="Names of enrichers to run, in order.",
    )
    languages: tuple[str, ...] = Field(
        default=DEFAULT_LANGUAGES,
        description="Languages the detector may answer (ISO 639-1); by default the 31 most"
        " published on the web that it can tell apart.",
    )
    timezone_from_dateline: bool = Field(
        default=False, description="Use the dateline city's zone instead of `timezone`."
    )
    default_topic: str = Field(
        default="medtop:14000000",
        pattern=r"^medtop:(0[1-9]|1[0-7])000000$",
        description="IPTC level-1 Media Topic (qcode) of an article in which the `topics`"
        " enricher finds no cue in any of its languages; by default society.",
    )


class RenderConfig(_Frozen):
    """``[render]``: which renderers run."""

    enabled: tuple[str, ...] | None = Field(
        default=None,
        description="Names of renderers to run: built-in, entry point or dotted name;"
        " unset: every built-in renderer.",
    )

    def renderers(self) -> tuple[str, ...]:
        """The renderers a build runs."""
        return self.enabled if self.enabled is not None else RENDERERS.builtin_names()


class WebSubConfig(_Frozen):
    """``[websub]``: the hub to advertise and ping after a build."""

    hub: str | None = None
    timeout: float = Field(default=5.0, gt=0)

    @field_validator("hub")
    @classmethod
    def _hub_url(cls, value: str | None) -> str | None:
        if value is not None:
            _check_http_url(value)
        return value


class LimitsConfig(_Frozen):
    """``[limits]``: bounds that keep work and output proportional to the input."""

    max_article_bytes: int = Field(
        default=5_000_000,
        ge=1_000,
        description="An article file larger than this is an error naming it (parse and"
        " enrich are linear in size, but one runaway file should not hold a build).",
    )
    max_tags: int = Field(
        default=40,
        ge=1,
        description="Inferred tags kept per article, the best scored (front matter tags"
        " always stay): one article cannot create thousands of tag feeds.",
    )
    feed_body_bytes: int = Field(
        default=100_000,
        ge=0,
        description="Tag and author feeds carry an item's full HTML body only up to this"
        " size; a larger item is a summary and a link there (the main feeds keep it whole).",
    )


class Config(_Frozen):
    """The whole ``feedtool.toml``."""

    title: str = Field(min_length=1, description="Title of the publication and its feeds.")
    description: str = Field(default="", description="One-line subtitle of the feeds.")
    base_url: str = Field(description="Absolute URL where `feeds/` is served, ending in '/'.")
    language: str = Field(default="en", description="Default BCP 47 language of articles.")
    timezone: str = Field(default="UTC", description="IANA zone for dates without an offset.")
    feed_size: int = Field(default=50, ge=1, description="How many items a feed holds.")
    feed_archives: bool = Field(
        default=True,
        description="Older items of every RSS and Atom feed go to archive pages of"
        " `feed_size` items (RFC 5005), so readers can page back to the first.",
    )
    page_size: int = Field(
        default=20, ge=1, description="How many articles an HTML index, tag or archive page lists."
    )
    publisher: PublisherConfig
    author: AuthorConfig | None = None
    tags: TagsConfig = TagsConfig()
    enrich: EnrichConfig = EnrichConfig()
    render: RenderConfig = RenderConfig()
    websub: WebSubConfig = WebSubConfig()
    limits: LimitsConfig = LimitsConfig()

    @field_validator("base_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        _check_http_url(value)
        parts = urlsplit(value)
        if parts.query or parts.fragment or "?" in value or "#" in value:
            # Every URL is base_url + a path: a query or fragment would end up
            # in the middle of each of them.
            raise ValueError(
                "must not have a query ('?…') or fragment ('#…'): every page URL is"
                " base_url followed by its path, e.g. 'https://example.org/news/'"
            )
        if parts.username is not None or parts.password is not None:
            raise ValueError("must not carry a user name or password ('user@host')")
        return value if value.endswith("/") else value + "/"

    @field_validator("language")
    @classmethod
    def _language_tag(cls, value: str) -> str:
        if not _LANGUAGE_RE.match(value):
            raise ValueError(f"{value!r} is not a BCP 47 language tag such as 'en' or 'fa-IR'")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}, e.g. 'Asia/Tehran'") from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The configured zone as a ``ZoneInfo``."""
        return ZoneInfo(self.timezone)

    @property
    def host(self) -> str:
        """The host of ``base_url``, the authority of the tag: URIs."""
        return urlsplit(self.base_url).hostname or "localhost"

    def absolute(self, relative: str) -> str:
        """Absolute URL of a path inside the output folder."""
        return self.base_url + relative.lstrip("/")


def default_config() -> Config:
    """A config good enough to parse an article outside any project."""
    return Config(
        title="feedtool",
        base_url="http://localhost:8000/",
        publisher=PublisherConfig(name="feedtool", url="http://localhost:8000/"),
    )


def load_config(path: Path | str) -> Config:
    """Read and validate ``feedtool.toml``; raise ``ConfigError`` naming the key and file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(
            "config file not found",
            path=path,
            hint=f"create {CONFIG_FILENAME} (see README 'Config') or pass -c PATH",
        ) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read config: {exc.strerror}", path=path) from exc
    return config_from_bytes(raw, path)


def config_from_bytes(raw: bytes, path: Path) -> Config:
    """The config in ``raw``, the bytes of the file ``path`` (named in errors)."""
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ConfigError("config is not UTF-8", path=path, hint="save it as UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's TOMLDecodeError has no lineno attribute, only the message.
        found = re.search(r"at line (\d+)", str(exc))
        line = int(found.group(1)) if found else None
        raise ConfigError(
            f"invalid TOML: {exc}", path=path, line=line, hint="check the TOML syntax"
        ) from exc
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        text = raw.decode("utf-8-sig", "replace")
        problems = [_problem(error, text) for error in exc.errors()]
        if len(problems) == 1:
            message = problems[0][0]
        else:
            # Every problem at once: fixing a config one key per run is tedious.
            message = f"{len(problems)} problems: " + "; ".join(
                text.replace(":", f" (line {line}):", 1) if line else text
                for text, line in problems
            )
        raise ConfigError(
            message,
            path=path,
            line=next((line for _, line in problems if line), None),
            hint="see README 'Config' for the keys and their types;"
            " `feedtool init NEW_FOLDER` writes a commented example",
        ) from exc
    _check_plugins(config, path, raw.decode("utf-8-sig", "replace"))
    return config


def _problem(error: Any, text: str) -> tuple[str, int | None]:
    """One validation error as "key 'x' (line 3): what is wrong", and its line."""
    location = error["loc"]
    key = ".".join(str(part) for part in location) or "(top level)"
    if error["type"] == "extra_forbidden":
        problem = "unknown key"
    elif error["type"] == "missing":
        problem = "missing (required)"
    else:
        problem = str(error["msg"]).removeprefix("Value error, ")
    line = _line_of_key(text, str(location[-1])) if location else None
    return f"key '{key}': {problem}", line if error["type"] != "missing" else None


def _check_plugins(config: Config, path: Path, text: str) -> None:
    """Every enricher and renderer named loads, and each list is in an order that works."""
    for section, registry, enabled in (
        ("enrich", ENRICHERS, config.enrich.enabled),
        ("render", RENDERERS, config.render.renderers()),
    ):
        try:
            registry.check(enabled)
        except ConfigError as exc:
            raise ConfigError(
                f"key '{section}.enabled': {exc.message}",
                path=path,
                line=_line_of_key(text, "enabled", section),
                hint=exc.hint,
            ) from exc


def _line_of_key(text: str, key: str, section: str | None = None) -> int | None:
    """The line of ``key = …`` (inside ``[section]`` when given), if it is written there."""
    current: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            current = stripped.strip("[]").strip()
            continue
        if section is not None and current != section:
            continue
        if stripped.startswith(key) and stripped[len(key) :].lstrip().startswith("="):
            return number
    return None
