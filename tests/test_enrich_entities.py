"""The ``entities`` enricher, tag slugs and the ``[tags]`` overrides.

The seed's gold (tests/data/enrich/seed_gold.toml) was annotated by hand from
its text; the BBC figures use tests/data/annotations/bbc_entities.json.
"""

from __future__ import annotations

import json
import tomllib
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import pycountry
import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedtool._slug import SLUG_PATTERN
from feedtool._slug import tag_slug as slugify
from feedtool.config import Config, PublisherConfig, TagsConfig
from feedtool.enrich import enrich_item
from feedtool.enrich._overrides import apply_overrides
from feedtool.enrich.entities import entities, find_entities
from feedtool.enrich.gazetteer import ISO_3166_1, WIKIDATA, data_lines, lexicon
from feedtool.model import EmbeddedPost, Evidence, Heading, NewsItem, Paragraph, Publisher, Tag
from feedtool.parse import parse_article

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_ae4195037769579a.txt"
GOLD = tomllib.loads((ROOT / "tests/data/enrich/seed_gold.toml").read_text("utf-8"))
ANNOTATIONS = ROOT / "tests/data/annotations/bbc_entities.json"
BBC = ROOT.parent / "shared" / "corpus" / "bbc"
BASE = "https://news.example.org/"


def _config(**tags: object) -> Config:
    return Config(
        title="Regional Desk",
        base_url=BASE,
        publisher=PublisherConfig(name="Regional Desk", url=BASE),
        tags=TagsConfig.model_validate(tags),
    )


def _item(*lines: str, headline: str = "A headline", tags: tuple[Tag, ...] = ()) -> NewsItem:
    """One paragraph per line, as the parse stage would give them."""
    body = tuple(Paragraph(text=text, line=3 + i) for i, text in enumerate(lines))
    return NewsItem(
        url=BASE + "a.html",
        slug="a",
        headline=headline,
        body=body,
        publisher=Publisher(name="Regional Desk", url=BASE),
        language="en",
        tags=tags,
        word_count=sum(len(line.split()) for line in lines),
        source_path="a.txt",
        content_hash="0" * 64,
    )


def _by_name(tags: list[Tag] | tuple[Tag, ...]) -> dict[str, Tag]:
    return {t.name: t for t in tags}


@pytest.fixture(scope="module")
def seed_tags() -> list[Tag]:
    item = parse_article(SEED.read_bytes(), source_path=SEED.name, config=_config(), path=SEED)
    return find_entities(item)


# --------------------------------------------------------------------------- the seed


@pytest.mark.parametrize(
    ("section", "kind"),
    [("people", "person"), ("organizations", "organization"), ("places", "place")],
)
def test_seed_gold_entities_found_with_kind_and_evidence(
    seed_tags: list[Tag], section: str, kind: str
) -> None:
    tags = _by_name(seed_tags)
    for gold in GOLD[section]:
        tag = tags.get(gold["name"])
        assert tag is not None, f"{gold['name']} not found; got {sorted(tags)}"
        assert tag.kind == kind
        assert tag.slug == slugify(gold["name"])
        assert set(gold["matched"]) <= set(tag.evidence.matched), tag.evidence
        assert tag.evidence.mentions >= gold["min_mentions"], tag.evidence
        assert tag.evidence.where and tag.evidence.rule
        if "code" in gold:
            assert (tag.code, tag.scheme) == (gold["code"], ISO_3166_1)
        if "parent" in gold:
            assert tag.parent == gold["parent"]


def test_seed_has_no_junk(seed_tags: list[Tag]) -> None:
    names = {t.name.casefold() for t in seed_tags}
    junk = {j.casefold() for j in GOLD["not_entities"]}
    assert not names & junk, names & junk
    gold_people = {g["name"] for g in GOLD["people"]}
    assert {t.name for t in seed_tags if t.kind == "person"} == gold_people


def test_snsc_and_its_long_name_are_one_tag(seed_tags: list[Tag]) -> None:
    councils = [t for t in seed_tags if "SNSC" in t.evidence.matched]
    assert len(councils) == 1
    assert councils[0].name == "Supreme National Security Council"
    assert "Supreme National Security Council" in councils[0].evidence.matched
    assert not [t for t in seed_tags if t.name == "SNSC"]


