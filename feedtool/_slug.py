"""URL slugs: ASCII, lower case, hyphen-separated, matching ``^[a-z0-9][a-z0-9-]*$``.

One module for the article slugs of parse and the tag slugs of enrich, so that a
tag given in front matter and the same tag found in the text share one
``tags/<slug>/`` feed.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

MAX_SLUG = 80
SLUG_RE = SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")

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
    if text.isascii():  # every letter is an ASCII one: no need to transliterate each
        return 1.0 if any(c.isalpha() for c in text) else 0.0
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


# Kept for the names met last: the same places, people, topics and keywords
# come back article after article (tens of thousands of calls in a build).
@functools.lru_cache(maxsize=4096)
def tag_slug(name: str) -> str:
    """The key of a tag (``tags/<slug>/``): never empty.

    Latin letters lose their accents and apostrophes split words ("Côte
    d'Ivoire" → ``cote-d-ivoire``); a name with no Latin letter or digit at
    all (``علی لاریجانی``) gets a short hash of itself, ``t-1a2b3c4d``, stable
    across runs and machines and safe in any URL.
    """
    slug = _NON_ALNUM.sub("-", _ascii(name).lower()).strip("-")[:MAX_SLUG].strip("-")
    if slug:
        return slug
    digest = hashlib.sha256(unicodedata.normalize("NFC", name.strip()).encode("utf-8"))
    return "t-" + digest.hexdigest()[:8]
