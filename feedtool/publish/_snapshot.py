"""The refs of the last build as signed pickles: what a light build reads back.

A build that stamps only an edited article (``_Build._light_stamp``) needs the
ref of every other article as the last build made it. Decoding 20,000 JSON
rows into refs was most of an edit's stamping (about a third of a second);
unpickling them is a fifth of that. The JSON rows stay the store's record;
the pickles are a copy of them, made by the build that writes every row
(``SqliteStore.put_refs(..., replace_all=True)``), and the rows a light build
writes afterwards are read over them.

Unpickling runs code, and the output folder (its store included) may come
from anyone: like the lookup tables (:mod:`feedtool._tables`), each pickle
carries the HMAC of this user's key and is unpickled only when it matches.
Without a usable key no pickle is written, and the rows are decoded.
"""

from __future__ import annotations

import hmac
import pickle
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import feedtool._tables as _tables

#: The refs a pickle holds (a chunk keeps the pickler's memo small).
CHUNK = 2048
_MAGIC = b"feedtool-refs\n"
# 3: the rows in the order of the site (``_Build._put_refs``), no longer by path.
# 4: each chunk column by column (a list per field, not one per row).
_FORMAT = 4
_MAC_SIZE = 32


def pack(rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """``rows`` (picklable, all of one length) as signed pickles of :data:`CHUNK`
    rows each, column by column; nothing when there is no key to sign them with.

    Columns, because unpickled a row is one more list (20,000 of them), and a
    column is what the reader makes its objects from (``map`` over the
    columns, no loop over rows): at 20,000 refs ~105 -> ~68 ms of CPU from the
    pickles to the refs."""
    if _tables._mac(b"") is None:
        return
    chunk: list[Any] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield _sealed(chunk)
            chunk = []
    if chunk:
        yield _sealed(chunk)


def _sealed(chunk: list[Sequence[Any]]) -> bytes:
    columns = [list(column) for column in zip(*chunk, strict=True)]
    payload = pickle.dumps((_FORMAT, columns), protocol=pickle.HIGHEST_PROTOCOL)
    mac = _tables._mac(payload)
    assert mac is not None
    return _MAGIC + mac + payload


def unpack(blobs: Sequence[bytes]) -> list[list[list[Any]]] | None:
    """The columns of each of :func:`pack`'s pickles (a list per field of its
    rows); ``None`` when one is not signed with this user's key (planted,
    damaged, or made by another user)."""
    chunks: list[list[list[Any]]] = []
    head = len(_MAGIC) + _MAC_SIZE
    for blob in blobs:
        view = memoryview(blob)
        mac = _tables._mac(view[head:])
        if (
            mac is None
            or not blob.startswith(_MAGIC)
            or not hmac.compare_digest(bytes(view[len(_MAGIC) : head]), mac)
        ):
            return None
        try:
            found = pickle.loads(view[head:])
        except Exception:  # signed but unreadable (another format): not used
            return None
        if not (isinstance(found, tuple) and len(found) == 2 and found[0] == _FORMAT):
            return None
        chunks.append(found[1])
    return chunks
