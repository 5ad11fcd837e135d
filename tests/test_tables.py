"""The lookup tables kept on disk between builds (``feedtool._tables``).

Each test runs in a fresh interpreter: the tables a process has are
process-wide, and what matters is what a *new* build process reads back.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from feedtool import _tables

ROOT = Path(__file__).resolve().parents[1]

ARTICLE = """Ministers in Lyon agree a rail link to Milan

LYON, France, March 3 (Reuters) - Transport Minister Claire Dubois said on Tuesday that
the National Rail Agency would invest four billion euros, Mrs Dubois told reporters in
Washington on 2 March 2024.
"""

# Parses and enriches ARTICLE with the tables kept in sys.argv[1] (or none),
# saves them, and prints the enriched item's JSON, then which tables came
# from the file and which were built.
SCRIPT = """
import json, sys
from pathlib import Path
from feedtool import _tables, load_config
from feedtool.enrich import enrich_item
from feedtool.parse import parse_article

folder = sys.argv[1] if sys.argv[1] != "-" else None
_tables.use_folder(folder)
config = load_config(Path(sys.argv[2]))
text = Path(sys.argv[3]).read_bytes()
item = enrich_item(parse_article(text, source_path="a.txt", config=config), config)
on_disk = sorted(name for name, _ in _tables._file().sections)
saved = _tables.save()
print(json.dumps({"item": item.model_dump_json(), "on_disk": on_disk, "saved": saved,
                  "tables": sorted(name for name, _ in _tables._values)}))
"""


def _run(tmp_path: Path, folder: Path | None, user_copy: bool = False) -> dict[str, object]:
    """SCRIPT's answer, with this test's own user cache (its key and copy of the
    tables); the copy an earlier run left removed first unless ``user_copy``."""
    import json

    cache = tmp_path / "user-cache"
    if not user_copy:
        (cache / "feedtool" / _tables.FILENAME).unlink(missing_ok=True)
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, "utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            SCRIPT,
            str(folder) if folder else "-",
            str(ROOT / "feedtool.toml"),
            str(article),
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1764000000", "XDG_CACHE_HOME": str(cache)},
    )
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def test_a_new_process_reads_back_the_tables_and_enriches_alike(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    first = _run(tmp_path, folder)
    assert first["on_disk"] == [] and first["saved"] is True
    assert "feedtool.enrich.gazetteer.lexicon" in first["tables"]  # type: ignore[operator]
    assert (folder / _tables.FILENAME).is_file()
    second = _run(tmp_path, folder)
    # Every table the article needs came from the file: nothing new to save.
    assert second["on_disk"] == sorted(first["tables"])  # type: ignore[type-var]
    assert second["saved"] is False
    assert second["item"] == first["item"]
    assert second["item"] == _run(tmp_path, None)["item"]


def test_a_new_folder_starts_from_the_users_copy(tmp_path: Path) -> None:
    # A first build into a new output folder, where this code built before:
    # the tables come from the copy beside the user's key, not built again.
    (tmp_path / "one").mkdir()
    first = _run(tmp_path, tmp_path / "one")
    assert first["on_disk"] == [] and first["saved"] is True
    (tmp_path / "two").mkdir()
    second = _run(tmp_path, tmp_path / "two", user_copy=True)
    assert second["on_disk"] == sorted(first["tables"])  # type: ignore[type-var]
    assert second["saved"] is False
    assert second["item"] == first["item"]
    # Copied into the folder: read from there next, whatever becomes of the user's copy.
    assert (tmp_path / "two" / _tables.FILENAME).read_bytes() == (
        tmp_path / "one" / _tables.FILENAME
    ).read_bytes()
    # Another code's copy (its key is in the signed header) is not used.
    user = tmp_path / "user-cache" / "feedtool" / _tables.FILENAME
    path = tmp_path / "one" / _tables.FILENAME
    path.write_bytes(b"damaged")
    key = (tmp_path / "user-cache" / "feedtool" / _tables.KEY_FILENAME).read_bytes()
    header = pickle.dumps((_tables._FORMAT, "another installation", {}))
    user.write_bytes(_layout(hmac.new(key, header, hashlib.sha256).digest(), header))
    third = _run(tmp_path, tmp_path / "one", user_copy=True)
    assert third["on_disk"] == [] and third["saved"] is True
    # This code's tables replace the other's.
    _, key_of_copy, tables = _header(user)
    assert key_of_copy == _header(tmp_path / "two" / _tables.FILENAME)[1]
    assert sorted(name for name, _ in tables) == sorted(first["tables"])  # type: ignore[type-var]


def _header(path: Path) -> tuple[int, str, dict[tuple[str, tuple[object, ...]], object]]:
    """The (format, key, sections) header of a tables file this test's runs wrote."""
    data = path.read_bytes()
    head = len(_tables._MAGIC) + 32
    length = int.from_bytes(data[head : head + 8], "big")
    found: tuple[int, str, dict[tuple[str, tuple[object, ...]], object]] = pickle.loads(
        data[head + 8 : head + 8 + length]
    )
    return found


