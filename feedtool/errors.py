"""The one error family of feedtool.

Every error a user can cause (a bad article, a bad config) is a ``FeedtoolError``
that names the file, the line when there is one, what is wrong and how to fix it.
The CLI prints ``str(error)`` and exits non-zero; library users catch the base class.
"""

from __future__ import annotations

from pathlib import Path


class _Located(Exception):
    """A message about a place in a file: ``path``, ``line`` (1-based) and a ``hint``."""

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        return _describe(self.message, self.path, self.line, self.hint)


class FeedtoolError(_Located):
    """Base class of every error feedtool raises on purpose.

    ``path`` and ``line`` (1-based) locate the problem; ``hint`` says how to fix it.
    """

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only arguments defeat the default pickling, which a process
        # pool needs to send an error back from a worker.
        return (_rebuild, (type(self), self.message, self.path, self.line, self.hint))


def _describe(message: str, path: Path | None, line: int | None, hint: str | None) -> str:
    """``file:line: what (fix: how)``, leaving out what is unknown."""
    where = ""
    if path is not None:
        where = f"{path}:{line}: " if line else f"{path}: "
    text = f"{where}{message}"
    if hint:
        text += f" (fix: {hint})"
    return text


def _rebuild(
    cls: type[FeedtoolError],
    message: str,
    path: Path | None,
    line: int | None,
    hint: str | None,
) -> FeedtoolError:
    return cls(message, path=path, line=line, hint=hint)


class FeedtoolWarning(_Located, UserWarning):
    """Something a build got past but the author should know about.

    Same shape as ``FeedtoolError`` (``path``, ``line``, ``hint``; printed as
    ``file:line: what (fix: how)``). Library code issues it with
    ``warnings.warn``; ``build`` gathers them into ``BuildReport.warnings``.
    """

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_warning, (self.message, self.path, self.line, self.hint))

    def located(self, path: Path | str) -> FeedtoolWarning:
        """This warning naming ``path`` (when it named none)."""
        if self.path is not None:
            return self
        return FeedtoolWarning(self.message, path=path, line=self.line, hint=self.hint)


def _rebuild_warning(
    message: str, path: Path | None, line: int | None, hint: str | None
) -> FeedtoolWarning:
    return FeedtoolWarning(message, path=path, line=line, hint=hint)


class ConfigError(FeedtoolError):
    """The configuration file is missing, unreadable or has a wrong or missing key."""


class ParseError(FeedtoolError):
    """An article's text cannot be turned into a valid ``NewsItem``."""


class PublishError(FeedtoolError):
    """Output could not be written (the previous output is left as it was)."""
