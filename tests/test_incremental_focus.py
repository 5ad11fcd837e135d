"""Focused plans: a build after an edit plans only the outputs that show the edited articles.

Every case compares the incremental result with a clean build from the same
state file (so the same ids and dates), byte for byte, and then checks that a
build which plans every output finds nothing left to render or write: the
focused plan left out no output that changed.
"""

from __future__ import annotations

import gc
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import output_tree

from feedtool import build, load_config
from feedtool.config import Config
from feedtool.publish._incremental import FULL_PLAN_ENV
from feedtool.publish._report import BuildReport
from feedtool.store import CACHE_DIRNAME, SqliteStore

ROOT = Path(__file__).resolve().parents[1]

TAGS = ("Transport", "Cities", "Music", "Weather", "Schools")
AUTHORS = ("Sara Ahmadi", "Omar Khan", "Lena Vogel")

ARTICLE = """+++
tags = [{tags}]
authors = ["{author}"]
published = 2025-{month:02d}-{day:02d}T{hour:02d}:30:00Z
+++
{headline}

A report on {topic}, published for the test, with a lead of its own.

The second paragraph of the story about {topic} gives more detail.
"""


@pytest.fixture
def config() -> Config:
    config = load_config(ROOT / "feedtool.toml")
    # Small feeds and pages, so that the site has archive pages and paginated
    # listings; no enrichment, so that the tests know every tag.
    return config.model_copy(
        update={
            "enrich": config.enrich.model_copy(update={"enabled": ()}),
            "feed_size": 2,
            "page_size": 3,
            "tags": config.tags.model_copy(update={"feeds_min_items": 2}),
        }
    )


def _write(seeds: Path, number: int, *, headline: str | None = None, extra: str = "") -> None:
    tags = [TAGS[number % 5], TAGS[(number * 2 + 1) % 5]]
    text = ARTICLE.format(
        tags=", ".join(f'"{t}"' for t in dict.fromkeys(tags)),
        author=AUTHORS[number % 3],
        month=10 + number % 2,
        day=1 + number,
        hour=8 + number % 7,
        headline=headline or f"Story number {number} of the desk",
        topic=f"subject {number}",
    )
    (seeds / f"a{number:02d}.txt").write_text(text + extra, "utf-8")


