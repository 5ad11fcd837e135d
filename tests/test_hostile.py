"""Hostile input (issue 11): crafted files, careless editors, slow peers.

One test (or a few) per case of the issue this engineer owns — 3 symlinks,
hidden files, loops and deep folders; 4 large inputs; 5 control characters;
7 WebSub deadline; 8 server limits; 10 decoding, dates, base_url — each
checking that the build gives a clear ``file:line: what (fix: how)`` error or
warning, or safe output, and never a traceback or a lost article. Cases 1, 2,
6 and 9 (ids, state, crash consistency) are tested with the item store.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import errno
import json
import os
import shutil
import socket
import threading
import time
import warnings
from pathlib import Path

import feedparser
import pytest
from _servers import Server, feedtool_serve
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedtool import build, load_config
from feedtool.cli import main
from feedtool.config import Config
from feedtool.errors import ConfigError, FeedtoolError, FeedtoolWarning, ParseError
from feedtool.parse import parse_article
from feedtool.publish.websub import ping_hub

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_ae4195037769579a.txt"

ARTICLE = """Rail strike talks resume in London

Union leaders and train operators met again on Monday to try to end the dispute.

The talks, held at the offices of the conciliation service Acas, lasted six hours.

"We are making progress," said one negotiator, who asked not to be named.
"""
CAFE = """Café owners in Tehran protest new rules

The café owners of Tehran said on Monday that the new rules would hurt them.

