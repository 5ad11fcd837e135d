"""URL slugs: ASCII, lower case, hyphen-separated, matching ``^[a-z0-9][a-z0-9-]*$``."""

from __future__ import annotations

import re
import unicodedata

MAX_SLUG = 80
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# Letters that NFKD does not decompose into ASCII but have a customary spelling.
_SPECIAL = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "ł": "l",
        "Ł": "L",
        "ı": "i",
        "&": " and ",
    }
)
# Apostrophes join rather than split words: "Iran's" → "irans", not "iran-s".
_APOSTROPHES = re.compile(r"['’ʼ`´]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_SORT_PREFIX = re.compile(r"^\d+[-_. ]+")
_HASHLIKE = re.compile(r"^(?=[0-9a-f]*\d)[0-9a-f]{8,}$")


def slugify(text: str, *, max_length: int = MAX_SLUG) -> str:
    """ASCII slug of ``text``; empty when nothing of it is ASCII-transliterable."""
    ascii_text = _ascii(text).lower()
    slug = _NON_ALNUM.sub("-", _APOSTROPHES.sub("", ascii_text)).strip("-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        # Cut at a word boundary unless that would leave too little.
        slug = cut[: cut.rfind("-")] if cut.rfind("-") > max_length // 2 else slug[:max_length]
        slug = slug.strip("-")
    return slug


def latin_share(text: str) -> float:
    """Share of the letters in ``text`` that transliterate to ASCII letters."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    latin = sum(1 for c in letters if _ascii(c).isalpha())
    return latin / len(letters)


def stem_slug(stem: str) -> str | None:
    """Slug of a file name stem when the stem says something (not ``000_ae41…``)."""
    slug = slugify(_SORT_PREFIX.sub("", stem))
    words = [w for w in slug.split("-") if sum(c.isalpha() for c in w) >= 2]
    if not any(not _HASHLIKE.match(w) for w in words):
        return None
    return slug


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return decomposed.encode("ascii", "ignore").decode("ascii")


# Characters that would end or escape a path segment of the tag's feed URL.
_UNSAFE_IN_PATH = re.compile(r"""[/\\?#%&+<>"'`|{}\[\]^:;=@!$*,.()~]+""")


def tag_slug(name: str) -> str:
    """Key of a tag: its ASCII slug, or for non-Latin names the lower-cased words."""
    slug = slugify(name)
    if slug and latin_share(name) >= 0.5:
        return slug
    words = _UNSAFE_IN_PATH.sub(" ", name.lower()).split()
    return "-".join(words) or slug or "tag"
