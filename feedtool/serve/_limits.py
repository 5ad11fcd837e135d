"""Connection limits for ``feedtool serve``: idle, slow and too many clients.

uvicorn's h11 protocol times out a kept-alive connection only after a
response, so a client that connects and says nothing, or sends its request
headers a byte at a time, holds a connection (and a file descriptor) for
ever; 1,100 of them exhaust a 1,024-descriptor process, and then asyncio
cannot accept anyone. This protocol adds:

* a **header deadline**: a request's headers must be complete within
  ``header_timeout`` seconds of the connection opening or of the previous
  response ending (a deadline, not an idle timer: trickling bytes does not
  extend it);
* a **stall timeout**: while a response waits for a client that does not read
  (the write buffer full), ``stall_timeout`` seconds without progress end it;
* a **connection cap** below the descriptor limit: when it is reached, the
  longest-idle connection (one waiting for its next request) is closed to make
  room, or the new one when none is idle, so accepting never fails for lack of
  descriptors.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from collections import OrderedDict
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

#: Descriptors kept free for what is not a connection: files being served,
#: the listening socket, logs, the watcher's builds.
FD_RESERVE = 64
HEADER_TIMEOUT = 10.0
STALL_TIMEOUT = 30.0
KEEP_ALIVE_TIMEOUT = 5.0

_log = logging.getLogger("feedtool.serve")


def raise_fd_limit() -> int:
    """Raise the soft descriptor limit to the hard one (as far as allowed); the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if wanted > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass
    return soft


def connection_cap(requested: int | None = None) -> int:
    """How many connections to hold at most: below the descriptor limit, whatever is asked."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    room = max(8, soft - FD_RESERVE) if soft != resource.RLIM_INFINITY else 1 << 20
    return min(requested, room) if requested else room


class _Registry:
    """The connections of one server, the idle ones in the order they became idle."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.open = 0
        self.idle: OrderedDict[GuardedProtocol, None] = OrderedDict()
        self.refused = 0


def guarded_protocol(
    cap: int,
    header_timeout: float = HEADER_TIMEOUT,
    stall_timeout: float = STALL_TIMEOUT,
) -> type[GuardedProtocol]:
    """A protocol class for ``uvicorn.Config(http=…)`` with these limits."""
    registry = _Registry(cap)
    return type(
        "GuardedProtocol",
        (GuardedProtocol,),
        {"registry": registry, "header_timeout": header_timeout, "stall_timeout": stall_timeout},
    )


class GuardedProtocol(H11Protocol):
    """uvicorn's h11 protocol with a header deadline, a stall timeout and a cap."""

    registry: _Registry
    header_timeout: float
    stall_timeout: float

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._stall: asyncio.TimerHandle | None = None
        self._counted = False

    # ------------------------------------------------------------------ lifecycle

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        registry = self.registry
        if registry.open >= registry.cap:
            if registry.idle:
                oldest, _ = registry.idle.popitem(last=False)
                oldest._close()
            else:
                registry.refused += 1
                if registry.refused in (1, 10, 100) or registry.refused % 1000 == 0:
                    _log.warning(
                        "feedtool serve: %d connections open (the cap below the descriptor"
                        " limit); refused %d so far",
                        registry.open,
                        registry.refused,
                    )
                transport.abort()
                return
        registry.open += 1
        self._counted = True
        super().connection_made(transport)
        self._idle()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._counted:
            return
        self._counted = False
        self.registry.open -= 1
        self.registry.idle.pop(self, None)
        self._cancel_timers()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state in (h11.SEND_BODY, h11.DONE):
            # A complete request: no longer idle, its deadline met.
            self.registry.idle.pop(self, None)
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._idle()

    # ------------------------------------------------------------------ flow control

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._stall is None:
            self._stall = self.loop.call_later(self.stall_timeout, self._close)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._stall is not None:
            self._stall.cancel()
            self._stall = None

    # ------------------------------------------------------------------ helpers

    def _idle(self) -> None:
        """Waiting for a request: the header deadline runs, and the cap may close us."""
        self.registry.idle[self] = None
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(self.header_timeout, self._expired)

    def _expired(self) -> None:
        self._deadline = None
        if self.conn.their_state not in (h11.SEND_BODY, h11.DONE):
            self._close()

    def _close(self) -> None:
        self._cancel_timers()
        self.registry.idle.pop(self, None)
        if self.transport is not None and not self.transport.is_closing():
            # abort, not close: a client that does not read would keep a
            # closing transport (and its descriptor) waiting to flush.
            self.transport.abort()

    def _cancel_timers(self) -> None:
        for timer in (self._deadline, self._stall):
            if timer is not None:
                timer.cancel()
        self._deadline = self._stall = None
