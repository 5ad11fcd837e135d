"""Tombstones: the output files a build removed, so the server answers ``410 Gone``.

A deleted article's page (and a tag's feed that no longer exists) should tell
readers and crawlers it is gone for good, not merely missing: feed readers
unsubscribe on ``410``, search engines drop the page. The list lives in the
output folder as a dotfile, which the server reads and never serves.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from feedtool.publish._files import unchanged, write_atomic

GONE_FILENAME = ".feedtool-gone"


def read_gone(out: Path) -> frozenset[str]:
    """The tombstoned paths of ``out`` (relative, '/'-separated); empty when none."""
    try:
        text = (out / GONE_FILENAME).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return frozenset()
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def update_gone(out: Path, removed: Iterable[str], present: Iterable[str]) -> None:
    """Add ``removed`` to the tombstones; a path published again leaves them."""
    gone = set(read_gone(out))
    gone.update(removed)
    if gone:  # the usual case is none: no set of every path published is made
        gone.difference_update(present)
    data = "".join(f"{path}\n" for path in sorted(gone)).encode("utf-8")
    target = out / GONE_FILENAME
    if not gone and not target.exists():
        return
    if not unchanged(target, data):
        write_atomic(target, data)
