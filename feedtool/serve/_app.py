"""The ASGI app of ``feedtool serve``: a small, strict static server for the output folder.

It serves exactly the files a build wrote, with the media types feed readers
expect, strong ``ETag`` and ``Last-Modified`` validators (so readers poll with
conditional GETs and get ``304``), gzip when asked, and nothing outside the
folder: every path is decoded segment by segment, dot segments, dotfiles,
encoded separators and symlinks leading outside are refused with ``404``.
"""

from __future__ import annotations

import email.utils
import errno
import gzip
import hashlib
import os
import stat
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool as run_sync
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from feedtool.render.formats import FEED_FORMATS

_FEED_TYPES = {f.file: f"{f.media_type}; charset=utf-8" for f in FEED_FORMATS}
_SUFFIX_TYPES = (
    (".ninjs.json", "application/json"),
    (".jsonld", "application/ld+json"),
    (".html", "text/html; charset=utf-8"),
    (".htm", "text/html; charset=utf-8"),
    (".opml", "text/x-opml; charset=utf-8"),
    (".xml", "application/xml"),
    (".json", "application/json"),
    (".txt", "text/plain; charset=utf-8"),
    (".css", "text/css; charset=utf-8"),
    (".js", "text/javascript; charset=utf-8"),
    (".svg", "image/svg+xml"),
    (".png", "image/png"),
    (".jpg", "image/jpeg"),
    (".jpeg", "image/jpeg"),
    (".webp", "image/webp"),
    (".gif", "image/gif"),
    (".ico", "image/x-icon"),
)
_GZIP_MIN_BYTES = 256
_HTML_MAX_AGE = 60
_MAX_AGE = 300
_CACHE_ENTRIES = 1024
#: Files up to this size are answered from memory (and gzipped); larger ones
#: are streamed from disk in ``_CHUNK`` pieces, read in worker threads.
_CACHE_MAX_FILE = 4 * 1024 * 1024
_CACHE_BYTES = 64 * 1024 * 1024
_CHUNK = 256 * 1024
_METHODS = ("GET", "HEAD")


def media_type(name: str) -> str:
    """The ``Content-Type`` for a file called ``name`` (its last path segment)."""
    lower = name.lower()
    if lower in _FEED_TYPES:
        return _FEED_TYPES[lower]
    for suffix, kind in _SUFFIX_TYPES:
        if lower.endswith(suffix):
            return kind
    return "application/octet-stream"


@dataclass(frozen=True)
class _Entry:
    """What answering for one version of a file needs.

    ``body`` and ``gzipped`` are kept for small files only; a large file is
    streamed from disk, identity-encoded, with its ETag computed once.
    """

    size: int
    etag: str
    body: bytes | None
    gzipped: bytes | None
    gzip_etag: str


class _FileCache:
    """ETags, bodies and gzip variants keyed by ``(device, inode, size, mtime)``.

    Builds replace files by renaming, so a changed file has a new inode (or at
    least a new mtime) and can never be answered from a stale entry. Each
    version of a file is hashed (and gzipped) once, in a worker thread, however
    many requests ask for it at the same time; bodies are kept up to
    ``_CACHE_BYTES`` in all, large files' ETags without their bodies.
    """

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[int, int, int, int], _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._pending: dict[tuple[int, int, int, int], threading.Lock] = {}

    def get(self, key: tuple[int, int, int, int], fd: int, compressible: bool) -> _Entry:
        """The entry for the open file ``fd`` whose version is ``key`` (blocking: a thread)."""
        with self._lock:
            entry = self._hit(key)
            if entry is not None:
                return entry
            making = self._pending.setdefault(key, threading.Lock())
        with making:  # one thread computes; the others wait and find it cached
            with self._lock:
                entry = self._hit(key)
            if entry is None:
                entry = _make_entry(fd, key[2], compressible)
                with self._lock:
                    self._store(key, entry)
        with self._lock:
            self._pending.pop(key, None)
        return entry

    def _hit(self, key: tuple[int, int, int, int]) -> _Entry | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def _store(self, key: tuple[int, int, int, int], entry: _Entry) -> None:
        if key in self._entries:
            return
        self._entries[key] = entry
        self._bytes += _weight(entry)
        while self._entries and (len(self._entries) > _CACHE_ENTRIES or self._bytes > _CACHE_BYTES):
            _, old = self._entries.popitem(last=False)
            self._bytes -= _weight(old)


def _weight(entry: _Entry) -> int:
    return len(entry.body or b"") + len(entry.gzipped or b"") + 200


