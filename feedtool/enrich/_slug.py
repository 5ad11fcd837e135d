"""URL-safe slugs for tag names: the key of per-tag feeds (``tags/<slug>/``).

Latin letters lose their accents ("São Paulo" → ``sao-paulo``); a name with no
Latin letters or digits at all (``علی لاریجانی``) gets a short hash of itself,
``t-1a2b3c4d``, which is stable across runs and machines.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Letters that NFKD does not decompose into a base letter plus marks.
_SPECIAL = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "ł": "l",
        "Ł": "l",
        "þ": "th",
        "Þ": "th",
        "ı": "i",
        "&": " and ",
    }
)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def slugify(name: str) -> str:
    """The slug of ``name``: lower-case ASCII letters, digits and single hyphens."""
    ascii_text = (
        unicodedata.normalize("NFKD", name.translate(_SPECIAL))
        .encode("ascii", "ignore")
        .decode("ascii")
        .lower()
    )
    slug = _NOT_SLUG.sub("-", ascii_text).strip("-")
    if slug:
        return slug
    digest = hashlib.sha256(unicodedata.normalize("NFC", name.strip()).encode("utf-8"))
    return "t-" + digest.hexdigest()[:8]