@pytest.fixture
def site(tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for number in range(14):
        _write(seeds, number)
    report = build(seeds, tmp_path / "out", config, ping=False)
    assert report.ok and report.focused is None
    # Later builds happen later: an edit gets a modification date of its own.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764100000")
    return tmp_path


def _same_as_clean(site: Path, config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    """The output equals a clean build's, and a full plan finds nothing more to do."""
    out, clean = site / "out", site / "clean"
    clean.mkdir()
    for name in (".feedtool-state.json", ".feedtool-gone"):
        if (out / name).exists():
            shutil.copy(out / name, clean / name)
    build(site / "seeds", clean, config, ping=False)
    assert output_tree(out) == output_tree(clean)
    monkeypatch.setenv(FULL_PLAN_ENV, "1")
    # The no-op answer must not hide the full plan: the next build parses one file.
    (site / "seeds" / "a00.txt").touch()
    full = build(site / "seeds", out, config, ping=False)
    monkeypatch.delenv(FULL_PLAN_ENV)
    assert full.focused is None
    assert full.rendered == () and full.written == () and full.removed == ()


def _rebuild(site: Path, config: Config) -> BuildReport:
    report = build(site / "seeds", site / "out", config, ping=False)
    assert report.ok
    return report


def test_a_body_edit_plans_only_what_shows_the_article(
    site: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = site / "seeds"
    _write(seeds, 6, extra="\nThis paragraph was added by an editor after publication.\n")
    report = _rebuild(site, config)
    assert report.focused == ("a06.txt",)
    page = "articles/story-number-6-of-the-desk"
    rendered = set(report.rendered)
    assert {f"{page}.html", f"{page}.jsonld", f"{page}.ninjs.json"} <= rendered
    # No other article's own files, and no listing: a body is not on a list.
    assert not any(p.startswith("articles/") and page not in p for p in rendered)
    assert not any(p.endswith(".html") and not p.startswith("articles/") for p in rendered)
    # The archive pages of its tags, its author and the main feed that carry it
    # are, and so is the sitemap (its lastmod); the subscription feeds carry
    # newer articles only.
    assert {
        "history/2/atom.xml",
        "tags/cities/history/1/atom.xml",
        "tags/weather/history/1/rss.xml",
        "authors/sara-ahmadi/history/1/atom.xml",
        "sitemap.xml",
    } <= rendered
    assert not any(p.startswith("tags/music/") for p in rendered)
    assert "atom.xml" not in rendered and "tags/cities/atom.xml" not in rendered
    _same_as_clean(site, config, monkeypatch)


def test_an_edit_that_changes_only_the_body_renders_no_tag_feed(
    site: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tag's feeds show summaries: an edit that leaves the article's summary as
    it was (here its second edit at the same clock, which keeps the date the first
    one gave it) renders its page and the main and author feeds, no tag's."""
    seeds = site / "seeds"
    _write(seeds, 6, extra="\nThis paragraph was added by an editor after publication.\n")
    first = _rebuild(site, config)
    # The first edit gives the article a modification date: its summaries show it.
    assert "tags/cities/history/1/atom.xml" in first.rendered
    _write(seeds, 6, extra="\nThis paragraph was added by an editor after the publication.\n")
    report = _rebuild(site, config)
    assert report.focused == ("a06.txt",)
    rendered = set(report.rendered)
    page = "articles/story-number-6-of-the-desk"
    assert {f"{page}.html", "history/2/atom.xml", "authors/sara-ahmadi/history/1/atom.xml"} <= (
        rendered
    )
    assert not any(p.startswith("tags/") for p in rendered)
    _same_as_clean(site, config, monkeypatch)


def test_an_edit_renders_its_few_outputs_without_ranking_every_article(
    site: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The few outputs of an edit are rendered in the order planned: the site's
    ranks (a dict of every article, made to sort many outputs by the item they
    show) are not made."""
    from feedtool.render import Site

    made: list[int] = []

    def ranks(self: Site) -> dict[str, int]:
        made.append(len(self.refs))
        return {ref.source_path: number for number, ref in enumerate(self.refs)}

    _write(site / "seeds", 6, extra="\nThis paragraph was added by an editor after publication.\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Site, "ranks", property(ranks))
        report = _rebuild(site, config)
    assert report.focused == ("a06.txt",) and report.rendered
    assert made == []
    _same_as_clean(site, config, monkeypatch)


def test_an_edit_at_a_new_clock_renders_its_tags_feeds_without_ranking_every_article(
    site: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit at a later time gives the article a modification date, which its
    tags' feeds show: with many tags that is some fifty outputs (at 20,000
    articles, 45), still rendered in the order planned, not by the ranks of
    every article."""
    from feedtool.render import Site

    made: list[int] = []

    def ranks(self: Site) -> dict[str, int]:
        made.append(len(self.refs))
        return {ref.source_path: number for number, ref in enumerate(self.refs)}

    seeds = site / "seeds"
    many = ", ".join(f'"Topic {letter}"' for letter in "ABCDEFGHIJKLMN")
    for number in (2, 4, 6, 8):
        path = seeds / f"a{number:02d}.txt"
        path.write_text(path.read_text("utf-8").replace("tags = [", f"tags = [{many}, "), "utf-8")
    _rebuild(site, config)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764200000")
    edited = seeds / "a06.txt"
    edited.write_text(
        edited.read_text("utf-8") + "\nThis paragraph was added by an editor after publication.\n",
        "utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Site, "ranks", property(ranks))
        report = _rebuild(site, config)
    assert report.focused == ("a06.txt",)
    assert sum(p.startswith("tags/topic-") for p in report.rendered) > 32
    assert made == []
    _same_as_clean(site, config, monkeypatch)


def test_a_headline_edit_rerenders_the_listings_that_show_it(
    site: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = site / "seeds"
    _write(seeds, 9, headline="Story number 9, with a corrected headline")
    # The newest article: on the subscription feeds, and the OPML's date.
    _write(seeds, 13, extra="\nA second edit in the same build.\n")
    report = _rebuild(site, config)
    assert report.focused == ("a09.txt", "a13.txt")
    assert {"archive/2025/11/index.html", "atom.xml", "feeds.opml"} <= set(report.rendered)
    _same_as_clean(site, config, monkeypatch)


def test_an_edit_in_an_archive_page_rerenders_it(
    site: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The oldest article is on the main feed's first archive page, not in its
    # subscription feed.
    _write(site / "seeds", 0, extra="\nA late correction to the oldest story.\n")
    report = _rebuild(site, config)
    assert report.focused == ("a00.txt",)
    assert "history/1/atom.xml" in report.rendered
    # The subscription feed carries the two newest only: it is left alone.
    assert "atom.xml" not in report.rendered
    _same_as_clean(site, config, monkeypatch)


@pytest.mark.parametrize(
    "change",
    ["retag", "redate", "add", "remove", "author", "deleted output", "interrupted"],
)
def test_a_change_that_moves_other_outputs_plans_everything(
    site: Path, config: Config, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    seeds, out = site / "seeds", site / "out"
    text = (seeds / "a05.txt").read_text("utf-8")
    if change == "retag":
        (seeds / "a05.txt").write_text(text.replace('"Cities"', '"Music"'), "utf-8")
    elif change == "redate":
        (seeds / "a05.txt").write_text(text.replace("2025-11-06", "2025-10-20"), "utf-8")
    elif change == "add":
        _write(seeds, 20)
    elif change == "remove":
        (seeds / "a05.txt").unlink()
    elif change == "author":
        (seeds / "a05.txt").write_text(text.replace("Lena Vogel", "Omar Khan"), "utf-8")
    elif change == "deleted output":
        (out / "tags" / "music" / "atom.xml").unlink()
        _write(seeds, 5, extra="\nAn edit as well.\n")
    elif change == "interrupted":
        store = SqliteStore(out)
        store.put_meta("in_progress", "1")
        store.commit()
        store.close()
        _write(seeds, 5, extra="\nAn edit as well.\n")
    report = _rebuild(site, config)
    assert report.focused is None
    if change == "deleted output":
        assert "tags/music/atom.xml" in report.written
    _same_as_clean(site, config, monkeypatch)


def test_a_focused_build_after_a_full_one_and_again(
    site: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Builds in a row: each focused one leaves what the next one needs."""
    seeds = site / "seeds"
    for round, number in enumerate((3, 3, 11, 7)):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1764100000 + 1000 * round))
        _write(seeds, number, extra=f"\nEdit round {round}.\n")
        report = _rebuild(site, config)
        assert report.focused == (f"a{number:02d}.txt",)
    _same_as_clean(site, config, monkeypatch)


def test_an_edit_keeps_a_shifted_publication_so_only_the_article_is_focused(
    site: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Articles of one time are kept a second apart by their publication; an edit
    takes a tiebreak of its own and the publication keeps its second, so the
    article stays where it was among the others (it used to move back past them)."""
    seeds = site / "seeds"
    _same_minute(seeds, 5)
    assert _rebuild(site, config).focused is None  # articles were added
    (seeds / "b3.txt").write_text(
        (seeds / "b3.txt").read_text("utf-8") + "\nAn edit that moves it.\n", "utf-8"
    )
    assert _rebuild(site, config).focused == ("b3.txt",)
    _same_as_clean(site, config, monkeypatch)


def test_an_edit_that_moves_an_article_in_the_order_rerenders_what_it_passed(
    site: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new time in the same month keeps the article's placement but moves it
    past the others published in between: they join the focus."""
    seeds = site / "seeds"
    _same_minute(seeds, 5)
    assert _rebuild(site, config).focused is None  # articles were added
    _retime(seeds / "b2.txt")
    report = _rebuild(site, config)
    assert report.focused is not None and "b2.txt" in report.focused
    # The ones it passed: published between its old and new time.
    assert set(report.focused) == {"b2.txt", "b3.txt", "b4.txt"}
    _same_as_clean(site, config, monkeypatch)


def _same_minute(seeds: Path, count: int, tags: str = '"Cities", "Music"') -> None:
    """``count`` articles b0, b1… published in the same minute (the stamper keeps
    them a second apart, in path order)."""
    for number in range(count):
        text = ARTICLE.format(
            tags=tags,
            author=AUTHORS[0],
            month=10,
            day=20,
            hour=9,
            headline=f"Same minute story {number}",
            topic=f"same minute {number}",
        )
        (seeds / f"b{number}.txt").write_text(text, "utf-8")


def _retime(path: Path) -> None:
    """``path``'s article an hour later the same day (the same archive month)."""
    text = path.read_text("utf-8")
    assert "T09:" in text
    path.write_text(text.replace("T09:", "T10:", 1), "utf-8")


def test_the_state_file_a_build_wrote_is_not_checked_again_but_a_changed_one_is(
    site: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    from feedtool.publish._state import STATE_FILENAME, State

    checked: list[int] = []
    original = State._checked.__func__  # type: ignore[attr-defined]

    def counting(cls: type[State], data: object, path: Path) -> State:
        checked.append(1)
        return original(cls, data, path)  # type: ignore[no-any-return]

    monkeypatch.setattr(State, "_checked", classmethod(counting))
    _write(site / "seeds", 6, extra="\nAn edit.\n")
    assert _rebuild(site, config).focused == ("a06.txt",)
    assert checked == []
    # Bytes the build did not write (a pull request's) are checked, whatever they say.
    state = site / "out" / STATE_FILENAME
    state.write_bytes(state.read_bytes().replace(b'"version": 1', b'"version":  1'))
    _write(site / "seeds", 7, extra="\nAnother edit.\n")
    report = _rebuild(site, config)
    assert checked == [1] and report.focused is None


def test_a_preview_between_builds_is_never_the_base_of_a_focused_plan(
    site: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds, out = site / "seeds", site / "out"
    draft = ARTICLE.replace("+++\ntags", "+++\ndraft = true\ntags")
    (seeds / "draft.txt").write_text(
        draft.format(
            tags='"Music"',
            author=AUTHORS[1],
            month=11,
            day=20,
            hour=9,
            headline="A draft",
            topic="a draft",
        ),
        "utf-8",
    )
    assert _rebuild(site, config).focused is None  # a held article appeared
    _write(seeds, 6, extra="\nAn edit.\n")
    assert _rebuild(site, config).focused == ("a06.txt",)
    _write(seeds, 7, extra="\nAn edit seen in a preview.\n")
    preview = build(seeds, out, config, ping=False, drafts=True)
    assert preview.focused is None and any(h.previewed for h in preview.held)
    _write(seeds, 8, extra="\nAn edit after the preview.\n")
    assert _rebuild(site, config).focused is None
    _same_as_clean(site, config, monkeypatch)


@pytest.fixture
def channel_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[frozenset[str] | None, set[str]]]:
    """Each ``tag_channels_of`` call of the builds: its ``only`` and the slugs it made."""
    from feedtool.publish import _incremental

    calls: list[tuple[frozenset[str] | None, set[str]]] = []
    original = _incremental.tag_channels_of

    def spy(*args: Any, **kwargs: Any) -> Any:
        channels = original(*args, **kwargs)
        only = args[4] if len(args) > 4 else kwargs.get("only")
        calls.append((only, {c.tag.slug for c in channels if c.tag is not None}))
        return channels

    monkeypatch.setattr(_incremental, "tag_channels_of", spy)
    return calls


def test_an_edit_builds_only_its_tags_channels(
    site: Path,
    config: Config,
    monkeypatch: pytest.MonkeyPatch,
    channel_calls: list[tuple[frozenset[str] | None, set[str]]],
) -> None:
    """A focused build in which nothing moved makes the channels of the edited
    article's tags only (``Site.narrowed``): the same bytes as a clean build."""
    _write(site / "seeds", 6, extra="\nA body edit.\n")
    report = _rebuild(site, config)
    assert report.focused == ("a06.txt",)
    # a06 is tagged Cities and Weather; five tags have channels.
    assert channel_calls == [(frozenset({"cities", "weather"}), {"cities", "weather"})]
    assert "feeds.opml" not in report.rendered
    # It set its objects aside from the collector while rendering, and gave them back.
    assert gc.get_freeze_count() == 0
    _same_as_clean(site, config, monkeypatch)


def test_a_narrowed_build_lists_every_tag_in_the_opml(
    site: Path,
    config: Config,
    monkeypatch: pytest.MonkeyPatch,
    channel_calls: list[tuple[frozenset[str] | None, set[str]]],
) -> None:
    """The newest article's edit changes the OPML's date: the OPML, which lists
    every tag's feed, is rendered from all of them, built for it."""
    _write(site / "seeds", 13, extra="\nAn edit of the newest story.\n")
    report = _rebuild(site, config)
    assert report.focused == ("a13.txt",)
    assert "feeds.opml" in report.rendered
    narrowed, everything = channel_calls
    assert narrowed[0] == frozenset({"weather", "music"}) and everything[0] is None
    assert everything[1] == {slug.lower() for slug in TAGS}
    _same_as_clean(site, config, monkeypatch)


def test_a_build_after_a_move_builds_every_channel(
    site: Path,
    config: Config,
    monkeypatch: pytest.MonkeyPatch,
    channel_calls: list[tuple[frozenset[str] | None, set[str]]],
) -> None:
    """An article that moved in the order can change which article names a tag
    (its newest): such a focused build makes every channel, as before."""
    seeds = site / "seeds"
    _same_minute(seeds, 3, tags='"Cities"')
    _rebuild(site, config)
    channel_calls.clear()
    _retime(seeds / "b0.txt")
    report = _rebuild(site, config)
    assert report.focused is not None and len(report.focused) > 1
    assert [only for only, _ in channel_calls] == [None]
    _same_as_clean(site, config, monkeypatch)


# --------------------------------------------------------------------------- light stamping


@pytest.fixture
def stamping(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Which way each build stamped: ``'all'`` articles, or only the edited (``'light'``)."""
    from feedtool.publish._ids import Stamper

    seen: list[str] = []
    stamp_all, restamp = Stamper.stamp_all, Stamper.restamp

    def spy_all(self: Stamper, articles: Any) -> Any:
        seen.append("all")
        return stamp_all(self, articles)

    def spy_restamp(self: Stamper, articles: Any, ids: Any, taken: Any) -> Any:
        seen.append("light")
        return restamp(self, articles, ids, taken)

    monkeypatch.setattr(Stamper, "stamp_all", spy_all)
    monkeypatch.setattr(Stamper, "restamp", spy_restamp)
    return seen


def test_an_edit_stamps_only_the_edited_article(
    site: Path, config: Config, monkeypatch: pytest.MonkeyPatch, stamping: list[str]
) -> None:
    seeds = site / "seeds"
    for round, number in enumerate((6, 6, 2)):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1764100000 + 1000 * round))
        _write(seeds, number, extra=f"\nEdit round {round}.\n")
        assert _rebuild(site, config).focused == (f"a{number:02d}.txt",)
    assert stamping == ["light", "light", "light"]
    _same_as_clean(site, config, monkeypatch)


def test_edits_in_one_second_stay_a_second_apart_when_stamped_lightly(
    site: Path, config: Config, monkeypatch: pytest.MonkeyPatch, stamping: list[str]
) -> None:
    """Two articles edited by one build share its time: the second edited (in
    path order) takes the next free second, as a full stamping gives it."""
    seeds = site / "seeds"
    _same_minute(seeds, 5)
    _rebuild(site, config)
    for name in ("b1.txt", "b3.txt", "a04.txt"):
        (seeds / name).write_text((seeds / name).read_text("utf-8") + "\nAn edit.\n", "utf-8")
    report = _rebuild(site, config)
    assert stamping == ["all", "light"]
    assert report.focused is not None and {"b1.txt", "b3.txt", "a04.txt"} <= set(report.focused)
    _same_as_clean(site, config, monkeypatch)


def test_an_undated_article_and_warnings_survive_a_light_build(
    site: Path, config: Config, monkeypatch: pytest.MonkeyPatch, stamping: list[str]
) -> None:
    seeds = site / "seeds"
    (seeds / "undated.txt").write_text(
        '+++\ntags = ["Cities"]\n+++\nAn undated story\n\nIt has no date of its own.\n',
        "utf-8",
    )
    # UTF-8 with one stray Latin-1 byte: read, with a warning that every build repeats.
    (seeds / "warned.txt").write_bytes(
        "+++\npublished = 2025-10-03T10:00:00Z\n+++\nCafé story\n\nThe café reopened, "
        "São Paulo's too.\n".encode()
        + b"A stray \xe9 byte.\n"
    )
    first = build(seeds, site / "out", config, ping=False)
    assert "undated.txt" in first.dated_by_first_publication
    assert any("warned.txt" in str(w) for w in first.warnings)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764200000")
    for name in ("undated.txt", "a03.txt"):
        (seeds / name).write_text((seeds / name).read_text("utf-8") + "\nAn edit.\n", "utf-8")
    light = _rebuild(site, config)
    assert stamping == ["all", "light"]
    assert light.dated_by_first_publication == first.dated_by_first_publication
    assert [str(w) for w in light.warnings] == [str(w) for w in first.warnings]
    _same_as_clean(site, config, monkeypatch)


@pytest.mark.parametrize("change", ["draft", "front id", "earlier clock", "full plan", "added"])
def test_an_edit_it_cannot_be_sure_of_stamps_every_article(
    site: Path,
    config: Config,
    monkeypatch: pytest.MonkeyPatch,
    stamping: list[str],
    change: str,
) -> None:
    seeds = site / "seeds"
    text = (seeds / "a05.txt").read_text("utf-8") + "\nAn edit.\n"
    if change == "draft":
        text = text.replace("+++\ntags", "+++\ndraft = true\ntags")
    elif change == "front id":
        text = text.replace(
            "+++\ntags", '+++\nid = "urn:uuid:9d1e7c2a-0000-4000-8000-000000000005"\ntags'
        )
    elif change == "earlier clock":
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "1763999000")
    elif change == "full plan":
        monkeypatch.setenv(FULL_PLAN_ENV, "1")
    elif change == "added":
        _write(seeds, 20)
    (seeds / "a05.txt").write_text(text, "utf-8")
    _rebuild(site, config)
    assert stamping == ["all"]
    monkeypatch.delenv(FULL_PLAN_ENV, raising=False)
    _same_as_clean(site, config, monkeypatch)


def test_an_output_deleted_after_a_focused_build_is_noticed(
    site: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A focused build records the times of the folders it wrote into afresh and
    keeps the others': a file deleted afterwards anywhere is still noticed."""
    seeds, out = site / "seeds", site / "out"
    _write(seeds, 6, extra="\nAn edit.\n")
    assert _rebuild(site, config).focused == ("a06.txt",)
    for victim, number in (("tags/music/atom.xml", 7), ("history/2/atom.xml", 8)):
        (out / victim).unlink()
        _write(seeds, number, extra="\nAnother edit.\n")
        report = _rebuild(site, config)
        assert report.focused is None and victim in report.written
        _write(seeds, number, extra="\nA third edit.\n")
        assert _rebuild(site, config).focused == (f"a{number:02d}.txt",)
    _same_as_clean(site, config, monkeypatch)


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The source path of each ref row a build decodes (not read from a pickle)."""
    from feedtool.publish import _incremental

    seen: list[str] = []
    real = _incremental._ref_of_row

    def spy(path: str, data: bytes) -> Any:
        seen.append(path)
        return real(path, data)

    monkeypatch.setattr(_incremental, "_ref_of_row", spy)
    return seen


@pytest.fixture
def path_checks(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The answer of each look for two state records with one path (``State.paths_unique``)."""
    from feedtool.publish._state import State

    seen: list[bool] = []
    real = State.paths_unique

    def spy(self: State) -> bool:
        seen.append(real(self))
        return seen[-1]

    monkeypatch.setattr(State, "paths_unique", spy)
    return seen


def test_light_builds_know_the_state_paths_unique_from_the_build_that_wrote_it(
    site: Path,
    config: Config,
    monkeypatch: pytest.MonkeyPatch,
    stamping: list[str],
    path_checks: list[bool],
) -> None:
    """The build that writes the state file notes (by its digest) that no two of
    its records have one path: light builds, the first after a full build
    included, do not look for the paths in its bytes again, and each notes it
    of the state it writes."""
    seeds = site / "seeds"
    for round, number in enumerate((6, 6, 2)):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1764100000 + 1000 * round))
        _write(seeds, number, extra=f"\nAn edit in round {round}.\n")
        assert _rebuild(site, config).focused == (f"a{number:02d}.txt",)
    assert stamping == ["light", "light", "light"]
    assert path_checks == []
    _same_as_clean(site, config, monkeypatch)


def test_a_state_with_two_records_of_one_path_is_never_stamped_lightly(
    site: Path,
    config: Config,
    monkeypatch: pytest.MonkeyPatch,
    stamping: list[str],
    path_checks: list[bool],
) -> None:
    """An article given an id of its own in its front matter gets a new record,
    and its old record keeps the path: the build that writes that state notes
    no unique paths, so the next edit looks for them, finds two records of one
    path, and stamps every article."""
    seeds = site / "seeds"
    text = (seeds / "a03.txt").read_text("utf-8")
    (seeds / "a03.txt").write_text(
        text.replace("+++\n", '+++\nid = "tag:example.org,2025:own-id"\n', 1), "utf-8"
    )
    _rebuild(site, config)
    assert stamping == ["all"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764101000")
    _write(seeds, 6, extra="\nAn edit.\n")
    _rebuild(site, config)
    assert stamping == ["all", "all"]
    assert False in path_checks
    _same_as_clean(site, config, monkeypatch)


# ------------------------------------------------------------ the refs a light build reads


def test_light_builds_read_the_refs_from_the_pickles_and_the_rows_put_since(
    site: Path,
    config: Config,
    monkeypatch: pytest.MonkeyPatch,
    stamping: list[str],
    decoded: list[str],
) -> None:
    """A light build unpickles the refs the last full build kept (it decodes no row
    of an article it does not read), and takes the rows light builds put since
    over them: two headline edits in turn, each shown on a listing of the other,
    give what a clean build gives."""

    seeds = site / "seeds"
    for round, number in enumerate((7, 5)):
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1764100000 + 1000 * round))
        _write(seeds, number, headline=f"Story number {number}, corrected in round {round}")
        report = _rebuild(site, config)
        assert report.focused == (f"a{number:02d}.txt",)
    # The second edit re-renders a listing that shows the first one.
    listing = site / "out" / "archive" / "2025" / "11" / "page" / "2.html"
    assert "archive/2025/11/page/2.html" in report.rendered
    assert "Story number 7, corrected in round 0" in listing.read_text("utf-8")
    assert stamping == ["light", "light"]
    # Only the row the first light build put (a07's) is decoded, by the second.
    assert decoded == ["a07.txt"]
    _same_as_clean(site, config, monkeypatch)


def test_refs_made_from_columns_are_the_refs_the_constructor_makes() -> None:
    """A light build makes the refs it unpickled column by column, each slot set by
    its own setter, not through the frozen class's constructor: the same frozen
    refs, equal field for field (the fields the constructor does not take at
    their defaults), for as long as the constructor only sets the slots."""
    import dataclasses
    import datetime as dt

    from feedtool.model import Person
    from feedtool.publish._incremental import _REF_FIELDS, _refs_of_columns
    from feedtool.render import ItemRef

    when = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    rows = [
        (
            f"a{number}.txt",
            f"tag:example.org,2025:a{number}",
            f"a{number}",
            f"https://news.example.org/articles/a{number}.html",
            f"Headline {number}",
            None if number % 2 else f"Standfirst {number}",
            "en",
            when + dt.timedelta(hours=number),
            None if number % 2 else when + dt.timedelta(days=1),
            (("trade", "Trade", "keyword"), ("tehran", "Tehran", "place")),
            f"digest{number}",
            (Person(name="Staff"),),
            ("trade",),
            f"summary{number}",
        )
        for number in range(5)
    ]
    made = _refs_of_columns([list(column) for column in zip(*rows, strict=True)])
    expected = [ItemRef(*row) for row in rows]
    assert made == expected
    for ref, other in zip(made, expected, strict=True):
        assert type(ref) is ItemRef
        for each in dataclasses.fields(ItemRef):
            assert getattr(ref, each.name) == getattr(other, each.name), each.name
        assert ref.tag_slugs == ("trade", "tehran")
        with pytest.raises(dataclasses.FrozenInstanceError):
            ref.slug = "changed"  # type: ignore[misc]
    assert tuple(f.name for f in dataclasses.fields(ItemRef) if f.init) == _REF_FIELDS
    # The columns skip the constructor: it must stay one that only sets the slots.
    assert not hasattr(ItemRef, "__post_init__")


_PLANTED: list[str] = []


class _Planted:
    """Unpickling it runs code (it records that it did)."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_PLANTED.append, ("unpickled",))


@pytest.mark.parametrize("change", ["flipped byte", "planted", "no key"])
def test_ref_pickles_not_signed_with_the_users_key_are_never_unpickled(
    site: Path,
    config: Config,
    monkeypatch: pytest.MonkeyPatch,
    stamping: list[str],
    decoded: list[str],
    change: str,
) -> None:
    """The store may come with the output folder from anyone: a ref pickle is
    unpickled only with this user's HMAC; otherwise the rows are decoded, and
    the light build gives the same bytes."""
    import pickle
    import sqlite3

    from feedtool import _tables
    from feedtool.publish import _snapshot

    seeds, out = site / "seeds", site / "out"
    if change == "no key":
        monkeypatch.setattr(_tables, "_secret", lambda: None)
        _write(seeds, 3, extra="\nA full build without a key.\n")
        monkeypatch.setenv(FULL_PLAN_ENV, "1")
        _rebuild(site, config)
        monkeypatch.delenv(FULL_PLAN_ENV)
    db = sqlite3.connect(out / CACHE_DIRNAME / "store.sqlite")
    pickles = db.execute("SELECT seq, data FROM ref_pickles").fetchall()
    if change == "no key":
        assert pickles == []
    else:
        assert len(pickles) == 1
        seq, data = pickles[0]
        if change == "flipped byte":
            data = data[:-1] + bytes([data[-1] ^ 1])
        else:
            payload = pickle.dumps((1, [_Planted()]))
            data = _snapshot._MAGIC + bytes(32) + payload
        db.execute("UPDATE ref_pickles SET data = ? WHERE seq = ?", (data, seq))
        db.commit()
    db.close()
    decoded.clear()  # only what the light build decodes
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764200000")
    _write(seeds, 6, extra="\nAn edit.\n")
    assert _rebuild(site, config).focused == ("a06.txt",)
    assert stamping[-1] == "light" and _PLANTED == []
    assert len(decoded) == 14  # every row, from the table
    _same_as_clean(site, config, monkeypatch)


def test_a_light_build_decodes_only_the_state_records_it_needs(
    site: Path, config: Config, monkeypatch: pytest.MonkeyPatch, stamping: list[str]
) -> None:
    """The state file's records are read one by one (the edited article's, those of
    the items rendered): none of the whole-file paths is taken."""
    from feedtool.publish import _state

    whole = _state._Records._whole

    def refused(self: Any) -> Any:
        pytest.fail("a light build decoded every record of the state file")

    monkeypatch.setattr(_state._Records, "_whole", refused)
    _write(site / "seeds", 6, extra="\nAn edit.\n")
    _write(site / "seeds", 11, headline="Story number 11, with a corrected headline")
    assert _rebuild(site, config).focused == ("a06.txt", "a11.txt")
    assert stamping == ["light"]
    monkeypatch.setattr(_state._Records, "_whole", whole)
    _same_as_clean(site, config, monkeypatch)


def test_light_builds_one_after_another_keep_the_order_of_a_full_build(
    site: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A light build takes the other articles' refs from the pickles the last full
    build kept, in the site's order, and from the rows light builds put since
    (an article that moved is out of place there): it puts only those and the
    edited ones in their places. Edits one after another, two of them moving
    their article, give the bytes of a clean build."""
    from feedtool.publish._incremental import _Build

    placed: list[set[str] | None] = []
    stored = _Build._stored_refs

    def spy(self: _Build) -> Any:
        found = stored(self)
        placed.append(found[1])
        return found

    monkeypatch.setattr(_Build, "_stored_refs", spy)
    seeds = site / "seeds"
    _same_minute(seeds, 5)
    assert _rebuild(site, config).focused is None
    _retime(seeds / "b2.txt")
    assert _rebuild(site, config).focused is not None
    _write(seeds, 6, extra="\nAn edit.\n")
    assert _rebuild(site, config).focused == ("a06.txt",)
    _retime(seeds / "b0.txt")
    assert _rebuild(site, config).focused is not None
    # From the pickles each time, with the rows of the light builds before.
    assert placed[-3:] == [set(), {"b2.txt"}, {"a06.txt", "b2.txt"}]
    _same_as_clean(site, config, monkeypatch)


def test_the_rows_put_since_the_pickles_are_read_by_their_key(site: Path, config: Config) -> None:
    """A light build reads the rows put since the ref pickles (a few) by their
    path, never by a scan of every ref (``REFS_SINCE_SQL``)."""
    import sqlite3

    from feedtool.store import REFS_SINCE_SQL

    db = sqlite3.connect(site / "out" / CACHE_DIRNAME / "store.sqlite")
    try:
        plan = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {REFS_SINCE_SQL}")]
    finally:
        db.close()
    assert not [step for step in plan if step.startswith("SCAN")], plan
    assert any(step.startswith("SEARCH refs USING") for step in plan), plan


@pytest.fixture
def beside(monkeypatch: pytest.MonkeyPatch) -> list[bytes | None]:
    """The output folders' times looked at by a child process beside the build
    (``Beside``), however few: each answer it gave."""
    from feedtool._beside import Beside
    from feedtool.publish import _incremental

    monkeypatch.setattr(_incremental, "BESIDE_FOLDERS", 0)
    # Beside forks only in a process with no other thread: daemon threads an
    # earlier test left (a WebSub ping, a watcher) would make it do the work in
    # place and answer None, so they are waited for, and named if they stay.
    deadline = time.monotonic() + 30
    for thread in threading.enumerate():
        if thread is not threading.current_thread():
            thread.join(max(0.0, deadline - time.monotonic()))
    stray = [t.name for t in threading.enumerate() if t is not threading.current_thread()]
    assert not stray, f"threads still running from earlier tests: {stray}"
    answers: list[bytes | None] = []
    result = Beside.result

    def spy(self: Beside) -> bytes | None:
        answers.append(result(self))
        return answers[-1]

    monkeypatch.setattr(Beside, "result", spy)
    return answers


def test_folder_times_looked_at_beside_the_build_find_what_inline_ones_do(
    site: Path, config: Config, monkeypatch: pytest.MonkeyPatch, beside: list[bytes | None]
) -> None:
    """The folders' times taken by a child while the build parses and stamps:
    an edit is focused on its article, an output deleted before an edit (its
    folder's time) or a whole output folder deleted is noticed, and the
    outputs are a clean build's."""
    seeds, out = site / "seeds", site / "out"
    _write(seeds, 6, extra="\nAn edit.\n")
    assert _rebuild(site, config).focused == ("a06.txt",)
    assert beside and beside[-1] is not None and beside[-1][:1] == b"\1"
    (out / "tags/music/atom.xml").unlink()
    _write(seeds, 7, extra="\nAnother edit.\n")
    report = _rebuild(site, config)
    assert report.focused is None and "tags/music/atom.xml" in report.written
    _write(seeds, 7, extra="\nA third edit.\n")
    assert _rebuild(site, config).focused == ("a07.txt",)
    shutil.rmtree(out / "tags" / "weather")
    _write(seeds, 8, extra="\nA fourth edit.\n")
    report = _rebuild(site, config)
    assert beside[-1] == b"\0"  # a folder is gone
    assert report.focused is None and "tags/weather/atom.xml" in report.written
    _same_as_clean(site, config, monkeypatch)


def test_work_beside_gives_its_bytes_or_none_and_leaves_no_child() -> None:
    import os
    import time

    from feedtool._beside import Beside

    # More than a pipe holds: read while the child writes.
    assert Beside(lambda: b"x" * 300_000).result() == b"x" * 300_000

    def fails() -> bytes:
        raise RuntimeError("broken")

    assert Beside(fails).result() is None

    answered = Beside(lambda: b"done")
    deadline = time.monotonic() + 30
    while not answered.ready() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert answered.ready() and answered.result() == b"done"

    def slow() -> bytes:
        time.sleep(30)
        return b"late"

    late = Beside(slow)
    pid = late._pid
    assert late.forked and not late.ready()  # still at work: taking it would wait
    late.cancel()
    assert not late.forked and not late.ready()
    with pytest.raises(ChildProcessError):  # reaped: no zombie left
        os.waitpid(pid, 0)
    assert late.result() is None


def test_work_beside_answers_up_to_a_megabyte_without_waiting_for_its_reader() -> None:
    """The child's pipe holds ``PIPE_BYTES`` where the system lets a pipe grow
    that much: a child with an answer that long writes it and is gone before
    its reader reads (the console check's reader is loading modules
    meanwhile), and the answer is whole."""
    import fcntl
    import os
    import time

    from feedtool._beside import PIPE_BYTES, Beside

    setting = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setting is None:
        pytest.skip("pipes have one size here")
    read, write = os.pipe()
    try:
        fcntl.fcntl(write, setting, PIPE_BYTES)
    except OSError:
        pytest.skip("this system keeps pipes smaller")
    finally:
        os.close(read)
        os.close(write)
    answer = b"x" * PIPE_BYTES
    child = Beside(lambda: answer)
    deadline = time.monotonic() + 10
    flags = os.WEXITED | os.WNOHANG | os.WNOWAIT  # left to reap
    while os.waitid(os.P_PID, child._pid, flags) is None:
        assert time.monotonic() < deadline, "the child waited for its reader"
        time.sleep(0.01)
    assert child.result() == answer


@pytest.mark.parametrize("early", ["written", "failed"])
def test_a_focused_build_writes_its_state_file_while_it_renders(
    site: Path, config: Config, monkeypatch: pytest.MonkeyPatch, early: str
) -> None:
    """The state file of a focused plan is written to its temporary name by a
    thread while the outputs render, and put in place in the write phase: the
    bytes a clean build's state has; when that write fails, the write phase
    writes it itself."""
    import hashlib

    from feedtool.publish import _incremental

    digests: list[str | None] = []
    finish = _incremental._EarlyState.finish

    def spy(self: _incremental._EarlyState) -> str | None:
        digests.append(finish(self))
        return digests[-1]

    monkeypatch.setattr(_incremental._EarlyState, "finish", spy)
    if early == "failed":

        def fails(path: Path, parts: object) -> str:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(_incremental, "stage_parts", fails)
    _write(site / "seeds", 6, extra="\nAn edit.\n")
    assert _rebuild(site, config).focused == ("a06.txt",)
    state = (site / "out" / ".feedtool-state.json").read_bytes()
    assert len(digests) == 1
    assert digests[0] == (hashlib.sha256(state).hexdigest() if early == "written" else None)
    assert not list((site / "out").glob(".*.tmp"))
    _same_as_clean(site, config, monkeypatch)


def test_a_focused_build_that_fails_while_rendering_leaves_the_state_as_it_was(
    site: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    from feedtool.publish import _incremental

    state = site / "out" / ".feedtool-state.json"
    before = state.read_bytes()

    def fails(self: object, todo: object, site: object) -> object:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(_incremental._Build, "_render_and_stage", fails)
    _write(site / "seeds", 6, extra="\nAn edit.\n")
    with pytest.raises(OSError):
        build(site / "seeds", site / "out", config, ping=False)
    assert state.read_bytes() == before
    assert not list((site / "out").glob(".*.tmp"))
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764100000")
    _rebuild(site, config)
    _same_as_clean(site, config, monkeypatch)


def test_work_beside_is_not_forked_from_a_process_with_threads() -> None:
    import threading

    from feedtool._beside import Beside

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        beside = Beside(lambda: b"made")
        assert beside._pid == 0 and beside.result() is None
    finally:
        stop.set()
        other.join()
    assert Beside(lambda: b"made").result() == b"made"


def test_a_focused_build_replaces_its_state_file_without_freeing_the_old_one_inline(
    site: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the new state file goes in place, the old one still has a second name
    (in the build cache), so replacing it frees none of its blocks then; a
    thread removes that name before the build returns."""
    import threading

    from feedtool.publish import _incremental

    state = site / "out" / ".feedtool-state.json"
    links: list[int] = []
    replace = os.replace

    def spy(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        if Path(target) == state:
            links.append(os.stat(state).st_nlink)
        replace(source, target)

    monkeypatch.setattr(_incremental.os, "replace", spy)
    threads = threading.active_count()
    _write(site / "seeds", 6, extra="\nAn edit.\n")
    assert _rebuild(site, config).focused == ("a06.txt",)
    assert links == [2]
    assert os.stat(state).st_nlink == 1
    assert not list((site / "out" / ".feedtool").glob(".*.tmp"))
    assert threading.active_count() == threads
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764100000")
    _same_as_clean(site, config, monkeypatch)
