"""Enricher: keywords — a handful of key phrases (tags of kind 'keyword').

A small RAKE (Rose et al. 2010): the text is cut into candidate phrases at
stop words, punctuation, numbers and proper nouns; each word scores its
degree over its frequency, a phrase the sum of its words. A phrase's score is
then multiplied by how often and where it occurs (headline ×3, description
×2, first paragraphs ×1.5). At most ``LIMIT`` phrases are kept, none inside
another, none that names a person, organisation or place already tagged, and
a single word only when it occurs more than once. Phrases are lower case;
plurals group with singulars ("customs procedure(s)").

Languages: English with its own lists; French, German, Spanish, Italian,
Portuguese, Dutch, Catalan, Swedish, Danish and Norwegian with the stop words
of the ``stop-words`` package (``KEYWORD_LANGUAGES``): light inflection lets
RAKE's phrases repeat. German capitalises its nouns, so there a capitalised
word is a candidate unless it names a tagged entity. English-only filters
(adverbs in -ly, past forms in -ed, adjective endings) apply to English only.
Any other language gets no keywords: none are better than junk ones ("der",
"und", "que").
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, lru_cache

from feedtool._slug import tag_slug
from feedtool._tables import on_release, stored
from feedtool._text import WORD_CACHE_SIZE, sentence_spans
from feedtool.config import Config
from feedtool.enrich import enricher
from feedtool.enrich._script import stop_words
from feedtool.enrich._tags import merge_tags
from feedtool.enrich._text import segments, where_label
from feedtool.enrich.gazetteer import KINDS, data_words, lexicon
from feedtool.model import Evidence, NewsItem, Tag

LIMIT = 6
_MIN_KEYWORDS = 3
# Languages read (see the module's docstring); German capitalises its nouns.
KEYWORD_LANGUAGES = frozenset({"en", "fr", "de", "es", "it", "pt", "nl", "ca", "sv", "da", "no"})
_CAPITALISED_NOUNS = frozenset({"de"})


_MAX_WORDS = 3
_WEIGHTS = {"headline": 3.0, "description": 2.0, "caption": 1.0}
_LEAD = 1.5  # the first paragraphs
_LEAD_PARAGRAPHS = 3
_ADJECTIVE_ENDINGS = ("ical", "ional", "ic", "ous", "ive", "ful", "less", "able", "ible", "ent")
# Words, or any run of other non-space characters (which breaks a phrase).
_PIECE = re.compile(r"[^\W\d_][\w'’-]*|\S")


@dataclass(slots=True)
class _Phrase:
    words: tuple[str, ...]
    weight: float = 0.0
    mentions: int = 0
    # An ordered set: a phrase on every line of a long article is looked up
    # once per mention, so membership must not cost a scan.
    where: dict[str, None] = field(default_factory=dict)
    surfaces: dict[str, int] = field(default_factory=dict)


def _key(word: str) -> str:
    """Singular-ish form, so that 'procedures' and 'procedure' group."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "zes", "ches", "shes")):
        return word[:-2]  # 'classes' → 'class', 'taxes' → 'tax'
    # 'virus'/'viruses' and 'house'/'houses' meet on the key 'viruse', 'house'.
    if len(word) > 2 and word.endswith("us") and not word.endswith("ous"):
        return word + "e"
    if len(word) > 4 and word.endswith("uses"):
        return word[:-1]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _is_content(word: str, stop: frozenset[str], english: bool = True) -> bool:
    lower = word.lower()
    if len(lower) <= 2 or lower in stop:
        return False
    return not english or not (
        lower.endswith("ly")
        or (lower.endswith("ed") and len(lower) > 4 and not lower.endswith("eed"))
    )


# What a piece of text is to RAKE, whatever the article: None when it breaks a
# run (punctuation, a number, a stop word, an "-ly" adverb, a word with an
# apostrophe), else (word as written, curly apostrophe straightened; in lower
# case; whether it starts lower case; its grouping key). Cached per stop list: a corpus
# repeats its words, and this is most of the work of reading a sentence.
_Piece = tuple[str, str, bool, str]
_PIECES: dict[tuple[frozenset[str], bool], dict[str, _Piece | None]] = {}
_MAX_PIECES = WORD_CACHE_SIZE  # bounded: a process sees many words
_STRAIGHT = {0x2019: 0x27}
# A build process done parsing lets them go (``_tables.release``): ~3 MB at
# 20,000 articles it would hold through the render phase.
on_release(_PIECES.clear)


def _piece(piece: str, stop: frozenset[str], english: bool) -> _Piece | None:
    word = piece.translate(_STRAIGHT)
    if not word[:1].isalpha() or "'" in word or not _is_content(word, stop, english):
        return None
    lower = word.lower()
    return word, lower, word[0].islower(), _key(lower)


