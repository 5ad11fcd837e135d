"""A worker's side of :mod:`feedtool._workers`: standard library only, and
little of it (``os``, ``pickle``, ``struct``, ``sys``).

A worker is a fresh interpreter that imports this, then the modules of its
task. A model process's task is lingua alone: ``multiprocessing.connection``
(and ``typing``, ``socket``, ``tempfile`` … that it imports), which the build
process's side speaks through, was 2.7 MB of its 17 MB before any model.
Messages are framed as that module frames them (a 4-byte big-endian signed
length, or -1 and an 8-byte length past 2 GiB; then the pickle), so the
build process's ``Connection`` reads and writes them.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys

# Not `from typing import TYPE_CHECKING`: typing is the kind of import this
# module leaves out (as feedtool/__init__ does); mypy reads the name as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_LONG = 0x7FFFFFFF


def _read(fd: int, size: int) -> bytes:
    """``size`` bytes from ``fd`` (EOFError if it ends first)."""
    chunks = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def receive(fd: int) -> Any:
    """The next object sent to ``fd`` (EOFError when the sender is gone)."""
    (size,) = struct.unpack("!i", _read(fd, 4))
    if size == -1:
        (size,) = struct.unpack("!Q", _read(fd, 8))
    return pickle.loads(_read(fd, size))


def send(fd: int, value: object) -> None:
    """Write ``value`` to ``fd`` (pickling errors raised before any byte is written)."""
    data = pickle.dumps(value)
    head = struct.pack("!i", len(data)) if len(data) <= _LONG else struct.pack("!iQ", -1, len(data))
    for part in (head, data):
        view = memoryview(part)
        while view:
            view = view[os.write(fd, view) :]


def serve(argv: list[str]) -> None:
    """Run the initializer, then each task sent, until told to end."""
    fd_in, fd_out = int(argv[0]), int(argv[1])
    sys.path[:] = receive(fd_in)
    try:
        setup = receive(fd_in)
        while isinstance(setup, str):
            # A module to import while the build process makes the task ready.
            __import__(setup)
            setup = receive(fd_in)
    except EOFError:  # the build process is gone
        return
    if setup is None:  # ended before it was given a task: none was needed
        return
    initializer, initargs, task = setup
    initializer(*initargs)
    while True:
        try:
            number = receive(fd_in)
        except EOFError:  # the build process is gone
            return
        if number is None:
            return
        try:
            answer: tuple[bool, object] = (True, task(number))
        except Exception as exc:  # sent back: the build process raises it
            answer = (False, exc)
        try:
            send(fd_out, answer)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            send(fd_out, (False, RuntimeError(f"a worker's answer could not be sent: {exc!r}")))
