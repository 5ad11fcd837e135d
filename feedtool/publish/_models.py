"""Lingua's models in a process of their own, for the articles a parallel
build's parse workers hand back.

The models of all the languages a few hundred articles in 20,000 need, loaded
in the build process at once, were the build's peak memory. A
:class:`ModelProcess` keeps at most ``max_languages`` languages' models: a
question needing others is answered by a new process (the old one ends, and
all of its memory with it: models unloaded in place leave the heap they were
in scattered, not given back), and the build process loads none.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from feedtool._lingua import Question, answer, full_models, start
from feedtool._workers import WorkerDied, Workers

# A language's models for short texts (all five n-gram sizes) weigh about ten
# times its trigrams, all a long text needs.
_FULL_WEIGHT = 10


class ModelProcess:
    """Lingua's answers from a process of their own, holding the models of at
    most ``max_languages`` languages for short texts, or of ten times as many
    for long texts (:func:`feedtool._lingua.full_models`); more only when one
    question needs more.

    Started on the first question and ended by :meth:`close`; the process
    that asks loads no model. Questions known in advance are answered by
    :meth:`answer_first`.
    """

    def __init__(self, max_languages: int) -> None:
        self.max_languages = max_languages
        self.started = 0  # processes started so far
        self._workers: Workers[tuple[str | None, float]] | None = None
        self._languages: set[str] = set()
        # Those of ``_languages`` whose models for short texts are loaded.
        self._full: set[str] = set()
        self._known: dict[Question, tuple[str | None, float]] = {}

    def answer_first(self, questions: Iterable[Question]) -> None:
        """Ask ``questions`` now, in their order, and end the process: then
        :meth:`confidence` gives their answers without asking again.

        For questions known before the text that asks them is read again: the
        process and its models are gone before the one asking grows again.
        """
        try:
            for question in questions:
                if question not in self._known:
                    self._known[question] = self.confidence(*question)
        finally:
            self.close()

    def confidence(self, text: str, candidates: tuple[str, ...]) -> tuple[str | None, float]:
        """:func:`feedtool._lingua.confidence`, answered by the model process
        (asked again of a new one if it died: killed, or out of memory), or
        as it answered it in :meth:`answer_first`."""
        known = self._known.get(Question(text, candidates))
        if known is not None:
            return known
        try:
            return self._ask(text, candidates)
        except WorkerDied:
            self._end(kill=True)
            return self._ask(text, candidates)

    def _ask(self, text: str, candidates: tuple[str, ...]) -> tuple[str | None, float]:
        asked = set(candidates)
        short = full_models(text)
        wanted, full = self._languages | asked, self._full | asked if short else self._full
        # (A question of more languages than that, asked again, finds them loaded.)
        if (
            self._workers is not None
            and len(wanted) + (_FULL_WEIGHT - 1) * len(full) > _FULL_WEIGHT * self.max_languages
            and (wanted, full) != (self._languages, self._full)
        ):
            self.close()
            wanted, full = asked, asked if short else set()
        if self._workers is None:
            # glibc gives the free memory at the top of its heap back at once
            # (not past 128 kB): loading a language's models leaves tens of MB
            # freed there (4 languages' for a short text: 180 -> 143 MB).
            env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "0"}
            self._workers = Workers(1, start, (), answer, env)  # type: ignore[arg-type]
            self.started += 1
        self._languages, self._full = wanted, full
        self._workers.send(0, (text, candidates))  # type: ignore[arg-type]
        return self._workers.result(0)

    def close(self) -> None:
        """End the model process (its models go with it)."""
        self._end(kill=False)

    def _end(self, kill: bool) -> None:
        if self._workers is not None:
            if kill:
                self._workers.kill()
            else:
                self._workers.close()
            self._workers = None
        self._languages, self._full = set(), set()


__all__ = ["ModelProcess"]
