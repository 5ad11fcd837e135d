"""Lingua's answers kept in the store: a build loads lingua's models only for
a text it never asked about.

Lingua's models take 0.3-0.7 s of CPU to load for one question on a short
text (all five n-gram sizes of two to four languages), several times what
the rest of an edit's parse costs; the detection itself takes under a
millisecond. Its answer depends only on lingua's version, the candidate
languages and the text as lingua reads it (``feedtool._lingua.answer_key``), so a build that
parses an article again (an edit elsewhere than in the text asked about: a
corrected figure, the end of a long story, the front matter; or a new
config or feedtool version, which parses every article again) takes the
answer the last build got instead of asking. Which process answered (this
one, or a model process) never changes an answer; lingua's confidence
differs between processes in its last digits at most (it sums in hash
order), as it already does between two builds.
"""

from __future__ import annotations

from collections.abc import Iterable

from feedtool._lingua import Question, answer_key, confidence
from feedtool.enrich.languages import Asker
from feedtool.store import ItemStore


class Answers:
    """Lingua's answers from ``store``, else from ``asker`` (lingua in this
    process when ``None``), which are then kept in ``store``."""

    def __init__(self, store: ItemStore, asker: Asker | None = None) -> None:
        self.store = store
        self.asker = asker
        self._known: dict[str, tuple[str | None, float]] = {}
        #: The keys of the questions asked of this so far, answered or not.
        self._asked: set[str] = set()

    def unknown(self, questions: Iterable[Question]) -> list[Question]:
        """Those of ``questions`` the store has no answer to (read in one go:
        the others are then answered without a query each)."""
        keyed = [(question, answer_key(question)) for question in questions]
        keys = [key for _, key in keyed if key is not None]
        self._asked.update(keys)
        self._known.update(self.store.answers(keys))
        return [question for question, key in keyed if key not in self._known]

    def confidence(self, text: str, candidates: tuple[str, ...]) -> tuple[str | None, float]:
        """:func:`feedtool._lingua.confidence` of ``text`` among ``candidates``."""
        key = answer_key(Question(text, candidates))
        if key is not None:
            self._asked.add(key)
            known = self._known.get(key) or self.store.answers([key]).get(key)
            if known is not None:
                return known
        if self.asker is None:
            found = confidence(text, candidates)
        else:
            found = self.asker.confidence(text, candidates)
        if key is not None:
            self._known[key] = found
            self.store.put_answers([(key, *found)])
        return found

    def forget_others(self) -> None:
        """Drop from the store every answer but those of the questions asked of this."""
        self.store.keep_answers(self._asked)


__all__ = ["Answers"]
