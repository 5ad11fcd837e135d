"""Incremental builds: the item store, per-output fingerprints, the build lock."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import feedparser
import orjson
import pytest
from conftest import output_tree

from feedtool import _lingua, build, load_config
from feedtool._lock import build_lock
from feedtool.config import Config
from feedtool.errors import PublishError
from feedtool.publish import _incremental
from feedtool.publish._models import ModelProcess
from feedtool.render import ItemRef, tag_channels_of
from feedtool.store import CACHE_DIRNAME, SqliteStore

ROOT = Path(__file__).resolve().parents[1]

ARTICLE = """+++
tags = [{tags}]
+++
{headline}

{lead}

The second paragraph of the story about {topic} gives more detail.
"""


@pytest.fixture
def config() -> Config:
    config = load_config(ROOT / "feedtool.toml")
    # Enrichment adds tags of its own; the tests here need to know every tag.
    return config.model_copy(update={"enrich": config.enrich.model_copy(update={"enabled": ()})})


def _write(seeds: Path, name: str, headline: str, tags: list[str], topic: str) -> None:
    (seeds / name).write_text(
        ARTICLE.format(
            tags=", ".join(f'"{t}"' for t in tags),
            headline=headline,
            lead=f"A report on {topic} published for the test.",
            topic=topic,
        ),
        "utf-8",
    )


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    _write(folder, "a.txt", "Harbour bridge reopens", ["Transport", "Cities"], "a bridge")
    _write(folder, "b.txt", "Orchestra tours abroad", ["Music"], "an orchestra")
    _write(folder, "c.txt", "Flood defences approved", ["Cities", "Weather"], "flood walls")
    return folder


def test_noop_rebuild_parses_renders_and_writes_nothing(
    seeds: Path, tmp_path: Path, config: Config
) -> None:
    out = tmp_path / "out"
    first = build(seeds, out, config, ping=False)
    assert first.ok and len(first.parsed) == 3 and first.rendered
    before = output_tree(out)
    again = build(seeds, out, config, ping=False)
    assert again.ok and again.articles == 3 and again.outputs == first.outputs
    assert again.parsed == () and again.rendered == () and again.written == ()
    assert output_tree(out) == before


def test_edit_rerenders_exactly_the_outputs_that_depend_on_it(
    seeds: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    out = tmp_path / "out"
    build(seeds, out, config, ping=False)
    orchestra = (seeds / "b.txt").read_text("utf-8")
    (seeds / "b.txt").write_text(orchestra.replace("more detail", "more detail still"), "utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764100000")
    report = build(seeds, out, config, ping=False)

    assert report.parsed == ("b.txt",)
    feeds = ("rss.xml", "atom.xml", "feed.json")
    expected = {
        f"articles/orchestra-tours-abroad.{ext}" for ext in ("html", "jsonld", "ninjs.json")
    }
    expected |= {*feeds, *(f"tags/music/{name}" for name in feeds)}
    expected |= {f"authors/regional-desk-staff/{name}" for name in feeds}
    # The sitemap (its lastmod) and the OPML (its dateModified is the newest
    # item's date) show it; the news sitemap shows headline and first
    # publication only, which did not change, and so do the listing pages
    # (index, archive, tag and author pages).
    expected |= {"sitemap.xml", "feeds.opml"}
    assert set(report.rendered) == expected
    # The other articles and the tag feeds it is not in are untouched.
    assert not any("harbour" in p or "flood" in p or "cities" in p for p in report.written)
    # Each feed is re-assembled from cached entries: only the edited article's
    # entries are rendered, once per format and variant (full for the main and
    # author feeds, summary for its tag's), not once per feed that carries it.
    assert set(report.entries) == {
        (f"{feed}/{variant}", "b.txt")
        for feed in ("rss", "atom", "jsonfeed")
        for variant in ("full", "summary", "capped")
    }
    assert len(report.entries) == len(set(report.entries))
    entry = next(
        e
        for e in feedparser.parse((out / "atom.xml").read_bytes()).entries
        if e.title == "Orchestra tours abroad"
    )
    assert "more detail still" in entry.content[0].value
    in_tag = feedparser.parse((out / "tags/music/atom.xml").read_bytes()).entries
    assert [e.updated for e in in_tag if e.title == "Orchestra tours abroad"] == [entry.updated]
    # Entries of the articles left alone came from the store: a clean build
    # writes the same bytes.
    clean = tmp_path / "clean"
    clean.mkdir()
    shutil.copy(out / ".feedtool-state.json", clean / ".feedtool-state.json")
    build(seeds, clean, config, ping=False)
    assert output_tree(out) == output_tree(clean)


def test_incremental_result_equals_a_clean_build(
    seeds: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    out = tmp_path / "out"
    build(seeds, out, config, ping=False)
    # Retag one article, drop another, add a third: then compare with a
    # clean build from the same state file.
    _write(seeds, "a.txt", "Harbour bridge reopens", ["Transport", "Music"], "a bridge")
    (seeds / "c.txt").unlink()
    _write(seeds, "d.txt", "Library extends hours", ["Cities"], "a library")
    build(seeds, out, config, ping=False)
    clean = tmp_path / "clean"
    clean.mkdir()
    shutil.copy(out / ".feedtool-state.json", clean / ".feedtool-state.json")
    # The tombstones of removed outputs are history, like the state file.
    shutil.copy(out / ".feedtool-gone", clean / ".feedtool-gone")
    build(seeds, clean, config, ping=False)
    assert output_tree(out) == output_tree(clean)
    assert not (out / "tags" / "weather").exists()


def test_deleting_the_store_keeps_every_id_and_byte(
    seeds: Path, tmp_path: Path, config: Config
) -> None:
    """A fresh clone has the state file and the outputs but no store."""
    out = tmp_path / "out"
    build(seeds, out, config, ping=False)
    before = output_tree(out)
    shutil.rmtree(out / CACHE_DIRNAME)
    report = build(seeds, out, config, ping=False)
    assert report.ok and report.written == ()
    assert output_tree(out) == before


def test_a_deleted_output_is_restored(seeds: Path, tmp_path: Path, config: Config) -> None:
    out = tmp_path / "out"
    build(seeds, out, config, ping=False)
    before = output_tree(out)
    (out / "tags" / "music" / "rss.xml").unlink()
    report = build(seeds, out, config, ping=False)
    assert report.written == ("tags/music/rss.xml",)
    assert output_tree(out) == before


def test_a_config_change_rebuilds_everything(seeds: Path, tmp_path: Path, config: Config) -> None:
    out = tmp_path / "out"
    first = build(seeds, out, config, ping=False)
    renamed = config.model_copy(update={"title": "Another Desk"})
    report = build(seeds, out, renamed, ping=False)
    assert len(report.parsed) == 3
    assert set(report.rendered) == set(first.rendered)
    assert b"Another Desk" in (out / "rss.xml").read_bytes()


def test_a_second_build_waits_for_or_refuses_the_first(
    seeds: Path, tmp_path: Path, config: Config
) -> None:
    out = tmp_path / "out"
    with build_lock(out), pytest.raises(PublishError, match="another build is writing"):
        build(seeds, out, config, ping=False)

    acquired = threading.Event()
    finished: list[bool] = []

    def hold() -> None:
        with build_lock(out):
            acquired.set()
            time.sleep(0.5)
            finished.append(True)

    holder = threading.Thread(target=hold)
    holder.start()
    acquired.wait(5)
    try:
        report = build(seeds, out, config, ping=False, wait=30)
    finally:
        holder.join()
    # The build ran only once the holder had let go.
    assert finished == [True]
    assert report.ok and report.articles == 3


def _ref(path: str, tags: list[tuple[str, str]], found: set[str]) -> ItemRef:
    when = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    return ItemRef(
        source_path=path,
        id=f"tag:example.org,2025:{path}",
        slug=path,
        url=f"https://news.example.org/articles/{path}.html",
        headline=path,
        description=None,
        language="en",
        date_published=when,
        date_modified=None,
        tags=tuple((slug, slug.title(), kind) for slug, kind in tags),
        fingerprint=path,
        found_keywords=frozenset(found),
    )


def test_found_keywords_need_more_items_for_a_feed(config: Config) -> None:
    tags = config.tags.model_copy(update={"feeds_min_items": 2, "keyword_feeds_min_items": 3})
    config = config.model_copy(update={"tags": tags})
    # 'trade' is a phrase enrichment found in both articles: no feed at two.
    # 'harbour' was given in front matter by one editor: it counts as chosen.
    # 'tehran' is a place: the ordinary bar.
    refs = [
        _ref("a", [("trade", "keyword"), ("harbour", "keyword"), ("tehran", "place")], {"trade"}),
        _ref(
            "b",
            [("trade", "keyword"), ("harbour", "keyword"), ("tehran", "place")],
            {"trade", "harbour"},
        ),
    ]

    def prefixes(refs: list[ItemRef]) -> set[str]:
        return {c.prefix for c in tag_channels_of(refs, config, lambda ref: pytest.fail())}

    assert prefixes(refs) == {"tags/harbour/", "tags/tehran/"}
    refs.append(_ref("c", [("trade", "keyword")], {"trade"}))
    assert prefixes(refs) == {"tags/harbour/", "tags/tehran/", "tags/trade/"}


def test_found_keywords_are_recorded_in_the_store(
    seeds: Path, tmp_path: Path, config: Config
) -> None:
    """A build from the store applies the keyword bar as a build that parses."""
    enrich = config.enrich.model_copy(update={"enabled": ("languages", "entities", "keywords")})
    tags = config.tags.model_copy(update={"feeds_min_items": 1, "keyword_feeds_min_items": 2})
    enabled = config.model_copy(update={"enrich": enrich, "tags": tags})
    out = tmp_path / "out"
    first = build(seeds, out, enabled, ping=False)
    feeds = {p for p in first.written if p.startswith("tags/")}
    # The front matter tags have feeds at one item; the phrases found do not.
    assert "tags/music/rss.xml" in feeds
    shutil.rmtree(out / "tags")
    again = build(seeds, out, enabled, ping=False)
    assert again.parsed == ()
    assert {p for p in again.written if p.startswith("tags/")} == feeds
    loose = tags.model_copy(update={"keyword_feeds_min_items": 1})
    more = build(seeds, tmp_path / "loose", enabled.model_copy(update={"tags": loose}), ping=False)
    assert {p for p in more.written if p.startswith("tags/")} > feeds


def test_the_code_version_is_kept_for_the_code_identity_it_was_made_for(
    seeds: Path, tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every build keys its cache on ``code_version()`` (a hash of feedtool's files):
    kept in the store while the code's identity is the same, made again when not,
    so changed code still parses every article again."""
    from feedtool.publish import _incremental

    made: list[str] = []
    versions = iter(["v1", "v2"])

    def version() -> str:
        made.append("made")
        return next(versions)

    monkeypatch.setattr(_incremental, "code_version", version)
    out = tmp_path / "out"
    first = build(seeds, out, config, ping=False)
    assert made == ["made"] and first.parsed
    (seeds / "a.txt").write_text((seeds / "a.txt").read_text("utf-8") + "\nMore.\n", "utf-8")
    again = build(seeds, out, config, ping=False)
    assert made == ["made"] and again.parsed == ("a.txt",)
    # Another identity (feedtool's files or the installed packages changed).
    monkeypatch.setattr(_incremental._quick, "code_identity", lambda: "another identity")
    upgraded = build(seeds, out, config, ping=False)
    assert made == ["made", "made"]
    assert len(upgraded.parsed) == len(first.parsed)


