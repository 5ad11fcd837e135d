"""WebSub (W3C recommendation) publisher side: tell the hub which feeds changed.

The feeds advertise the hub with ``rel="hub"`` and themselves with
``rel="self"``; after a build the hub is pinged once per changed feed with a
form-encoded ``hub.mode=publish`` request, and fetches the feed itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

_HEADERS = {"User-Agent": "feedtool (WebSub publisher)"}


def ping_hub(hub: str, topics: Sequence[str], timeout: float) -> list[str]:
    """POST ``hub.mode=publish`` and ``hub.url=<topic>`` to ``hub`` for each topic.

    Returns one human-readable error per topic the hub did not accept (a
    2xx answer means accepted). Never raises: a down hub must not fail a build
    whose files are already written.
    """
    errors: list[str] = []
    if not topics:
        return errors
    try:
        client = httpx.Client(timeout=timeout, headers=_HEADERS, follow_redirects=False)
    except (httpx.HTTPError, ValueError, TypeError) as exc:  # e.g. an invalid timeout
        return [f"WebSub hub {hub}: cannot ping: {exc}"]
    with client:
        for done, topic in enumerate(topics):
            error, reachable = _ping_one(client, hub, topic)
            if error is not None:
                errors.append(error)
            if not reachable:
                # One timeout per topic would stall the build for len(topics) x timeout.
                left = len(topics) - done - 1
                if left:
                    errors.append(f"WebSub hub {hub}: {left} more feed(s) not published")
                break
    return errors


def _ping_one(client: httpx.Client, hub: str, topic: str) -> tuple[str | None, bool]:
    """The error for ``topic`` (None when accepted) and whether the hub was reachable."""
    try:
        response = client.post(hub, data={"hub.mode": "publish", "hub.url": topic})
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
