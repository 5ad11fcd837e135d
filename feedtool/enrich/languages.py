"""Enricher ``languages``: BCP 47 tags for the article, its blocks and post authors.

Detection goes from cheap to costly and stops as soon as it is sure:

1. the script (letter counts by Unicode block, URLs and handles removed);
   a script with one configured language, or one language of its own
   (Hebrew, Greek, Hangul, Thai, Bengali…), decides alone;
2. cues within a script shared by several configured languages: in the Arabic
   script, orthographic and lexical cues separate Arabic, Persian and Urdu
   (``_script.arabic_script_language``); in the Latin script, the stop words of
   each candidate language (lists of the ``stop-words`` package) vote, and a
   language that gets at least ``_MIN_VOTES`` votes and ``_VOTE_RATIO`` times
   the runner-up's decides (English, French, German… on any paragraph);
3. only then lingua, restricted to the configured languages of that script, and
   in the Latin script further to those the stop words did not rule out (at
   least a quarter of the best vote): close pairs such as Danish and Norwegian,
   Spanish and Portuguese. Detectors are built on first use and cached by
   language set; lingua loads a language's models (about 0.3 s each) only when
   a detector first needs them, so a site in English loads none.

The article's language: parse sets ``item.language`` from front matter or the
config default, and the item cannot say which. A tag other than the default
can only come from front matter, so it is kept; a tag equal to the default is
replaced by a confident detection on enough text (``_MIN_ARTICLE_LETTERS``).
A block gets a ``language`` only when it differs from the article's: when its
script differs, or, in the article's own script, when the detection is sure on
at least ``_MIN_SAME_SCRIPT_LETTERS`` letters. Lingua is asked about a block in
the article's own script only for an embedded post (a French post quoted in an
English article), where ``_MIN_POST_LETTERS`` suffice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from feedtool._lingua import Question, confidence, unload
from feedtool._lingua import detector as _lingua_detector
from feedtool.config import Config
from feedtool.enrich import enricher
from feedtool.enrich._script import (
    LANGUAGE_SCRIPT,
    VOTING_SCRIPTS,
    arabic_script_language,
    clean,
    dominant_script,
    has_stop_words,
    script_default,
    stop_word_votes,
)
from feedtool.enrich._text import segments
from feedtool.model import EmbeddedPost, Heading, ListBlock, NewsItem, Paragraph

if TYPE_CHECKING:
    from feedtool.model import Block

__all__ = [
    "Asker",
    "Detection",
    "ModelsElsewhere",
    "ask_models_in",
    "detect",
    "detect_language",
    "enrich_languages",
    "keep_models_elsewhere",
    "release_models",
]

# Below this many letters a detection may name a block's language but cannot
# overrule the article's configured language (a headline is too little).
_MIN_ARTICLE_LETTERS = 40
# A line in the article's own script differs only on as much evidence: a
# name and title in an Urdu story ('سعید اصلاحی، سابق صدر …') has no Urdu-only
# letter and would otherwise pass for Persian.
_MIN_SAME_SCRIPT_LETTERS = 40
# Cues are trusted from a few letters on ('علی لاریجانی' has 10);
# lingua's answer on short same-script text only when it is clear.
_MIN_CUE_LETTERS = 4
_MIN_LINGUA_LETTERS = 20
_MIN_LINGUA_CONFIDENCE = 0.75
# Lingua's cost grows with the text; the first 1,500 characters are plenty.
_LINGUA_MAX_CHARS = 1500
# Stop-word votes decide the Latin-script language when clear: an English
# paragraph has dozens for English and a few scattered over the others.
_MIN_VOTES = 3.0
_VOTE_RATIO = 3.0
# Lingua then chooses among the languages that got this share of the best vote.
_VOTE_SHORTLIST = 0.25
_MIN_POST_LETTERS = 20
_ARABIC_CUE_LANGUAGES = ("ar", "fa", "ur")
_SHARED_SCRIPTS = frozenset({"Arabic", "Cyrillic", "Devanagari"})


# Where lingua's questions go when not answered here (``ask_models_in``).
_ASKER: Asker | None = None
# False while a process must not load lingua's models (a parallel build's parse
# pool: the build process answers later, see ``keep_models_elsewhere``).
_MODELS_HERE = True


class Asker(Protocol):
    """What answers lingua's questions in place of this process (``ask_models_in``)."""

    def confidence(self, text: str, candidates: tuple[str, ...]) -> tuple[str | None, float]: ...