def test_the_store_keeps_one_version_of_an_articles_feed_entries(tmp_path: Path) -> None:
    """An article's entries of an older stamp are dropped when entries of a new
    one are stored (by any connection, in any order of kinds), and only then."""
    store = SqliteStore(tmp_path)
    try:
        store.put_fragment("a.txt", "s1", "rss.s1", b"rss 1")
        store.put_fragment("a.txt", "s1", "atom.s1", b"atom 1")
        store.put_fragment("b.txt", "t1", "rss.t1", b"b rss")
        assert (store.fragment("rss.s1"), store.fragment("atom.s1")) == (b"rss 1", b"atom 1")
        store.put_fragment("a.txt", "s2", "atom.s2", b"atom 2")
        assert store.fragment("rss.s1") is None and store.fragment("atom.s1") is None
        store.put_fragment("a.txt", "s2", "rss.s2", b"rss 2")
        assert (store.fragment("rss.s2"), store.fragment("atom.s2")) == (b"rss 2", b"atom 2")
        # Back to the first version (an edit undone): the second one's go.
        store.put_fragment("a.txt", "s1", "rss.s1", b"rss 1")
        assert store.fragment("atom.s2") is None and store.fragment("rss.s2") is None
        store.commit()
    finally:
        store.close()
    # The next build's connection drops what this one stored.
    again = SqliteStore(tmp_path)
    try:
        again.put_fragment("a.txt", "s3", "rss.s3", b"rss 3")
        assert again.fragment("rss.s1") is None
        assert again.fragment("rss.t1") == b"b rss"
        rows = again._db.execute("SELECT key FROM fragments ORDER BY key").fetchall()
        assert rows == [("rss.s3",), ("rss.t1",)]
    finally:
        again.close()


