"""A full plan made part by part (``render.partition``, ``render.plan_part``).

Every output is planned by exactly one part, with the fingerprint a whole plan
gives it; an item's files and the feeds it heads share a part; and a build
never holds the plans of more than one part at once.
"""

from __future__ import annotations

import gc
import itertools
from pathlib import Path
from typing import Any

import pytest
from conftest import output_tree

from feedtool import build, load_config, render
from feedtool.config import Config
from feedtool.publish import _incremental
from feedtool.render import Planned, Site, files_first, partition, plan_part, plan_site

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764000000")


@pytest.fixture
def config() -> Config:
    config = load_config(ROOT / "feedtool.toml")
    return config.model_copy(
        update={
            # Small feeds and pages: archive pages, listing pages and tag feeds abound.
            "feed_size": 3,
            "page_size": 4,
            "enrich": config.enrich.model_copy(update={"enabled": ()}),
            "tags": config.tags.model_copy(update={"feeds_min_items": 1}),
        }
    )


def _corpus(seeds: Path, count: int) -> None:
    seeds.mkdir()
    topics = ["harbour", "budget", "flood", "election", "orchestra", "rail", "school"]
    authors = ["Ana Ruiz", "Bo Chen", "Cy Diallo"]
    for number in range(count):
        topic = topics[number % len(topics)]
        front = f'tags = ["{topic}", "desk {number % 3}", "all"]\n'
        front += f'authors = ["{authors[number % 3]}"]\n'
        # Three months, several stories an hour apart a day.
        month, day, hour = 8 + number % 3, 1 + number % 27, number % 24
        front += f'published = "2025-{month:02d}-{day:02d}T{hour:02d}:00:00Z"\n'
        (seeds / f"{number:03d}.txt").write_text(
            f"+++\n{front}+++\nStory {number} about the {topic}\n\n"
            + f"Report number {number} on the {topic}. " * 4,
            "utf-8",
        )


