"""Enricher: topics — IPTC Media Topics from a lexicon of cue terms.

A small, fast lexicon classifier (no model, no download). Each level-1 and
level-2 IPTC Media Topic has weighted cue terms: labels of the concept and of
its narrower concepts and characteristic words of their definitions, derived
from the IPTC vocabulary, plus hand-curated cues (``data/iptc_cues.toml``).
``scripts/make_iptc_data.py`` merges them into ``data/iptc_topics.json``, which
is loaded once, on first use.

Scoring: every cue occurrence adds its weight, times 3 in the headline and 2 in
the description, to its concept (a level-2 cue also counts for its level-1
parent); a cue repeated n times counts 1 + ln n times, and a level-1 topic's sum
is multiplied by its prior from the cue file (politics 1.3: its actors appear
in articles on every policy field; crime 0.8: legal words appear in every
section). A tag's score is that sum per 100 words. The best level-1 topic is
always kept (an article with any cue at all gets a top-level topic), others
when they come close to it and the best has enough evidence; level-2 topics
are kept under a kept parent when their own cues occur often enough.
Words are matched whole, longest phrase first, with plural and possessive
endings folded (:func:`term_key`).
Text in another language (the article's or a block's) is read with that
language's hand-written level-1 cues (``data/topic_cues_<lang>.toml``, see
:mod:`feedtool.enrich._topic_cues`), scored the same way; a language without a
cue file is skipped rather than read as English.

Every article gets at least one level-1 topic: when no cue of any of its
languages occurs, it gets the configured ``[enrich] default_topic`` (society
unless configured), with evidence rule ``iptc-default``, no mentions and score
0, so a reader of the tag can tell a default from a finding. A level-1 IPTC
topic given in front matter counts, and then no default is added.

Contains data derived from IPTC Media Topics (© IPTC, CC BY 4.0,
https://iptc.org/standards/media-topics/); see ``data/NOTICE-IPTC.md``.
"""

from __future__ import annotations

import json
import math
import operator
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from importlib import resources
from itertools import compress, count
from typing import Any, NamedTuple

from feedtool._slug import tag_slug
from feedtool._tables import stored
from feedtool._text import WORD_CACHE_SIZE
from feedtool.config import Config
from feedtool.enrich import _topic_cues, enricher
from feedtool.enrich._tags import merge_tags
from feedtool.enrich._text import segments, where_label
from feedtool.errors import ConfigError
from feedtool.model import Evidence, NewsItem, Tag

SCHEME = "http://cv.iptc.org/newscodes/mediatopic/"
RULE = "iptc-lexicon"
DEFAULT_RULE = "iptc-default"
DATA_FILE = "iptc_topics.json"

# Weight of a cue occurrence by where it is: the headline and standfirst say
# what the article is about more reliably than any one body sentence.
_PLACE_WEIGHT = {"headline": 3.0, "description": 2.0}
# Selection thresholds, tuned on the development half of the BBC corpus (files
# 001-150 of each folder; see bench/eval_topics.py).
_MIN_RAW = 4.0  # weighted evidence the best level-1 topic needs at all
_MIN_MENTIONS = 2  # ... and cue occurrences
_RUNNER_UP_RATIO = 0.5  # another level-1 topic needs this share of the best score
_RUNNER_UP_MIN_RAW = 8.0
_RUNNER_UP_MIN_MENTIONS = 4
_MAX_TOP = 3
_CHILD_MIN_MENTIONS = 2  # a level-2 topic needs this many occurrences, or one in the headline
_CHILD_MIN_SHARE = 0.15  # ... and this share of its parent's weighted evidence
_MAX_CHILDREN = 3
_MAX_MATCHED = 12  # surface forms kept in the evidence, most frequent first
_LENGTH_SMOOTHING = 50  # words added to the length so a two-line text cannot spike

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_SPLIT = re.compile(f"({_WORD.pattern})")