def test_seed_evidence_says_where(seed_tags: list[Tag]) -> None:
    tags = _by_name(seed_tags)
    assert tags["Ali Larijani"].evidence.where[0] == "caption"
    assert "line 7" in tags["Ali Larijani"].evidence.where  # author of the Urdu post
    assert tags["Iran"].evidence.where[:2] == ("headline", "description")
    assert tags["Iran"].same_as == (WIKIDATA + "Q794",)
    # Headline and description weigh more than a mention deep in the body.
    assert tags["Pakistan"].score > tags["Islamabad"].score


# --------------------------------------------------------------------------- rules


def test_titles_and_roles_are_stripped() -> None:
    tags = _by_name(
        find_entities(
            _item(
                "Interior Minister Mohsin Naqvi met Iranian President Masoud Pezeshkian.",
                "UK Chancellor of the Exchequer Gordon Brown spoke, said analyst John Reade.",
            )
        )
    )
    assert {"Mohsin Naqvi", "Masoud Pezeshkian", "Gordon Brown", "John Reade"} <= set(tags)
    assert all(t.kind == "person" for n, t in tags.items() if n in {"Gordon Brown", "John Reade"})
    assert "Chancellor" not in tags


def test_mr_surname_links_to_the_full_name_and_counts() -> None:
    tags = find_entities(
        _item(
            "Tony Blair will visit Tehran.", "Mr Blair said the talks were useful.", "Blair left."
        )
    )
    people = [t for t in tags if t.kind == "person"]
    assert [p.name for p in people] == ["Tony Blair"]
    assert people[0].evidence.mentions == 3
    assert set(people[0].evidence.matched) == {"Tony Blair", "Blair"}


def test_mr_surname_alone_is_a_person_by_surname() -> None:
    tags = _by_name(find_entities(_item("Mr Bussereau said the aid would help growers.")))
    assert tags["Bussereau"].kind == "person"


def test_bare_capitalised_runs_without_evidence_are_not_people() -> None:
    tags = find_entities(
        _item(
            "Grand Theft Auto and Desperate Housewives topped the charts.",
            "Wider context",
            "Furthermore, the Muslim world today needs Islamic unity.",
            "Certainly I would not be surprised, said the Hollywood Reporter on Tuesday.",
        )
    )
    assert [t for t in tags if t.kind == "person"] == []


def test_an_organisation_name_stops_before_a_date() -> None:
    tags = find_entities(
        _item(
            "Brightwater Corp on Monday reported a loss.",
            "Tellmark Holdings Inc on Nov. 3 said it would cut jobs.",
            "The Department of Energy on Wednesday approved the plan.",
            "Orvane Ltd of March last year is now Orvane Group Ltd.",
        )
    )
    organisations = sorted(t.name for t in tags if t.kind == "organization")
    assert "Brightwater Corp" in organisations
    assert "Tellmark Holdings Inc" in organisations
    assert "Department of Energy" in organisations
    assert not [
        n for n in organisations if any(d in n for d in ("Monday", "Nov", "Wednesday", "March"))
    ]


def test_a_town_qualified_by_a_state_is_not_its_namesake_abroad() -> None:
    tags = _by_name(
        find_entities(
            _item(
                "Lakeshore Foods Corp said it acquired a Cairo, Ga., propane distributor.",
                "Its engine plant in Essex, Ontario, will close.",
            )
        )
    )
    assert "Egypt" not in tags and "Cairo" not in tags
    assert "United Kingdom" not in tags and "Essex" not in tags
    assert {"US-GA", "CA-ON"} <= {t.code for t in tags.values()}  # the states are named


def _wire(text: str) -> list[Tag]:
    return find_entities(parse_article(text.encode(), source_path="w.txt", config=_config()))


def test_a_country_only_implied_by_a_city_in_passing_gives_way() -> None:
    tags = _by_name(
        _wire(
            "Envoy to visit for talks\n\nOTTAWA, March 6 - Canada's trade minister will travel to "
            "Moscow next month for talks on grain sales, Canadian officials said.\n\n"
            "Canada sold 1.2 mln tonnes of wheat last year, the officials said.\n"
        )
    )
    assert "Canada" in tags and "Moscow" in tags
    assert "Russia" not in tags  # the capital stands for the government here
    # Alone, a city still implies its country.
    alone = _by_name(_wire("Talks\n\nTalks were held in Moscow on grain sales, officials said.\n"))
    assert "Russia" in alone