def test_item_stats_are_read_from_the_index_and_follow_every_change(tmp_path: Path) -> None:
    """Every build reads each article's stats: from a covering index (not the
    rows, whose pages hold the items), which puts, touches and drops keep equal
    to the rows; a store made before the index gets it when opened."""
    from feedtool.store import CachedItem

    def item(path: str, size: int, stamp: str) -> CachedItem:
        return CachedItem(path, size, 10 * size, 20 * size, f"h{stamp}", "k1", b"s", b"i" * 9000)

    store = SqliteStore(tmp_path)
    try:
        store.put_items([item(f"a/{n:03d}.txt", n, "x") for n in range(40)])
        store.touch_items([("a/003.txt", 7, 8, 9)])
        store.put_items([item("a/005.txt", 500, "y")])
        store.drop_items(["a/010.txt"])
        rows = store._db.execute(
            "SELECT path, size, mtime_ns, read_ns, content_hash, key FROM items NOT INDEXED"
        ).fetchall()
        assert store.item_stats() == {row[0]: row for row in rows} and len(rows) == 39
        assert store.item_stats()["a/003.txt"] == ("a/003.txt", 7, 8, 9, "hx", "k1")
        plan = store._db.execute(
            "EXPLAIN QUERY PLAN SELECT path, size, mtime_ns, read_ns, content_hash, key FROM items"
        ).fetchall()
        assert "COVERING INDEX items_stats" in " ".join(str(step[-1]) for step in plan)
        # A store of the code before the index: the next connection adds it.
        store._db.execute("DROP INDEX items_stats")
        store.commit()
    finally:
        store.close()
    again = SqliteStore(tmp_path)
    try:
        names = again._db.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
        assert ("items_stats",) in names
        assert again.item_stats()["a/005.txt"] == ("a/005.txt", 500, 5000, 10000, "hy", "k1")
    finally:
        again.close()