def term_key(word: str) -> str:
    """The matching key of one word: lower case, no possessive, no plural ending.

    The cue data is keyed by the same function, so singular and plural forms
    meet ("matches" and "match" both give "match").
    """
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.rstrip("'")
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _bare(word: str) -> str:
    """A word lower-cased with its possessive removed: what prefix cues match."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    return word.rstrip("'")


def words(text: str) -> list[str]:
    """The words of ``text`` as the lexicon sees them (accents folded)."""
    return [_fold(w) for w in _WORD.findall(text)]


def _fold(word: str) -> str:
    if word.isascii():
        return word
    # Fold Latin accents ("café" → "cafe"); only the combining diacritics block
    # is removed, so other scripts' marks stay.
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not 0x300 <= ord(c) <= 0x36F)


# --------------------------------------------------------------------------- data

Entries = tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class Concept:
    """A level-1 or level-2 IPTC Media Topic the enricher can emit."""

    code: str
    label: str
    level: int
    parent: str | None
    same_as: tuple[str, ...]
    prior: float = 1.0

    @property
    def uri(self) -> str:
        return SCHEME + self.code.split(":", 1)[1]


@dataclass(slots=True)
class _Lexicon:
    concepts: dict[str, Concept]
    # capitalised words matched with their case, instead of the other cues
    proper: dict[str, Entries]
    words: dict[str, Entries]
    # the first ``prefix_head`` letters of the prefix cues (the shortest's
    # length) → (prefix, its cues) of those starting with them, longest
    # first: a word's prefix cues are found with one lookup, not one a length
    prefixes: dict[str, tuple[tuple[str, Entries], ...]]
    prefix_head: int
    phrases: dict[str, Entries]
    # head of a phrase whose last word is a prefix → (prefix, entries)
    phrase_prefixes: dict[str, tuple[tuple[str, Entries], ...]]
    # first word of any phrase → its longest phrase, in words
    phrase_starts: dict[str, int]
    # first word of any phrase → (the second words of its phrases, the
    # prefixes of its two-word prefix phrases): most phrase starts are not
    # followed by any, and are then no phrase of any length
    phrase_seconds: dict[str, tuple[frozenset[str], tuple[str, ...]]]
    word_cache: _Words = field(init=False)

    def __post_init__(self) -> None:
        self.word_cache = _Words(self)

    def __reduce__(self) -> tuple[type[_Lexicon], tuple[Any, ...]]:
        # The words this process has met are not part of the table: kept with
        # it (``feedtool._tables``), up to 100,000 of them were read back and
        # held by every later build.
        return (
            _Lexicon,
            tuple(getattr(self, f.name) for f in fields(self) if f.name != "word_cache"),
        )


def _entries(raw: Iterable[Sequence[Any]]) -> Entries:
    return tuple((str(code), float(weight)) for code, weight in raw)


@stored
def _lexicon() -> _Lexicon:
    text = resources.files("feedtool.enrich").joinpath("data", DATA_FILE).read_text("utf-8")
    data = json.loads(text)
    concepts = {
        code: Concept(code, label, int(level), parent, tuple(same_as), float(prior))
        for code, (label, level, parent, same_as, prior) in data["concepts"].items()
    }
    words_: dict[str, Entries] = {}
    prefixes: dict[str, Entries] = {}
    phrases: dict[str, Entries] = {}
    phrase_prefixes: dict[str, list[tuple[str, Entries]]] = {}
    phrase_starts: dict[str, int] = {}
    seconds: dict[str, tuple[set[str], list[str]]] = {}
    for key, raw in data["cues"].items():
        entries = _entries(raw)
        parts = key.split(" ")
        star = key.endswith("*")
        if len(parts) == 1:
            (prefixes if star else words_)[key.rstrip("*")] = entries
            continue
        phrase_starts[parts[0]] = max(phrase_starts.get(parts[0], 0), len(parts))
        following, second_prefixes = seconds.setdefault(parts[0], (set(), []))
        if star and len(parts) == 2:
            second_prefixes.append(parts[1].rstrip("*"))
        else:
            following.add(parts[1])
        if star:
            head = " ".join(parts[:-1])
            phrase_prefixes.setdefault(head, []).append((parts[-1].rstrip("*"), entries))
        else:
            phrases[key] = entries
    return _Lexicon(
        concepts=concepts,
        proper={key: _entries(raw) for key, raw in data["proper"].items()},
        words=words_,
        prefixes=_by_head(prefixes, shortest := min(map(len, prefixes), default=0)),
        prefix_head=shortest,
        phrases=phrases,
        phrase_prefixes={head: tuple(v) for head, v in phrase_prefixes.items()},
        phrase_starts=phrase_starts,
        phrase_seconds={
            first: (frozenset(following), tuple(second_prefixes))
            for first, (following, second_prefixes) in seconds.items()
        },
    )


def _by_head(prefixes: dict[str, Entries], head: int) -> dict[str, tuple[tuple[str, Entries], ...]]:
    """``_Lexicon.prefixes`` of the prefix cues ``prefixes`` (none shorter than ``head``)."""
    heads: dict[str, list[tuple[str, Entries]]] = {}
    for prefix, entries in prefixes.items():
        heads.setdefault(prefix[:head], []).append((prefix, entries))
    return {
        first: tuple(sorted(found, key=lambda pair: -len(pair[0])))
        for first, found in heads.items()
    }


def concepts() -> dict[str, Concept]:
    """The concepts the enricher can emit, by qcode (loads the data)."""
    return dict(_lexicon().concepts)


def _merge(*groups: Entries) -> Entries:
    best: dict[str, float] = {}
    for group in groups:
        for code, weight in group:
            if weight > best.get(code, 0.0):
                best[code] = weight
    return tuple(sorted(best.items()))


class _Token(NamedTuple):
    """What the lexicon knows of one word as written."""

    key: str  # term_key of the word
    bare: str  # lower case, no possessive: what prefix cues match
    entries: Entries  # the word's own cues
    phrase_len: int  # longest phrase starting with the word (0: none)
    cued: bool  # whether a cue or a phrase may start at the word (else it is skipped)


class _Words(dict[str, _Token]):
    """word as written → its ``_Token``, made on a miss: a text's words are
    looked up by ``map`` in C, and only the words not met yet cost a call."""

    __slots__ = ("lex",)

    def __init__(self, lex: _Lexicon) -> None:
        super().__init__()
        self.lex = lex

    def __missing__(self, word: str) -> _Token:
        lex = self.lex
        folded = _fold(word)
        key, bare = term_key(folded), _bare(folded)
        entries, phrase_len = _lookup(lex, folded, key, bare), lex.phrase_starts.get(key, 0)
        token = _Token(key, bare, entries, phrase_len, bool(entries) or phrase_len > 1)
        if len(self) > WORD_CACHE_SIZE:  # bounded: a process sees many words
            self.clear()
        self[word] = token
        return token


def _lookup(lex: _Lexicon, word: str, key: str, bare: str) -> Entries:
    proper = lex.proper.get(word.replace("’", "'").removesuffix("'s"))
    if proper is not None:
        return proper
    found = [lex.words.get(key, ())]
    for prefix, entries in lex.prefixes.get(bare[: lex.prefix_head], ()):
        if entries and bare.startswith(prefix):
            found.append(entries)
    return _merge(*found) if len(found) > 1 else found[0]


# --------------------------------------------------------------------------- scoring


@dataclass(slots=True)
class _Cue:
    """One surface form's occurrences for one concept."""

    surface: str
    order: int
    count: int = 0
    weighted: float = 0.0