Prices rose again, and the naïve plan of the ministry drew criticism.
"""


@pytest.fixture
def config() -> Config:
    return load_config(ROOT / "feedtool.toml")


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    (folder / "rail.txt").write_text(ARTICLE, "utf-8")
    return folder


def _titles(out: Path) -> list[str]:
    """Entry titles as a feed reader sees them (and the feed must be well formed)."""
    parsed = feedparser.parse((out / "atom.xml").read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return [entry.title for entry in parsed.entries]


def _front(**fields: str) -> str:
    lines = [f"{key} = {value}" for key, value in fields.items()]
    return "+++\n" + "\n".join(lines) + "\n+++\n"


# --------------------------------------------------------------------------- case 5


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("id", '"tag:news.example.org,2025:x\\u0001y"'),
        ("url", '"https://news.example.org/a\\u0001b.html"'),
        ("title", '"Rail strike \\u0007 talks"'),
        ("language", '"en\\u0001"'),
        ("url", '"https://news.example.org/\\uffff.html"'),
    ],
)
def test_control_character_in_front_matter_is_one_articles_error(
    seeds: Path, tmp_path: Path, config: Config, key: str, value: str
) -> None:
    bad = seeds / "bad.txt"
    bad.write_text(_front(**{key: value}) + CAFE, "utf-8")
    out = tmp_path / "out"
    report = build(seeds, out, config, ping=False)
    assert report.articles == 2  # the other articles are published
    (error,) = report.errors
    assert isinstance(error, ParseError)
    assert error.path == bad and error.line == 2
    assert "control character U+" in error.message and error.hint
    assert "Rail strike talks resume in London" in _titles(out)


def test_control_character_in_config_language_names_key_and_line(tmp_path: Path) -> None:
    path = tmp_path / "feedtool.toml"
    text = (ROOT / "feedtool.toml").read_text("utf-8")
    path.write_text(text.replace('language = "en"', 'language = "en\\u0001"'), "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("language"))
    assert caught.value.line == line
    assert "'language'" in caught.value.message and "U+0001" in caught.value.message


@pytest.mark.parametrize("key", ["title", "description"])
def test_control_character_in_any_config_text_is_refused(tmp_path: Path, key: str) -> None:
    path = tmp_path / "feedtool.toml"
    text = (ROOT / "feedtool.toml").read_text("utf-8")
    path.write_text(text.replace(f'{key} = "', f'{key} = "\\u001f', 1), "utf-8")
    with pytest.raises(ConfigError, match=f"key '{key}': contains the control character"):
        load_config(path)


def test_cli_build_with_control_character_prints_no_traceback(seeds: Path, tmp_path: Path) -> None:
    (seeds / "bad.txt").write_text(_front(id='"tag:x,2025:\\u0001"') + CAFE, "utf-8")
    result = CliRunner().invoke(
        main, ["build", str(seeds), "-o", str(tmp_path / "out"), "-c", str(ROOT / "feedtool.toml")]
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"error: {seeds / 'bad.txt'}:2: front matter 'id': contains the control" in (
        result.output
    )


# --------------------------------------------------------------------------- case 10


def _parse_warned(data: bytes, config: Config) -> tuple[object, list[FeedtoolWarning]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        item = parse_article(data, source_path="a.txt", config=config, path=Path("a.txt"))
    return item, [w.message for w in caught if isinstance(w.message, FeedtoolWarning)]


def test_mostly_utf8_file_stays_utf8_with_a_warning_naming_the_line(config: Config) -> None:
    data = CAFE.encode().replace(b"Prices rose", b"Prices \xe9rose")
    item, found = _parse_warned(data, config)
    assert item.headline == "Café owners in Tehran protest new rules"  # type: ignore[attr-defined]
    assert "\ufffdrose" in item.body[-1].text  # type: ignore[attr-defined]
    (warning,) = found
    assert warning.line == 5 and "invalid UTF-8" in warning.message and warning.hint
    assert str(warning).startswith("a.txt:5: ")


def test_windows_1252_file_is_still_read_as_such(config: Config) -> None:
    item, found = _parse_warned(CAFE.encode("cp1252"), config)
    assert item.headline == "Café owners in Tehran protest new rules"  # type: ignore[attr-defined]
    assert found == []


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize(
    "text",
    [
        CAFE,
        "خبر عاجل من طهران اليوم\n\nقال المسؤولون في طهران يوم الاثنين إن القواعد ستضر بالتجار.\n",
    ],
)
def test_utf16_without_bom_is_detected_and_named(config: Config, codec: str, text: str) -> None:
    item, found = _parse_warned(text.encode(codec), config)
    assert item.headline == text.split("\n")[0]  # type: ignore[attr-defined]
    (warning,) = found
    assert codec.upper() in warning.message and "byte order mark" in warning.message


def test_binary_with_nul_bytes_names_utf16_in_the_hint(config: Config) -> None:
    with pytest.raises(ParseError) as caught:
        parse_article(bytes(range(32)) * 20, source_path="a.txt", config=config)
    assert "not a text file" in caught.value.message
    assert caught.value.hint is not None and "UTF-16" in caught.value.hint


def test_decoding_warnings_reach_the_build_report_and_the_cli(seeds: Path, tmp_path: Path) -> None:
    (seeds / "cafe.txt").write_bytes(CAFE.encode().replace(b"Prices", b"Pri\xe9ces"))
    (seeds / "wide.txt").write_bytes(CAFE.replace("Tehran", "Karachi").encode("utf-16-le"))
    config = load_config(ROOT / "feedtool.toml")
    report = build(seeds, tmp_path / "out", config, ping=False)
    assert report.ok and report.articles == 4
    assert sorted((w.path.name, w.line) for w in report.warnings if w.path) == [
        ("cafe.txt", 5),
        ("wide.txt", None),
    ]
    # The next build takes both from the item store, and still says so.
    again = build(seeds, tmp_path / "out", config, ping=False)
    assert again.parsed == ()
    assert [str(w) for w in again.warnings] == [str(w) for w in report.warnings]
    result = CliRunner().invoke(
        main, ["build", str(seeds), "-o", str(tmp_path / "o2"), "-c", str(ROOT / "feedtool.toml")]
    )
    assert result.exit_code == 0, result.output
    assert f"warning: {seeds / 'cafe.txt'}:5: invalid UTF-8" in result.output
    assert "2 warnings" in result.output


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31T00:00:00Z", "1899-12-31", "2201-01-01"])
def test_dates_outside_1900_2200_are_refused_with_a_hint(config: Config, date: str) -> None:
    data = (_front(published=date) + ARTICLE).encode()
    with pytest.raises(ParseError) as caught:
        parse_article(data, source_path="a.txt", config=config)
    assert caught.value.line == 2 and "outside 1900–2200" in caught.value.message
    assert caught.value.hint


@pytest.mark.parametrize("date", ["1900-01-01", "2200-12-31T23:00:00+03:30"])
def test_dates_at_the_edges_of_the_range_are_kept(config: Config, date: str) -> None:
    item = parse_article(
        (_front(published=date) + ARTICLE).encode(), source_path="a", config=config
    )
    assert item.date_published is not None and item.date_published.year in (1900, 2200)


@pytest.mark.parametrize(
    "url",
    ["https://news.example.org/?lang=en", "https://news.example.org/#top", "https://u:p@x.org/"],
)
def test_base_url_with_query_fragment_or_password_is_refused(tmp_path: Path, url: str) -> None:
    path = tmp_path / "feedtool.toml"
    text = (ROOT / "feedtool.toml").read_text("utf-8")
    path.write_text(text.replace('base_url = "https://news.example.org/"', f'base_url = "{url}"'))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "base_url" in caught.value.message and caught.value.line == 4


# --------------------------------------------------------------------------- property


_HOSTILE_CHARS = st.characters(
    codec=None, categories=("L", "M", "N", "P", "S", "Z", "C"), exclude_characters=("\ud800",)
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(_HOSTILE_CHARS, max_size=400).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.binary(max_size=400),
        st.text(_HOSTILE_CHARS, max_size=200).map(
            lambda t: ("+++\nid = " + json.dumps(t) + "\n+++\n" + ARTICLE).encode(
                "utf-8", "surrogatepass"
            )
        ),
    )
)
def test_any_bytes_parse_or_raise_feedtool_error(data: bytes) -> None:
    config = load_config(ROOT / "feedtool.toml")
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        try:
            item = parse_article(data, source_path="a.txt", config=config)
        except FeedtoolError:
            return
    # What parses is safe to publish: no character XML cannot carry.
    text = item.model_dump_json()
    assert not any(
        ch in text for ch in ("\\u0000", "\\u0001", "\\u001f", "\\ufffe", "\\uffff", "\ufffe")
    )


# --------------------------------------------------------------------------- case 7


class _TricklingHub:
    """A hub on 127.0.0.1 that answers one byte at a time, never finishing in time.

    Each byte comes well within any per-read timeout, so only a deadline on the
    whole exchange ends the ping. ``hung_up`` is set when the client closes the
    connection while bytes are still coming.
    """

    def __init__(self, seconds: float = 60.0) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/hub"
        self.seconds = seconds
        self.hung_up = threading.Event()
        self.finished = threading.Event()
        self._closing = threading.Event()
        # Accepting with a timeout lets close() end a hub nobody connected to.
        self.server.settimeout(0.1)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
                break
            except TimeoutError:
                if self._closing.is_set():
                    return
            except OSError:
                return
        with conn:
            conn.settimeout(None)
            conn.recv(65536)
            reply = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100000
            stop = time.monotonic() + self.seconds
            for byte in reply:
                if self._closing.is_set():
                    return
                if time.monotonic() > stop:
                    break
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    self.hung_up.set()
                    return
                time.sleep(0.05)
        self.finished.set()

    def close(self) -> None:
        # Stop trickling and wait for the thread: a hub left running outlives its
        # test, and the next tests see a process with a stray thread in it
        # (Beside, for one, then declines to fork).
        self._closing.set()
        self.thread.join(30)
        self.server.close()
        assert not self.thread.is_alive(), "the trickling hub did not stop"


def test_trickling_hub_is_cut_off_at_the_deadline() -> None:
    hub = _TricklingHub()
    try:
        errors = ping_hub(hub.url, ["https://news.example.org/rss.xml", "https://x.org/a"], 1.0)
        # The ping gave up while the hub was still trickling, and hung up on it.
        assert not hub.finished.is_set()
        assert hub.hung_up.wait(30)
    finally:
        hub.close()
    assert "no complete answer within 1 s" in errors[0].message
    assert "1 more feed(s) not published" in errors[1].message


def test_build_with_trickling_hub_finishes_and_reports(seeds: Path, tmp_path: Path) -> None:
    hub = _TricklingHub()
    try:
        text = (ROOT / "feedtool.toml").read_text("utf-8")
        path = tmp_path / "feedtool.toml"
        path.write_text(text + f'\n[websub]\nhub = "{hub.url}"\ntimeout = 1.0\n', "utf-8")
        result = CliRunner().invoke(
            main, ["build", str(seeds), "-o", str(tmp_path / "out"), "-c", str(path)]
        )
        assert not hub.finished.is_set()
    finally:
        hub.close()
    assert result.exit_code == 0, result.output
    assert "warning: WebSub ping: WebSub hub" in result.output
    assert "no complete answer within 1 s" in result.output
    assert (tmp_path / "out" / "atom.xml").is_file()


def test_ping_from_a_running_event_loop_is_safe() -> None:
    hub = _TricklingHub()

    async def inside_a_server() -> list[str]:
        return ping_hub(hub.url, ["https://news.example.org/rss.xml"], 0.5)

    try:
        errors = asyncio.run(inside_a_server())
    finally:
        hub.close()
    assert "no complete answer within 0.5 s" in errors[0].message


# --------------------------------------------------------------------------- case 3


def _published(out: Path) -> str:
    """Every byte the build wrote, as text (for "does it appear anywhere" checks)."""
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace")
        for p in out.rglob("*")
        if p.is_file() and ".feedtool" not in p.parts
    )


def _warned(report: object) -> dict[str, str]:
    return {Path(w.path).name: w.message for w in report.warnings if w.path}  # type: ignore[attr-defined]


def test_links_leaving_the_seeds_folder_are_refused_and_named(
    seeds: Path, tmp_path: Path, config: Config
) -> None:
    outside = tmp_path / "private"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text(ARTICLE.replace("Rail strike", "Secret memo"), "utf-8")
    (seeds / "passwd.txt").symlink_to("/etc/passwd")
    (seeds / "memo.txt").symlink_to(secret)
    (seeds / "folder").symlink_to(outside, target_is_directory=True)
    (seeds / "relative.txt").symlink_to(Path("..") / "private" / "secret.txt")
    out = tmp_path / "out"
    report = build(seeds, out, config, ping=False)
    assert report.ok and report.articles == 2
    warned = _warned(report)
    for name in ("passwd.txt", "memo.txt", "folder", "relative.txt"):
        assert "outside the seeds folder: refused" in warned[name]
    text = _published(out)
    assert "root:" not in text and "Secret memo" not in text
    assert not (out / "tags" / "root").exists()
    titles = _titles(out)
    assert len(titles) == 2 and "Rail strike talks resume in London" in titles


def test_links_inside_the_seeds_folder_are_followed_once(
    seeds: Path, tmp_path: Path, config: Config
) -> None:
    hidden = seeds / ".drafts"
    hidden.mkdir()
    (hidden / "cafe.txt").write_text(CAFE, "utf-8")
    (seeds / "cafe.txt").symlink_to(Path(".drafts") / "cafe.txt")  # a hidden file, linked
    (seeds / "again.txt").symlink_to("rail.txt")  # an article published anyway
    (seeds / "sub").mkdir()
    (seeds / "sub" / "up").symlink_to("..", target_is_directory=True)  # a loop
    (seeds / "self.txt").symlink_to("self.txt")  # a loop of one
    (seeds / "gone.txt").symlink_to("nowhere.txt")  # broken
    out = tmp_path / "out"
    report = build(seeds, out, config, ping=False)
    assert report.ok and report.articles == 3
    assert "Café owners in Tehran protest new rules" in _titles(out)
    warned = _warned(report)
    assert "published under its own name" in warned["again.txt"]
    assert "loop" in warned["up"] and "loop" in warned["self.txt"]
    assert "skipped" in warned["gone.txt"]
    assert "hidden folder" in warned[".drafts"]


def test_hidden_articles_are_named_not_skipped_silently(
    seeds: Path, tmp_path: Path, config: Config
) -> None:
    (seeds / ".draft.txt").write_text(CAFE, "utf-8")
    (seeds / ".DS_Store").write_bytes(b"\x00\x01")
    (seeds / ".git").mkdir()
    report = build(seeds, tmp_path / "out", config, ping=False)
    assert report.articles == 2
    ((path, line, message),) = [(w.path, w.line, w.message) for w in report.warnings]
    assert path == seeds / ".draft.txt" and "hidden file" in message and line is None
    result = CliRunner().invoke(
        main, ["build", str(seeds), "-o", str(tmp_path / "o2"), "-c", str(ROOT / "feedtool.toml")]
    )
    assert f"warning: {seeds / '.draft.txt'}: hidden file" in result.output


def _remove_tree(top: Path) -> None:
    """rmtree without recursion (Python 3.11's recurses once per folder level)."""
    for directory, dirnames, filenames in _walk_bottom_up(top):
        for name in filenames:
            (directory / name).unlink()
        for name in dirnames:
            (directory / name).rmdir()
    top.rmdir()


def _walk_bottom_up(top: Path) -> list[tuple[Path, list[str], list[str]]]:
    order, stack = [], [top]
    while stack:
        folder = stack.pop()
        entries = list(os.scandir(folder))
        dirs = [e.name for e in entries if e.is_dir(follow_symlinks=False)]
        order.append((folder, dirs, [e.name for e in entries if e.name not in dirs]))
        stack.extend(folder / d for d in dirs)
    return order[::-1]


def test_deeply_nested_folders_build_without_recursion_error(
    seeds: Path, tmp_path: Path, config: Config
) -> None:
    deep = seeds
    for _ in range(1500):  # (os.makedirs recurses once per level)
        deep = deep / "d"
        deep.mkdir()
    (deep / "cafe.txt").write_text(CAFE, "utf-8")
    try:
        report = build(seeds, tmp_path / "out", config, ping=False)
        assert report.ok and report.articles == 3
        assert "Café owners in Tehran protest new rules" in _titles(tmp_path / "out")
    finally:
        _remove_tree(seeds / "d")


# --------------------------------------------------------------------------- case 8


_LOW_FD_LIMIT = "import resource; resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))"


@pytest.fixture
def site(tmp_path: Path, seeds: Path, config: Config) -> Path:
    out = tmp_path / "site"
    build(seeds, out, config, ping=False)
    return out


def _connect(server: Server) -> socket.socket:
    return socket.create_connection((server.host, server.port), timeout=30)


def _closed_by_peer(sock: socket.socket, timeout: float = 30.0) -> bool:
    """Whether the server closed ``sock`` (EOF or reset) within ``timeout``."""
    sock.settimeout(timeout)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False


def test_idle_connections_beyond_the_fd_limit_do_not_lock_out_clients(site: Path) -> None:
    with feedtool_serve(site, prelude=_LOW_FD_LIMIT) as server:
        # More idle connections than the server has descriptors (256).
        idle = []
        for _ in range(300):
            try:
                idle.append(_connect(server))
            except OSError:
                break
        try:
            status, _headers, body = server.request("GET", "/index.html")
            assert status == 200 and b"<html" in body
            # The server made room by closing the longest-idle connections.
            assert _closed_by_peer(idle[0])
            status, _headers, _body = server.request("GET", "/atom.xml")
            assert status == 200
        finally:
            for sock in idle:
                sock.close()
        assert server.process.poll() is None


def test_a_client_trickling_its_headers_is_cut_off(site: Path) -> None:
    with feedtool_serve(site, "--header-timeout", "1") as server:
        slow = _connect(server)
        silent = _connect(server)
        try:
            slow.sendall(b"GET /index.html HTTP/1.1\r\n")
            cut_off = False
            for byte in b"Host: 127.0.0.1\r\nX-Slow: " + b"a" * 600:
                try:
                    slow.sendall(bytes([byte]))
                except OSError:
                    cut_off = True
                    break
                time.sleep(0.05)  # 30 s of trickle in all: far beyond the deadline
            assert cut_off or _closed_by_peer(slow, timeout=0.1)
            assert _closed_by_peer(silent)  # a connection that says nothing
            assert server.request("GET", "/index.html")[0] == 200
        finally:
            slow.close()
            silent.close()


def test_big_files_are_served_off_the_event_loop(site: Path) -> None:
    big = site / "big.json"
    line = json.dumps({"text": "Officials weigh new trade rules as costs rise " * 20}) + "\n"
    big.write_text("[" + ",".join([line] * 36_000) + "]", "utf-8")
    size = big.stat().st_size
    assert size > 32_000_000
    with feedtool_serve(site) as server:
        status, headers, body = server.request("HEAD", "/big.json")
        assert status == 200 and body == b"" and int(headers["content-length"]) == size
        etag = headers["etag"]
        assert etag.startswith('"') and not etag.startswith("W/")
        assert server.request("GET", "/big.json", {"If-None-Match": etag})[0] == 304
        # Eight readers that ask for gzip and then read nothing: the server must
        # still answer a small page at once, while they are all unfinished.
        readers = []
        for _ in range(8):
            sock = _connect(server)
            sock.sendall(b"GET /big.json HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
            readers.append(sock)
        try:
            status, _headers, body = server.request("GET", "/index.html")
            assert status == 200 and b"<html" in body
            first = readers[0]
            first.settimeout(30)
            head = first.recv(65536)
            assert head.startswith(b"HTTP/1.1 200") and f"content-length: {size}".encode() in (
                head.lower()
            )
            # A whole big file, checked against the bytes on disk.
            status, headers, body = server.request("GET", "/big.json", {"Accept-Encoding": "gzip"})
            assert status == 200 and body == big.read_bytes() and headers["etag"] == etag
        finally:
            for sock in readers:
                sock.close()
        assert server.process.poll() is None


def test_serve_watch_listens_before_the_first_ping_ends(tmp_path: Path, seeds: Path) -> None:
    hub = _TricklingHub(seconds=120)
    try:
        text = (ROOT / "feedtool.toml").read_text("utf-8")
        path = tmp_path / "feedtool.toml"
        path.write_text(text + f'\n[websub]\nhub = "{hub.url}"\ntimeout = 60.0\n', "utf-8")
        out = tmp_path / "site"
        with feedtool_serve(out, "--watch", "--seeds", str(seeds), "-c", str(path)) as server:
            status, _headers, body = server.request("GET", "/index.html")
            assert status == 200 and b"<html" in body
            # Answered while the hub is still trickling its first answer.
            assert not hub.finished.is_set()
    finally:
        hub.close()


# --------------------------------------------------------------------------- case 4


def _long_article(size: int) -> str:
    """A long one-line article naming a new person in every sentence (many tags)."""
    syllables = ["ka", "ri", "mo", "sa", "len", "dor", "vi", "tan", "bel", "ru"]
    sentences, total, n = [], 0, 0
    while total < size:
        first = "".join(syllables[(n // 10**k) % 10] for k in range(3)).capitalize()
        last = "".join(syllables[(n // 10**k + 3) % 10] for k in range(4)).capitalize()
        sentence = (
            f"Mr {first} {last} said the trade talks in Tehran and Karachi would resume"
            f" after officials met on Monday."
        )
        sentences.append(sentence)
        total += len(sentence) + 1
        n += 1
    return "Trade talks resume after weeks of protests\n\n" + " ".join(sentences) + "\n"


def _size(folder: Path) -> int:
    return sum(
        p.stat().st_size for p in folder.rglob("*") if p.is_file() and ".feedtool" not in p.parts
    )


def test_large_article_output_stays_proportional(
    seeds: Path, tmp_path: Path, config: Config
) -> None:
    text = _long_article(250_000)
    out = tmp_path / "out"
    build(seeds, out, config, ping=False)
    before = _size(out)
    (seeds / "long.txt").write_text(text, "utf-8")
    report = build(seeds, out, config, ping=False)
    assert report.ok and report.articles == 3
    (capped,) = [w for w in report.warnings if "tags inferred" in w.message]
    assert capped.path == seeds / "long.txt" and "max_tags" in (capped.hint or "")
    # Three formats of main feeds, the page (twice: text and JSON-LD), JSON-LD
    # and ninjs (twice: HTML and text) carry the body; the tag feeds
    # (feeds_min_items = 1: every tag has its own) and pages do not.
    assert _size(out) - before < 12 * len(text.encode())
    tag_feeds = [p for p in out.glob("tags/*/atom.xml") if b"Trade talks resume" in p.read_bytes()]
    assert 0 < len(tag_feeds) <= config.limits.max_tags
    parsed = feedparser.parse(tag_feeds[0].read_bytes())
    assert parsed.bozo == 0
    (entry,) = [e for e in parsed.entries if e.title.startswith("Trade talks")]
    # Tag feeds carry summaries ([tags] feed_content = "summary").
    assert "content" not in entry and 0 < len(entry.summary) < 2_000
    # Author feeds carry bodies up to [limits] feed_body_bytes: beyond, a summary and a link.
    author_feeds = [
        p for p in out.glob("authors/*/atom.xml") if b"Trade talks resume" in p.read_bytes()
    ]
    assert author_feeds
    (entry,) = [
        e
        for e in feedparser.parse(author_feeds[0].read_bytes()).entries
        if e.title.startswith("Trade talks")
    ]
    assert "Read the full article" in entry.content[0].value
    assert len(entry.content[0].value) < 2_000
    main_entry = next(
        e
        for e in feedparser.parse((out / "atom.xml").read_bytes()).entries
        if e.title.startswith("Trade")
    )
    assert len(main_entry.content[0].value) > 200_000


def test_article_over_the_size_cap_is_one_error(seeds: Path, tmp_path: Path) -> None:
    path = tmp_path / "feedtool.toml"
    text = (ROOT / "feedtool.toml").read_text("utf-8")
    path.write_text(text + "\n[limits]\nmax_article_bytes = 50000\n", "utf-8")
    config = load_config(path)
    (seeds / "huge.txt").write_text(_long_article(60_000), "utf-8")
    report = build(seeds, tmp_path / "out", config, ping=False)
    assert report.articles == 2
    (error,) = report.errors
    assert error.path == seeds / "huge.txt" and "over the limit of 50,000" in error.message
    assert error.hint is not None and "max_article_bytes" in error.hint


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(_HOSTILE_CHARS, min_size=1, max_size=120),
    st.text(_HOSTILE_CHARS, min_size=1, max_size=600),
)
def test_hostile_text_parses_into_feeds_readers_accept(headline: str, body: str) -> None:
    """Any text that parses renders into feeds that parse (no traceback in between)."""
    from feedtool.enrich import enrich_item
    from feedtool.render import Channel, Site, render_site

    config = load_config(ROOT / "feedtool.toml")
    data = f"{headline}\n\n{body}\n\nThe talks in Tehran lasted six hours on Monday.\n"
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        try:
            item = enrich_item(
                parse_article(
                    data.encode("utf-8", "surrogatepass"), source_path="a.txt", config=config
                ),
                config,
            )
        except FeedtoolError:
            return
    item = item.model_copy(
        update={
            "id": "tag:news.example.org,2025-11-01:a",
            "date_published": dt.datetime(2025, 11, 1, 9, 0, tzinfo=dt.UTC),
        }
    )
    site = Site(
        config=config,
        items=(item,),
        tag_channels=(Channel(prefix="tags/x/", title="x", description="x", items=(item,)),),
    )
    outputs = dict(render_site(site, ("rss", "atom", "jsonfeed", "jsonld")))
    for path in ("rss.xml", "atom.xml", "tags/x/atom.xml"):
        parsed = feedparser.parse(outputs[path])
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        assert len(parsed.entries) == 1
    assert json.loads(outputs["feed.json"])["items"][0]["id"] == item.id


def test_clients_hanging_up_on_big_files_leak_no_descriptors(site: Path) -> None:
    big = site / "big.json"
    big.write_bytes(b"[" + b'"x",' * 2_000_000 + b'"x"]')
    with feedtool_serve(site, prelude=_LOW_FD_LIMIT) as server:
        for _ in range(400):  # more than the 256 descriptors the server has
            sock = _connect(server)
            sock.sendall(b"GET /big.json HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.close()
        # The server notices the hang-ups as its loop gets to them: until then it
        # may be short of descriptors, which must read as 503 (try again), never
        # as 404 (gone); or, while every connection it holds is still busy
        # writing, it is at its connection cap and refuses ours outright (a reset:
        # the documented way of serve/_limits.py, also "try again"). Once it has
        # caught up, every descriptor is back.
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _headers, body = server.request("GET", "/big.json")
            except ConnectionResetError:
                status, body = 0, b""  # refused at the cap
            assert status in (0, 200, 503)
            if status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert status == 200 and body == big.read_bytes()
        assert server.request("GET", "/index.html")[0] == 200


def test_show_prints_decoding_warnings(tmp_path: Path) -> None:
    path = tmp_path / "cafe.txt"
    path.write_bytes(CAFE.encode().replace(b"Prices", b"Pri\xe9ces"))
    result = CliRunner().invoke(
        main, ["show", str(path), "-c", str(ROOT / "feedtool.toml"), "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    assert f"warning: {path}:5: invalid UTF-8" in result.output
    assert "Traceback" not in result.output


def test_out_of_descriptors_is_503_not_404(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from starlette.testclient import TestClient

    from feedtool.serve import _app

    real_open = os.open

    def exhausted(path: str | os.PathLike[str], flags: int, *args: int) -> int:
        if str(path).endswith("index.html"):
            raise OSError(errno.EMFILE, "Too many open files")
        return real_open(path, flags, *args)

    monkeypatch.setattr(_app.os, "open", exhausted)
    with TestClient(_app.make_app(site)) as client:
        response = client.get("/index.html")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"


def test_replacement_character_in_valid_utf8_is_named_with_its_line(config: Config) -> None:
    # A file decoded wrongly upstream and saved again as UTF-8: the pound sign is gone.
    data = CAFE.replace("Prices rose", "Prices rose by \ufffd15m").encode()
    item, found = _parse_warned(data, config)
    assert "\ufffd15m" in item.body[-1].text  # type: ignore[attr-defined]
    (warning,) = found
    assert warning.line == 5 and "U+FFFD" in warning.message and "retype" in warning.hint
    assert str(warning).startswith("a.txt:5: ")
