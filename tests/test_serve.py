"""``feedtool serve``: media types, validators, conditional GET, gzip, HEAD, and no
way out of the output folder.

Most checks run the ASGI app in-process (Starlette's TestClient); the path
traversal checks run against a real ``feedtool serve`` subprocess with raw
``http.client`` requests, since an HTTP client library would normalise ``..``
before sending it.
"""

from __future__ import annotations

import gzip
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from _servers import Server, feedtool_serve

from feedtool.serve import make_app, media_type

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

RSS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
    + (b"<item><title>An item</title></item>" * 40)
    + b"</channel></rss>\n"
)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An output folder as a build leaves it, plus a secret beside it and hostile symlinks."""
    out = tmp_path / "feeds"
    (out / "articles").mkdir(parents=True)
    (out / "tags" / "pakistan").mkdir(parents=True)
    (out / "rss.xml").write_bytes(RSS)
    (out / "atom.xml").write_bytes(b'<feed xmlns="http://www.w3.org/2005/Atom"/>\n')
    (out / "feed.json").write_bytes(b'{"version": "https://jsonfeed.org/version/1.1"}\n')
    (out / "index.html").write_bytes(b"<!doctype html><title>Home</title>\n" * 20)
    (out / "sitemap.xml").write_bytes(b"<urlset/>\n")
    (out / "sitemap-news.xml").write_bytes(b"<urlset/>\n")
    (out / "feeds.opml").write_bytes(b'<opml version="2.0"/>\n')
    (out / "articles" / "a.html").write_bytes(b"<!doctype html><p>A</p>\n")
    (out / "articles" / "a.jsonld").write_bytes(b'{"@type": "NewsArticle"}\n')
    (out / "articles" / "a.ninjs.json").write_bytes(b'{"uri": "tag:x,2025:a"}\n')
    (out / "tags" / "pakistan" / "rss.xml").write_bytes(RSS)
    (out / "tags" / "pakistan" / "index.html").write_bytes(b"<p>Pakistan</p>\n")
    (out / ".feedtool-state.json").write_bytes(b'{"secret": "state"}\n')
    (tmp_path / "secret.txt").write_bytes(b"TOP SECRET\n")
    os.symlink(tmp_path / "secret.txt", out / "leak.txt")
    os.symlink(tmp_path, out / "parent")
    os.symlink(".feedtool-state.json", out / "state.json")
    os.symlink("rss.xml", out / "alias.xml")  # inside the folder: allowed
    return out


@pytest.fixture
def client(site: Path) -> Iterator[TestClient]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with TestClient(make_app(site)) as test_client:
            yield test_client


# --------------------------------------------------------------------------- media types


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/rss.xml", "application/rss+xml; charset=utf-8"),
        ("/atom.xml", "application/atom+xml; charset=utf-8"),
        ("/feed.json", "application/feed+json; charset=utf-8"),
        ("/tags/pakistan/rss.xml", "application/rss+xml; charset=utf-8"),
        ("/articles/a.html", "text/html; charset=utf-8"),
        ("/articles/a.jsonld", "application/ld+json"),
        ("/articles/a.ninjs.json", "application/json"),
        ("/sitemap.xml", "application/xml"),
        ("/sitemap-news.xml", "application/xml"),
        ("/feeds.opml", "text/x-opml; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
    ],
)
def test_media_types(client: TestClient, path: str, expected: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == expected
    assert response.headers["x-content-type-options"] == "nosniff"


def test_media_type_of_unknown_files_is_never_sniffed_as_html() -> None:
    assert media_type("notes.unknown") == "application/octet-stream"


def test_directory_index_and_redirect(client: TestClient, site: Path) -> None:
    assert client.get("/").content == (site / "index.html").read_bytes()
    assert client.get("/tags/pakistan/").content == b"<p>Pakistan</p>\n"
    bare = client.get("/tags/pakistan", follow_redirects=False)
    assert bare.status_code == 301 and bare.headers["location"] == "/tags/pakistan/"
    # A directory without index.html is not listed.
    assert client.get("/articles/").status_code == 404


def test_cache_control(client: TestClient) -> None:
    assert client.get("/rss.xml").headers["cache-control"] == "public, max-age=300"
    assert client.get("/index.html").headers["cache-control"] == "public, max-age=60"


# --------------------------------------------------------------------------- validators


def test_strong_etag_and_last_modified(client: TestClient, site: Path) -> None:
    response = client.get("/rss.xml", headers={"Accept-Encoding": "identity"})
    etag = response.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert response.headers["last-modified"].endswith(" GMT")
    # Same bytes in another file, same ETag: it is a hash of the content.
    alias = client.get("/tags/pakistan/rss.xml", headers={"Accept-Encoding": "identity"})
    assert alias.headers["etag"] == etag
    assert client.get("/atom.xml").headers["etag"] != etag


def test_if_none_match_gives_304(client: TestClient) -> None:
    etag = client.get("/rss.xml").headers["etag"]
    response = client.get("/rss.xml", headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.content == b""
    assert response.headers["etag"] == etag
    weak = client.get("/rss.xml", headers={"If-None-Match": f'"other", W/{etag}'})
    assert weak.status_code == 304
    assert client.get("/rss.xml", headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get("/rss.xml", headers={"If-None-Match": "*"}).status_code == 304


def test_if_modified_since(client: TestClient, site: Path) -> None:
    last_modified = client.get("/rss.xml").headers["last-modified"]
    assert client.get("/rss.xml", headers={"If-Modified-Since": last_modified}).status_code == 304
    early = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get("/rss.xml", headers={"If-Modified-Since": early}).status_code == 200
    assert client.get("/rss.xml", headers={"If-Modified-Since": "garbage"}).status_code == 200


def test_if_none_match_takes_precedence(client: TestClient) -> None:
    last_modified = client.get("/rss.xml").headers["last-modified"]
    response = client.get(
        "/rss.xml", headers={"If-None-Match": '"stale"', "If-Modified-Since": last_modified}
    )
    assert response.status_code == 200


def test_changed_file_gets_a_new_etag(client: TestClient, site: Path) -> None:
    before = client.get("/atom.xml").headers["etag"]
    (site / "atom.xml").write_bytes(b'<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id></feed>')
    response = client.get("/atom.xml", headers={"If-None-Match": before})
    assert response.status_code == 200 and response.headers["etag"] != before
    assert b"<id>x</id>" in response.content


# --------------------------------------------------------------------------- gzip and HEAD


def test_gzip_when_asked(client: TestClient) -> None:
    zipped = client.get("/rss.xml", headers={"Accept-Encoding": "gzip"})
    plain = client.get("/rss.xml", headers={"Accept-Encoding": "identity"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert zipped.headers["vary"] == plain.headers["vary"] == "Accept-Encoding"
    assert int(zipped.headers["content-length"]) < len(RSS)
    # httpx decodes the body: the decompressed bytes are the file's.
    assert zipped.content == plain.content == RSS
    # Two representations, two strong ETags; either one revalidates.
    assert zipped.headers["etag"] != plain.headers["etag"]
    again = client.get(
        "/rss.xml", headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["etag"]}
    )
    assert again.status_code == 304
    refused = client.get("/rss.xml", headers={"Accept-Encoding": "gzip;q=0, br"})
    assert "content-encoding" not in refused.headers


def test_gzip_bytes_on_the_wire(site: Path) -> None:
    with feedtool_serve(site) as server:
        status, headers, body = server.request("GET", "/rss.xml", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert int(headers["content-length"]) == len(body)
    assert gzip.decompress(body) == RSS


def test_head(client: TestClient) -> None:
    get = client.get("/rss.xml", headers={"Accept-Encoding": "identity"})
    head = client.head("/rss.xml", headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    for name in ("content-type", "content-length", "etag", "last-modified"):
        assert head.headers[name] == get.headers[name]


def test_only_get_and_head(client: TestClient) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = client.request(method, "/rss.xml")
        assert response.status_code == 405
        assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


# --------------------------------------------------------------------------- confinement


def test_dotfiles_and_outside_symlinks_are_hidden(client: TestClient) -> None:
    for path in ("/.feedtool-state.json", "/leak.txt", "/parent/secret.txt", "/state.json"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"secret" not in response.content.lower()
    assert client.get("/alias.xml").content == RSS


TRAVERSALS = [
    "/../secret.txt",
    "/articles/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/secret.txt",
    "/.%2e/secret.txt",
    "/..%2fsecret.txt",
    "/%2e%2e%2fsecret.txt",
    "/articles%2f..%2f..%2fsecret.txt",
    "/..\\secret.txt",
    "/..%5csecret.txt",
    "/%5c..%5csecret.txt",
    "//etc/passwd",
    "/%2fetc%2fpasswd",
    "/rss.xml%00.html",
    "/%00",
    "/.feedtool-state.json",
    "/%2efeedtool-state.json",
    "/articles/../.feedtool-state.json",
    "/./rss.xml/../../secret.txt",
    "/parent/secret.txt",
    "/leak.txt",
    "/state.json",
    "/C:/Windows/win.ini",
    "/%c0%ae%c0%ae/secret.txt",  # overlong UTF-8 for '..'
    "/rss.xml/",
]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("live")
    out = base / "feeds"
    out.mkdir()
    (out / "rss.xml").write_bytes(RSS)
    (out / "index.html").write_bytes(b"<p>home</p>\n")
    (out / ".feedtool-state.json").write_bytes(b'{"secret": "state"}\n')
    (base / "secret.txt").write_bytes(b"TOP SECRET\n")
    os.symlink(base / "secret.txt", out / "leak.txt")
    os.symlink(base, out / "parent")
    os.symlink(".feedtool-state.json", out / "state.json")
    with feedtool_serve(out) as server:
        yield server


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_way_out_of_the_folder(live: Server, path: str) -> None:
    for method in ("GET", "HEAD"):
        status, _headers, body = live.request(method, path)
        assert status == 404, (method, path, status)
        assert b"SECRET" not in body and b"secret" not in body


def test_live_server_serves_and_revalidates(live: Server) -> None:
    status, headers, body = live.request("GET", "/rss.xml")
    assert status == 200 and body == RSS
    assert headers["content-type"] == "application/rss+xml; charset=utf-8"
    status, _, body = live.request("GET", "/rss.xml", {"If-None-Match": headers["etag"]})
    assert status == 304 and body == b""
    status, head_headers, body = live.request("HEAD", "/rss.xml")
    assert status == 200 and body == b"" and head_headers["content-length"] == str(len(RSS))
    assert live.request("GET", "/")[2] == b"<p>home</p>\n"
    # The query string is not part of the path.
    assert live.request("GET", "/rss.xml?utm_source=x")[0] == 200


def test_binds_loopback_by_default(live: Server) -> None:
    assert live.host == "127.0.0.1"


def test_missing_output_folder_is_a_clear_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "from feedtool.cli import main; main()", "serve", "nope"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "output folder not found" in result.stderr and "feedtool build" in result.stderr


def test_watch_reports_a_broken_config_and_recovers(tmp_path: Path) -> None:
    """A rebuild that fails is printed and the server keeps serving the last good build."""
    from _servers import copy_seeds, write_config

    from feedtool.config import load_config
    from feedtool.publish import build

    config_path = write_config(tmp_path / "feedtool.toml", "http://127.0.0.1:8000/")
    seeds = copy_seeds(tmp_path / "seeds")
    out = tmp_path / "feeds"
    build(seeds, out, load_config(config_path), ping=False)
    good = config_path.read_text("utf-8")
    args = ("--watch", "--seeds", str(seeds), "-c", str(config_path))
    with feedtool_serve(out, *args, cwd=tmp_path) as server:
        config_path.write_text(good.replace("base_url", "base_ur1"), "utf-8")
        line = server.wait_for_line("build")
        assert "build failed" in line and "base_url" in line and "feedtool.toml" in line
        assert server.request("GET", "/rss.xml")[0] == 200
        config_path.write_text(good.replace("Regional Desk", "Regional Desk II", 1), "utf-8")
        assert "0 errors" in server.wait_for_line("built ")
        status, _, body = server.request("GET", "/rss.xml")
        assert status == 200 and b"Regional Desk II" in body