def _runs(
    text: str, stop: frozenset[str], proper: frozenset[str], language: str = "en"
) -> list[list[_Piece]]:
    """Runs of content words between breaks, as written (at most ``_MAX_WORDS`` each)."""
    english = language == "en"
    known = _PIECES.get((stop, english))
    if known is None or len(known) > _MAX_PIECES:
        known = _PIECES[(stop, english)] = {}
    capitalised = language in _CAPITALISED_NOUNS
    result: list[list[_Piece]] = []
    current: list[_Piece] = []
    first = True
    for piece in _PIECE.findall(text):
        try:
            kind = known[piece]
        except KeyError:
            kind = known[piece] = _piece(piece, stop, english)
        if kind is not None and (kind[2] or first or capitalised) and kind[1] not in proper:
            current.append(kind)
        elif current:
            _cut(current, result)
            current = []
        first = False
    if current:
        _cut(current, result)
    return result


def _cut(run: list[_Piece], result: list[list[_Piece]]) -> None:
    """Append ``run`` to ``result`` in pieces of at most ``_MAX_WORDS``."""
    if len(run) <= _MAX_WORDS:
        result.append(run)
        return
    for start in range(0, len(run), _MAX_WORDS):
        result.append(run[start : start + _MAX_WORDS])


_NAME_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def _entity_words(item: NewsItem) -> frozenset[str]:
    """Words that are proper nouns here: of people, places and one-word organisations."""
    tags = [t for t in item.tags if t.kind in KINDS]
    words: set[str] = set()
    for tag in tags:
        for name in (tag.name, *tag.evidence.matched):
            found = _name_words(name)
            if tag.kind != "organization" or len(found) == 1:
                words.update(found)
    return frozenset(words) | _proper_words()


# The same names (countries, leaders, ministries) come back article after article.
@lru_cache(maxsize=4096)
def _name_words(name: str) -> tuple[str, ...]:
    """The words of a name, in lower case."""
    return tuple(w.lower() for w in _NAME_WORD.findall(name))


on_release(_name_words.cache_clear)


@stored
def _proper_words() -> frozenset[str]:
    """Demonyms and personal titles: proper nouns even when alone ("Iranian")."""
    lex = lexicon()
    words = {tokens[0].lower() for tokens, _entry in lex.demonyms()}
    words.update(t.lower() for t, proves in lex.titles.items() if proves)
    return frozenset(words)


def find_keywords(item: NewsItem, limit: int = LIMIT) -> list[Tag]:
    """The key phrases of ``item``: empty unless its language is in ``KEYWORD_LANGUAGES``."""
    language = _primary(item.language)
    if language not in KEYWORD_LANGUAGES:
        return []
    english = language == "en"
    german = language in _CAPITALISED_NOUNS  # only there are capitalised words nouns
    stop = _stoplist(language)
    proper = _entity_words(item)
    phrases: dict[tuple[str, ...], _Phrase] = {}
    frequency: dict[str, int] = defaultdict(int)
    degree: dict[str, int] = defaultdict(int)
    nouns: set[str] = set()  # keys seen capitalised (German nouns)
    paragraphs = 0
    for seg in segments(item):
        if seg.language and _primary(seg.language) != language:
            continue
        if seg.where == "paragraph":
            paragraphs += 1
        weight = _WEIGHTS.get(seg.where, _LEAD if paragraphs <= _LEAD_PARAGRAPHS else 1.0)
        where = where_label(seg.where, seg.line)
        for _offset, sentence in sentence_spans(seg.text):
            for run in _runs(sentence, stop, proper, language):
                key = tuple([piece[3] for piece in run])
                if german:
                    nouns.update(piece[3] for piece in run if piece[0][0].isupper())
                phrase = phrases.get(key)
                if phrase is None:
                    phrase = phrases[key] = _Phrase(key)
                phrase.weight += weight
                phrase.mentions += 1
                phrase.where[where] = None
                surfaces = phrase.surfaces
                surface = (
                    run[0][1] if len(run) == 1 else " ".join([piece[0] for piece in run]).lower()
                )
                surfaces[surface] = surfaces.get(surface, 0) + 1
                size = len(key)
                for w in key:
                    frequency[w] += 1
                    degree[w] += size
    words: dict[str, _Phrase] = {}  # single words, counted wherever they occur
    for phrase in phrases.values():
        if len(phrase.words) > 1:
            written = [(surface.split(), count) for surface, count in phrase.surfaces.items()]
            for position, w in enumerate(phrase.words):
                single = words.get(w)
                if single is None:
                    single = words[w] = _Phrase((w,))
                single.weight += phrase.weight
                single.mentions += phrase.mentions
                surfaces = single.surfaces
                for parts, count in written:
                    surfaces[parts[position]] = surfaces.get(parts[position], 0) + count
                single.where.update(phrase.where)
    for w, single in words.items():
        if (w,) in phrases:
            _add(phrases[(w,)], single)
        else:
            phrases[(w,)] = single

    def score_of(phrase: _Phrase) -> float:
        return sum(degree[w] / frequency[w] for w in phrase.words) * phrase.weight

    ranked: list[tuple[float, _Phrase]] = []
    spare: list[_Phrase] = []
    for key, phrase in phrases.items():
        lone = len(key) == 1
        if lone and phrase.mentions < 3:
            continue  # neither ranked nor spare: not worth a score
        if english and lone and (_adjective(key[0]) or _verb_form(key[0])):
            continue
        if german and lone and key[0] not in nouns:
            continue  # German: a lone keyword is a noun, and nouns are capitalised
        if phrase.mentions >= (3 if lone else 2):
            ranked.append((score_of(phrase), phrase))
        elif not lone and list(phrase.where) != ["headline"]:
            spare.append(phrase)
    ranked.sort(key=_by_score)
    chosen: list[tuple[float, _Phrase]] = []
    # A phrase seen once ("constructive relations exist") is a weak key; it
    # only fills in for an article too short to repeat itself: most articles
    # need none, and their phrases seen once are then neither scored nor sorted.
    if not _choose(ranked, chosen, limit) and spare and len(chosen) < _MIN_KEYWORDS:
        _choose(
            sorted([(score_of(phrase), phrase) for phrase in spare], key=_by_score), chosen, limit
        )
    chosen.sort(key=_by_score)
    return [_tag(score, phrase) for score, phrase in chosen]


