"""The world gazetteer: GeoNames cities, states and AP abbreviations, context rules, homonyms.

Articles here are written for the tests (no corpus text); the rules they
exercise are general: qualifiers after a city, place prepositions, titles
"of" a place, a capitalised word after a city, a personal title before it.
"""

from __future__ import annotations

import json

import pytest

from feedtool.config import default_config
from feedtool.enrich import enrich_item
from feedtool.enrich.entities import find_entities
from feedtool.enrich.gazetteer import GEONAMES, ISO_3166_2, lexicon, place_named
from feedtool.model import NewsItem, Tag
from feedtool.parse import parse_article

CONFIG = default_config()


def _parsed(text: str) -> NewsItem:
    return parse_article(text.encode(), source_path="a.txt", config=CONFIG)


def _places(text: str) -> dict[str, Tag]:
    return {t.name: t for t in find_entities(_parsed(text)) if t.kind == "place"}


WIRE = """\
INSURER SETS QUARTERLY DIVIDEND

HARTFORD, Conn., March 26 - Colonial Mutual Insurance Co said its board declared a quarterly
dividend of 12 cts a share, payable May 1 to holders of record April 10.

The company said it expects first-quarter earnings to be in line with last year's.
"""


def test_a_wire_dateline_gives_city_state_and_country() -> None:
    places = _places(WIRE)
    hartford = places["Hartford"]
    assert hartford.parent == "US"
    assert "dateline" in hartford.evidence.where
    assert any(uri.startswith(GEONAMES) for uri in hartford.same_as)
    assert places["Connecticut"].code == "US-CT"
    assert places["Connecticut"].scheme == ISO_3166_2
    assert places["United States"].code == "US"
    assert places["United States"].slug == "united-states"


@pytest.mark.parametrize(
    ("place", "region", "name", "country", "state"),
    [
        ("HARTFORD", "Conn.", "Hartford", "US", "US-CT"),
        ("ROCHESTER", "N.Y.", "Rochester", "US", "US-NY"),
        ("RALEIGH", "N.C.", "Raleigh", "US", "US-NC"),
        # Peoria, Ariz. is larger: Illinois' is shown with its state
        ("PEORIA", "Ill.", "Peoria, Illinois", "US", "US-IL"),
        ("SAN DIEGO", "Calif.", "San Diego", "US", "US-CA"),
        ("PARIS", "Texas", "Paris, Texas", "US", "US-TX"),
        ("PORTLAND", "Maine", "Portland, Maine", "US", "US-ME"),
        ("LONDON", "Ontario", "London, Ontario", "CA", "CA-ON"),
        ("HALIFAX", "N.S.", "Halifax", "CA", "CA-NS"),
        ("NEWCASTLE", "N.S.W.", "Newcastle, New South Wales", "AU", "AU-NSW"),
        ("PARIS", None, "Paris", "FR", None),
        ("OSAKA", None, "Osaka", "JP", None),
    ],
)
def test_dateline_places_resolve_with_their_qualifier(
    place: str, region: str | None, name: str, country: str, state: str | None
) -> None:
    entry, _region = place_named(place, region)
    assert entry is not None
    assert (entry.name, entry.parent) == (name, country)
    if state:
        assert entry.state == state


def test_a_place_of_that_name_elsewhere_is_not_the_dateline_city() -> None:
    # No city of that name in Connecticut among cities of 15,000+: the state still counts.
    entry, region = place_named("LONDON", "Conn.")
    assert entry is None
    assert region is not None and region.code == "US-CT"


def test_a_city_implies_its_country() -> None:
    places = _places("Exporters\n\nShipments from Osaka rose in March, exporters said.\n")
    assert places["Osaka"].parent == "JP"
    japan = places["Japan"]
    assert japan.evidence.rule == "implied:place"
    assert japan.evidence.mentions == 0


def test_a_qualified_city_in_the_text() -> None:
    text = "Plant to close\n\nThe company will close its plant in Paris, Texas, next year.\n"
    places = _places(text)
    assert places["Paris, Texas"].parent == "US"
    assert "Texas" in places
    assert "Paris" not in places
    assert "France" not in places


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("The Duchess of Edinburgh opened the new wing on Monday.", "Edinburgh"),
        ("Labour held York Central with a reduced majority.", "York"),
        ("Mr Washington said the deal was fair.", "Washington"),
        ("He told the Boston Globe that he would stand again.", "Boston"),
    ],
)
def test_context_traps(text: str, absent: str) -> None:
    assert absent not in _places(f"A headline\n\n{text}\n")


def test_small_city_names_need_a_place_preposition() -> None:
    # Hartford (about 120,000 people) is a place after "in", not on its own.
    assert "Hartford" in _places("Plant\n\nThe insurer has 2,000 staff in Hartford.\n")
    assert "Hartford" not in _places("Plant\n\nHartford staff were told on Monday.\n")


def test_a_city_named_like_an_english_word_needs_a_qualifier() -> None:
    entry = lexicon().homonyms[("Reading",)][0]
    assert entry.need == 3
    assert "Reading" not in _places("Books\n\nReading is down among teenagers, a survey said.\n")
    assert "Reading" in _places("Move\n\nThe firm moved to Reading, England, last year.\n")


def test_georgia_is_the_country_unless_the_copy_is_from_that_state() -> None:
    places = _places("Talks\n\nGeorgia and Armenia agreed to reopen the border crossing.\n")
    assert places["Georgia"].code == "GE"
    atlanta = "Crops\n\nATLANTA, Ga., May 4 - Peach growers in Georgia expect a smaller crop.\n"
    places = _places(atlanta)
    assert places["Georgia"].code == "US-GA"
    assert "United States" in places


def test_jsonld_place_has_its_country_and_same_as() -> None:
    import datetime as dt

    from feedtool.render.jsonld import article_jsonld

    stamp = dt.datetime(1987, 3, 26, 12, tzinfo=dt.UTC)
    item = enrich_item(_parsed(WIRE), CONFIG)
    item = item.model_copy(
        update={"id": "urn:test:1", "date_published": stamp, "date_modified": stamp}
    )
    data = json.loads(json.dumps(article_jsonld(item, CONFIG)))
    places = {p["name"]: p for p in data["contentLocation"]}
    assert data["contentLocation"][0]["name"] == "Hartford"
    hartford = places["Hartford"]
    assert hartford["containedInPlace"]["@type"] == "Country"
    assert hartford["containedInPlace"]["name"] == "United States"
    assert any(url.startswith("https://sws.geonames.org/") for url in hartford["sameAs"])


def test_world_cities_file_credits_geonames() -> None:
    from importlib import resources

    data = resources.files("feedtool.enrich").joinpath("data")
    assert "CC BY 4.0" in data.joinpath("world_cities.tsv").read_text("utf-8")[:400]
    assert "GeoNames" in data.joinpath("NOTICE-GeoNames.md").read_text("utf-8")