class ModelsElsewhere(Exception):
    """A detection needed lingua in a process that keeps its models elsewhere.

    Raised out of :func:`enrich_languages` (so out of ``enrich_item``) by a
    process that called :func:`keep_models_elsewhere`; whoever made it so parses
    the article again where, or when, the models can be loaded. Parse and enrich are pure, so the
    result is the same wherever it is computed, and so is the ``question``
    lingua was to answer (the first the article needs: its answer can be had
    before the article is parsed again).
    """

    def __init__(self, question: Question) -> None:
        super().__init__(", ".join(sorted(question.candidates)))
        self.question = question


@dataclass(frozen=True, slots=True)
class Detection:
    """A detected language and how it was reached.

    ``method`` is 'script', 'cues', 'lingua' or 'none'; ``letters`` counts the
    letters of the dominant ``script``.
    """

    language: str | None
    script: str | None
    letters: int
    confident: bool
    method: str


def detect(text: str, allowed: tuple[str, ...]) -> str | None:
    """The ISO 639-1 language of ``text`` among ``allowed``, or None when unknown.

    A script none of whose languages is allowed still answers when the script
    names one language (Hebrew → 'he'); Latin text with no Latin language
    allowed answers None.
    """
    return detect_language(text, allowed).language


def detect_language(text: str, allowed: tuple[str, ...], *, model: bool = True) -> Detection:
    """Like :func:`detect`, with the script, letter count and confidence.

    With ``model=False`` a question only lingua could answer gets no answer
    (method 'none') instead.
    """
    counted = dominant_script(clean(text))
    script = counted.script
    if script is None:
        return Detection(None, None, 0, False, "none")
    # Mixed text (an English sentence quoting an Arabic name) is not sure of anything.
    mixed = counted.share < 0.6
    candidates = tuple(lang for lang in allowed if LANGUAGE_SCRIPT.get(lang) == script)
    if script == "Arabic":
        answer = arabic_script_language(text, counted.letters)
        if answer is not None and answer in (candidates or _ARABIC_CUE_LANGUAGES):
            sure = counted.letters >= _MIN_CUE_LETTERS and not mixed
            return Detection(answer, script, counted.letters, sure, "cues")
    if len(candidates) == 1:
        return Detection(candidates[0], script, counted.letters, not mixed, "script")
    if not candidates:
        # Cyrillic or Devanagari without a configured language is only a guess.
        language = script_default(script)
        sure = language is not None and not mixed and script not in _SHARED_SCRIPTS
        return Detection(language, script, counted.letters, sure, "script")
    if script in VOTING_SCRIPTS:
        votes = stop_word_votes(text, candidates)
        best = votes[0][1] if votes else 0.0
        second = votes[1][1] if len(votes) > 1 else 0.0
        if best >= _MIN_VOTES and best >= _VOTE_RATIO * second:
            return Detection(votes[0][0], script, counted.letters, not mixed, "cues")
        # Prose has stop words: text with none of any candidate's (names, codes,
        # a handle) is left to the candidates without a list, if any.
        voted = {lang for lang, n in votes if n >= _VOTE_SHORTLIST * best}
        candidates = tuple(c for c in candidates if c in voted or not has_stop_words(c))
        if not candidates or (not votes and counted.letters < _MIN_LINGUA_LETTERS):
            return Detection(None, script, counted.letters, False, "none")
    if not model:
        return Detection(None, script, counted.letters, False, "none")
    if len(candidates) == 1:
        return Detection(candidates[0], script, counted.letters, False, "cues")
    language, confidence = _lingua(text, candidates)
    sure = (
        language is not None
        and not mixed
        and counted.letters >= _MIN_LINGUA_LETTERS
        and confidence >= _MIN_LINGUA_CONFIDENCE
    )
    return Detection(language, script, counted.letters, sure, "lingua")


