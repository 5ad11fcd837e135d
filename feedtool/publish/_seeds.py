"""Which files of the seeds folder are articles, and what was left out and why.

The seeds folder may come from anyone (a pull request, a shared drive), so it
is read as data, not trusted:

* a symbolic link is followed only when its target is inside the seeds
  folder; a link to ``/etc/passwd`` or anywhere else is refused with a
  warning and never read;
* a link loop, a broken link, a link to a folder (inside the seeds folder
  every folder is read where it is) and a link to an article that is
  published under its own name anyway are named in a warning, not skipped
  silently;
* hidden files and folders (a leading dot) are skipped, and those that could
  be articles (``.*.txt``, hidden folders other than version control) are
  named, since a leading dot is an easy way to lose an article unnoticed;
* the walk is iterative and remembers the folders it has read (by device and
  inode), so 1,500 nested folders or a folder linked into itself end.
"""

from __future__ import annotations

import operator
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

from feedtool.errors import FeedtoolWarning, PublishError

ARTICLE_SUFFIX = ".txt"
# Hidden folders that never hold articles: not worth a warning.
_QUIET_HIDDEN = frozenset({".git", ".hg", ".svn", ".DS_Store", ".feedtool"})


@dataclass(frozen=True)
class SeedScan:
    """The article files (sorted; links inside the folder by their own path) and the notices."""

    paths: Sequence[Path]
    warnings: tuple[FeedtoolWarning, ...]
    #: Visible files that are not articles (``.md``, ``.html``…): named in a notice.
    others: tuple[Path, ...] = ()
    #: ``(path relative to the seeds folder, (size, mtime_ns, ctime_ns, inode))``
    #: of each article, in the order of ``paths``, when the walk that found them
    #: stat'ed them (:meth:`of_walk`); else ``None``.
    stats: Sequence[tuple[str, tuple[int, int, int, int]]] | None = None

    @classmethod
    def of_walk(
        cls,
        seeds: Path,
        stats: Iterable[tuple[str, tuple[int, int, int, int]]],
        others: Iterable[str],
    ) -> SeedScan:
        """The scan of ``seeds`` from what :func:`feedtool._stamp.walk_seeds` found
        there (a folder it had nothing to warn about, so no notices): no walk
        again, and a ``Path`` made only for an article that is used as one."""
        # In the order of their parts (``_ORDER``): the path with its slashes as
        # NULs, which no name holds and every character sorts after, compares
        # as its parts do, and costs no list of parts per path.
        ordered = sorted(stats, key=lambda pair: pair[0].replace("/", "\0"))
        return cls(
            paths=_Paths(seeds, [relative for relative, _ in ordered]),
            warnings=(),
            others=tuple(sorted(seeds / other for other in others)),
            stats=ordered,
        )

    def check_not_empty(self, seeds: Path) -> None:
        """Raise when there is no article: a build of nothing would write an
        index and an OPML of feeds that do not exist."""
        if self.paths:
            return
        others = self.others
        raise PublishError(
            "no articles (*.txt files) in the seeds folder"
            + (f"; it has {len(others)} other files, e.g. {others[0].name}" if others else ""),
            path=seeds,
            hint='write one with `feedtool new "Headline"` (articles are plain .txt files)',
        )


def quick_scan(seeds: Path) -> SeedScan:
    """:func:`scan_seeds`, from the light walk (:func:`feedtool._stamp.walk_seeds`:
    file descriptors and strings, no ``Path`` per article, each article stat'ed
    once for the build) when the folder has nothing to warn about; else the
    full scan, which names what it found."""
    from feedtool._stamp import Unsure, walk_seeds

    if seeds.is_dir():
        try:
            stats, others = walk_seeds(os.fspath(seeds))
        except Unsure:
            pass
        else:
            return SeedScan.of_walk(seeds, stats, others)
    return scan_seeds(seeds)


