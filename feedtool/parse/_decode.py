"""Bytes → clean text: encoding detection, line endings, control characters, NFC."""

from __future__ import annotations

import codecs
import html
import re
import unicodedata
from dataclasses import dataclass

# Beyond this share of control characters the input is not text at all; decoding it
# through Latin-1 would "succeed" and yield an article made of noise.
_MAX_CONTROL_SHARE = 0.1

# Line breaks other than \n that people's editors produce; U+2028/2029 and NEL are
# treated as the line breaks they claim to be, so line numbers match what a reader sees.
# Every character of Unicode category Cc except tab and newline, and the BOM.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff]")
_LINE_BREAKS = str.maketrans({"\u2028": "\n", "\u2029": "\n", "\x85": "\n"})


@dataclass(frozen=True, slots=True)
class Decoded:
    """The article's text with ``\\n`` line endings, and what it took to get there."""

    text: str
    encoding: str
    control_chars: int


# Text pasted from web pages carries HTML character references ("&#163;1.8m",
# "S&#227;o Paulo"); a plain-text article means the character. Only complete
# references with their semicolon are read, so "AT&T" or "R&D" stay as written.
_CHARACTER_REFERENCE = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)


def _unescape(match: re.Match[str]) -> str:
    return html.unescape(match.group(0))


class NotText(ValueError):
    """The bytes are binary data, not an article."""


def decode(data: bytes) -> Decoded:
    """Decode article bytes; never raises ``UnicodeDecodeError``."""
    text, encoding = _to_str(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_LINE_BREAKS)
    text = _CHARACTER_REFERENCE.sub(_unescape, text)
    # A BOM inside the text (files concatenated) is noise, as are NUL and other
    # C0/C1 controls: they are invalid in XML and break every feed.
    length = len(text)
    text, dropped = _CONTROL.subn("", text)
    if length and dropped > _MAX_CONTROL_SHARE * length:
        raise NotText(f"{dropped} of {length} characters are control characters")
    clean = unicodedata.normalize("NFC", text)
    return Decoded(text=clean, encoding=encoding, control_chars=dropped)


def _to_str(data: bytes) -> tuple[str, str]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # Windows-1252 is what "Latin-1" files from Windows editors really are:
        # it has curly quotes and the euro sign where Latin-1 has C1 controls.
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; Latin-1 maps every byte.
        return data.decode("latin-1"), "latin-1"
