"""The state file: what must never change once published.

``feeds/.feedtool-state.json`` remembers, for every article ever published,
its id (a ``tag:`` URI), slug, first-publication time and the fingerprints
that let a renamed or edited file keep its id. It also lists the files the
last build wrote, so that files of deleted articles can be removed.

The file is written with sorted keys and no timestamps of its own, so two
builds of the same input leave it byte-identical. ``Stamper`` gives each item
of a build its id, slug and dates from the state; ``State`` is the only thing
that reads or writes the file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from feedtool.config import Config
from feedtool.enrich.newsroom import newsroom_dates, newsroom_zone
from feedtool.errors import PublishError
from feedtool.model import NewsItem
from feedtool.publish._write import unchanged, write_atomic

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

    def save(self, out: Path) -> None:
        """Write the state into ``out`` atomically (not at all when unchanged)."""
        target = out / STATE_FILENAME
        data = self.dumps()
        if not unchanged(target, data):
            out.mkdir(parents=True, exist_ok=True)
            write_atomic(target, data)


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


def now() -> dt.datetime:
    """The time of first publication; SOURCE_DATE_EPOCH makes it reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class Stamper:
    """Gives each item its permanent id, slug and dates from the state."""

    def __init__(self, state: State, config: Config, now: dt.datetime) -> None:
        self.state = state
        self.config = config
        self.now = now
        self.claimed: set[str] = set()
        self.undated = 0
        self.slugs_taken = {e.slug: e.id for e in state.entries.values()}
        self._by_path = {e.path: e.id for e in state.entries.values()}
        self._by_content = {e.content_hash: e.id for e in state.entries.values()}
        self._by_body = {e.body_hash: e.id for e in state.entries.values()}
        self._by_headline = {e.headline: e.id for e in state.entries.values()}

    def _match(self, item: NewsItem, body_hash: str) -> str | None:
        candidates = (
            item.id,
            self._by_path.get(item.source_path),
            self._by_content.get(item.content_hash),
            self._by_body.get(body_hash),
            self._by_headline.get(item.headline),
        )
        for known in candidates:
            if known and known in self.state.entries and known not in self.claimed:
                return known
        return None

    def stamp_all(self, items: Sequence[NewsItem]) -> list[NewsItem]:
        """Stamp every item of a build.

        Items that match a known article claim their ids first, so an added
        file can never take over an existing article's id or slug.
        """
        hashes = [body_fingerprint(item) for item in items]
        order = sorted(range(len(items)), key=lambda n: self._match(items[n], hashes[n]) is None)
        return [self.stamp(items[n], hashes[n]) for n in order]

    def stamp(self, item: NewsItem, body_hash: str | None = None) -> NewsItem:
        body_hash = body_hash or body_fingerprint(item)
        known = self._match(item, body_hash)
        if known is not None:
            entry = self.state.entries[known]
            if entry.content_hash != item.content_hash:
                entry.modified = self.now.isoformat()
            entry.path, entry.content_hash = item.source_path, item.content_hash
            entry.body_hash, entry.headline = body_hash, item.headline
        else:
            published = item.date_published
            if published is None:
                # Undated articles first published by the same build get
                # distinct times, a second apart in path order, so readers
                # order them stably (and Atom entries never share `updated`).
                published = self.now - dt.timedelta(seconds=self.undated)
                self.undated += 1
            slug = self._free_slug(item.slug)
            new_id = item.id or f"tag:{self.config.host},{published.date().isoformat()}:{slug}"
            entry = _Entry(
                id=new_id,
                slug=slug,
                path=item.source_path,
                content_hash=item.content_hash,
                body_hash=body_hash,
                headline=item.headline,
                first_published=published.isoformat(),
            )
            self.state.entries[new_id] = entry
            self.slugs_taken[slug] = new_id
        self.claimed.add(entry.id)
        return self._apply(item, entry)

    def _free_slug(self, slug: str) -> str:
        candidate, number = slug, 2
        while candidate in self.slugs_taken:
            candidate, number = f"{slug}-{number}", number + 1
        return candidate

    def _apply(self, item: NewsItem, entry: _Entry) -> NewsItem:
        update: dict[str, object] = {"id": entry.id}
        if entry.slug != item.slug:
            update["slug"] = entry.slug
            if item.url == self.config.absolute(f"articles/{item.slug}.html"):
                update["url"] = self.config.absolute(f"articles/{entry.slug}.html")
        if item.date_published is None:
            first = parse_time(entry.first_published)
            # A dateline without a year ('Nov 27') takes it from first publication.
            zone = newsroom_zone(item, self.config)
            newsroom = newsroom_dates(item, zone, reference=first)
            update.update(newsroom)
            if "date_published" not in newsroom:
                update["date_published"] = first
                update["date_published_source"] = "first_published"
        if item.date_modified is None and "date_modified" not in update and entry.modified:
            modified = parse_time(entry.modified)
            published = update.get("date_published") or item.date_published
            assert isinstance(published, dt.datetime)
            if modified > published:
                update["date_modified"] = modified
        return item.model_copy(update=update)