@enricher("languages")
def enrich_languages(item: NewsItem, config: Config) -> NewsItem:
    """Set the article's language, each differing block's, and post authors' names'."""
    allowed = tuple(config.enrich.languages)
    article_text = "\n".join(s.text for s in segments(item) if s.where != "post")
    found = detect_language(article_text, allowed)
    language = _article_language(item, found)
    # The script the article's language is written in, not the text's: an
    # Arabic-script story left 'en' (too short to tell) has Arabic blocks.
    script = LANGUAGE_SCRIPT.get(_primary(language), found.script)
    body = tuple(_with_language(block, language, script, allowed) for block in item.body)
    update: dict[str, object] = {"language": language, "body": body}
    if language != item.language:
        update["language_source"] = "detected"
    return item.model_copy(update=update)


# --------------------------------------------------------------------------- helpers


def _primary(tag: str) -> str:
    return tag.replace("_", "-").split("-", 1)[0].lower()


def _article_language(item: NewsItem, found: Detection) -> str:
    current = item.language
    if item.language_source == "front_matter":
        return current  # given values always win
    if found.language is None or not found.confident or found.letters < _MIN_ARTICLE_LETTERS:
        return current
    if _primary(current) == found.language:
        return current  # keeps a region such as 'en-GB'
    return found.language


def _with_language(
    block: Block, article: str, article_script: str | None, allowed: tuple[str, ...]
) -> Block:
    if not isinstance(block, Paragraph | Heading | ListBlock | EmbeddedPost):
        return block
    post = isinstance(block, EmbeddedPost)
    update: dict[str, str | None] = {
        "language": _block_language(block.text, article, article_script, allowed, post=post)
    }
    if isinstance(block, EmbeddedPost):
        name = block.author_alternate_name
        update["author_language"] = detect(name, allowed) if name else None
    if all(getattr(block, key) == value for key, value in update.items()):
        return block
    return block.model_copy(update=update)


def _block_language(
    text: str,
    article: str,
    article_script: str | None,
    allowed: tuple[str, ...],
    *,
    post: bool = False,
) -> str | None:
    # A block in the article's own script needs a sure answer to differ, which
    # lingua seldom gives on a paragraph: it is asked about other scripts, and
    # about embedded posts (a quoted post is often in another language). A
    # paragraph in a Latin or Cyrillic article's own script is not voted on:
    # that would read every article twice for the rare quoted paragraph.
    if (
        not post
        and article_script in VOTING_SCRIPTS
        and dominant_script(clean(text)).script == article_script
    ):
        return None
    found = detect_language(text, allowed, model=False)
    if found.method == "none" and (post or found.script not in (None, article_script)):
        found = detect_language(text, allowed)
    if found.language is None or found.language == _primary(article):
        return None
    least = _MIN_POST_LETTERS if post else _MIN_SAME_SCRIPT_LETTERS
    if found.script == article_script and (not found.confident or found.letters < least):
        return None
    return found.language


def keep_models_elsewhere(elsewhere: bool = True) -> None:
    """In this process, raise :class:`ModelsElsewhere` instead of loading lingua
    (``elsewhere=False``: load them again when asked).

    A parallel build sets it in every parsing process while they all run:
    lingua's models (tens of MB a language, loaded by whichever articles need
    them; 1 to 2 % of a news archive in English) are then loaded once, by the
    build process, for the articles handed back, once the workers are gone.
    """
    global _MODELS_HERE
    # Models the process already has are left alone: lingua's own locks and
    # threads do not survive a fork, and pages inherited and never touched cost nothing.
    _MODELS_HERE = not elsewhere


def ask_models_in(process: Asker | None) -> None:
    """In this process, have lingua's questions answered by ``process`` (None:
    here again), so that this process loads no model.

    A parallel build does so for the articles its parse workers handed back:
    the models go to a process of their own, which ends with them.
    """
    global _ASKER
    _ASKER = process


def _lingua(text: str, candidates: tuple[str, ...]) -> tuple[str | None, float]:
    if _lingua_detector(frozenset(candidates)) is None:
        return candidates[0], 0.0
    question = clean(text)[:_LINGUA_MAX_CHARS]
    if not _MODELS_HERE:
        raise ModelsElsewhere(Question(question, candidates))
    if _ASKER is not None:
        return _ASKER.confidence(question, candidates)
    return confidence(question, candidates)


def release_models() -> None:
    """Let go of the lingua models loaded so far (about 45 MB a language).

    A build calls it once every article is parsed: rendering never detects a
    language, and a render pool forks from the build process, so models kept
    would be paid for by every worker. A later detection loads them again.
    """
    unload()
