"""Properties of the public model and of the per-article pipeline."""

from __future__ import annotations

from pathlib import Path

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedtool import FeedtoolError, NewsItem, enrich_item, load_config, parse_article
from feedtool.config import Config

ROOT = Path(__file__).resolve().parents[1]
CONFIG: Config = load_config(ROOT / "feedtool.toml")
SEED = (ROOT / "seeds" / "000_ae4195037769579a.txt").read_bytes()

# Lines shaped like the article parts the parser looks for, so that generated
# texts reach headings, posts, captions and front matter, not just paragraphs.
_LINES = st.sampled_from(
    [
        "+++",
        'id = "tag:x.org,2025:a"',
        "published = 2025-10-28T09:00:00+03:30",
        "-",
        "Wider context",
        "— Ali Larijani | علی لاریجانی (@alilarijani_ir) October 28, 2025",
        "ہم بھائی ہیں، اپنے گھر میں خوش آمدید! pic.twitter.com/6oeuaaB65m",
        "A photo of the meeting in Tehran, Iran, October 28, 2025 (WANA)",
        "On Tuesday the Supreme National Security Council met in Tehran.",
        "</script><script>window.__pwned=1</script>",
        "",
    ]
)
_TEXTS = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(_LINES, st.text(max_size=60)), max_size=14).map("\n".join),
)


def _pipeline(text: str) -> NewsItem | None:
    try:
        item = parse_article(
            text.encode("utf-8", "surrogatepass"), source_path="a.txt", config=CONFIG
        )
        return enrich_item(item, CONFIG)
    except FeedtoolError:
        return None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS)
def test_any_text_gives_an_item_or_a_feedtool_error(text: str) -> None:
    item = _pipeline(text)
    if item is not None:
        assert item.headline.strip()
        assert item.slug


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS)
def test_items_round_trip_through_json(text: str) -> None:
    item = _pipeline(text)
    if item is None:
        return
    assert NewsItem.model_validate_json(item.model_dump_json()) == item


def test_seed_round_trips_through_json() -> None:
    item = enrich_item(parse_article(SEED, source_path="seed.txt", config=CONFIG), CONFIG)
    assert NewsItem.model_validate_json(item.model_dump_json()) == item
    assert item.tags and item.date_mentions


def test_items_are_frozen() -> None:
    item = parse_article(SEED, source_path="seed.txt", config=CONFIG)
    with pytest.raises(pydantic.ValidationError):
        item.headline = "changed"  # type: ignore[misc]


def test_parse_then_enrich_is_deterministic() -> None:
    first = enrich_item(parse_article(SEED, source_path="seed.txt", config=CONFIG), CONFIG)
    second = enrich_item(parse_article(SEED, source_path="seed.txt", config=CONFIG), CONFIG)
    assert first.model_dump_json() == second.model_dump_json()
