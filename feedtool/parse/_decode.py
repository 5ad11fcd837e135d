"""Bytes → clean text: encoding detection, line endings, control characters, NFC."""

from __future__ import annotations

import codecs
import html
import re
import threading
import unicodedata
from dataclasses import dataclass

# Beyond this share of control characters the input is not text at all; decoding it
# through Latin-1 would "succeed" and yield an article made of noise.
_MAX_CONTROL_SHARE = 0.1

# Line breaks other than \n that people's editors produce; U+2028/2029 and NEL are
# treated as the line breaks they claim to be, so line numbers match what a reader sees.
# Every character of Unicode category Cc except tab and newline, the BOM, and the
# noncharacters U+FFFE/U+FFFF (XML 1.0 cannot carry them).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\ufffe\uffff]")
_OTHER_BREAKS = ("\u2028", "\u2029", "\x85")


@dataclass(frozen=True, slots=True)
class Note:
    """Something decoding had to guess or repair, for a warning: at ``line`` (1-based)."""

    line: int | None
    message: str
    hint: str


@dataclass(frozen=True, slots=True)
class Decoded:
    """The article's text with ``\\n`` line endings, and what it took to get there."""

    text: str
    notes: tuple[Note, ...] = ()


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
    text, notes = _to_str(data)
    # Bad bytes already got their note; a U+FFFD in well-formed text needs its own.
    notes = notes or _replacement_notes(text)
    text = _one_line_break(text)
    text = _CHARACTER_REFERENCE.sub(_unescape, text)
    # A BOM inside the text (files concatenated) is noise, as are NUL and other
    # C0/C1 controls: they are invalid in XML and break every feed.
    length = len(text)
    text, dropped = _CONTROL.subn("", text)
    if length and dropped > _MAX_CONTROL_SHARE * length:
        raise NotText(f"{dropped} of {length} characters are control characters")
    clean = unicodedata.normalize("NFC", text)
    return Decoded(text=clean, notes=notes)


def _replacement_notes(text: str) -> tuple[Note, ...]:
    """A note when valid text already holds U+FFFD: it was decoded wrongly
    before it reached feedtool (a "\u00a315m" read as UTF-8 and saved again), and
    the character it stands for is lost. Feed validators flag it in the output."""
    if "\ufffd" not in text:
        return ()
    lines = _one_line_break(text).split("\n")
    found = [number for number, line in enumerate(lines, 1) if "\ufffd" in line]
    shown = found[:_REPORTED_LINES]
    more = len(found) - len(shown)
    where = ", ".join(map(str, shown)) + (f" and {more} more line(s)" if more else "")
    return (
        Note(
            shown[0],
            f"the replacement character \ufffd (U+FFFD) is in the text on line {where}:"
            " the character it stands for was lost before feedtool read the file",
            "retype the character(s) shown as \ufffd, or fix the conversion that made the file",
        ),
    )


def _one_line_break(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Each break that is there, replaced: ``str.translate`` would map every
    # character of the article through a dict, and these are rare.
    for char in _OTHER_BREAKS:
        if char in text:
            text = text.replace(char, "\n")
    return text


def _to_str(data: bytes) -> tuple[str, tuple[Note, ...]]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), ()
        except UnicodeDecodeError:
            pass
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError:
        pass
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return mostly
    try:
        # Windows-1252 is what "Latin-1" files from Windows editors really are:
        # it has curly quotes and the euro sign where Latin-1 has C1 controls.
        return data.decode("cp1252"), ()
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; Latin-1 maps every byte.
        return data.decode("latin-1"), ()


# A UTF-16 file without a byte order mark shows itself by its NUL bytes: the
# high byte of every space, line break and Latin letter, so all on one side
# (even or odd offsets). UTF-8 text has no NUL at all, and binary data has
# them on both sides.
_UTF16_NUL_SHARE = 0.05
_LOW = re.compile("[\x00-\xff]")
_C0_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r")


def _utf16_without_bom(data: bytes) -> tuple[str, tuple[Note, ...]] | None:
    if len(data) < 2 or len(data) % 2 or b"\x00" not in data:
        return None
    half = len(data) // 2
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if odd >= _UTF16_NUL_SHARE * half and even * 20 <= odd:
        codec = "utf-16-le"
    elif even >= _UTF16_NUL_SHARE * half and odd * 20 <= even:
        codec = "utf-16-be"
    else:
        return None
    # A UTF-8 file with a stray NUL is still UTF-8: only when read as UTF-8 it
    # would be refused as control characters is UTF-16 the better reading.
    controls = len(data) - len(data.translate(None, _C0_CONTROL_BYTES))
    if controls <= _MAX_CONTROL_SHARE * len(data):
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    # Real UTF-16 text: the characters with a NUL high byte are spaces, line
    # breaks and Latin letters, not control characters (binary data).
    low = _LOW.findall(text)
    controls = sum(1 for ch in low if ch < " " and ch not in "\t\n\r")
    if not low or controls > _MAX_CONTROL_SHARE * len(low):
        return None
    note = Note(
        None,
        f"the file has no byte order mark; read as {codec.upper()} from its NUL bytes",
        "save it as UTF-8 (or UTF-16 with a byte order mark)",
    )
    return text, (note,)


# Bad bytes found by the recording error handler, per thread (decoding runs in
# worker threads of the server's watcher and in the build's processes).
_bad = threading.local()


def _record(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    _bad.positions.append(error.start)
    return "\ufffd", error.end


codecs.register_error("feedtool.record", _record)

_REPORTED_LINES = 3


def _mostly_utf8(data: bytes) -> tuple[str, tuple[Note, ...]] | None:
    """UTF-8 with a few bad bytes replaced, when valid UTF-8 outweighs them.

    A file of Windows-1252 text ("Caf\\xe9") has no valid multi-byte UTF-8
    sequence at all; a UTF-8 file with one pasted Latin-1 byte has many. Reading
    the latter as cp1252 would mangle every other non-ASCII letter ("CafÃ©").
    """
    _bad.positions = []
    try:
        text = data.decode("utf-8-sig", "feedtool.record")
        positions: list[int] = _bad.positions
    finally:
        del _bad.positions
    non_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if non_ascii - len(positions) < len(positions):
        return None
    lines = [
        _one_line_break(data[:position].decode("utf-8", "replace")).count("\n") + 1
        for position in positions[:_REPORTED_LINES]
    ]
    more = len(positions) - len(lines)
    where = ", ".join(map(str, lines)) + (f" and {more} more place(s)" if more else "")
    note = Note(
        lines[0],
        f"invalid UTF-8 byte(s) replaced by U+FFFD on line {where}",
        "re-save the file as UTF-8, or retype the character(s) shown as \ufffd",
    )
    return text, (note,)
