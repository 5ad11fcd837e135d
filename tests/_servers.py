"""Test helpers: a real ``feedtool serve`` in a subprocess, a tiny WebSub hub in a
thread, and a temporary site built from the seeds, all on 127.0.0.1.

Every server binds port 0 or a port just found free, and is stopped by its
context manager, so tests can run side by side.
"""

from __future__ import annotations

import http.client
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
STARTUP_TIMEOUT = 60.0


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for configs that must name it in advance)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(path: Path, base_url: str, hub: str | None = None, **extra: str) -> Path:
    """A feedtool.toml like the example one, for ``base_url``."""
    lines = [
        'title = "Regional Desk"',
        'description = "News on Iran, Pakistan and the region."',
        f'base_url = "{base_url}"',
        'language = "en"',
        'timezone = "Asia/Tehran"',
        *(f"{key} = {value}" for key, value in extra.items()),
        "",
        "[publisher]",
        'name = "Regional Desk"',
        f'url = "{base_url}"',
        "",
        "[author]",
        'name = "Regional Desk staff"',
        'kind = "Organization"',
    ]
    # One article only: give every tag its feed, as the example config does.
    lines += ["", "[tags]", "feeds_min_items = 1"]
    if hub is not None:
        lines += ["", "[websub]", f'hub = "{hub}"', "timeout = 2.0"]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def copy_seeds(target: Path) -> Path:
    """A copy of the project's seeds folder (tests edit articles in it)."""
    shutil.copytree(SEEDS, target)
    return target


# --------------------------------------------------------------------------- feedtool serve


@dataclass
class Server:
    """A running ``feedtool serve``: its base URL and everything it printed."""

    url: str
    host: str
    port: int
    process: subprocess.Popen[str]
    lines: queue.Queue[str] = field(default_factory=queue.Queue)

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """Send ``path`` exactly as given (no normalisation of '..' or '%2e')."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.putrequest(method, path, skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            body = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            connection.close()

    def wait_for_line(self, needle: str, timeout: float = 60.0) -> str:
        """The next printed line containing ``needle`` (e.g. the line of a rebuild)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"feedtool serve printed no line with {needle!r}")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if needle in line:
                return line


def _pump(stream: object, lines: queue.Queue[str]) -> None:
    for line in iter(stream.readline, ""):  # type: ignore[attr-defined]
        lines.put(line.rstrip("\n"))


@contextmanager
def feedtool_serve(
    out: Path,
    *args: str,
    port: int = 0,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    prelude: str = "",
) -> Iterator[Server]:
    """Run ``feedtool serve OUT --port PORT ARGS…`` until the block ends.

    ``prelude`` is Python run first in the server's process (e.g. lowering a limit).
    """
    command = [
        sys.executable,
        "-c",
        f"{prelude}\nfrom feedtool.cli import main; main()",
        "serve",
        str(out),
        # No --host: the default must be loopback (test_serve checks the URL printed).
        "--port",
        str(port),
        *args,
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        printed: list[str] = []
        url = None
        while url is None:
            if time.monotonic() > deadline or process.poll() is not None:
                time.sleep(0.2)
                while not lines.empty():
                    printed.append(lines.get())
                raise RuntimeError("feedtool serve did not start:\n" + "\n".join(printed))
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                continue
            printed.append(line)
            if line.startswith("serving ") and " at http://" in line:
                url = line.split(" at ", 1)[1].split(" ", 1)[0]
        host_port = url.removeprefix("http://").rstrip("/")
        host, _, port_text = host_port.rpartition(":")
        server = Server(url=url, host=host, port=int(port_text), process=process, lines=lines)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
        if process.stdout is not None:
            process.stdout.close()


# --------------------------------------------------------------------------- a WebSub hub


@dataclass
class Hub:
    """A hub that records every POST body (as parsed form fields) and answers ``status``."""

    url: str
    posts: list[dict[str, list[str]]]
    status: int = 204

    def published(self) -> list[str]:
        """The ``hub.url`` of every ``hub.mode=publish`` request, in order."""
        return [
            url
            for post in self.posts
            if post.get("hub.mode") == ["publish"]
            for url in post.get("hub.url", [])
        ]


@contextmanager
def websub_hub(status: int = 204) -> Iterator[Hub]:
    """A hub on 127.0.0.1 in a thread, stopped when the block ends."""
    hub = Hub(url="", posts=[], status=status)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode("utf-8")
            with lock:
                hub.posts.append(
                    {"_content_type": [self.headers.get("Content-Type", "")], **parse_qs(body)}
                )
            self.send_response(hub.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hub.url = f"http://127.0.0.1:{server.server_address[1]}/hub"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hub
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def unused_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused at once)."""
    return f"http://127.0.0.1:{free_port()}/hub"