@dataclass(slots=True)
class _Hits:
    mentions: int = 0
    in_headline: bool = False
    where: dict[str, None] = field(default_factory=dict)
    matched: dict[str, _Cue] = field(default_factory=dict)  # by lower-case surface

    def total(self) -> float:
        # A cue repeated n times counts 1 + ln n times: a word the article
        # keeps repeating ("court", "court", …) must not outvote many cues.
        return sum(c.weighted * (1 + math.log(c.count)) / c.count for c in self.matched.values())


@dataclass(frozen=True, slots=True)
class Scored:
    """One concept's evidence in an article."""

    concept: Concept
    score: float
    raw: float
    mentions: int
    in_headline: bool
    where: tuple[str, ...]
    # by lower-case surface: ``matched`` is made when asked for (an article
    # has evidence for some fifteen concepts and emits two or three)
    cues: dict[str, _Cue] = field(repr=False)

    @property
    def matched(self) -> tuple[str, ...]:
        """The surface forms that matched, most frequent first (at most ``_MAX_MATCHED``)."""
        ranked = sorted(self.cues.values(), key=lambda c: (-c.count, c.order))
        return tuple(c.surface for c in ranked[:_MAX_MATCHED])


def _scan(lex: _Lexicon, text: str, place: str, weight: float, hits: dict[str, _Hits]) -> int:
    # The words alternate with the text between them: a phrase's surface is
    # a slice of ``pieces`` (cheaper than a match object per word).
    pieces = _SPLIT.split(text)
    tokens = list(map(lex.word_cache.__getitem__, pieces[1::2]))
    phrases, phrase_prefixes, seconds = lex.phrases, lex.phrase_prefixes, lex.phrase_seconds
    n = len(tokens)
    # Most words are no cue and start no phrase: only the others are read
    # (found in C), in order; a word inside a phrase already read is passed.
    i = 0
    for j in compress(count(), map(_CUED, tokens)):
        if j < i:
            continue
        token = tokens[j]
        entries: Entries = ()
        size = 1
        # Longest match first: "rugby union" is sport, not a labour union.
        longest = token.phrase_len
        if longest > 1 and j + 1 < n:
            # A phrase start followed by no second word of its phrases starts none.
            following, second_prefixes = seconds[token.key]
            second = tokens[j + 1]
            if second.key not in following and not second.bare.startswith(second_prefixes):
                longest = 0
        if longest > 1:
            for k in range(min(longest, n - j), 1, -1):
                head = token.key if k == 2 else " ".join([t.key for t in tokens[j : j + k - 1]])
                entries = phrases.get(head + " " + tokens[j + k - 1].key, ())
                if not entries:
                    last = tokens[j + k - 1].bare
                    for prefix, candidate in phrase_prefixes.get(head, ()):
                        if last.startswith(prefix):
                            entries = candidate
                            break
                if entries:
                    size = k
                    break
        if not entries:
            entries = token.entries
        if entries:
            surface = (
                pieces[2 * j + 1] if size == 1 else "".join(pieces[2 * j + 1 : 2 * j + 2 * size])
            )
            _record(hits, entries, surface, place, weight)
        i = j + size
    return n


