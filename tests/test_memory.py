"""What a build holds in memory, phase by phase (never an RSS figure: those are
measured by bench/bench_build.py, not asserted)."""

from __future__ import annotations

import concurrent.futures.process
import contextlib
import gc
import multiprocessing
import os
from pathlib import Path
from typing import Any

import orjson
import pytest
from conftest import output_tree

from feedtool import _lingua, build, load_config
from feedtool._lingua import Question, confidence
from feedtool._workers import Workers
from feedtool.config import DEFAULT_LANGUAGES, Config
from feedtool.enrich import languages
from feedtool.enrich.languages import detect_language, release_models
from feedtool.publish import _incremental
from feedtool.publish._models import ModelProcess

ROOT = Path(__file__).resolve().parents[1]

DANISH = (
    "Regeringen har i dag fremlagt et nyt lovforslag om klimaet, som skal reducere udledningen."
)


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    places = ["Lyon", "Karachi", "Tehran", "Oslo", "Lisbon", "Cairo"]
    for number, place in enumerate(places):
        (folder / f"{number:02d}.txt").write_text(
            f"New tram line opens in {place}\n\n"
            f"{place.upper()}, March {number + 2} - The city council of {place} opened a new"
            f" tram line on Tuesday, Mayor Anna Berg told reporters.\n\n"
            + f"Story {number}: the line links the station and the harbour. "
            * 5,
            "utf-8",
        )
    return folder


def test_released_language_models_are_loaded_again_when_asked() -> None:
    _lingua._DETECTORS.clear()
    first = detect_language(DANISH, DEFAULT_LANGUAGES)
    assert first.method == "lingua"
    assert _lingua._DETECTORS
    release_models()
    assert _lingua._DETECTORS == {}
    again = detect_language(DANISH, DEFAULT_LANGUAGES)
    assert (again.language, again.method, again.confident) == (
        first.language,
        first.method,
        first.confident,
    )