def test_a_damaged_or_foreign_file_is_rebuilt(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    reference = _run(tmp_path, folder)
    path = folder / _tables.FILENAME
    good = path.read_bytes()
    for damaged in (
        good[:1000],  # truncated
        b"not a pickle",
        pickle.dumps((1, "another key", {})),
        pickle.dumps((_tables._FORMAT, _tables._key(), {})),  # not signed
        pickle.dumps(["a list"]),
    ):
        path.write_bytes(damaged)
        again = _run(tmp_path, folder)
        assert again["on_disk"] == [] and again["saved"] is True
        assert again["item"] == reference["item"]
        assert path.read_bytes() != damaged


class _Planted:
    """Unpickling this creates ``path``: what a crafted tables file could do."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (self.path, "w"))


def _layout(header_mac: bytes, header: bytes, *sections: bytes) -> bytes:
    """A tables file: what ``_tables.save`` writes, with the signatures given."""
    return (
        _tables._MAGIC + header_mac + len(header).to_bytes(8, "big") + header + b"".join(sections)
    )


def test_a_file_not_signed_with_the_users_key_is_never_unpickled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The output folder may come from a pull request: a tables file planted there
    # must not run code. Only a header and sections carrying this user's HMAC are
    # unpickled.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setattr(_tables, "_secret", functools.cache(_tables._secret.__wrapped__))
    folder = tmp_path / "cache"
    folder.mkdir()
    path = folder / _tables.FILENAME
    marker = tmp_path / "pwned"
    section = pickle.dumps(_Planted(str(marker)))
    assert _tables._secret() is not None  # the key is made
    key = (tmp_path / "user-cache" / "feedtool" / _tables.KEY_FILENAME).read_bytes()

    def sign(data: bytes, secret: bytes = key) -> bytes:
        return hmac.new(secret, data, hashlib.sha256).digest()

    def header(section_mac: bytes) -> bytes:
        table = {("t", ()): (0, len(section), section_mac)}
        return pickle.dumps((_tables._FORMAT, _tables._key(), table))

    planted_header = pickle.dumps(_Planted(str(marker)))
    for planted in (
        section,  # a bare pickle
        _layout(bytes(32), header(sign(section)), section),  # a wrong header signature
        _layout(sign(header(sign(section)), b"k" * 32), header(sign(section)), section),
        _layout(bytes(32), planted_header),  # the header itself a planted pickle
        # A signed header, but the section it points to is not the one signed.
        _layout(sign(header(bytes(32))), header(bytes(32)), section),
    ):
        path.write_bytes(planted)
        assert _tables._read(str(path)) == {}
        assert not marker.exists()
    # Signed with the user's key (kept outside the output folder, closed to others).
    key_file = tmp_path / "user-cache" / "feedtool" / _tables.KEY_FILENAME
    assert key_file.stat().st_mode & 0o777 == 0o600
    path.write_bytes(_layout(sign(header(sign(section))), header(sign(section)), section))
    assert set(_tables._read(str(path))) == {("t", ())} and marker.exists()


def test_a_damaged_section_is_built_again(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    reference = _run(tmp_path, folder)
    path = folder / _tables.FILENAME
    good = path.read_bytes()
    # The last byte is in the last section: the header still checks, the section not.
    damaged = good[:-1] + bytes([good[-1] ^ 0xFF])
    path.write_bytes(damaged)
    again = _run(tmp_path, folder)
    # A section that fails its check discards the whole file: nothing more is read from it.
    assert again["on_disk"] == [] and again["saved"] is True
    assert again["item"] == reference["item"]
    third = _run(tmp_path, folder)  # written whole again
    assert third["on_disk"] == reference["tables"] and third["saved"] is False


def test_no_usable_key_means_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A key folder others may write to could hold their key: not used.
    cache = tmp_path / "shared-cache"
    (cache / "feedtool").mkdir(parents=True)
    (cache / "feedtool").chmod(0o777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setattr(_tables, "_secret", functools.cache(_tables._secret.__wrapped__))
    assert _tables._secret() is None
    folder = tmp_path / "cache"
    folder.mkdir()
    monkeypatch.setattr(_tables, "_folder", str(folder))
    monkeypatch.setattr(_tables, "_kept", None)
    monkeypatch.setattr(_tables, "_values", {("t", ()): {"a": 1}})
    assert _tables.save() is False and not (folder / _tables.FILENAME).exists()


def test_an_unwritable_or_missing_folder_only_means_no_file(tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be\n", "utf-8")
    result = _run(tmp_path, blocked)
    assert result["saved"] is False
    assert _run(tmp_path, tmp_path / "gone")["saved"] is False
    assert result["item"] == _run(tmp_path, None)["item"]


def test_the_key_follows_the_installed_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A user cache of its own: an empty folder is not filled from the tables
    # earlier tests' builds kept in the session's.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setattr(_tables, "_secret", functools.cache(_tables._secret.__wrapped__))
    folder = tmp_path / "cache"
    folder.mkdir()
    monkeypatch.setattr(_tables, "_folder", str(folder))
    monkeypatch.setattr(_tables, "_kept", None)
    monkeypatch.setattr(_tables, "_values", {("t", ()): {"a": 1}})
    assert _tables.save()
    assert _tables._read(str(folder / _tables.FILENAME)) == {("t", ()): {"a": 1}}
    # Another feedtool or another set of installed packages: the file is not used.
    monkeypatch.setattr(_tables, "_key", lambda: "another installation")
    assert _tables._read(str(folder / _tables.FILENAME)) == {}


def test_a_build_keeps_every_table_beside_the_store(tmp_path: Path) -> None:
    from feedtool import build, load_config

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    article = seeds / "a.txt"
    article.write_text("Ferry fares frozen\n\nThe council kept the fares as they were.\n", "utf-8")
    config = load_config(ROOT / "feedtool.toml")
    build(seeds, tmp_path / "out", config, ping=False)
    path = tmp_path / "out" / ".feedtool" / _tables.FILENAME
    kept = _tables._read(str(path))
    assert ("feedtool.enrich.gazetteer.lexicon", ()) in kept
    # No date in the article, yet the month names are kept for the next one that has.
    assert ("feedtool._text.month_lexicon", ()) in kept
    written = path.stat().st_mtime_ns
    article.write_text("Ferry fares frozen\n\nThe council kept the fares.\n", "utf-8")
    report = build(seeds, tmp_path / "out", config, ping=False)
    assert report.parsed == ("a.txt",)
    assert path.stat().st_mtime_ns == written  # nothing new to keep: not written again


# Asks for one date's month (what rendering an undated article does), then
# for the gazetteer; prints the tables the process had after each.
LAZY = """
import json, sys
from feedtool import _tables
from feedtool._text import month_number
from feedtool.enrich.gazetteer import lexicon

_tables.use_folder(sys.argv[1])
month_number("March")
first = sorted(name for name, _ in _tables._values)
lexicon()
second = sorted(name for name, _ in _tables._values)
_tables.release()
print(json.dumps([first, second, sorted(name for name, _ in _tables._values)]))
"""


def test_a_process_reads_only_the_tables_it_asks_for(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    written = _run(tmp_path, folder)
    assert "feedtool.enrich.gazetteer.lexicon" in written["tables"]  # type: ignore[operator]
    done = subprocess.run(
        [sys.executable, "-c", LAZY, str(folder)], capture_output=True, text=True, check=True
    )
    import json

    first, second, released = json.loads(done.stdout.splitlines()[-1])
    assert first == ["feedtool._text.month_lexicon"]
    assert second == ["feedtool._text.month_lexicon", "feedtool.enrich.gazetteer.lexicon"]
    assert released == []


def test_the_compact_gazetteer_reads_back_alike() -> None:
    from feedtool.enrich.gazetteer import Lexicon, lexicon

    built = lexicon()
    read: Lexicon = pickle.loads(pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL))
    assert read.decoded == {}  # the entries a process made are not kept with the table
    assert len(read.index) == len(built.index) > 30_000
    for tokens, entry in built.names():
        length, found = read.match(list(tokens), 0, len(tokens))
        assert length == len(tokens) and found == entry
    # One entry is one object however it is reached (a state by its name and its code).
    texas = read.match(["Texas"], 0, 1)[1]
    assert texas is not None and texas is read.states.get("US-TX")
    assert read.homonyms[("Paris",)][0] is read.match(["Paris"], 0, 1)[1]
    assert read.qualifier_pattern.match(", Conn.") is not None


def test_a_table_is_kept_without_the_words_a_process_met() -> None:
    from feedtool.enrich import _topic_cues, topics

    lex = topics._lexicon()
    lex.word_cache["elections"]  # made on the miss
    assert lex.word_cache
    assert pickle.loads(pickle.dumps(lex)).word_cache == {}
    cues = _topic_cues.lexicon("fa")
    assert cues is not None
    cues.cache["x"] = ()
    assert pickle.loads(pickle.dumps(cues)).cache == {}
