"""Writing the output folder: every file atomically, unchanged files untouched.

A file is replaced through a temporary file and a rename, so a reader (or a
crash) never sees half of one; a file whose bytes did not change is not
rewritten, so its mtime, and the server's ``Last-Modified``, stay put.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

_WRITER_THREADS = 4


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` through a temporary file and a rename."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def unchanged(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def write_outputs(
    out: Path, outputs: dict[str, bytes], stale: Iterable[str]
) -> tuple[list[str], list[str]]:
    changed = [
        relative for relative in sorted(outputs) if not unchanged(out / relative, outputs[relative])
    ]
    for folder in sorted({(out / relative).parent for relative in changed}):
        folder.mkdir(parents=True, exist_ok=True)
    # Creating a file is a wait on the file system, not work for the CPU:
    # a few threads overlap those waits (the GIL is released meanwhile).
    with ThreadPoolExecutor(max_workers=_WRITER_THREADS) as pool:
        for _ in pool.map(
            lambda relative: write_atomic(out / relative, outputs[relative]), changed
        ):
            pass
    removed = []
    for relative in sorted(set(stale) - set(outputs)):
        target = out / relative
        if target.is_file():
            target.unlink()
            removed.append(relative)
            _prune_empty_dirs(target.parent, out)
    return changed, removed


def _prune_empty_dirs(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