_CUED = operator.attrgetter("cued")


def _record(
    hits: dict[str, _Hits], entries: Entries, surface: str, place: str, weight: float
) -> None:
    lower = surface.lower()
    headline = place == "headline"
    for code, cue_weight in entries:
        hit = hits.get(code)
        if hit is None:
            hit = hits[code] = _Hits()
        hit.mentions += 1
        if headline:
            hit.in_headline = True
        hit.where[place] = None
        matched = hit.matched
        cue = matched.get(lower)
        if cue is None:
            cue = matched[lower] = _Cue(surface, len(matched))
        cue.count += 1
        cue.weighted += cue_weight * weight


def _scan_other(
    lex: _topic_cues.Lexicon, text: str, place: str, weight: float, hits: dict[str, _Hits]
) -> int:
    found, words_read = lex.scan(text)
    for surface, entries in found:
        _record(hits, entries, surface, place, weight)
    return words_read


def _primary(language: str | None) -> str:
    """The primary subtag of a language tag; an untagged text counts as English."""
    if language is None:
        return "en"
    return language.replace("_", "-").split("-", 1)[0].lower()


def score_item(item: NewsItem) -> list[Scored]:
    """Every concept with evidence in ``item``, best first (levels 1 and 2 mixed).

    Each text segment is read with the cues of its language (English, or a
    language with a cue file: level-1 topics only); empty when no cue occurs.
    Used by the enricher and by the evaluation bench, which needs the scores of
    the topics it does not emit.
    """
    lex = _lexicon()
    hits: dict[str, _Hits] = {}
    total = 0
    article_language = _primary(item.language)
    for segment in segments(item):
        language = _primary(segment.language) if segment.language else article_language
        place = where_label(segment.where, segment.line)
        weight = _PLACE_WEIGHT.get(segment.where, 1.0)
        if language == "en":
            total += _scan(lex, segment.text, place, weight, hits)
            continue
        other = _topic_cues.lexicon(language)
        if other is not None:
            total += _scan_other(other, segment.text, place, weight, hits)
    length = (total + _LENGTH_SMOOTHING) / 100
    scored = []
    for code, hit in hits.items():
        concept = lex.concepts[code]
        raw = hit.total() * concept.prior
        scored.append(
            Scored(
                concept=concept,
                score=round(raw / length, 4),
                raw=raw,
                mentions=hit.mentions,
                in_headline=hit.in_headline,
                where=tuple(hit.where),
                cues=hit.matched,
            )
        )
    scored.sort(key=lambda s: (-s.raw, s.concept.code))
    return scored


