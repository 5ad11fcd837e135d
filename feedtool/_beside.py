"""Work done beside the build, in a forked child process, while the build goes on.

An edit at 20,000 articles checks that no output was deleted since the last
build by the modification times of its 21,823 output folders
(``_Build._folders_stamp``): some 45 ms of ``stat`` calls, in the build's own
path from the seeds to the plan. A child forked when the build starts makes
them while the build reads, parses and stamps (on the second core of a
two-core machine); a thread could not, as each of its calls would wait for
the interpreter lock the build holds. The child only makes system calls and
writes its answer to a pipe; it leaves with ``os._exit`` (no cleanup of what
it inherited: the store's connection, the build lock, buffered output).

The console command's no-op check (``feedtool._noop``) runs beside the loading
of the build's modules the same way, so this module imports only the standard
library's process tools (it sits outside ``feedtool.publish``, whose package
imports cost the no-op path some 14 ms).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import threading
from collections.abc import Callable

#: How much a pipe holds that a child or a worker writes its answer to (:func:`widen`).
PIPE_BYTES = 1 << 20


def widen(fd: int) -> None:
    """Let the pipe ``fd`` hold :data:`PIPE_BYTES` (Linux), not 64 kB: the
    console check's answer at 20,000 articles (its walk and the store's rows:
    2.7 MB) went through 64 kB at a time once the command, done loading, read
    it (~40 round trips, 6.6-7.5 ms of its wall; three with a 1 MB pipe, 4.3 ms).
    A pipe the system does not let grow that much stays as it is."""
    setting = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setting is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(fd, setting, PIPE_BYTES)


class Beside:
    """The bytes ``work()`` returns, made in a forked child; :meth:`result` is
    ``None`` when it failed, or when no child was forked (no ``fork``, other
    threads running): then nothing ran, and the caller does the work."""

    def __init__(self, work: Callable[[], bytes]) -> None:
        self._pid = 0
        self._fd = -1
        # A process with other threads is not forked (a lock one of them holds
        # would stay held in the child): the work is then done in place.
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return
        read, write = os.pipe()
        widen(write)
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return
        if pid == 0:  # pragma: no cover - the child, seen by its parent's result
            code = 1
            try:
                os.close(read)
                view = memoryview(work())
                while view:
                    view = view[os.write(write, view) :]
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._fd = pid, read

    @property
    def forked(self) -> bool:
        """Whether a child is at work (until its result is taken or it is cancelled)."""
        return self._pid != 0

    def ready(self) -> bool:
        """Whether the child has answered or ended: :meth:`result` will not wait."""
        return self.forked and bool(select.select([self._fd], [], [], 0)[0])

    def result(self) -> bytes | None:
        """What the child made (waiting for it), once; ``None`` if it failed."""
        if not self._pid:
            return None
        chunks = []
        try:
            while chunk := os.read(self._fd, 1 << 20):
                chunks.append(chunk)
        finally:
            status = self._end()
        return b"".join(chunks) if status == 0 else None

    def cancel(self) -> None:
        """End the child, if its result was not taken."""
        if self._pid:
            with contextlib.suppress(ProcessLookupError):  # gone already
                os.kill(self._pid, signal.SIGKILL)
            self._end()

    def _end(self) -> int:
        os.close(self._fd)
        _, status = os.waitpid(self._pid, 0)
        self._pid, self._fd = 0, -1
        return status
