"""One build at a time per output folder: an advisory ``flock`` on ``<out>/.feedtool/lock``.

The kernel releases the lock when the holder exits, however it exits
(SIGKILL included), so a crashed build never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from feedtool.errors import PublishError
from feedtool.store import cache_dir

LOCK_FILENAME = "lock"
_POLL = 0.1


@contextmanager
def build_lock(out: Path, wait: float = 0.0) -> Iterator[int]:
    """Hold the output folder's build lock, waiting up to ``wait`` seconds for it.

    Raises ``PublishError`` naming the holder's process id when the folder
    stays locked. Yields the lock's descriptor: a forked child must close it,
    or it would hold the lock after this process dies.
    """
    path = cache_dir(out) / LOCK_FILENAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise PublishError(
            f"cannot create the build lock: {exc.strerror}",
            path=path,
            hint="check that the output folder is writable",
        ) from exc
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                    who = f" (process {holder})" if holder.isdigit() else ""
                    raise PublishError(
                        f"another build is writing this output folder{who}",
                        path=out,
                        hint="wait for it to finish, or pass --wait SECONDS to queue behind it",
                    ) from None
                time.sleep(_POLL)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield fd
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
