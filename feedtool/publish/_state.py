"""The state file: what must never change once published.

``feeds/.feedtool-state.json`` remembers, for every article ever published,
its id (a ``tag:`` URI), slug, first-publication time and the fingerprints
that let a renamed or edited file keep its id. It also lists the files the
last build wrote, so that files of deleted articles can be removed.

The file is written with sorted keys and no timestamps of its own, so two
builds of the same input leave it byte-identical.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from feedtool.errors import PublishError
from feedtool.model import NewsItem

STATE_FILENAME = ".feedtool-state.json"
_VERSION = 1


@dataclass
class _Entry:
    id: str
    slug: str
    path: str
    content_hash: str
    body_hash: str
    headline: str
    first_published: str
    modified: str | None = None


@dataclass
class State:
    """Article records keyed by id, plus the last build's file list."""

    entries: dict[str, _Entry] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, out: Path) -> State:
        path = out / STATE_FILENAME
        try:
            raw = path.read_text("utf-8")
        except FileNotFoundError:
            return cls()
        try:
            data = json.loads(raw)
            entries = {key: _Entry(**value) for key, value in data["articles"].items()}
            return cls(entries=entries, files=list(data.get("files", [])))
        except (ValueError, KeyError, TypeError) as exc:
            raise PublishError(
                "the state file is corrupt",
                path=path,
                hint="restore it from version control; deleting it gives every article a new id",
            ) from exc

    def dumps(self) -> bytes:
        data: dict[str, Any] = {
            "version": _VERSION,
            "articles": {key: vars(self.entries[key]) for key in sorted(self.entries)},
            "files": sorted(self.files),
        }
        return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


def body_fingerprint(item: NewsItem) -> str:
    """A hash of the body text alone, insensitive to whitespace and case.

    It survives a rename and a headline edit, which is what lets such an
    article keep its id.
    """
    words = " ".join(getattr(block, "text", "") or "" for block in item.body).casefold()
    words = re.sub(r"\s+", " ", unicodedata.normalize("NFC", words)).strip()
    return hashlib.sha256(words.encode()).hexdigest()


def parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)