def _make_entry(fd: int, size: int, compressible: bool) -> _Entry:
    digest = hashlib.sha256()
    if size > _CACHE_MAX_FILE:
        for chunk in _chunks(fd, 0, size):
            digest.update(chunk)
        tag = digest.hexdigest()[:32]
        return _Entry(size, f'"{tag}"', None, None, f'"{tag}-gzip"')
    body = b"".join(_chunks(fd, 0, size))
    digest.update(body)
    tag = digest.hexdigest()[:32]
    gzipped = None
    if compressible and len(body) >= _GZIP_MIN_BYTES:
        # mtime=0 keeps the gzip bytes a pure function of the body, so the
        # gzip variant can carry a strong ETag of its own.
        gzipped = gzip.compress(body, compresslevel=6, mtime=0)
    return _Entry(size, f'"{tag}"', body, gzipped, f'"{tag}-gzip"')


def _chunks(fd: int, start: int, size: int) -> Iterator[bytes]:
    """The bytes of ``fd`` from ``start`` to ``size``, by positional reads (no shared offset)."""
    offset = start
    while offset < size:
        chunk = os.pread(fd, min(_CHUNK, size - offset), offset)
        if not chunk:
            return
        offset += len(chunk)
        yield chunk


#: A file that exists but cannot be opened for want of descriptors or memory is
#: a passing shortage (503), never "not found": a 404 tells readers the feed is gone.
_OUT_OF_RESOURCES = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOMEM})


class _Busy(Exception):
    """The server is out of descriptors or memory for the moment."""


def _busy() -> Response:
    return Response(
        b"Service Unavailable: the server is busy, try again shortly.\n",
        status_code=503,
        headers={
            "Content-Type": "text/plain; charset=utf-8",
            "Cache-Control": "no-store",
            "Retry-After": "1",
        },
    )


def _not_found() -> Response:
    return Response(
        b"Not Found\n",
        status_code=404,
        headers={"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"},
    )


