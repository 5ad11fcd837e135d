"""The one error family of feedtool.

Every error a user can cause (a bad article, a bad config) is a ``FeedtoolError``
that names the file, the line when there is one, what is wrong and how to fix it.
The CLI prints ``str(error)`` and exits non-zero; library users catch the base class.
"""

from __future__ import annotations

from pathlib import Path


class FeedtoolError(Exception):
    """Base class of every error feedtool raises on purpose.

    ``path`` and ``line`` (1-based) locate the problem; ``hint`` says how to fix it.
    """

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
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        text = f"{where}{self.message}"
        if self.hint:
            text += f" (fix: {self.hint})"
        return text

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only arguments defeat the default pickling, which a process
        # pool needs to send an error back from a worker.
        return (_rebuild, (type(self), self.message, self.path, self.line, self.hint))


def _rebuild(
    cls: type[FeedtoolError],
    message: str,
    path: Path | None,
    line: int | None,
    hint: str | None,
) -> FeedtoolError:
    return cls(message, path=path, line=line, hint=hint)


class ConfigError(FeedtoolError):
    """The configuration file is missing, unreadable or has a wrong or missing key."""


class ParseError(FeedtoolError):
    """An article's text cannot be turned into a valid ``NewsItem``."""


class PublishError(FeedtoolError):
    """Output could not be written (the previous output is left as it was)."""
