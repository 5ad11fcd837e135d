"""``feedtool serve``: serve the output folder, and with ``--watch`` rebuild it on change.

The app (``_app``) and the watcher (``_watch``) are apart from the socket
runner here; the server sits above ``publish``, which it calls to rebuild.
"""

from __future__ import annotations

import socket
from pathlib import Path

from feedtool.errors import FeedtoolError
from feedtool.serve._app import make_app, media_type
from feedtool.serve._limits import (
    HEADER_TIMEOUT,
    KEEP_ALIVE_TIMEOUT,
    connection_cap,
    guarded_protocol,
    raise_fd_limit,
)
from feedtool.serve._watch import Log, Watcher, ping_later, rebuild

__all__ = ["Watcher", "make_app", "media_type", "rebuild", "serve"]


def _bind(host: str, port: int, backlog: int = 2048) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY on accepted connections only
    # when the listening socket says so, and without it every response whose
    # headers and body go out in two writes waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        # Listening before the URL is printed: a client may connect at once and
        # waits in the backlog until the server accepts.
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        raise FeedtoolError(
            f"cannot listen on {host}:{port}: {exc.strerror}",
            hint="choose another --port (0 picks a free one) or stop the other server",
        ) from exc
    return sock


def serve(
    out: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    watch: bool = False,
    seeds: Path | None = None,
    config_path: Path | None = None,
    *,
    log: Log = print,
    interval: float = 1.0,
    max_connections: int | None = None,
    header_timeout: float = HEADER_TIMEOUT,
    drafts: bool = False,
    future: bool = False,
) -> None:
    """Serve ``out`` on ``host:port`` until interrupted; with ``watch``, rebuild on change.

    ``port=0`` picks a free port; the first line logged names the real URL.
    Connections are capped below the descriptor limit (``max_connections``
    lowers the cap further); a request's headers must arrive within
    ``header_timeout`` seconds; idle kept-alive connections close after
    5 seconds. With ``watch``, the first build's WebSub pings are sent once the
    server is listening, from a thread of their own.

    ``drafts`` and ``future`` preview held articles (``feedtool build -D -F``):
    ``out`` is built with them before serving (and on every change with
    ``watch``); such builds never ping the hub.
    """
    import uvicorn

    out = Path(out)
    watcher: Watcher | None = None
    first = None
    preview = drafts or future
    if watch or preview:
        flag = "--watch" if watch else "--drafts" if drafts else "--future"
        if seeds is None:
            raise FeedtoolError(
                f"{flag} needs the seeds folder", hint="pass --seeds PATH (default: seeds)"
            )
        if not seeds.is_dir():
            raise FeedtoolError(
                "seeds folder not found", path=seeds, hint=f"pass --seeds PATH ({flag} builds)"
            )
        if watch:
            watcher = Watcher(seeds, out, config_path, log, interval, drafts=drafts, future=future)
        first = rebuild(seeds, out, config_path, log, ping=False, drafts=drafts, future=future)
    if not out.is_dir():
        raise FeedtoolError(
            "output folder not found", path=out, hint="run `feedtool build` first, or use --watch"
        )
    raise_fd_limit()
    cap = connection_cap(max_connections)
    sock = _bind(host, port, backlog=min(2048, cap))
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    log(f"serving {out} at http://{shown}:{bound_port}/ (Ctrl-C to stop)")
    if host not in ("127.0.0.1", "localhost", "::1"):
        log(f"warning: listening on {host}, reachable from other machines")
    config = uvicorn.Config(
        make_app(out),
        http=guarded_protocol(cap, header_timeout),
        timeout_keep_alive=int(KEEP_ALIVE_TIMEOUT),
        log_level="warning",
        access_log=False,
        lifespan="off",
        server_header=False,
    )
    server = uvicorn.Server(config)
    if watcher is not None:
        watcher.start()
        log(f"watching {seeds}" + (f" and {config_path}" if config_path else ""))
        if first is not None and first.written and not preview:
            ping_later(first, config_path, log)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        # uvicorn re-raises the Ctrl-C it handled; stopping is the normal way out.
        log("stopped")
    finally:
        if watcher is not None:
            watcher.stop()
        sock.close()