def _site_of_a_build(
    seeds: Path, out: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> Site:
    """Build, and keep the site the build planned."""
    sites: list[Site] = []
    real = _incremental._Build._plan_and_render

    def spy(self: Any, site: Site) -> Any:
        sites.append(site)
        return real(self, site)

    monkeypatch.setattr(_incremental._Build, "_plan_and_render", spy)
    assert build(seeds, out, config, jobs=1, ping=False).ok
    assert len(sites) == 1
    return sites[0]


def _key(output: Planned | tuple[str, bytes]) -> tuple[str, str | bytes]:
    if isinstance(output, Planned):
        return output.path, output.fingerprint
    return output


def test_every_output_is_in_exactly_one_part(
    tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = tmp_path / "seeds"
    _corpus(seeds, 40)
    site = _site_of_a_build(seeds, tmp_path / "out", config, monkeypatch)
    whole = sorted(_key(output) for output in plan_site(site))
    assert len(whole) > 300 and len({path for path, _ in whole}) == len(whole)
    assert any("/history/" in path for path, _ in whole)  # archive pages are planned
    for size in (1, 7, 60, 10**6):
        parts = partition(site, size)
        assert parts[0].rest and not any(part.rest for part in parts[1:])
        # The items' ranks, cut in order, each in one part.
        assert [(p.first, p.stop) for p in parts[1:]] == sorted(
            (p.first, p.stop) for p in parts[1:]
        )
        assert parts[1].first == 0 and parts[-1].stop == len(site.refs)
        assert all(a.stop == b.first for a, b in itertools.pairwise(parts[1:]))
        planned = []
        for part in parts:
            outputs = plan_part(site, part)
            assert site.part is None  # planning a part leaves the site whole
            for output in outputs:
                near = output.near if isinstance(output, Planned) else None
                if near is not None:
                    # An item's files and the feeds it heads: in its own part.
                    assert part.first <= site.ranks[near] < part.stop
            planned += [_key(output) for output in outputs]
        assert sorted(planned) == whole  # every output once, with the same fingerprint
        # Split into the items' files, then what the items head: the same outputs.
        split = files_first(parts)
        assert [p.number for p in split] == list(range(len(split)))
        planned = []
        for part in split:
            outputs = [_key(output) for output in plan_part(site, part)]
            if part.files:
                assert all(path.startswith("articles/") for path, _ in outputs)
            elif part.files is False:
                assert not any(path.startswith("articles/") for path, _ in outputs)
            planned += outputs
        assert sorted(planned) == whole
    rest = {_key(output)[0] for output in plan_part(site, partition(site, 7)[0])}
    assert {"sitemap.xml", "feeds.opml", "tags/index.html", "archive/index.html"} <= rest
    assert not any(path.startswith("articles/") for path in rest)


def test_a_build_holds_the_plan_of_one_part_at_a_time(
    tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No plan is left in the build process from one part to the next: its
    memory does not grow with the number of outputs planned so far."""
    seeds = tmp_path / "seeds"
    _corpus(seeds, 40)
    alive: list[int] = []
    sizes: list[int] = []
    real = _incremental.plan_part

    def spy(site: Site, part: Any, names: Any = None) -> Any:
        gc.collect()
        alive.append(sum(1 for thing in gc.get_objects() if type(thing) is Planned))
        outputs = real(site, part, names)
        sizes.append(len(outputs))
        return outputs

    monkeypatch.setattr(_incremental, "_PART_OUTPUTS", 25)
    monkeypatch.setattr(_incremental, "plan_part", spy)
    report = build(seeds, tmp_path / "out", config, jobs=1, ping=False)
    assert report.ok and len(report.written) == sum(sizes) > 300
    assert len(sizes) > 10
    assert alive == [0] * len(sizes)
    # Parts stay near their size, the rest aside (it has every directory).
    assert max(sizes[1:]) < 100


def test_parts_count_a_channels_listing_pages(
    tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tag's or author's listing pages all go with the part of the channel's
    newest item: the parts count them, so the part of the newest items (at the
    top of the biggest tags) is not many times the size asked for (at 20,000
    articles it had 5,751 outputs for 1,024; what its process holds grows with it)."""
    seeds = tmp_path / "seeds"
    _corpus(seeds, 60)
    site = _site_of_a_build(seeds, tmp_path / "out", config, monkeypatch)
    channel = next(c for c in site.tag_channels if c.tag is not None and c.tag.slug == "all")
    assert site.channel_size(channel) == len(site.refs_of(channel)) == 60
    authors = site.author_channels
    assert [site.channel_size(c) for c in authors] == [len(site.refs_of(c)) for c in authors]
    for size in (12, 40):
        parts = partition(site, size)
        outputs = [plan_part(site, part) for part in parts]
        assert sum(map(len, outputs)) == len(list(plan_site(site)))
        for part, planned in zip(parts[1:], outputs[1:], strict=True):
            # A part ends once its outputs reach ``size``: over it by at most
            # what its last item heads (its files, and the feeds and listing
            # pages of the channels whose newest item it is).
            last = site.refs[part.stop - 1]
            prefixes = tuple(
                c.prefix for c in site.channels if c.prefix and c.refs and c.refs[0] is last
            )
            heads = sum(
                1
                for output in planned
                if (isinstance(output, Planned) and output.near == last.source_path)
                or _key(output)[0].startswith(prefixes)
            )
            assert len(planned) < size + heads, (size, part, len(planned), heads)


def _files(out: Path) -> dict[str, bytes]:
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and ".feedtool" not in path.parts
    }


def test_a_full_plan_loads_each_item_once(
    tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every item's files before the feeds (``render.files_first``), its feed
    entries made at their load (``render.prime_entries``): no feed loads an
    item again, however small the loader's cache. Part by part, a feed loaded
    every older item it lists, whose own files loaded it once more later."""
    seeds = tmp_path / "seeds"
    _corpus(seeds, 40)
    loads: list[str] = []
    real = _incremental.apply_stamp  # once per item the loader reads from the store

    def spy(item: Any, stamp: Any, config: Config) -> Any:
        loads.append(item.source_path)
        return real(item, stamp, config)

    monkeypatch.setattr(_incremental, "apply_stamp", spy)
    monkeypatch.setattr(_incremental, "_ITEM_CACHE", 2)
    monkeypatch.setattr(_incremental, "_PART_OUTPUTS", 25)
    report = build(seeds, tmp_path / "out", config, jobs=1, ping=False)
    assert report.ok and len(report.entries) > 200
    assert sorted(loads) == sorted(f"{number:03d}.txt" for number in range(40))


def test_a_pooled_full_plan_keeps_few_items_loaded(
    tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The site a full plan remakes to render beside a part worker keeps the last
    ``_PART_ITEM_CACHE`` (8) items it loaded, not ``_ITEM_CACHE`` (128, ~5 MB of
    the build process at 20,000 articles; the worker's site is made the same way):
    each item is loaded once anyway. The outputs are those of a serial build."""
    seeds = tmp_path / "seeds"
    _corpus(seeds, 40)
    kept: list[int | None] = []
    real = _incremental._item_loader

    def loader(reader: Any, stamps: Any, config: Config, size: int | None = None) -> Any:
        kept.append(size)
        return real(reader, stamps, config, size)

    monkeypatch.setattr(_incremental, "_item_loader", loader)
    monkeypatch.setattr(_incremental, "RENDER_THRESHOLD", 1)
    monkeypatch.setattr(_incremental, "_PART_OUTPUTS", 25)
    pooled = build(seeds, tmp_path / "pooled", config, jobs=2, ping=False)
    assert kept == [None, _incremental._PART_ITEM_CACHE] and _incremental._PART_ITEM_CACHE == 8
    serial = build(seeds, tmp_path / "serial", config, jobs=1, ping=False)
    assert pooled.ok and output_tree(tmp_path / "pooled") == output_tree(tmp_path / "serial")
    assert serial.ok


def test_entries_made_with_items_are_those_the_feeds_show(
    tmp_path: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The entries made while an item is loaded for its files are the ones its
    feeds ask for: the same entries, and the same files, as a build whose feeds
    make each entry they miss."""
    seeds = tmp_path / "seeds"
    _corpus(seeds, 40)
    monkeypatch.setattr(_incremental, "_PART_OUTPUTS", 25)
    primed = build(seeds, tmp_path / "primed", config, jobs=1, ping=False)
    monkeypatch.setattr(render, "prime_entries", lambda site, index, item: None)
    asked = build(seeds, tmp_path / "asked", config, jobs=1, ping=False)
    assert primed.ok and asked.ok
    assert primed.entries == asked.entries
    assert {kind for kind, _ in primed.entries} >= {"rss/summary", "atom/full", "jsonfeed/summary"}
    assert _files(tmp_path / "primed") == _files(tmp_path / "asked")