def test_the_store_reads_many_feed_entries_in_one_call(tmp_path: Path) -> None:
    """``fragments`` gives what ``fragment`` gives for each key it has, over more
    keys than one query takes."""
    store = SqliteStore(tmp_path)
    try:
        for n in range(1200):
            store.put_fragment(f"{n}.txt", "s", f"rss.{n}", f"entry {n}".encode())
        keys = [f"rss.{n}" for n in range(0, 2400, 2)]  # half of them stored
        found = store.fragments(keys)
        assert found == {k: v for k in keys if (v := store.fragment(k)) is not None}
        assert len(found) == 600 and store.fragments([]) == {}
    finally:
        store.close()


class _Statements:
    """A connection that notes the text of every statement it is given."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self.texts: set[str] = set()

    def execute(self, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
        self.texts.add(sql)
        return self._db.execute(sql, parameters)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


def test_lookups_by_many_keys_prepare_few_statements(tmp_path: Path) -> None:
    """The store's and the file lists' lookups of keys, asked for any number of
    keys, give each key's row once and send a connection at most ten texts of a
    query (the sqlite3 module keeps each connection's last 128 statements: one
    per number of keys held 8-14 MB of a 20,000-article build's processes)."""
    from feedtool.publish._lists import FileLists
    from feedtool.store import Placement

    store = SqliteStore(tmp_path)
    lists = FileLists.create(tmp_path / ".lists.tmp", [f"{n}.html" for n in range(0, 700, 3)], [])
    try:
        for n in range(700):
            store.put_fragment(f"{n}.txt", "s", f"rss.{n}", f"entry {n}".encode())
        store.put_outputs(((f"{n}.html", f"f{n}") for n in range(0, 700, 2)), ())
        store.put_placements({f"{n}.txt": Placement("f", "p", "t") for n in range(0, 700, 5)}, ())
        store.commit()
        statements = store._db = _Statements(store._db)  # type: ignore[assignment]
        listed = lists._db = _Statements(lists._db)  # type: ignore[assignment]
        for count in range(1, 1100, 3):
            numbers = range(count)
            assert store.fragments([f"rss.{n}" for n in numbers]) == {
                f"rss.{n}": f"entry {n}".encode() for n in numbers if n < 700
            }
            pages = [f"{n}.html" for n in numbers]
            assert store.output_fingerprints(pages) == {
                f"{n}.html": f"f{n}" for n in numbers if n % 2 == 0 and n < 700
            }
            assert set(store.placements_of(f"{n}.txt" for n in numbers)) == {
                f"{n}.txt" for n in numbers if n % 5 == 0 and n < 700
            }
            assert lists.known(pages) == (
                {f"{n}.html" for n in numbers if n % 3 == 0 and n < 700},
                set(),
            )
        for texts, tables in (
            (statements.texts, ("fragments", "outputs", "placements")),
            (listed.texts, ("found", "old")),
        ):
            for table in tables:
                assert 1 <= len({text for text in texts if f"FROM {table} " in text}) <= 10
    finally:
        lists.close()
        store.close()


def test_the_store_keeps_its_temporary_journals_in_memory(tmp_path: Path) -> None:
    """The build's connection and a render worker's reader keep SQLite's
    temporary files (statement journals) in memory: in files they were some
    5,700 reads and writes under /var/tmp in a cold build of 2,225 articles."""
    store = SqliteStore(tmp_path)
    reader = store.reader()
    try:
        for db in (store._db, reader._db):
            assert db.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY
    finally:
        reader.close()
        store.close()


DANISH = (
    "Regeringen har i dag fremlagt et nyt lovforslag om klimaet, som skal reducere udledningen."
)


def _clean_build(out: Path, seeds: Path, config: Config, clean: Path) -> None:
    """A build of ``seeds`` into ``clean`` from ``out``'s state file (the same ids and dates)."""
    clean.mkdir()
    shutil.copy(out / ".feedtool-state.json", clean / ".feedtool-state.json")
    build(seeds, clean, config, ping=False)


def test_an_article_parsed_again_takes_lingua_s_answer_from_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lingua's answers are kept in the store: an edit that leaves the text
    lingua is asked about the same words (a corrected figure) parses the
    article again without asking lingua (nor loading its models); an edit of
    a word asks again. The outputs are a clean build's. A build that parses
    every article keeps the answers it used alone."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    config = load_config(ROOT / "feedtool.toml")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    article = seeds / "da.txt"
    story = "Nyt lovforslag\n\n{} Forslaget koster {} mio. kr.\n"
    article.write_text(story.format(DANISH, 17), "utf-8")
    (seeds / "en.txt").write_text(
        "Harbour bridge reopens\n\nThe harbour bridge reopened on Monday after repairs.\n",
        "utf-8",
    )
    asked: list[tuple[str, ...]] = []
    real = _lingua._load_in_turn  # what lingua runs for every question it answers

    def spy(text: str, candidates: tuple[str, ...]) -> None:
        asked.append(candidates)
        real(text, candidates)

    monkeypatch.setattr(_lingua, "_load_in_turn", spy)
    out = tmp_path / "out"
    build(seeds, out, config, ping=False)
    assert len(asked) == 1
    article.write_text(story.format(DANISH, 18), "utf-8")
    report = build(seeds, out, config, ping=False)
    assert report.parsed == ("da.txt",) and len(asked) == 1
    ninjs = [orjson.loads(p.read_bytes()) for p in out.glob("articles/*.ninjs.json")]
    assert sorted(n["language"] for n in ninjs) == ["da", "en"]
    _clean_build(out, seeds, config, tmp_path / "clean")
    assert len(asked) == 2  # the clean build has no store
    assert output_tree(out) == output_tree(tmp_path / "clean")
    article.write_text(story.format(DANISH, 18).replace("Forslaget", "Lovforslaget"), "utf-8")
    build(seeds, out, config, ping=False)
    assert len(asked) == 3
    assert _answers_kept(out) == 2
    # Every article parsed again (a new config): the answer to the older text is let go.
    build(seeds, out, config.model_copy(update={"title": "Another Desk"}), ping=False)
    assert len(asked) == 3 and _answers_kept(out) == 1
    _lingua.unload()


def _answers_kept(out: Path) -> int:
    with sqlite3.connect(out / CACHE_DIRNAME / "store.sqlite") as db:
        count: int = db.execute("SELECT count(*) FROM answers").fetchone()[0]
    return count


def test_a_parallel_parse_again_takes_lingua_s_answers_from_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new config parses every article again: the questions the parse
    workers hand back are answered from the store, and no model process is
    started. The outputs are a clean build's."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    config = load_config(ROOT / "feedtool.toml")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for number in range(4):
        (seeds / f"da-{number}.txt").write_text(
            f"Nyt lovforslag {number}\n\n{DANISH} Forslaget {number} behandles i morgen.\n",
            "utf-8",
        )
        (seeds / f"en-{number}.txt").write_text(
            f"Harbour bridge {number} reopens\n\nThe bridge reopened on Monday after repairs.\n",
            "utf-8",
        )
    started: list[ModelProcess] = []
    real_init = ModelProcess.__init__

    def init(self: ModelProcess, max_languages: int) -> None:
        real_init(self, max_languages)
        started.append(self)

    monkeypatch.setattr(ModelProcess, "__init__", init)
    monkeypatch.setattr(_incremental, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(_incremental, "_PARSE_CHUNK", 2)
    out = tmp_path / "out"
    build(seeds, out, config, jobs=2, ping=False)
    assert [models.started for models in started] == [1]
    renamed = config.model_copy(update={"title": "Another Desk"})
    report = build(seeds, out, renamed, jobs=2, ping=False)
    assert len(report.parsed) == 8
    assert [models.started for models in started] == [1, 0]
    ninjs = [orjson.loads(p.read_bytes()) for p in out.glob("articles/*.ninjs.json")]
    assert sorted(n["language"] for n in ninjs) == ["da"] * 4 + ["en"] * 4
    _clean_build(out, seeds, renamed, tmp_path / "clean")
    assert output_tree(out) == output_tree(tmp_path / "clean")