def select(scored: Sequence[Scored]) -> list[Scored]:
    """The topics to emit: kept level-1 topics, each followed by its kept children."""
    tops = [s for s in scored if s.concept.level == 1]
    if not tops:
        return []
    best = tops[0]
    if best.raw < _MIN_RAW or best.mentions < _MIN_MENTIONS:
        # Too little evidence to rank topics, but every article gets one top-level
        # topic when any cue occurs at all (a two-line "SILVER FIX" item).
        return [best]
    kept = [best]
    for other in tops[1:]:
        if len(kept) == _MAX_TOP:
            break
        if (
            other.raw >= _RUNNER_UP_RATIO * best.raw
            and other.raw >= _RUNNER_UP_MIN_RAW
            and other.mentions >= _RUNNER_UP_MIN_MENTIONS
        ):
            kept.append(other)
    result: list[Scored] = []
    for top in kept:
        result.append(top)
        children = [
            s
            for s in scored
            if s.concept.parent == top.concept.code
            and (s.mentions >= _CHILD_MIN_MENTIONS or s.in_headline)
            and s.raw >= _CHILD_MIN_SHARE * top.raw
        ]
        result.extend(children[:_MAX_CHILDREN])
    return result


def _tag(scored: Scored) -> Tag:
    return _concept_tag(
        scored.concept,
        parent=scored.concept.parent,
        score=scored.score,
        evidence=Evidence(
            mentions=scored.mentions, where=scored.where, matched=scored.matched, rule=RULE
        ),
    )


def _concept_tag(concept: Concept, *, parent: str | None, score: float, evidence: Evidence) -> Tag:
    return Tag(
        kind="topic",
        name=concept.label,
        slug=tag_slug(concept.label),
        code=concept.code,
        scheme=SCHEME,
        uri=concept.uri,
        same_as=concept.same_as,
        parent=parent,
        score=score,
        evidence=evidence,
    )


def default_tag(code: str) -> Tag:
    """The tag of the configured default topic: no evidence, score 0."""
    concept = _lexicon().concepts.get(code)
    if concept is None or concept.level != 1:
        raise ConfigError(
            f"[enrich] default_topic {code!r} is not a level-1 IPTC Media Topic",
            hint="use a qcode from medtop:01000000 to medtop:17000000, e.g. 'medtop:14000000'",
        )
    return _concept_tag(
        concept, parent=None, score=0.0, evidence=Evidence(mentions=0, rule=DEFAULT_RULE)
    )


@enricher("topics", after=("languages",))
def enrich_topics(item: NewsItem, config: Config) -> NewsItem:
    """Add IPTC Media Topic tags (kind 'topic') to ``item``.

    Topics already on the item from front matter are kept and not repeated;
    topics from an earlier run of this enricher are replaced. An article
    with no level-1 topic after that gets the configured default topic.
    """
    found = [_tag(s) for s in select(score_item(item))]
    tops = _lexicon().concepts
    given = [t for t in item.tags if t.kind == "topic" and not _stale(t)]
    if not any(
        t.parent is None and t.code in tops and tops[t.code].level == 1 for t in (*found, *given)
    ):
        found.insert(0, default_tag(config.enrich.default_topic))
    return merge_tags(item, found, _stale)


def _stale(tag: Tag) -> bool:
    return tag.kind == "topic" and tag.evidence.rule in (RULE, DEFAULT_RULE)
