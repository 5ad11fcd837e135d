"""The caches and fast paths of parse, enrich and the build's records change no result.

Each one is checked against what it replaced or against a cold cache, in an
order that would show a cache keyed too loosely (one language's words read
with another's stop list, a shape kept for another lexicon).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedtool import _text
from feedtool._slug import tag_slug
from feedtool.config import Config, PublisherConfig
from feedtool.enrich import _script, entities, gazetteer, keywords
from feedtool.enrich.gazetteer import lexicon
from feedtool.model import NewsItem, Paragraph, Publisher
from feedtool.parse import parse_article
from feedtool.publish._state import body_fingerprint

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://news.example.org/"
CONFIG = Config(title="Desk", base_url=BASE, publisher=PublisherConfig(name="Desk", url=BASE))

# Letters, digits of other scripts, underscores, marks and every kind of space.
_CHARS = st.sampled_from(
    [
        *" \t\n\r\x0b\x0c\x1c\x85\u00a0\u2003\u3000\u200b\ufeff_-.,'’aZé1ß字",
        *"\u0661\u00b2\u2155\u064b\u0300\U0001f600\u200c\u0628",
    ]
)


@given(st.text(_CHARS, max_size=40))
def test_word_count_counts_tokens_with_a_letter_or_digit(text: str) -> None:
    expected = sum(1 for token in text.split() if any(c.isalnum() for c in token))
    assert _text.word_count(text) == expected


def test_sentence_spans_hands_out_a_fresh_list() -> None:
    text = "The talks resumed on Monday. Both sides said progress was made. No date was set."
    first = _text.sentence_spans(text)
    first.clear()
    assert len(_text.sentence_spans(text)) == 3


def _item(*lines: str, language: str) -> NewsItem:
    body = tuple(Paragraph(text=text, line=3 + i) for i, text in enumerate(lines))
    return NewsItem(
        url=BASE + "a.html",
        slug="a",
        headline="Talks",
        body=body,
        publisher=Publisher(name="Desk", url=BASE),
        language=language,
        word_count=sum(len(line.split()) for line in lines),
        source_path="a.txt",
        content_hash="0" * 64,
    )


# "die", "was" and "also" are stop words in one language and not the other.
_ENGLISH = _item(
    "The die was cast when the Sanierung plan also failed. The die was cast again.",
    "Die Sanierung also needs funds; die Sanierung plan failed twice, was it the die?",
    language="en",
)
_GERMAN = _item(
    "Die Sanierung der Brücke kostet Geld. Die Sanierung der Brücke was also teuer.",
    "Der Plan für die Sanierung der Brücke scheiterte, also die Brücke bleibt gesperrt.",
    language="de",
)


def test_keywords_do_not_depend_on_what_was_read_before() -> None:
    keywords._PIECES.clear()
    english_first = (keywords.find_keywords(_ENGLISH), keywords.find_keywords(_GERMAN))
    keywords._PIECES.clear()
    german = keywords.find_keywords(_GERMAN)
    english = keywords.find_keywords(_ENGLISH)
    assert english_first == (english, german)
    assert english and german


def test_entities_do_not_depend_on_what_was_read_before() -> None:
    seed = ROOT / "seeds" / "000_ae4195037769579a.txt"
    item = parse_article(seed.read_bytes(), source_path=seed.name, config=CONFIG)
    warm = entities.find_entities(item)
    entities._SHAPES = (None, {})
    entities._name_like.cache_clear()
    assert entities.find_entities(item) == warm
    assert entities._SHAPES[0] is lexicon()
    assert any(tag.kind == "person" for tag in warm)


# What a token may be made of, and what may sit between tokens: capitals for
# acronyms ("U.S."), apostrophes for possessives, joiners, other scripts.
_SENTENCE_CHARS = st.sampled_from([*"  ,.;-'’&()\u00a0\tAUSMacdnrs1é字\u0628_", "Mr", "'s"])


@given(st.lists(_SENTENCE_CHARS, max_size=30).map("".join))
def test_entity_tokens_are_the_gazetteer_tokens_with_their_offsets(sentence: str) -> None:
    # _tokens cuts with split() and counts offsets itself: each token must be
    # the regex match it stands for, at that match's place, shaped as _shape says.
    lex = lexicon()
    tokens, words = entities._tokens(sentence, lex)
    expected = []
    for match in entities.TOKEN.finditer(sentence):
        text, base, cap, poss = entities._shape(match[0], lex)
        expected.append((text, base, match.start(), match.end(), cap, poss, False))
    got = [(t.text, t.base, t.start, t.end, t.cap, t.poss, t.used) for t in tokens]
    assert got == expected
    assert words == [base if poss else text for text, base, _s, _e, _c, poss, _u in expected]


@given(st.lists(st.text(_CHARS, min_size=1, max_size=20), min_size=1, max_size=3))
def test_body_fingerprint_is_the_regex_normalised_text_hash(texts: list[str]) -> None:
    # The fingerprint keeps an article's id across renames: it must stay the
    # hash the regex normalisation gave, on every kind of whitespace.
    item = _item(*texts, language="en")
    words = " ".join(block.text for block in item.body).casefold()
    words = re.sub(r"\s+", " ", unicodedata.normalize("NFC", words)).strip()
    assert body_fingerprint(item) == hashlib.sha256(words.encode()).hexdigest()


def test_demonyms_are_the_names_whose_entry_is_a_demonym() -> None:
    # Read from the records' bytes without making the other entries: the
    # same names, entries and order as filtering every entry made.
    lex = lexicon()
    expected = [(tokens, entry) for tokens, entry in lex.names() if entry.demonym]
    assert list(lex.demonyms()) == expected
    assert any(tokens == ("Iranian",) for tokens, _entry in expected)


@given(st.text(_CHARS, max_size=12))
def test_tag_slug_kept_is_tag_slug_made(name: str) -> None:
    # The same slug from the kept names as made afresh, asked once or twice.
    made = tag_slug.__wrapped__(name)
    assert tag_slug(name) == made
    assert tag_slug(name) == made


@given(st.text(st.sampled_from([*" |\t\u00a0aZé"]), max_size=12))
def test_gazetteer_cells_split_as_every_part_stripped(cell: str) -> None:
    expected = [part.strip() for part in cell.split("|") if part.strip()]
    assert gazetteer._split(cell) == expected


def test_gazetteer_records_refuse_separators_and_empty_fields() -> None:
    # The separators are counted on the encoded line: one inside any field
    # or link (or an empty name) must still be refused, not stored shifted.
    good = gazetteer.Entry("place", "Lyon", "gazetteer:city", same_as=("=a", "=b"))
    line = gazetteer._encode(good)
    assert line.count(gazetteer._CELL) == 10
    bad = [
        dataclasses.replace(good, name=f"Ly{gazetteer._CELL}on"),
        dataclasses.replace(good, name=f"Ly{gazetteer._ITEM}on"),
        dataclasses.replace(good, same_as=("=a", f"=b{gazetteer._ITEM}c")),
        dataclasses.replace(good, same_as=(f"=a{gazetteer._CELL}",)),
        dataclasses.replace(good, state=f"US-{gazetteer._CELL}"),
    ]
    for entry in bad:
        with pytest.raises(ValueError, match="separator"):
            gazetteer._encode(entry)
    for entry in (dataclasses.replace(good, name=""), dataclasses.replace(good, state="")):
        with pytest.raises(ValueError, match="empty field"):
            gazetteer._encode(entry)


# Latin letters of Latin-1 and beyond, Arabic letters and marks, another
# script's letter, digits, '@', '/' and spaces.
_SCRIPT_CHARS = st.sampled_from([*" \t\n\u00a0@/.,£’aZéßĀẞ\u0628\u064b\u06cc\u0410字1"])


@given(st.text(_SCRIPT_CHARS, max_size=40))
def test_script_counts_are_each_scripts_letters(text: str) -> None:
    # Counted apart for Latin and Arabic text (its ASCII letters, then the
    # rest): each script's count must stay the letters its pattern matches.
    expected = {}
    for name, pattern in _script._SCRIPTS:
        n = sum(map(len, pattern.findall(text)))
        if n:
            expected[name] = n
    assert _script.count_scripts(text) == expected
    assert list(_script.count_scripts(text)) == list(expected)


@given(st.text(_SCRIPT_CHARS, max_size=40))
def test_clean_blanks_each_word_with_an_at_sign_or_a_slash(text: str) -> None:
    # ``_NOISE`` is tried where words start only: it must still blank the
    # words the pattern tried everywhere did.
    assert _script.clean(text) == re.sub(r"[^\s@/]*[@/]\S*", " ", text)


def test_gazetteer_names_after_a_large_group_start_are_matched_as_before() -> None:
    # The groups of many names ("San", "Al") are looked up by their second
    # token first: every name of them, alone, followed or cut short, must
    # match as the plain walk through the group does.
    lex = lexicon()
    plain = dataclasses.replace(lex, seconds={}, decoded={})
    assert lex.seconds
    for group in lex.seconds:
        for tokens, _number in lex.starts[group]:
            for words in (list(tokens), [*tokens, "Street"], [tokens[0], "Xyz"], [tokens[0]]):
                for stop in range(len(words) + 1):
                    assert lex.match(words, 0, stop) == plain.match(words, 0, stop), (words, stop)
