"""What a build did: :class:`BuildReport` and the articles it held back (:class:`Held`).

Kept apart from the build itself so that the no-op fast path
(:mod:`feedtool.publish._quick`) can answer with a report without importing
the pipeline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from feedtool.errors import FeedtoolError, FeedtoolWarning, PublishError


@dataclass(frozen=True)
class Held:
    """An article a build left out: a draft, or one whose ``published`` is still to come."""

    path: str
    draft: bool
    until: dt.datetime | None = None
    previewed: bool = False

    def __str__(self) -> str:
        if self.draft:
            text = f"{self.path}: draft (draft = true)"
        else:
            assert self.until is not None
            text = (
                f"{self.path}: embargoed until {self.until.isoformat()}; "
                "it goes out with the first build after that time"
            )
        return text + ("; shown by this preview build" if self.previewed else "")


@dataclass(frozen=True)
class BuildReport:
    """What a build did.

    ``rendered`` lists the outputs whose renderer ran; ``written`` those whose
    bytes changed on disk; ``parsed`` the articles read and enriched again
    (the others came from the store); ``timings`` seconds per phase.
    """

    articles: int
    errors: tuple[FeedtoolError, ...]
    outputs: int
    written: tuple[str, ...]
    removed: tuple[str, ...]
    ping_errors: tuple[PublishError, ...] = ()
    #: What the build got past but the author should know (``file:line: what (fix: how)``):
    #: repaired decoding, refused links in the seeds folder, capped tags…
    warnings: tuple[FeedtoolWarning, ...] = ()
    rendered: tuple[str, ...] = ()
    parsed: tuple[str, ...] = ()
    timings: tuple[tuple[str, float], ...] = field(default=(), compare=False)
    #: Source paths of the articles dated by their first publication: nothing
    #: in front matter or the text dated them (``--verbose`` names them).
    dated_by_first_publication: tuple[str, ...] = ()
    held: tuple[Held, ...] = ()
    #: ``(kind, source_path)`` of the feed entries rendered (``'rss/full'``…): an
    #: entry is rendered once per item, format and variant, then spliced into
    #: every feed that carries the item, by this build and the next ones.
    entries: tuple[tuple[str, str], ...] = ()
    #: ``None``: the build planned every output (or had nothing to do). Else the
    #: source paths of the changed articles it planned for: it fingerprinted
    #: and rendered only the outputs that show one of them, as nothing else
    #: of the site changed (``feedtool.render.Site.focus``).
    focused: tuple[str, ...] | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        line = (
            f"{self.articles} articles, {self.outputs} outputs "
            f"({len(self.written)} written, {len(self.removed)} removed), "
            f"{len(self.errors)} errors"
        )
        if self.warnings:
            line += f", {len(self.warnings)} warnings"
        if self.dated_by_first_publication:
            line += f", {len(self.dated_by_first_publication)} dated by first publication"
        if self.ping_errors:
            line += f", {len(self.ping_errors)} WebSub ping failures"
        waiting = [h for h in self.held if not h.previewed]
        if waiting:
            line += f", {len(waiting)} held back (drafts or embargoed)"
        previewed = len(self.held) - len(waiting)
        if previewed:
            line += f", {previewed} drafts or embargoed articles previewed"
        return line


__all__ = ["BuildReport", "Held"]
