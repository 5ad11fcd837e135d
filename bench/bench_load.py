"""Requests per second of ``feedtool serve`` under 200 concurrent clients, with errors.

    python bench/bench_load.py [--clients 200] [--seconds 10] [--tool wrk|ab]

Builds the example seeds into a temporary folder, starts ``feedtool serve`` on
127.0.0.1 (a free port) in a subprocess, and loads it with ``wrk`` (or ``ab``,
both from Debian) for each of a few paths: a feed, the home page, an article
page with ``Accept-Encoding: gzip``, and a conditional GET answered ``304``.
Prints requests per second, latency and the error counts; exits 1 if any
request failed. Only loopback traffic. The machine is shared and noisy:
compare paths within one run rather than across runs.
"""

from __future__ import annotations

import argparse
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_up(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("feedtool serve did not start")


def _etag(port: int, path: str) -> str:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("HEAD", path)
    etag = connection.getresponse().getheader("ETag") or ""
    connection.close()
    return etag


def _wrk(url: str, clients: int, seconds: int, headers: list[str]) -> dict[str, str]:
    command = ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "req/s": re.search(r"Requests/sec:\s+([\d.]+)", out).group(1),  # type: ignore[union-attr]
        "p50": re.search(r"50%\s+(\S+)", out).group(1),  # type: ignore[union-attr]
        "p99": re.search(r"99%\s+(\S+)", out).group(1),  # type: ignore[union-attr]
        "requests": re.search(r"(\d+) requests in", out).group(1),  # type: ignore[union-attr]
        "errors": str(
            (sum(int(n) for n in errors.groups()) if errors else 0)
            + (int(non2xx.group(1)) if non2xx else 0)
        ),
    }


def _ab(url: str, clients: int, seconds: int, headers: list[str]) -> dict[str, str]:
    command = ["ab", "-q", "-k", "-c", str(clients), "-t", str(seconds), "-n", "10000000"]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    failed = int(re.search(r"Failed requests:\s+(\d+)", out).group(1))  # type: ignore[union-attr]
    # ab counts a 304 as "non-2xx": for a conditional GET that is the answer expected.
    conditional = any(h.lower().startswith("if-none-match") for h in headers)
    non2xx = None if conditional else re.search(r"Non-2xx responses:\s+(\d+)", out)
    return {
        "req/s": re.search(r"Requests per second:\s+([\d.]+)", out).group(1),  # type: ignore[union-attr]
        "p50": re.search(r"\s50%\s+(\d+)", out).group(1) + "ms",  # type: ignore[union-attr]
        "p99": re.search(r"\s99%\s+(\d+)", out).group(1) + "ms",  # type: ignore[union-attr]
        "requests": re.search(r"Complete requests:\s+(\d+)", out).group(1),  # type: ignore[union-attr]
        "errors": str(failed + (int(non2xx.group(1)) if non2xx else 0)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--tool", choices=["wrk", "ab"], default=None)
    args = parser.parse_args()
    tool = args.tool or ("wrk" if shutil.which("wrk") else "ab" if shutil.which("ab") else None)
    if tool is None or not shutil.which(tool):
        print("skipped: neither wrk nor ab is installed (apt-get install wrk apache2-utils)")
        return 0
    load = _wrk if tool == "wrk" else _ab
    with tempfile.TemporaryDirectory() as temp:
        out = Path(temp) / "feeds"
        subprocess.run(
            [sys.executable, "-c", "from feedtool.cli import main; main()", "build",
             str(ROOT / "seeds"), "-o", str(out),
             "-c", str(ROOT / "feedtool.toml"), "--no-ping", "--quiet"],
            check=False,
        )  # fmt: skip
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-c", "from feedtool.cli import main; main()", "serve", str(out),
             "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        failed = False
        try:
            _wait_up(port)
            article = next(out.glob("articles/*.html")).relative_to(out).as_posix()
            base = f"http://127.0.0.1:{port}/"
            cases = [
                ("/atom.xml", []),
                ("/index.html", []),
                (f"/{article} (gzip)", ["Accept-Encoding: gzip"]),
                ("/rss.xml (304)", [f"If-None-Match: {_etag(port, '/rss.xml')}"]),
            ]
            print(f"{tool}, {args.clients} clients, {args.seconds} s per path, 127.0.0.1")
            print(f"{'path':48s} {'req/s':>9s} {'p50':>9s} {'p99':>9s} {'requests':>9s} errors")
            for label, headers in cases:
                path = label.split(" ")[0]
                result = load(base + path.lstrip("/"), args.clients, args.seconds, headers)
                failed |= result["errors"] != "0"
                print(
                    f"{label:48s} {result['req/s']:>9s} {result['p50']:>9s} {result['p99']:>9s}"
                    f" {result['requests']:>9s} {result['errors']}"
                )
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
