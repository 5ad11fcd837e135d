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

from feedtool._lingua import answer
from feedtool.publish._workers import WorkerDied, Workers


def _start() -> None:
    """In a model process: nothing to prepare (models load on first use)."""


class ModelProcess:
    """Lingua's answers from a process of their own, holding the models of at
    most ``max_languages`` languages (more only when one question needs more).

    Started on the first question and ended by :meth:`close`; the process
    that asks loads no model.
    """

    def __init__(self, max_languages: int) -> None:
        self.max_languages = max_languages
        self.started = 0  # processes started so far
        self._workers: Workers[tuple[str | None, float]] | None = None
        self._languages: set[str] = set()

    def confidence(self, text: str, candidates: tuple[str, ...]) -> tuple[str | None, float]:
        """:func:`feedtool._lingua.confidence`, answered by the model process
        (asked again of a new one if it died: killed, or out of memory)."""
        try:
            return self._ask(text, candidates)
        except WorkerDied:
            self._end(kill=True)
            return self._ask(text, candidates)

    def _ask(self, text: str, candidates: tuple[str, ...]) -> tuple[str | None, float]:
        wanted = self._languages | set(candidates)
        if self._workers is not None and len(wanted) > self.max_languages:
            self.close()
            wanted = set(candidates)
        if self._workers is None:
            self._workers = Workers(1, _start, (), answer)  # type: ignore[arg-type]
            self.started += 1
        self._languages = wanted
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
        self._languages = set()


__all__ = ["ModelProcess"]