def _live(kind: type) -> int:
    gc.collect()
    return sum(1 for thing in gc.get_objects() if type(thing) is kind)


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_render_phase_holds_no_article_summaries(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """Planning and rendering work from the refs: the parse summaries (every
    article's tags, authors, warnings, hashes) are let go before, so neither
    the build process nor a render worker forked from it carries them."""
    seen: list[tuple[int, int, bool]] = []
    real = _incremental._Build._plan_and_render

    def spy(self: Any, site: Any) -> Any:
        seen.append((_live(_incremental._Summary), len(site.refs), bool(_lingua._DETECTORS)))
        return real(self, site)

    monkeypatch.setattr(_incremental, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(_incremental._Build, "_plan_and_render", spy)
    # A model in memory before the build, as if an article had needed it.
    detect_language(DANISH, DEFAULT_LANGUAGES)
    config = load_config(ROOT / "feedtool.toml")
    report = build(seeds, tmp_path / "out", config, jobs=jobs, ping=False)
    assert report.ok and report.articles == 6
    assert len(seen) == 1
    summaries, refs, models = seen[0]
    assert refs == 6
    assert summaries == 0
    assert not models  # parsing is over: lingua's models were let go


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_parse_of_many_shares_no_tags_until_the_summaries_are_read_back(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """A parse of many articles keeps each one's content hash, not its summary:
    no tag or author tuple is made (and kept shared) while the articles are
    parsed and lingua's questions answered; the summaries read back for
    stamping make them, and the site is the one a parse of few makes."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    config = load_config(ROOT / "feedtool.toml")
    few = build(seeds, tmp_path / "few", config, jobs=jobs, ping=False)
    shared: list[int] = []
    real = _incremental._Build._scan_and_parse

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        scanned = real(self, *args, **kwargs)
        shared.append(len(_incremental._SHARED))
        return scanned

    monkeypatch.setattr(_incremental, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(_incremental._Build, "_scan_and_parse", spy)
    many = build(seeds, tmp_path / "many", config, jobs=jobs, ping=False)
    assert shared == [0]
    assert _incremental._SHARED  # made as the summaries were read back
    assert many.parsed == few.parsed and len(many.parsed) == 6
    assert output_tree(tmp_path / "many") == output_tree(tmp_path / "few")


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_render_phase_holds_no_word_caches_nor_every_articles_path(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """After a parse of many articles the build process lets go of the words it
    met (keywords' pieces, entities' name shapes: ~3 MB at 20,000 articles) and
    babel's global data (~2 MB), and keeps only a digest of every article's
    path and content hash for the end of the build, not their JSON (4 MB):
    none of it is held through the render phase."""
    import sys

    import babel.core

    from feedtool.enrich import entities, keywords

    seen: list[tuple[list[str], int, int, bool]] = []
    real = _incremental._Build._plan_and_render

    def blob(value: object) -> bytes | None:
        if isinstance(value, orjson.Fragment):
            return orjson.dumps(value)
        return bytes(value) if isinstance(value, bytes | bytearray) else None

    def spy(self: Any, site: Any) -> Any:
        paths = [ref.source_path.encode() for ref in site.refs]
        held = [
            name
            for name, value in sys._getframe(1).f_locals.items()
            if (data := blob(value)) is not None and all(path in data for path in paths)
        ]
        seen.append(
            (
                held,
                sum(map(len, keywords._PIECES.values())),
                entities._name_like.cache_info().currsize,
                babel.core._global_data is None,
            )
        )
        return real(self, site)

    monkeypatch.setattr(_incremental, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(_incremental._Build, "_plan_and_render", spy)
    config = load_config(ROOT / "feedtool.toml")
    report = build(seeds, tmp_path / "out", config, jobs=jobs, ping=False)
    assert report.ok and report.articles == 6
    assert seen == [([], 0, 0, True)]
    # The digest still tells a build with nothing to do.
    again = build(seeds, tmp_path / "out", config, jobs=jobs, ping=False)
    assert again.ok and not again.rendered and not again.written and len(seen) == 1


def test_the_build_process_makes_its_site_anew_from_the_part_workers_file(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With part workers, the build process makes its own site from the same file
    of refs and stamps they make theirs from, once the refs, stamps and site of
    stamping are gone (made among the summaries and stamping's garbage, their
    memory was some 20 MB more at 20,000 articles): while rendering it holds one
    ref per article, read from that file, and it writes the same bytes."""
    from feedtool.render import ItemRef
    from feedtool.store import cache_dir

    reads: list[int] = []
    seen: list[tuple[int, int, int]] = []
    read_site = _incremental._read_site
    real = _incremental._Build._plan_and_render

    def reading(path: Path) -> Any:
        reads.append(os.getpid())
        return read_site(path)

    def spy(self: Any, site: Any) -> Any:
        gc.unfreeze()  # counted too: the build sets its site aside from the collector
        seen.append((reads.count(os.getpid()), _live(ItemRef), _live(_incremental._Summary)))
        gc.freeze()
        return real(self, site)

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    monkeypatch.setattr(_incremental, "RENDER_THRESHOLD", 1)
    monkeypatch.setattr(_incremental, "_PART_OUTPUTS", 8)
    monkeypatch.setattr(_incremental, "_read_site", reading)
    monkeypatch.setattr(_incremental._Build, "_plan_and_render", spy)
    config = load_config(ROOT / "feedtool.toml")
    pooled, alone = tmp_path / "pooled", tmp_path / "alone"
    assert build(seeds, pooled, config, jobs=2, ping=False).ok
    assert seen == [(1, 6, 0)]
    assert not list(cache_dir(pooled).glob(".site-*"))
    reads.clear()
    assert build(seeds, alone, config, jobs=1, ping=False).ok
    assert seen[1][0] == 0  # no part worker: no file, the site as stamped
    assert output_tree(pooled) == output_tree(alone)


def test_the_build_process_parses_beside_one_worker_fewer(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With ``jobs`` processes to parse, the build process is one of them: its
    pool has ``jobs - 1`` workers, so one process fewer holds its own copy of
    what parsing builds up; the articles and their order are a serial build's."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    for number in range(6, 16):  # more chunks than the pool's window
        (seeds / f"{number:02d}.txt").write_text(
            f"Harbour report {number}\n\nThe harbour of Lyon reopened on Monday, report {number}"
            " says. Ships and ferries are back.\n",
            "utf-8",
        )
    (seeds / "bad.txt").write_bytes(b"\xff\xfe\x00bad")
    workers: list[int] = []
    parsed_here: list[str] = []
    real_pool = concurrent.futures.process.ProcessPoolExecutor
    real_task = _incremental._parse_task
    parent = os.getpid()

    def spy_pool(*args: Any, **kwargs: Any) -> Any:
        workers.append(kwargs["max_workers"])
        return real_pool(*args, **kwargs)

    def spy_task(task: Any) -> Any:
        if os.getpid() == parent:
            parsed_here.append(task[1])
        return real_task(task)

    config = load_config(ROOT / "tests" / "data" / "no-enrich.toml")
    serial = build(seeds, tmp_path / "serial", config, jobs=1, ping=False)
    monkeypatch.setattr(_incremental, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(_incremental, "_PARSE_CHUNK", 2)
    # The build imports the pool where it makes one: patched where it is imported from.
    monkeypatch.setattr(concurrent.futures.process, "ProcessPoolExecutor", spy_pool)
    monkeypatch.setattr(_incremental, "_parse_task", spy_task)
    pooled = build(seeds, tmp_path / "pooled", config, jobs=2, ping=False)
    assert workers[0] == 1  # the first pool made is the parse pool
    assert 0 < len(parsed_here) < 17
    assert pooled.parsed == serial.parsed and len(pooled.parsed) == 16
    assert [str(e) for e in pooled.errors] == [str(e) for e in serial.errors]
    assert len(pooled.errors) == 1
    assert output_tree(tmp_path / "pooled") == output_tree(tmp_path / "serial")


def test_no_parsing_process_loads_language_models(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the parse pool runs, no process loads lingua: an article that needs
    it is handed back, and the build process parses those once its workers are
    gone, asking lingua's questions of a model process of its own (which ends
    with its models): the build process loads none. The site is a serial build's."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    for number in range(6):
        (seeds / f"0{number}-da.txt").write_text(
            f"Nyt lovforslag {number}\n\n{DANISH} Forslaget {number} behandles i morgen.\n",
            "utf-8",
        )
    (seeds / "03-bad.txt").write_bytes(b"\xff\xfe\x00bad")
    log = tmp_path / "lingua.log"
    real = languages._lingua
    real_confidence = languages.confidence

    def spy(text: str, candidates: tuple[str, ...]) -> tuple[str | None, float]:
        try:
            answer = real(text, candidates)
        except languages.ModelsElsewhere:
            with log.open("a") as out:
                out.write(f"handed back {os.getpid()}\n")
            raise
        with log.open("a") as out:
            out.write(f"answered {os.getpid()} {len(multiprocessing.active_children())}\n")
        return answer

    def loads_here(text: str, candidates: tuple[str, ...]) -> tuple[str | None, float]:
        with log.open("a") as out:
            out.write(f"loaded {os.getpid()}\n")
        return real_confidence(text, candidates)

    config = load_config(ROOT / "feedtool.toml")
    serial = build(seeds, tmp_path / "serial", config, jobs=1, ping=False)
    monkeypatch.setattr(languages, "_lingua", spy)
    monkeypatch.setattr(languages, "confidence", loads_here)
    monkeypatch.setattr(_incremental, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(_incremental, "_PARSE_CHUNK", 2)
    pooled = build(seeds, tmp_path / "pooled", config, jobs=2, ping=False)
    lines = [line.split() for line in log.read_text().splitlines()]
    answered = {tuple(words[1:]) for words in lines if words[0] == "answered"}
    handed = {words[-1] for words in lines if words[0] == "handed"}
    # Asked by the build process alone, with no worker left...
    assert answered == {(str(os.getpid()), "0")}
    assert handed - {str(os.getpid())}  # a worker met some, and gave them back
    # ... and answered elsewhere: no process of the build loaded a model itself.
    assert not [words for words in lines if words[0] == "loaded"]
    assert pooled.parsed == serial.parsed and len(pooled.parsed) == 12
    assert [str(e) for e in pooled.errors] == [str(e) for e in serial.errors]
    assert len(pooled.errors) == 1
    assert output_tree(tmp_path / "pooled") == output_tree(tmp_path / "serial")
    found = {
        orjson.loads(path.read_bytes()).get("language")
        for path in (tmp_path / "pooled").rglob("*.ninjs.json")
    }
    assert found == {"en", "da"}  # lingua did answer, for the Danish ones


def test_handed_back_questions_are_answered_before_their_articles_are_parsed_again(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An article a parse worker hands back brings the question it stopped at.
    The build process has a model process answer them all, and end, before it
    parses any of those articles again: the models are never loaded beside a
    build process growing as it parses. The site is a serial build's."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    for number in range(6):
        (seeds / f"0{number}-da.txt").write_text(
            f"Nyt lovforslag {number}\n\n{DANISH} Forslaget {number} behandles i morgen.\n",
            "utf-8",
        )
    config = load_config(ROOT / "feedtool.toml")
    serial = build(seeds, tmp_path / "serial", config, jobs=1, ping=False)
    real_parse_here = _incremental._parse_here
    beside: list[list[int]] = []  # the build process's children as it parses each again

    def parse_here(task: Any) -> Any:
        beside.append(_children())
        return real_parse_here(task)

    started: list[ModelProcess] = []
    real_init = ModelProcess.__init__

    def init(self: ModelProcess, max_languages: int) -> None:
        real_init(self, max_languages)
        started.append(self)

    monkeypatch.setattr(_incremental, "_parse_here", parse_here)
    monkeypatch.setattr(ModelProcess, "__init__", init)
    monkeypatch.setattr(_incremental, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(_incremental, "_PARSE_CHUNK", 2)
    pooled = build(seeds, tmp_path / "pooled", config, jobs=2, ping=False)
    assert len(beside) == 6  # the Danish articles, parsed again here
    assert beside == [[]] * 6  # no model process (nor worker) beside
    # One model process answered the six questions, before any was parsed again.
    assert [models.started for models in started] == [1]
    assert pooled.parsed == serial.parsed
    assert output_tree(tmp_path / "pooled") == output_tree(tmp_path / "serial")


def test_a_model_process_answers_questions_first_and_ends() -> None:
    """``answer_first`` asks its questions and ends the process; the answers are
    lingua's here, given again without asking; a question it was not given
    is asked of a new process."""
    questions = [
        Question(DANISH, ("da", "no")),
        Question("Le gouvernement a annoncé hier un nouveau plan pour les trains.", ("en", "fr")),
    ]
    models = ModelProcess(max_languages=4)
    try:
        models.answer_first(questions)
        assert models.started == 1 and not _children()
        answers = [models.confidence(*question) for question in questions]
        assert models.started == 1 and not _children()
        here = [confidence(*question) for question in questions]
        assert [(code, round(value, 9)) for code, value in answers] == [
            (code, round(value, 9)) for code, value in here
        ]
        spanish = "El gobierno anunció ayer un nuevo plan para los trenes."
        assert models.confidence(spanish, ("es", "pt"))[0] == "es"
        assert models.started == 2
    finally:
        models.close()
    assert not _children()


def test_a_model_process_answers_as_lingua_here_holding_few_languages() -> None:
    """Its answers are lingua's in this process; a question that would take it
    past its languages is answered by a new process (the old one ends with its
    models), and ``close`` leaves none running."""
    questions = [
        (DANISH, ("da", "no")),
        ("Le gouvernement a annoncé hier un nouveau plan pour les trains.", ("en", "fr")),
        ("El gobierno anunció ayer un nuevo plan para los trenes.", ("es", "pt")),
        ("Regjeringen la i dag fram et nytt lovforslag om klima.", ("da", "no")),
    ]
    models = ModelProcess(max_languages=4)
    try:
        answers = [models.confidence(text, candidates) for text, candidates in questions]
        here = [confidence(text, candidates) for text, candidates in questions]
        # (Lingua's last digits vary from process to process: it sums in hash order.)
        assert [(code, round(value, 9)) for code, value in answers] == [
            (code, round(value, 9)) for code, value in here
        ]
        # da, no, en, fr; then es and pt need a new process; then da, no fit beside them.
        assert models.started == 2
        children = set(_children())
        assert len(children) == 1
    finally:
        models.close()
    assert not set(_children()) & children
    assert answers[0][0] == "da" and answers[2][0] == "es"


def test_articles_handed_back_are_asked_about_a_few_languages_at_a_time() -> None:
    """The build process parses the articles its workers handed back grouped by
    the languages lingua was to choose from, groups that fit in one model
    process together: fewer model processes (each loads its models again)
    than in the order the articles came, and every article once."""
    pairs = [frozenset(p) for p in (("en", "fr"), ("da", "en"), ("en", "fr"), ("de", "pl"))]
    later = [(index, pairs[index % 4]) for index in range(40)]
    later.append((40, frozenset(("en", "es", "fr"))))
    order = _incremental._by_models(later, 4)
    assert sorted(order) == list(range(41))

    def processes(indexes: list[int]) -> int:
        started, loaded = 0, frozenset[str]()
        for index in indexes:
            wanted = loaded | later[index][1]
            if not started or len(wanted) > 4:
                started, wanted = started + 1, later[index][1]
            loaded = wanted
        return started

    assert processes([index for index, _ in later]) == 21
    assert processes(order) == 2
    # The most common languages first, then what fits beside them, the most common first.
    assert [later[index][1] for index in order] == (
        [pairs[0]] * 20 + [pairs[1]] * 10 + [later[40][1]] + [pairs[3]] * 10
    )


def test_lingua_loads_a_short_questions_languages_in_turn_the_largest_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A short ASCII text on more than two languages: lingua is asked about the
    largest two, then one more at a time, before the question (so the last
    models to load, beside all the others, are the smallest); the answer is
    the question's alone. A text lingua's rules may narrow (a letter not in
    ASCII), a long one and a pair are asked as they are."""
    text = "BANGOR HYDRO-ELECTRIC CO <BANG> SETS DIVIDEND\nQtly div 25 cts vs 25 cts\nPay April 20"
    candidates = ("en", "fr", "pl", "cs")
    _lingua._DETECTORS.clear()
    alone = _lingua.detector(frozenset(candidates)).compute_language_confidence_values(text)
    built: list[frozenset[str]] = []
    real = _lingua._build

    def spy(languages: frozenset[str]) -> Any:
        built.append(languages)
        return real(languages)

    monkeypatch.setattr(_lingua, "_build", spy)
    code, value = confidence(text, candidates)
    assert built == [frozenset({"cs", "pl"}), frozenset({"cs", "pl", "en"})]
    assert list(_lingua._DETECTORS) == [frozenset(candidates)]  # the parts are not kept
    top = alone[0]
    # (Lingua's last digits vary from call to call on three or more languages:
    # it sums in hash order.)
    assert (code, round(value, 9)) == (
        top.language.iso_code_639_1.name.lower(),
        round(top.value, 9),
    )
    built.clear()
    confidence(text.replace("Pay", "Płay"), candidates)
    confidence(text * 3, candidates)
    confidence(text, ("en", "fr"))
    assert built == [frozenset({"en", "fr"})]  # the pair's detector, nothing more
    _lingua.unload()


def test_a_model_process_imports_lingua_and_little_else() -> None:
    """A model process (a fresh worker whose task is lingua) imports neither
    ``multiprocessing`` nor ``typing`` (~4.5 MB of its ~17 MB before any
    model), nor anything of the pipeline; what it says still reaches the build
    process's ``Connection``, large answers and errors included."""
    workers: Workers[Any] = Workers(1, _lingua.start, (), eval)
    try:
        workers.send(0, "[__import__(name) for name in ('lingua', 'feedtool._lingua')] and None")
        workers.result(0)
        workers.send(0, "sorted(__import__('sys').modules)")
        modules = workers.result(0)
        workers.send(0, "'x' * 100_000")
        assert workers.result(0) == "x" * 100_000
        workers.send(0, "1 / 0")
        with pytest.raises(ZeroDivisionError):
            workers.result(0)
        workers.send(0, "__import__('threading').Lock()")  # cannot be pickled
        with pytest.raises(RuntimeError, match="could not be sent"):
            workers.result(0)
    finally:
        workers.close()
    assert "lingua" in modules and "feedtool._lingua" in modules
    unwanted = ("multiprocessing", "typing", "feedtool.publish", "feedtool.enrich", "pydantic")
    assert [name for name in modules if name.split(".")[0] in unwanted or name in unwanted] == []


def test_a_model_process_that_died_is_replaced() -> None:
    """A model process killed (or out of memory) between two questions: the
    next is asked of a new one, and answered."""
    import signal

    models = ModelProcess(max_languages=4)
    try:
        first = models.confidence(DANISH, ("da", "no"))
        (child,) = _children()
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        again = models.confidence(DANISH, ("da", "no"))
        assert models.started == 2
        assert again[0] == first[0] == "da"
    finally:
        models.close()
    assert not _children()


def _children() -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        with contextlib.suppress(OSError):
            found += [int(pid) for pid in (task / "children").read_text().split()]
    return found


def test_a_build_streams_its_state_file(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The state file (20 MB at 20,000 articles) is written in pieces: a build
    never makes it as one string (``State.dumps``); the bytes are the ones
    ``dumps`` gives, and the build records their digest."""
    from feedtool.publish._state import STATE_FILENAME, State
    from feedtool.store import SqliteStore

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    real = State.dumps

    def refuse(self: State) -> bytes:
        raise AssertionError("the whole state file made at once")

    monkeypatch.setattr(State, "dumps", refuse)
    config = load_config(ROOT / "feedtool.toml")
    source = (ROOT / "feedtool.toml").read_bytes()
    for path in seeds.iterdir():  # not modified in the second it is read: stamps are kept
        os.utime(path, (path.stat().st_mtime - 100, path.stat().st_mtime - 100))
    out = tmp_path / "out"
    assert build(seeds, out, config, jobs=1, ping=False, config_source=source).ok
    (seeds / "00.txt").unlink()  # a full plan that removes files: written twice
    assert build(seeds, out, config, jobs=1, ping=False, config_source=source).ok
    data = (out / STATE_FILENAME).read_bytes()
    monkeypatch.setattr(State, "dumps", real)
    state = State.loads(data, out / STATE_FILENAME)
    assert state.dumps() == data
    assert len(state.entries) == 6 and "articles/" in " ".join(state.files)
    store = SqliteStore(out)
    try:
        import hashlib

        from feedtool.publish import _quick

        digest = hashlib.sha256(data).hexdigest()
        assert store.meta("state") == digest
        # The no-op stamp has it too, from the build (the file is not read back).
        quick = store.meta(_quick.QUICK_META)
        assert quick is not None and _quick.QuickStamp.loads(quick).state == digest
    finally:
        store.close()


def _built_refs(seeds: Path, tmp_path: Path) -> tuple[Config, dict[str, bytes]]:
    """The seeds built with the project's config, and the store's ref rows."""
    from feedtool.store import SqliteStore

    config = load_config(ROOT / "feedtool.toml")
    out = tmp_path / "out"
    assert build(seeds, out, config, jobs=1, ping=False).ok
    store = SqliteStore(out)
    try:
        return config, store.refs()
    finally:
        store.close()


def _small_site(seeds: Path, tmp_path: Path) -> tuple[Config, list[Any], Any]:
    """The built seeds' refs, newest first, and the site made of them with one
    item a feed, so that every tag of two items or more gets archive pages."""
    from feedtool.publish._incremental import _make_site, _ref_of_row
    from feedtool.render import Fragments

    config, rows = _built_refs(seeds, tmp_path)
    refs = sorted(
        (_ref_of_row(path, data)[0] for path, data in rows.items()),
        key=lambda ref: ref.date_published,  # type: ignore[arg-type,return-value]
        reverse=True,
    )
    small = config.model_copy(update={"feed_size": 1})
    site = _make_site(small, refs, lambda ref: None, Fragments(), None)  # type: ignore[arg-type,return-value]
    return small, refs, site


def test_refs_hold_no_dict_and_share_their_strings(seeds: Path, tmp_path: Path) -> None:
    """A ref is a slotted object (no instance dict), its found keywords are the
    very slug strings of its tag triples (not a frozenset of copies), and every
    tag channel's ``Tag`` shares one fields-set: 20,000 refs and 17,000 tag
    channels made these tens of MB."""
    from feedtool.publish._incremental import _ref_of_row
    from feedtool.render import ItemRef, tag_channels_of

    config, rows = _built_refs(seeds, tmp_path)
    refs = [_ref_of_row(path, data)[0] for path, data in sorted(rows.items())]
    assert len(refs) == 6
    assert not hasattr(refs[0], "__dict__")
    with pytest.raises(AttributeError):
        refs[0].__dict__  # noqa: B018
    found = [keyword for ref in refs for keyword in ref.found_keywords]
    assert found, "the fixture's articles have keywords enrichment found"
    for ref in refs:
        slugs = [triple[0] for triple in ref.tags]
        assert isinstance(ref.found_keywords, tuple)
        for keyword in ref.found_keywords:
            assert any(keyword is slug for slug in slugs)
        assert ref.language is refs[0].language  # interned
    assert ref.tag_slugs == tuple(slugs) and ref.tag_slugs is ref.tag_slugs
    # Built from an item, a ref is the same.
    channels = tag_channels_of(refs, config, lambda ref: None)  # type: ignore[arg-type,return-value]
    tags = [channel.tag for channel in channels if channel.tag is not None]
    assert len(tags) > 1
    assert len({id(tag.__pydantic_fields_set__) for tag in tags}) == 1
    assert tags[0].model_dump()["slug"] == tags[0].slug
    assert isinstance(refs[0], ItemRef)


def test_tag_channels_hold_no_dict_and_make_their_tag_when_asked(
    seeds: Path, tmp_path: Path
) -> None:
    """A site's channels and archive pages (20,488 at 20,000 articles, in every
    process rendering it) are slotted, and a tag channel keeps its tag as the
    refs' own ``(slug, name, kind)`` triple (not a tuple of its own): its ``Tag``
    (9 MB of models at 20,000 articles) is made when asked for, with the fields
    and bytes it had."""
    from dataclasses import FrozenInstanceError

    from feedtool.model import Tag
    from feedtool.render import LazyItems, fingerprint

    _, refs, site = _small_site(seeds, tmp_path)
    triples = {triple[0]: triple for ref in refs for triple in ref.tags}
    tagged = [page for page in (*site.tag_channels, *site.archives) if page.tag is not None]
    assert site.tag_channels and any(page.archive for page in tagged)
    for channel in (*site.channels, *site.archives):
        assert not hasattr(channel, "__dict__")
        assert not hasattr(channel.items, "__dict__")
        assert isinstance(channel.items, LazyItems) or channel.prefix == ""
    for page in tagged:
        tag = page.tag
        assert tag is not None
        slug, name, kind = triples[tag.slug]
        # The refs' own triple, not a model nor a copy:
        assert page._tag is triples[tag.slug]
        assert page.tag_slug is slug
        assert isinstance(tag, Tag) and (tag.kind, tag.name, tag.slug) == (kind, name, slug)
        assert tag.model_dump_json() == Tag(kind=kind, name=name, slug=slug).model_dump_json()
        assert page.fingerprint == fingerprint(
            page.prefix,
            page.title,
            page.description,
            tag.model_dump_json(),
            None,
            [ref.fingerprint for ref in page.refs],
            page.archive,
            page.archives,
        )
    channel = site.tag_channels[0]
    with pytest.raises(FrozenInstanceError):
        channel.title = "changed"  # type: ignore[misc]
    copy = channel.replace(title="changed")
    assert copy.title == "changed" and channel.title != "changed"
    assert copy.tag == channel.tag and copy._tag is channel._tag
    assert copy.fingerprint != channel.fingerprint
    assert copy == channel.replace(title="changed") and copy != channel
    assert hash(copy) == hash(channel.replace(title="changed"))


def test_tag_channels_make_their_title_and_description_when_asked(
    seeds: Path, tmp_path: Path
) -> None:
    """A tag channel holds its site's title (the config's string) beside its tag's
    triple (the refs'), not a title and a description of its own (~3.5 MB of
    every rendering process at 20,000 articles) nor a tuple of the strings they
    are made from (~1 MB): they are made when asked for, the strings they were;
    a copy with another title keeps the description."""
    small, _, site = _small_site(seeds, tmp_path)
    tagged = [page for page in (*site.tag_channels, *site.archives) if page.tag is not None]
    assert tagged and any(page.archive for page in tagged)
    for page in tagged:
        _, name, kind = page._tag  # type: ignore[misc]
        assert page._title is small.title  # shared
        assert page._description is None
        assert page.title == f"{small.title}: {name}"
        assert page.description == f"Articles of {small.title} tagged '{name}' ({kind})."
    channel = site.tag_channels[0]
    renamed = channel.replace(title="Another title")
    assert (renamed.title, renamed.description) == ("Another title", channel.description)
    described = channel.replace(description="Another description")
    assert (described.title, described.description) == (channel.title, "Another description")


def test_tag_groups_are_tuples_a_channel_showing_all_of_them_shares(
    seeds: Path, tmp_path: Path
) -> None:
    """Every tag's refs are kept as a tuple (a list keeps room to grow), and a
    channel that shows all of them (most tags') has that very tuple as its
    refs, not a copy: ~4 MB of every process rendering 17,000 tag channels."""
    from feedtool.publish._incremental import _make_site, _ref_of_row
    from feedtool.render import Fragments

    config, rows = _built_refs(seeds, tmp_path)
    refs = sorted(
        (_ref_of_row(path, data)[0] for path, data in rows.items()),
        key=lambda ref: ref.date_published,  # type: ignore[arg-type,return-value]
        reverse=True,
    )
    for size in (config.feed_size, 1):
        small = config.model_copy(update={"feed_size": size})
        site = _make_site(small, refs, lambda ref: None, Fragments(), None)  # type: ignore[arg-type,return-value]
        groups = site.tag_groups
        assert groups and all(type(group) is tuple for group in groups.values())
        shared = cut = 0
        for channel in site.tag_channels:
            group = groups[channel.tag_slug]
            assert channel.refs == group[: len(channel.refs)]
            if len(channel.refs) == len(group):
                assert channel.refs is group
                shared += 1
            else:
                cut += 1
        # One item a feed: the tags of two items or more show one of them.
        assert shared and (cut if size == 1 else not cut)


def test_stamps_hold_no_dict() -> None:
    """A stamp is slotted: the build process and every part worker hold one per
    article (20,000), and an instance dict each was ~2 MB of each."""
    import datetime as dt

    from feedtool.publish._ids import _Stamp

    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    stamp = _Stamp("id", "slug", "https://example.org/", now, None, now, None)
    assert not hasattr(stamp, "__dict__")
    assert stamp.updated is now


def test_dates_read_back_share_their_zones_and_a_first_publication_its_date() -> None:
    """The dates of refs and stamps read back from rows (60,000 at 20,000
    articles, in every process holding the site) share one zone per UTC offset,
    and a stamp's first publication at the ref's date is the ref's date: the
    same values, a third of the bytes."""
    import datetime as dt

    from feedtool.publish._incremental import _from_iso, _stamp_of

    texts = [
        "2024-03-02T10:00:00+03:30",
        "2025-11-30T23:59:59.123456+03:30",
        "2024-03-02T10:00:00-05:00",
        "2024-03-02T10:00:00+00:00",
        "2024-03-02T10:00:00",
    ]
    dates = [_from_iso(text) for text in texts]
    for text, date in zip(texts, dates, strict=True):
        made = dt.datetime.fromisoformat(text)
        assert (date, date.isoformat(), date.tzname(), date.utcoffset()) == (
            made,
            made.isoformat(),
            made.tzname(),
            made.utcoffset(),
        )
    assert dates[0].tzinfo is dates[1].tzinfo
    assert dates[0].tzinfo is not dates[2].tzinfo

    from feedtool.render import ItemRef

    ref = ItemRef(
        source_path="a.txt",
        id="tag:example.org,2024-03-02:a",
        slug="a",
        url="https://example.org/articles/a.html",
        headline="A",
        description=None,
        language="en",
        date_published=dates[0],
        date_modified=None,
        tags=(),
        fingerprint="0" * 64,
    )
    same = _stamp_of(ref, texts[0], None, False, 0, 0)
    assert same.first_published is ref.date_published
    other = _stamp_of(ref, texts[2], texts[1], False, 0, 0)
    assert other.first_published == dt.datetime.fromisoformat(texts[2])
    assert other.modified is not None and other.modified.tzinfo is dates[0].tzinfo


def test_the_renderers_caches_are_small() -> None:
    """Every cache of the render modules is bounded, by at most ``LRU_SIZE`` (256)
    entries (or one entry per distinct config): 65,536-entry caches of relative
    links and meta lines were some 40 MB of a 20,000-article build process, and
    4,096-entry ones ~20 MB of each process rendering it."""
    import importlib
    import pkgutil

    import feedtool.render
    from feedtool.render._common import LRU_SIZE

    found = 0
    for module_info in pkgutil.iter_modules(feedtool.render.__path__):
        module = importlib.import_module(f"feedtool.render.{module_info.name}")
        for name, value in vars(module).items():
            info = getattr(value, "cache_info", None)
            if info is None or getattr(value, "__module__", None) != module.__name__:
                continue
            found += 1
            maxsize = info().maxsize
            # An unbounded cache takes no argument of the site's (environment(), _sizes()).
            assert maxsize is not None or not value.__wrapped__.__code__.co_argcount, name
            assert maxsize is None or maxsize <= LRU_SIZE, name
    assert found >= 6
    assert LRU_SIZE <= 256


def test_the_ledger_gives_paths_back_as_python_sorts_them() -> None:
    """The ledger's order (SQLite's binary collation of UTF-8) is ``sorted()``'s
    for any paths, non-ASCII ones too; the rendered and staged lists are made
    of the very strings of the full list (one string a path)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from feedtool.publish._ledger import Ledger

    text = st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1
    )

    @settings(max_examples=60, deadline=None)
    @given(st.sets(text, min_size=1, max_size=40), st.data())
    def check(paths: set[str], data: st.DataObject) -> None:
        ordered = list(paths)
        data.draw(st.randoms()).shuffle(ordered)
        rendered = set(data.draw(st.lists(st.sampled_from(ordered))))
        staged = set(data.draw(st.lists(st.sampled_from(ordered))))
        ledger = Ledger()
        try:
            half = len(ordered) // 2
            for chunk in (ordered[:half], ordered[half:]):
                ledger.add([(p, f"fp-{p}" if len(p) % 2 else "") for p in chunk], rendered, staged)
            every, did_render, did_stage = ledger.paths()
            assert every == sorted(paths) and len(ledger) == len(paths)
            assert did_render == sorted(rendered) and did_stage == sorted(staged)
            by_value = {id(p) for p in every}
            assert all(id(p) in by_value for p in did_render + did_stage)
            assert list(ledger.fingerprinted()) == [
                (p, f"fp-{p}") for p in sorted(paths) if len(p) % 2
            ]
        finally:
            ledger.close()

    check()


def test_the_ledger_refuses_a_path_planned_twice() -> None:
    from feedtool.errors import PublishError
    from feedtool.publish._ledger import Ledger

    ledger = Ledger()
    try:
        ledger.add([("a/index.html", "1"), ("b/index.html", "2")], ["a/index.html"], [], "/out")
        with pytest.raises(PublishError, match=r"two renderers wrote b/index\.html") as caught:
            ledger.add([("c/index.html", "3"), ("b/index.html", "4")], [], [], "/out")
        assert caught.value.path == Path("/out/b/index.html")
        # Within one part too; and a refused part leaves nothing behind.
        with pytest.raises(PublishError, match=r"two renderers wrote d\.xml"):
            ledger.add([("d.xml", ""), ("d.xml", "")], [], [], "/out")
        assert ledger.paths()[0] == ["a/index.html", "b/index.html"]
        ledger.add_entries([("rss/full", "x.txt"), ("atom/full", "x.txt"), ("rss/full", "x.txt")])
        entries = ledger.entries()
        assert entries == (("atom/full", "x.txt"), ("rss/full", "x.txt"))
        assert entries[0][1] is entries[1][1]
    finally:
        ledger.close()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_full_plan_keeps_no_list_of_every_output_in_the_build_process(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """A full plan's bookkeeping goes to the ledger part by part: the build
    process's feed entries list is emptied as each part is recorded (it held
    every entry of the build, 120,000 at 20,000 articles), and the report is
    the one a build keeping them in memory gave (the same outputs and entries
    whether parts are rendered by workers or not)."""
    from feedtool.publish._ledger import Ledger

    made_after: list[int] = []
    added: list[int] = []
    real_add = Ledger.add
    real_entries = Ledger.add_entries

    def add(self: Ledger, planned: Any, rendered: Any, staged: Any, out: str = "") -> None:
        planned = list(planned)
        added.append(len(planned))
        real_add(self, planned, rendered, staged, out)

    def add_entries(self: Ledger, made: Any) -> None:
        real_entries(self, made)
        made_after.append(len(made))

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    monkeypatch.setattr(_incremental, "_PART_OUTPUTS", 8)
    monkeypatch.setattr(_incremental, "RENDER_THRESHOLD", 1)
    monkeypatch.setattr(Ledger, "add", add)
    monkeypatch.setattr(Ledger, "add_entries", add_entries)
    config = load_config(ROOT / "feedtool.toml")
    out = tmp_path / "out"
    report = build(seeds, out, config, jobs=jobs, ping=False)
    assert report.ok and len(added) > 3  # several parts
    assert sum(added) == report.outputs == len(report.written)
    assert list(report.written) == sorted(report.written)
    assert set(report.rendered) <= set(report.written)
    assert report.entries == tuple(sorted(set(report.entries))) and report.entries
    assert {path for _, path in report.entries} <= {
        p.relative_to(seeds).as_posix() for p in seeds.glob("*.txt")
    }
    # A cold build writes every output: the files on disk, but the state file.
    assert set(report.written) == {p for p in output_tree(out) if not p.startswith(".feedtool-")}


def test_the_word_caches_stay_bounded_and_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A parse process meets tens of thousands of words: each per-word cache is
    emptied when full, and an article reads the same with caches full, empty or
    emptied while it is read."""
    from feedtool.enrich import enrich_item, entities, keywords, topics
    from feedtool.parse import parse_article

    config = load_config(ROOT / "feedtool.toml")
    texts = [path.read_bytes() for path in sorted((ROOT / "seeds").glob("*.txt"))[:4]]

    def enriched() -> list[str]:
        return [
            enrich_item(
                parse_article(text, source_path="a.txt", config=config), config
            ).model_dump_json()
            for text in texts
        ]

    entities._forget_shapes()
    keywords._PIECES.clear()
    topics._lexicon().word_cache.clear()
    before = enriched()
    sizes = (len(entities._SHAPES[1]), max(map(len, keywords._PIECES.values())))
    assert min(sizes) > 200  # the words of the articles
    monkeypatch.setattr(entities, "_MAX_SHAPES", 10)
    monkeypatch.setattr(keywords, "_MAX_PIECES", 10)
    monkeypatch.setattr(topics, "WORD_CACHE_SIZE", 10)
    topics._lexicon().word_cache.clear()  # (full, it would be asked for nothing)
    assert enriched() == before
    # Checked once a sentence (shapes, pieces) or a word (topics): a sentence's words over.
    assert len(entities._SHAPES[1]) < 100
    assert all(len(known) < 100 for known in keywords._PIECES.values())
    assert len(topics._lexicon().word_cache) <= 11


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_write_phase_holds_no_site(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """Once rendered, the build process lets go of the site (its channels,
    archive pages, groups of refs, memo and loaded items) before writing the
    state file and renaming the staged files: only its structure is kept."""
    import weakref

    sites: list[weakref.ref[Any]] = []
    alive_when_writing: list[bool] = []
    real_make = _incremental._make_site
    real_write = _incremental._Build._write_state

    def make_site(*args: Any, **kwargs: Any) -> Any:
        site = real_make(*args, **kwargs)
        sites.append(weakref.ref(site))
        return site

    def write_state(self: Any, *args: Any, **kwargs: Any) -> Any:
        alive_when_writing.append(any(ref() is not None for ref in sites))
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(_incremental, "_PART_OUTPUTS", 8)
    monkeypatch.setattr(_incremental, "RENDER_THRESHOLD", 1)
    monkeypatch.setattr(_incremental, "_make_site", make_site)
    monkeypatch.setattr(_incremental._Build, "_write_state", write_state)
    config = load_config(ROOT / "feedtool.toml")
    out = tmp_path / "out"
    assert build(seeds, out, config, jobs=jobs, ping=False).ok
    # An edit: a focused plan lets its site go too.
    first = sorted(seeds.glob("*.txt"))[0]
    first.write_text(first.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    report = build(seeds, out, config, jobs=jobs, ping=False)
    assert report.ok and report.written
    assert sites and alive_when_writing and not any(alive_when_writing)


def test_the_opml_written_outline_by_outline_is_its_trees_bytes(
    seeds: Path, tmp_path: Path
) -> None:
    """``feeds.opml`` is written outline by outline (a tree of every feed's outline
    was ~40 MB of libxml2 memory at 20,000 articles): the bytes are those of the
    whole tree as ``xml_bytes`` indents and writes it, with names that need
    escaping too."""
    from lxml import etree

    from feedtool.render._common import xml_bytes

    (seeds / "odd.txt").write_text(
        'Tags: Café & "Bar" <Ünïcode>, R&D\n\nA <odd> & "quoted" headline\n\n'
        "Some text about a café in Lyon & Tehran.\n",
        "utf-8",
    )
    config = load_config(ROOT / "feedtool.toml").model_copy(
        update={"title": 'Desk & "Co" <é>', "description": "News & <more> 'quoted'"}
    )
    out = tmp_path / "out"
    assert build(seeds, out, config, jobs=1, ping=False).ok
    data = (out / "feeds.opml").read_bytes()
    tree = etree.fromstring(data)
    assert xml_bytes(tree) == data
    outlines = tree.findall("body/outline")
    folders = [o for o in outlines if len(o)]
    assert folders and sum(len(folder) for folder in folders) > 3
    assert "Desk &amp; &quot;Co&quot; &lt;é&gt;" in data.decode()