def _by_score(pair: tuple[float, _Phrase]) -> tuple[float, tuple[str, ...]]:
    return (-pair[0], pair[1].words)


def _choose(
    candidates: list[tuple[float, _Phrase]], chosen: list[tuple[float, _Phrase]], limit: int
) -> bool:
    """Add the best of ``candidates`` to ``chosen``, none inside another, a phrase
    seen once only while fewer than ``_MIN_KEYWORDS`` are chosen; ``True`` when
    the choice is over (``limit`` reached, or only weak phrases left)."""
    for score, phrase in candidates:
        if phrase.mentions < 2 and len(chosen) >= _MIN_KEYWORDS:
            return True
        chosen_words = set(phrase.words)
        if any(chosen_words <= set(c.words) or set(c.words) <= chosen_words for _s, c in chosen):
            continue
        chosen.append((score, phrase))
        if len(chosen) == limit:
            return True
    return False


def _adjective(word: str) -> bool:
    """Whether a lone word looks like an adjective ("regional", "economic"): not a keyword."""
    return word.endswith(_ADJECTIVE_ENDINGS) and word not in data_words(
        "nouns_like_adjectives_en.txt"
    )


def _verb_form(word: str) -> bool:
    """Whether a lone word looks like a past form of a verb ("paid", "reported")."""
    # Irregular past forms are listed; regular ones end in "-ed".
    return word in data_words("past_forms_en.txt") or (word.endswith("ed") and len(word) > 4)


def _add(target: _Phrase, source: _Phrase) -> None:
    target.weight += source.weight
    target.mentions += source.mentions
    for surface, count in source.surfaces.items():
        target.surfaces[surface] = target.surfaces.get(surface, 0) + count
    target.where.update(source.where)


def _tag(score: float, phrase: _Phrase) -> Tag:
    name = max(phrase.surfaces, key=lambda s: (phrase.surfaces[s], s))
    return Tag(
        kind="keyword",
        name=name,
        slug=tag_slug(name),
        score=round(score, 3),
        evidence=Evidence(
            mentions=phrase.mentions,
            where=tuple(phrase.where),
            matched=tuple(sorted(phrase.surfaces)),
            rule="rake",
        ),
    )


def _primary(language: str) -> str:
    return language.replace("_", "-").split("-", 1)[0].lower()


@cache
def _stoplist(language: str = "en") -> frozenset[str]:
    if language == "en":
        return lexicon().stopwords | data_words("keyword_stoplist_en.txt")
    return stop_words(language)


@enricher("keywords", needs=("entities",), after=("languages",))
def keywords(item: NewsItem, config: Config) -> NewsItem:
    """Tag ``item`` with a handful of key phrases."""
    return merge_tags(item, find_keywords(item), lambda t: t.kind == "keyword")