def test_in_wire_copy_a_demonym_used_again_names_the_country() -> None:
    tags = _by_name(
        _wire(
            "Crushers buy rapeseed\n\nCHICAGO, March 9 - Japanese crushers bought 5,000 tonnes "
            "of rapeseed over the weekend, trade sources said.\n\nJapanese crushers continue to "
            "favour rapeseed, which yields more oil, they said.\n"
        )
    )
    assert tags["Japan"].evidence.rule == "demonym"
    assert tags["Japan"].evidence.mentions == 2
    once = _by_name(
        _wire(
            "Aid for growers\n\nPARIS, March 9 - The French government will give wine makers "
            "aid, a ministry spokesman said.\n\nThe aid covers frost damage.\n"
        )
    )
    assert "France" in once  # the dateline's country
    twice_late = _by_name(
        _wire(
            "Grain sales\n\nCHICAGO, March 9 - Exporters sold wheat, traders said.\n\n"
            "The sales went on.\n\nSwiss buyers paid more. Swiss traders agreed.\n"
        )
    )
    assert "Switzerland" not in twice_late  # not in the lead: background


def test_demonym_counts_only_when_the_country_is_named() -> None:
    alone = find_entities(_item("The French government will hand wine makers aid."))
    assert not [t for t in alone if t.kind == "place"]
    both = _by_name(find_entities(_item("France gave aid.", "French producers were pleased.")))
    assert both["France"].evidence.matched == ("France", "French")
    assert both["France"].evidence.mentions == 2


def test_possessives_with_either_apostrophe_match() -> None:
    tags = _by_name(find_entities(_item("Pakistan’s capital and Iran's envoy met.")))
    assert tags["Pakistan"].evidence.matched == ("Pakistan",)
    assert tags["Iran"].evidence.matched == ("Iran",)


def test_hyphenated_places() -> None:
    tags = _by_name(
        find_entities(_item("Pakistan and Saudi Arabia signed the Pakistan-Saudi deal."))
    )
    assert tags["Saudi Arabia"].evidence.mentions == 2
    assert tags["Pakistan"].evidence.mentions == 2


def test_organisation_patterns_and_defined_acronyms() -> None:
    tags = find_entities(
        _item(
            "The Powys Local Health Board (PLHB) objected. PLHB staff met on Friday.",
            "Pakistan issued a Statutory Regulatory Order (SRO) on trade. The SRO was new.",
            "Researchers from the University of the Highlands and Islands and Southampton met.",
        )
    )
    orgs = _by_name([t for t in tags if t.kind == "organization"])
    assert orgs["Powys Local Health Board"].evidence.matched == ("Powys Local Health Board", "PLHB")
    assert orgs["Powys Local Health Board"].evidence.mentions == 2  # "(PLHB)" is no mention
    assert "University of the Highlands and Islands" in orgs
    assert not [n for n in orgs if "SRO" in n or "Order" in n]
    assert "Southampton" in _by_name(tags)


def test_clubs_are_not_places() -> None:
    tags = _by_name(
        find_entities(_item("Stoke City beat Manchester United.", "Newcastle boss Graeme Souness."))
    )
    assert tags["Stoke City"].kind == tags["Manchester United"].kind == "organization"
    assert "Newcastle" not in tags and "Manchester" not in tags
    assert tags["Graeme Souness"].kind == "person"


def test_given_name_beats_a_place_of_the_same_word() -> None:
    tags = _by_name(find_entities(_item("Martin Palermo scored, and Jordan said he was glad.")))
    assert tags["Martin Palermo"].kind == "person"
    assert "Palermo" not in tags
    assert tags["Jordan"].kind == "place"


def test_coordinated_given_names_share_the_surname() -> None:
    tags = _by_name(find_entities(_item("Stars include Robin and Barry Gibb of The Bee Gees.")))
    assert tags["Robin Gibb"].kind == tags["Barry Gibb"].kind == "person"
    assert "Bee Gees" not in tags


def test_title_case_headline_gives_no_people() -> None:
    item = _item("The court in Washington ruled.", headline="Court Rejects Big Tobacco Case Now")
    assert not [t for t in find_entities(item) if t.kind == "person"]


def test_post_author_is_a_person() -> None:
    post = EmbeddedPost(text="Welcome!", author="Ali Larijani", handle="alilarijani_ir", line=7)
    item = _item("Talks went well.").model_copy(
        update={"body": (Paragraph(text="Talks went well.", line=3), post)}
    )
    tags = _by_name(find_entities(item))
    assert tags["Ali Larijani"].evidence.rule == "post-author"
    assert tags["Ali Larijani"].evidence.where == ("line 7",)