def _gone() -> Response:
    return Response(
        b"Gone: this page was published here and has been removed.\n",
        status_code=410,
        headers={"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "max-age=300"},
    )


class _Tombstones:
    """The build's list of removed outputs, read again only when the file changes."""

    def __init__(self) -> None:
        self._key: tuple[int, int, int] | None = None
        self._paths: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def __contains__(self, item: tuple[Path, str]) -> bool:
        from feedtool.publish._gone import GONE_FILENAME, read_gone

        root, relative = item
        try:
            info = os.stat(root / GONE_FILENAME)
        except OSError:
            return False
        key = (info.st_ino, info.st_size, info.st_mtime_ns)
        with self._lock:
            if key != self._key:
                self._paths, self._key = read_gone(root), key
            return relative in self._paths


def _safe_segments(raw_path: bytes) -> tuple[list[str], bool] | None:
    """Decoded path segments and whether the path ends with '/', or None if unsafe.

    Decoding happens per segment, after splitting on the literal '/', so
    ``%2f`` can never introduce a separator and ``%2e%2e`` is seen as ``..``.
    """
    raw = raw_path.split(b"?", 1)[0]
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        return None
    if not text.startswith("/"):
        return None
    parts = text[1:].split("/")
    trailing = parts[-1] == ""
    if trailing:
        parts = parts[:-1]
    segments: list[str] = []
    for part in parts:
        try:
            segment = unquote(part, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            return None
        if (
            not segment
            or segment.startswith(".")
            or "/" in segment
            or "\\" in segment
            or "\x00" in segment
            or ":" in segment
        ):
            return None
        segments.append(segment)
    return segments, trailing


def _resolve(root: Path, segments: list[str], trailing: bool) -> Path | str | None:
    """The file to serve, a redirect target (str) for a bare directory, or None."""
    candidate = root.joinpath(*segments)
    try:
        if candidate.is_dir():
            if segments and not trailing:
                return "/" + "/".join(quote(s) for s in segments) + "/"
            candidate = candidate / "index.html"
        elif trailing:
            return None
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return None
    if not resolved.is_relative_to(root) or resolved == root:
        return None
    # A symlink inside the folder must not lead to a dotfile such as the state file.
    if any(part.startswith(".") for part in resolved.relative_to(root).parts):
        return None
    return resolved


def _open(path: Path) -> tuple[int, os.stat_result] | None:
    """An open descriptor of the regular file ``path`` (never through a symlink) and its stat."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno in _OUT_OF_RESOURCES:
            raise _Busy from exc
        return None
    try:
        info = os.fstat(fd)
    except OSError:
        os.close(fd)
        return None
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        return None
    return fd, info


def _accepts_gzip(header: str) -> bool:
    wildcard: bool | None = None
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        name = name.strip().lower()
        if name in ("gzip", "x-gzip"):
            return quality > 0
        if name == "*":
            wildcard = quality > 0
    return bool(wildcard)


def _etag_matches(header: str, etags: tuple[str, ...]) -> bool:
    """Weak comparison (RFC 9110 §13.1.2): ``W/`` prefixes are ignored."""
    if header.strip() == "*":
        return True
    wanted = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return any(tag in wanted for tag in etags)


def _not_modified_since(header: str, mtime: float) -> bool:
    try:
        since = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return False
    if since is None or since.tzinfo is None:
        return False
    return int(mtime) <= since.timestamp()


async def _stream(path: Path, key: tuple[int, int, int, int]) -> AsyncIterator[bytes]:
    """A large file's bytes, each chunk read in a worker thread.

    The file is opened again here rather than handed over open: a client that
    hangs up before the body starts would otherwise leave its descriptor open
    (a generator that never runs never closes anything). If the file was
    replaced meanwhile, the body stops short instead of mixing versions.
    """
    opened = await run_sync(_open, path)
    if opened is None:
        return
    fd, info = opened
    try:
        if (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns) != key:
            return
        offset, size = 0, key[2]
        while offset < size:
            chunk = await run_sync(os.pread, fd, min(_CHUNK, size - offset), offset)
            if not chunk:
                break
            offset += len(chunk)
            yield chunk
    finally:
        os.close(fd)


def make_app(out: Path) -> Starlette:
    """The ASGI app serving ``out``; the folder may be replaced while it runs."""
    out = Path(out)
    cache = _FileCache()
    tombstones = _Tombstones()

    async def endpoint(request: Request) -> Response:
        checked = _safe_segments(request.scope.get("raw_path") or request.url.path.encode())
        if checked is None:
            return _not_found()
        try:
            # Resolved per request: a build may swap the folder (or a symlink to it).
            root = out.resolve(strict=True)
        except (OSError, RuntimeError):
            return _not_found()
        target = _resolve(root, *checked)
        if target is None:
            segments, trailing = checked
            relative = "/".join([*segments, "index.html"] if trailing else segments)
            if (root, relative) in tombstones or (root, relative + "/index.html") in tombstones:
                return _gone()
            return _not_found()
        if isinstance(target, str):
            return Response(status_code=301, headers={"Location": target})
        try:
            opened = await run_sync(_open, target)
        except _Busy:
            return _busy()
        if opened is None:
            return _not_found()
        fd, info = opened
        try:
            kind = media_type(target.name)
            compressible = kind.startswith("text/") or any(k in kind for k in ("xml", "json"))
            key = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
            # Hashing and gzip happen in a worker thread (once per file version):
            # the event loop keeps answering other clients meanwhile.
            entry = await run_sync(cache.get, key, fd, compressible)
        except BaseException:
            os.close(fd)
            raise
        use_gzip = entry.gzipped is not None and _accepts_gzip(
            request.headers.get("accept-encoding", "")
        )
        headers = {
            "ETag": entry.gzip_etag if use_gzip else entry.etag,
            "Last-Modified": email.utils.formatdate(info.st_mtime, usegmt=True),
            "Cache-Control": (
                f"public, max-age={_HTML_MAX_AGE if kind.startswith('text/html') else _MAX_AGE}"
            ),
            "X-Content-Type-Options": "nosniff",
        }
        if entry.gzipped is not None:
            headers["Vary"] = "Accept-Encoding"
        if_none_match = request.headers.get("if-none-match")
        if_modified_since = request.headers.get("if-modified-since")
        if if_none_match is not None:
            # Either variant's tag means the reader holds the current content.
            fresh = _etag_matches(if_none_match, (entry.etag, entry.gzip_etag))
        else:
            fresh = if_modified_since is not None and _not_modified_since(
                if_modified_since, info.st_mtime
            )
        headers["Content-Type"] = kind
        os.close(fd)
        if fresh or request.method == "HEAD" or entry.body is not None:
            if fresh:
                del headers["Content-Type"]
                return Response(status_code=304, headers=headers)
            payload_size = len(entry.gzipped) if use_gzip and entry.gzipped else entry.size
            payload = entry.gzipped if use_gzip and entry.gzipped is not None else entry.body
            if use_gzip:
                headers["Content-Encoding"] = "gzip"
            headers["Content-Length"] = str(payload_size)
            content = b"" if request.method == "HEAD" else (payload or b"")
            return Response(content, status_code=200, headers=headers)
        headers["Content-Length"] = str(entry.size)
        return StreamingResponse(_stream(target, key), status_code=200, headers=headers)

    return Starlette(routes=[Route("/{path:path}", endpoint, methods=list(_METHODS))])
