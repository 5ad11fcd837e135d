"""WebSub (W3C recommendation) publisher side: tell the hub which feeds changed.

The feeds advertise the hub with ``rel="hub"`` and themselves with
``rel="self"``; after a build the hub is pinged once per changed feed with a
form-encoded ``hub.mode=publish`` request, and fetches the feed itself.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import httpx

from feedtool.errors import PublishError

_HEADERS = {"User-Agent": "feedtool (WebSub publisher)"}
_HINT = "check [websub] hub in the config, or build with --no-ping; the feeds are written"

# Beyond the deadline the worker thread is given this long to close its
# connection and return; it is a daemon, so it never holds the process.
_GRACE = 2.0


def ping_hub(hub: str, topics: Sequence[str], timeout: float) -> list[PublishError]:
    """POST ``hub.mode=publish`` and ``hub.url=<topic>`` to ``hub`` for each topic.

    ``timeout`` is a deadline for the whole exchange — connecting, sending and
    reading every answer — not per network operation: a hub that trickles its
    reply a byte at a time cannot hold the build past it. The pings run on an
    event loop of their own in a worker thread, so calling this from a
    thread whose event loop is running (a server) is safe too.

    Returns one ``PublishError`` per topic the hub did not accept (a 2xx
    answer means accepted). Never raises: a down hub must not fail a build
    whose files are already written.
    """
    if not topics:
        return []
    errors: list[str] = []

    def run() -> None:
        errors.extend(asyncio.run(_ping_all(hub, list(topics), timeout)))

    worker = threading.Thread(target=run, name="feedtool-websub", daemon=True)
    worker.start()
    worker.join(timeout + _GRACE)
    if worker.is_alive():  # the event loop's own deadline should have fired first
        errors = [f"WebSub hub {hub}: no answer within {timeout:g} s; feeds not published"]
    return [PublishError(error, hint=_HINT) for error in errors]


async def _ping_all(hub: str, topics: list[str], deadline: float) -> list[str]:
    errors: list[str] = []
    try:
        client = httpx.AsyncClient(timeout=deadline, headers=_HEADERS, follow_redirects=False)
    except (httpx.HTTPError, ValueError, TypeError) as exc:  # e.g. an invalid timeout
        return [f"WebSub hub {hub}: cannot ping: {exc}"]
    done = 0
    async with client:
        try:
            async with asyncio.timeout(deadline):
                for done, topic in enumerate(topics):
                    error, reachable = await _ping_one(client, hub, topic)
                    if error is not None:
                        errors.append(error)
                    if not reachable:
                        # One timeout per topic would stall the build for len(topics) x timeout.
                        _not_tried(errors, hub, len(topics) - done - 1)
                        break
        except TimeoutError:
            errors.append(
                f"WebSub hub {hub}: no complete answer within {deadline:g} s publishing"
                f" {topics[done]} (the hub is slow or stalled; [websub] timeout is the deadline)"
            )
            _not_tried(errors, hub, len(topics) - done - 1)
    return errors


def _not_tried(errors: list[str], hub: str, left: int) -> None:
    if left:
        errors.append(f"WebSub hub {hub}: {left} more feed(s) not published")


async def _ping_one(client: httpx.AsyncClient, hub: str, topic: str) -> tuple[str | None, bool]:
    """The error for ``topic`` (None when accepted) and whether the hub was reachable."""
    try:
        response = await client.post(hub, data={"hub.mode": "publish", "hub.url": topic})
    except httpx.TimeoutException:
        return f"WebSub hub {hub}: timed out publishing {topic} (is the hub up?)", False
    except httpx.TransportError as exc:
        return f"WebSub hub {hub}: cannot publish {topic}: {exc or type(exc).__name__}", False
    except httpx.HTTPError as exc:
        return f"WebSub hub {hub}: cannot publish {topic}: {exc or type(exc).__name__}", True
    except (httpx.InvalidURL, ValueError) as exc:
        message = f"WebSub hub {hub}: invalid hub URL ({exc}); check [websub] hub in the config"
        return message, False
    if not response.is_success:
        reason = response.reason_phrase or "error"
        detail = response.text.strip().splitlines()[0][:200] if response.text.strip() else ""
        suffix = f": {detail}" if detail else ""
        status = f"HTTP {response.status_code} {reason}"
        return f"WebSub hub {hub}: {status} publishing {topic}{suffix}", True
    return None, True
