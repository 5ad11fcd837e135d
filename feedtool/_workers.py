"""Fresh worker processes spoken to over pipes, for the parts of a full plan.

A part worker is a new interpreter (not a fork of the build process, whose
pages it would count and soon copy). ``multiprocessing``'s spawn start method
gives one, but starts a resource tracker beside it: one more interpreter
(~12 MB at 20,000 articles) that lives as long as the build, to clean up
named semaphores the executor's queues need. Here a worker is started with
:mod:`subprocess` and given its tasks, and sends back their results, over a
pair of pipes (``multiprocessing.connection``'s framing of pickles): no
semaphore, no queue thread, no tracker.

The worker (:func:`feedtool._serve.serve`) runs ``initializer(*initargs)``
once, then ``task(number)`` for each number it is sent, in order, and answers
each with the result or the exception. Functions are pickled by reference, so
the worker imports their modules (with the build process's ``sys.path``).
Standard library only, outside ``feedtool.publish``: a model process imports
``feedtool._serve``, ``feedtool._lingua`` and lingua alone (the publish
package was ~6 MB more of it; this module's imports 2.7 MB).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

from feedtool._beside import widen

_Result = TypeVar("_Result")

# Started with ``-P``: ``python -c`` would put the current folder first on the
# path, so a build run from a folder holding another ``feedtool`` (a checkout of
# an older version, say) would import that one's workers. The folder this
# ``feedtool`` came from goes first instead, until the build's path arrives.
_MAIN = (
    "import sys; sys.path.insert(0, sys.argv[3]); "
    "from feedtool._serve import serve; serve(sys.argv[1:3])"
)
_HOME = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class WorkerDied(Exception):
    """A worker process ended without answering (killed, or out of memory)."""


class Workers(Generic[_Result]):
    """``count`` fresh processes, each running ``task`` on the numbers it is sent
    (with ``env`` as their environment, if given)."""

    def __init__(
        self,
        count: int,
        initializer: Callable[..., None],
        initargs: tuple[Any, ...],
        task: Callable[[int], _Result],
        env: dict[str, str] | None = None,
    ) -> None:
        self._prepare(env)
        try:
            for _ in range(count):
                self._start()
            self.begin(initializer, initargs, task)
        except BaseException:
            self.kill()
            raise

    @classmethod
    def ahead(cls, count: int, module: str) -> Workers[Any]:
        """``count`` processes started now, which import ``module`` while the
        build process makes their task ready (:meth:`begin`)."""
        workers: Workers[Any] = cls.__new__(cls)
        workers._prepare(None)
        try:
            for _ in range(count):
                workers._start(module)
        except BaseException:
            workers.kill()
            raise
        return workers

    def _prepare(self, env: dict[str, str] | None) -> None:
        self._processes: list[subprocess.Popen[bytes]] = []
        self._env = env
        self._sends: list[Connection] = []
        self._receives: list[Connection] = []
        self._turn = 0

    def begin(
        self, initializer: Callable[..., None], initargs: tuple[Any, ...], task: Callable[..., Any]
    ) -> None:
        """Have each worker run ``initializer(*initargs)``, then ``task`` on the numbers sent."""
        for worker in range(len(self._sends)):
            try:
                self._sends[worker].send((initializer, initargs, task))
            except OSError as exc:  # its end of the pipe is closed: it died
                raise WorkerDied from exc

    def _start(self, module: str | None = None) -> None:
        to_worker, from_build = os.pipe()
        from_worker, to_build = os.pipe()
        # A part's answer (its paths and fingerprints, up to ~85 kB at BBC)
        # in a pipe of 64 kB kept the worker writing it, not starting its
        # next part, until the build process, busy with its own, read it.
        widen(from_worker)
        try:
            process = subprocess.Popen(
                [sys.executable, "-P", "-c", _MAIN, str(to_worker), str(to_build), _HOME],
                pass_fds=(to_worker, to_build),
                stdin=subprocess.DEVNULL,
                env=self._env,
            )
        except BaseException:
            for fd in (to_worker, from_build, from_worker, to_build):
                os.close(fd)
            raise
        os.close(to_worker)
        os.close(to_build)
        self._processes.append(process)
        send = Connection(from_build, readable=False)
        self._sends.append(send)
        self._receives.append(Connection(from_worker, writable=False))
        # The path first, on its own: the worker needs it to unpickle the rest.
        send.send(list(sys.path))
        if module is not None:
            send.send(module)

    def __len__(self) -> int:
        return len(self._processes)

    def submit(self, number: int) -> Pending[_Result]:
        """Give the task ``number`` to the workers in turn; its answer is the
        :class:`Pending`'s (ask for answers in the order the tasks were given)."""
        worker = self._turn
        self._turn = (worker + 1) % len(self._processes)
        self.send(worker, number)
        return Pending(self, worker)

    def send(self, worker: int, number: int) -> None:
        """Give ``worker`` the task ``number`` (after those it has)."""
        try:
            self._sends[worker].send(number)
        except OSError as exc:  # its end of the pipe is closed: it died
            raise WorkerDied from exc

    def ready(self, worker: int) -> bool:
        """Whether ``worker``'s answer to its oldest task has come."""
        return self._receives[worker].poll()

    def result(self, worker: int) -> _Result:
        """``worker``'s answer to its oldest task (waited for); its exception raised."""
        try:
            ok, value = self._receives[worker].recv()
        except (EOFError, OSError) as exc:
            raise WorkerDied from exc
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def close(self) -> None:
        """Tell the workers to end, and wait for them."""
        for send in self._sends:
            with contextlib.suppress(OSError):
                send.send(None)
            send.close()
        for process in self._processes:
            process.wait()
        for receive in self._receives:
            receive.close()
        self._sends, self._receives, self._processes = [], [], []

    def kill(self) -> None:
        """End the workers now (what they were doing is abandoned)."""
        for process in self._processes:
            with contextlib.suppress(OSError):
                process.kill()
        for process in self._processes:
            process.wait()
        for connection in (*self._sends, *self._receives):
            connection.close()
        self._sends, self._receives, self._processes = [], [], []


class Pending(Generic[_Result]):
    """A task given to one of :class:`Workers`, answered as a future is
    (``done``, ``result``). A worker answers its tasks in order, so the
    answer read is that of its oldest task: ask in the order given."""

    __slots__ = ("_worker", "_workers")

    def __init__(self, workers: Workers[_Result], worker: int) -> None:
        self._workers = workers
        self._worker = worker

    def done(self) -> bool:
        return self._workers.ready(self._worker)

    def result(self) -> _Result:
        return self._workers.result(self._worker)


__all__ = ["WorkerDied", "Workers"]