def scan_seeds(seeds: Path) -> SeedScan:
    """Walk ``seeds`` without recursion; refuse links that leave it."""
    if not seeds.is_dir():
        raise PublishError(
            "seeds folder not found", path=seeds, hint="create it or pass the right SEEDS path"
        )
    root = Path(os.path.realpath(seeds))
    notes: list[FeedtoolWarning] = []
    files: list[Path] = []
    others: list[Path] = []
    linked: list[tuple[Path, Path]] = []  # (link path in seeds, its real target file)
    seen: set[tuple[int, int]] = set()
    stack: list[Path] = [seeds]
    root_info = os.stat(seeds)
    seen.add((root_info.st_dev, root_info.st_ino))
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            notes.append(
                FeedtoolWarning(
                    f"cannot read this folder: {exc.strerror}; its articles are left out",
                    path=folder,
                    hint="check its permissions",
                )
            )
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                _hidden(entry, path, notes)
                continue
            if entry.is_symlink():
                target = _inside_target(path, root, notes)
                if target is None:
                    continue
                try:
                    info = os.stat(target)
                except OSError as exc:
                    notes.append(_broken(path, exc))
                    continue
                if stat.S_ISDIR(info.st_mode):
                    # Every folder inside the seeds folder is walked where it
                    # is: through a link it would be a loop or a duplicate.
                    if Path(os.path.realpath(path.parent)).is_relative_to(target):
                        notes.append(_loop(path, target))
                    else:
                        notes.append(
                            FeedtoolWarning(
                                f"link to the folder {_shown(target, root)}: not followed,"
                                " its articles are read where they are",
                                path=path,
                                hint="remove the link (one article, one file)",
                            )
                        )
                elif stat.S_ISREG(info.st_mode) and entry.name.endswith(ARTICLE_SUFFIX):
                    linked.append((path, target))
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    info = entry.stat(follow_symlinks=False)
                    if (info.st_dev, info.st_ino) not in seen:  # a bind mount of itself
                        seen.add((info.st_dev, info.st_ino))
                        stack.append(path)
                elif entry.is_file(follow_symlinks=False) and entry.name.endswith(ARTICLE_SUFFIX):
                    files.append(path)
                elif entry.is_file(follow_symlinks=False):
                    others.append(path)
            except OSError as exc:
                notes.append(_broken(path, exc))
    # Only links need the real paths (realpath costs a stat per path component).
    real_files = {Path(os.path.realpath(path)) for path in files} if linked else set()
    for path, target in linked:
        if target in real_files:
            notes.append(
                FeedtoolWarning(
                    f"link to {_shown(target, root)}, which is published under its own name;"
                    " the link is skipped",
                    path=path,
                    hint="remove the link (one article, one file)",
                )
            )
        else:
            real_files.add(target)
            files.append(path)
    return SeedScan(tuple(sorted(files, key=_ORDER)), tuple(notes), tuple(sorted(others)))


class _Paths(Sequence[Path]):
    """``seeds / relative`` of each relative path, made when asked for."""

    def __init__(self, seeds: Path, relative: Sequence[str]) -> None:
        self._seeds, self._relative = seeds, relative

    @overload
    def __getitem__(self, index: int) -> Path: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Path]: ...

    def __getitem__(self, index: int | slice) -> Path | Sequence[Path]:
        if isinstance(index, slice):
            return [self._seeds / relative for relative in self._relative[index]]
        return self._seeds / self._relative[index]

    def __len__(self) -> int:
        return len(self._relative)


#: The order of ``sorted(paths)``, cheaper: a POSIX path compares as its parts do
#: (20,000 paths compared as ``Path`` objects: a tenth of a second of every build).
_ORDER = operator.attrgetter("parts") if os.name == "posix" else None


def _inside_target(path: Path, root: Path, notes: list[FeedtoolWarning]) -> Path | None:
    """The real target of the link ``path`` when it is inside ``root``, else a note."""
    try:
        target = Path(os.path.realpath(path, strict=True))
    except OSError as exc:
        notes.append(_loop(path, None) if _is_loop(exc) else _broken(path, exc))
        return None
    if target != root and not target.is_relative_to(root):
        notes.append(
            FeedtoolWarning(
                f"symbolic link to {target}, outside the seeds folder: refused, not read",
                path=path,
                hint="copy the article into the seeds folder instead of linking to it",
            )
        )
        return None
    return target


def _is_loop(exc: OSError) -> bool:
    import errno

    return exc.errno == errno.ELOOP


def _loop(path: Path, target: Path | None) -> FeedtoolWarning:
    into = f" back into {target}" if target is not None else ""
    return FeedtoolWarning(
        f"symbolic link loop{into}: skipped",
        path=path,
        hint="remove the link, or point it at a folder that does not contain it",
    )


def _broken(path: Path, exc: OSError) -> FeedtoolWarning:
    return FeedtoolWarning(
        f"cannot follow this entry: {exc.strerror or exc}; skipped",
        path=path,
        hint="remove it or fix its target",
    )


def _hidden(entry: os.DirEntry[str], path: Path, notes: list[FeedtoolWarning]) -> None:
    if entry.name in _QUIET_HIDDEN:
        return
    try:
        is_dir = entry.is_dir(follow_symlinks=False)
    except OSError:
        is_dir = False
    if is_dir or entry.name.endswith(ARTICLE_SUFFIX):
        kind, what = ("folder", "its articles") if is_dir else ("file", "it")
        notes.append(
            FeedtoolWarning(
                f"hidden {kind} (its name starts with a dot): not published",
                path=path,
                hint=f"rename it without the leading dot to publish {what}",
            )
        )


def _shown(target: Path, root: Path) -> str:
    return target.relative_to(root).as_posix() if target.is_relative_to(root) else str(target)