def test_headings_are_read_but_are_no_names() -> None:
    item = _item("Iran and Pakistan met.").model_copy(
        update={
            "body": (
                Paragraph(text="Iran and Pakistan met.", line=3),
                Heading(text="On Saudi-Pakistani agreement", line=4),
            )
        }
    )
    tags = _by_name(find_entities(item))
    assert "line 4" in tags["Pakistan"].evidence.where
    assert not [t for t in tags.values() if "agreement" in t.name]


# --------------------------------------------------------------------------- the enricher


def test_registered_and_given_tags_win() -> None:
    given_iran = Tag(kind="place", name="Iran", slug="iran", given=True, score=9.0)
    item = _item("Iran and Pakistan met in Tehran.", tags=(given_iran,))
    out = entities(item, _config())
    irans = [t for t in out.tags if t.slug == "iran"]
    assert irans == [given_iran]
    assert {"pakistan", "tehran"} <= {t.slug for t in out.tags}


def test_enricher_is_idempotent() -> None:
    item = _item("Iran and Pakistan met in Tehran, said Ali Larijani.")
    once = entities(item, _config())
    assert entities(once, _config()).tags == once.tags


# --------------------------------------------------------------------------- overrides


def _tag(kind: str, name: str, score: float = 1.0, *, given: bool = False) -> Tag:
    return Tag(
        kind=kind,
        name=name,
        slug=slugify(name),
        score=score,
        given=given,
        evidence=Evidence(mentions=1, matched=(name,)),
    )


def test_overrides_drop_inferred_tags_by_name_or_slug_not_given_ones() -> None:
    item = _item(
        "x",
        tags=(
            _tag("place", "Tehran"),
            _tag("person", "Ali Larijani"),
            _tag("organization", "BBC"),
            _tag("place", "Iran", given=True),
        ),
    )
    out = apply_overrides(item, _config(drop=["tehran", "ALI-LARIJANI", "Iran"]))
    assert [t.name for t in out.tags] == ["Iran", "BBC"]


def test_overrides_rename_recomputes_slug_and_dedupes() -> None:
    item = _item(
        "x",
        tags=(
            _tag("place", "Teheran", 2.0),
            _tag("place", "Tehran", 1.0),
            _tag("keyword", "Strategic partnership"),
        ),
    )
    out = apply_overrides(
        item, _config(rename={"teheran": "Tehran", "Strategic partnership": "Ties"})
    )
    assert [(t.name, t.slug) for t in out.tags] == [("Tehran", "tehran"), ("Ties", "ties")]
    assert out.tags[0].score == 2.0
    assert out.tags[0].evidence.mentions == 2  # evidence pooled


def test_overrides_order_given_then_kind_then_score_then_name() -> None:
    tags = (
        _tag("keyword", "trade", 9.0),
        _tag("place", "Iran", 2.0),
        _tag("place", "Pakistan", 5.0),
        _tag("person", "Zed", 1.0),
        _tag("person", "Amy", 1.0),
        _tag("topic", "politics", 3.0, given=True),
        _tag("organization", "BBC", 1.0),
        _tag("topic", "politics", 4.0),
    )
    out = apply_overrides(_item("x", tags=tags), _config())
    assert [(t.name, t.given) for t in out.tags] == [
        ("politics", True),
        ("Amy", False),
        ("Zed", False),
        ("BBC", False),
        ("Pakistan", False),
        ("Iran", False),
        ("trade", False),
    ]


def test_enrich_runs_overrides() -> None:
    config = _config(drop=["Pakistan"]).model_copy(
        update={"enrich": _config().enrich.model_copy(update={"enabled": ("entities",)})}
    )
    out = enrich_item(_item("Iran and Pakistan met."), config)
    assert [t.name for t in out.tags] == ["Iran"]


# --------------------------------------------------------------------------- slugs


def test_slugify_examples() -> None:
    assert slugify("São Paulo") == "sao-paulo"
    assert slugify("Supreme National Security Council") == "supreme-national-security-council"
    assert slugify("Côte d'Ivoire") == "cote-d-ivoire"
    assert slugify("Ruud van Nistelrooy") == "ruud-van-nistelrooy"
    assert slugify("Marks & Spencer") == "marks-and-spencer"
    persian = slugify("علی لاریجانی")
    assert persian.startswith("t-") and len(persian) == 10
    assert persian == slugify(" علی لاریجانی ")
    assert persian != slugify("عباس عراقچی")


@given(st.text(min_size=1))
def test_slugify_always_gives_a_valid_slug(name: str) -> None:
    assert SLUG_PATTERN.fullmatch(slugify(name))


# --------------------------------------------------------------------------- data


def test_gazetteer_data_is_well_formed() -> None:
    for row in data_lines("cities.tsv"):
        assert pycountry.countries.get(alpha_2=row[1]) is not None, row
        ZoneInfo(row[2])
    for name in ("countries.tsv", "cities.tsv", "organizations.tsv"):
        for row in data_lines(name):
            qid = row[4] if name != "organizations.tsv" and len(row) > 4 else ""
            qid = row[2] if name == "organizations.tsv" and len(row) > 2 else qid
            assert qid == "" or (qid.startswith("Q") and qid[1:].isdigit()), row
    lex = lexicon()
    # Never the start of a name, though given names too: "Christian Aid", "Jan", "Dec".
    assert lex.first_names & lex.not_names == {"Christian", "Dec", "Jan"}
    assert all(unicodedata.is_normalized("NFC", w) for w in lex.first_names)


def test_every_country_has_a_tag_code() -> None:
    names = {}
    for _tokens, entry in lexicon().names():
        if entry.rule == "gazetteer:country" and entry.scheme == ISO_3166_1:
            names[entry.code] = entry.name
    assert len(names) == len(pycountry.countries)
    assert names["IR"] == "Iran" and names["GB"] == "United Kingdom" and names["RU"] == "Russia"


# --------------------------------------------------------------------------- BBC corpus


def _norm(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@pytest.mark.corpus
def test_bbc_annotations_f1() -> None:
    if not BBC.is_dir():
        pytest.skip("needs ../shared/corpus/bbc")
    gold = json.loads(ANNOTATIONS.read_text("utf-8"))
    assert len(gold["articles"]) >= 40
    tp = {"people": 0, "places": 0}
    fp = dict(tp)
    fn = dict(tp)
    for article in gold["articles"]:
        path = BBC / f"{article['id']}.txt"
        item = parse_article(path.read_bytes(), source_path=path.name, config=_config(), path=path)
        tags = find_entities(item)
        found = {
            "people": {_norm(t.name) for t in tags if t.kind == "person"},
            "places": {
                _norm(t.name)
                for t in tags
                if t.kind == "place" and t.evidence.rule != "gazetteer:region"
            },
        }
        for kind in tp:
            truth = {_norm(n) for n in article[kind]}
            tp[kind] += len(found[kind] & truth)
            fp[kind] += len(found[kind] - truth)
            fn[kind] += len(truth - found[kind])
    for kind, floor in (("people", 0.85), ("places", 0.9)):
        precision = tp[kind] / (tp[kind] + fp[kind])
        recall = tp[kind] / (tp[kind] + fn[kind])
        assert 2 * precision * recall / (precision + recall) >= floor, (kind, tp, fp, fn)


def test_enricher_word_lists_are_well_formed() -> None:
    """The word lists of dates, keywords and languages: a malformed row would be silently unused."""
    from feedtool.enrich import _script, keywords

    for row in data_lines("date_prepositions_en.tsv"):
        assert 1 <= len(row) <= 2 and row[0].isalpha() and row[0].islower(), row
        uses = set(row[1].split()) if len(row) > 1 else set()
        assert uses <= {"year", "month", "deadline"}, row
        assert "deadline" not in uses or "year" in uses, row
    for name in ("date_looking_back_en.txt", "nouns_like_adjectives_en.txt", "past_forms_en.txt"):
        for row in data_lines(name):
            assert len(row) == 1 and row[0].isalpha() and row[0].islower(), (name, row)
    # Listing a noun only matters when it ends like an adjective; a past form only when
    # the "-ed" rule (longer than four letters) does not already catch it ("led" is listed).
    for (word,) in data_lines("nouns_like_adjectives_en.txt"):
        assert word.endswith(keywords._ADJECTIVE_ENDINGS), word
    for (word,) in data_lines("past_forms_en.txt"):
        assert not (word.endswith("ed") and len(word) > 4), word
    for row in data_lines("arabic_script_cues.tsv"):
        assert len(row) == 2 and row[1] in {"ar", "fa", "ur"}, row
        assert _script._WORD.fullmatch(row[0]), row  # else no text word could ever equal it
