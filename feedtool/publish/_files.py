"""Writing the output folder: staged temporary files, atomic renames, nothing outside it.

A file is first written beside its target as a temporary file and renamed
into place, so a reader (or a crash) never sees half of one; an interrupted
build's temporaries are cleaned up by the next one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from feedtool.errors import PublishError
from feedtool.publish._state import safe_relative

TEMP_SUFFIX = ".feedtool-tmp"


#: How a staged temporary is opened: created if missing, emptied if left over.
_STAGE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC


def temp_of(target: Path) -> Path:
    return target.with_name(f".{target.name}{TEMP_SUFFIX}")


def temp_name(root: str, relative: str) -> str:
    """``str(temp_of(Path(root) / relative))`` without a path object: a cold
    build stages, and renames into place, tens of thousands of files."""
    folder, _, name = relative.rpartition("/")
    return f"{root}/{folder}/.{name}{TEMP_SUFFIX}" if folder else f"{root}/.{name}{TEMP_SUFFIX}"


def stage(target: Path, data: bytes) -> Path:
    return Path(stage_at(os.fspath(target.parent), target.name, data))


def staged_folder(root: str, top: str) -> str:
    """Where the top folder ``top`` of the output folder ``root`` is staged whole
    (:func:`stage_output`): a dot folder beside it, so on the same file system."""
    return f"{root}/.{top}{TEMP_SUFFIX}"


def stage_output(root: str, path: str, data: bytes) -> str:
    """Stage the output ``path`` (relative to the output folder ``root``); the
    staged file's name.

    Beside its target as a temporary (:func:`stage_at`), unless its top
    folder is not in ``root``: then under its own name in a copy of that
    folder (:func:`staged_folder`), renamed into place whole at the end
    (:func:`place_folders`). A first build of 2,225 articles stages some
    29,000 files in three top folders: three renames instead of one a file.
    Every process staging a build's outputs decides alike: nothing makes a
    top folder in ``root`` until the build renames its staged copy there.
    """
    top, slash, rest = path.partition("/")
    if slash and not top.startswith(".") and not os.path.lexists(f"{root}/{top}"):
        folder, _, name = f"{staged_folder(root, top)}/{rest}".rpartition("/")
        staged = f"{folder}/{name}"
        _write_new(staged, folder, data, Path(root, path))
        return staged
    folder, _, name = path.rpartition("/")
    return stage_at(f"{root}/{folder}" if folder else root, name, data)


def rename_staged(root: str, staged: Iterable[str]) -> tuple[list[str], list[str]]:
    """Split the staged outputs ``staged`` (paths relative to ``root``) into
    those staged beside their targets and the top folders staged whole
    (:func:`stage_output`), to rename with :func:`place_folders`."""
    staged = list(staged)
    tops = sorted(
        top
        for top in {path.partition("/")[0] for path in staged if "/" in path}
        if os.path.isdir(staged_folder(root, top))
    )
    if not tops:
        return staged, []
    whole = set(tops)
    return [path for path in staged if "/" not in path or path.partition("/")[0] not in whole], tops


def place_folders(root: str, tops: Iterable[str]) -> None:
    """Rename the top folders ``tops`` staged whole into ``root``."""
    for top in tops:
        os.rename(staged_folder(root, top), f"{root}/{top}")


def discard_staging(out: Path | str) -> None:
    """Remove the top folders a build (interrupted, or failed) staged whole."""
    try:
        entries = list(os.scandir(out))
    except OSError:
        return
    for entry in entries:
        name = entry.name
        staged = name.startswith(".") and name.endswith(TEMP_SUFFIX)
        if staged and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)


def stage_at(folder: str, name: str, data: bytes) -> str:
    """Write ``data`` to the temporary of ``folder/name`` (the folder made if
    missing); the temporary's name."""
    temp = f"{folder}/.{name}{TEMP_SUFFIX}"
    _write_new(temp, folder, data, Path(folder, name))
    return temp


def _write_new(temp: str, folder: str, data: bytes, target: Path) -> None:
    """Write ``data`` to the file ``temp`` in ``folder`` (made if missing),
    created or emptied; an error names ``target``, the output it stands for.

    Plain descriptor calls: ``open()`` also asks whether the file is a
    terminal and where it starts (two more system calls per file, tens of
    thousands of them in a cold build).
    """
    try:
        try:
            fd = os.open(temp, _STAGE_FLAGS, 0o666)
        except FileNotFoundError:
            # The folder is made only when missing: a cold build of a large
            # site would otherwise pay a mkdir (and its stats) per file.
            _make_folder(folder)
            fd = os.open(temp, _STAGE_FLAGS, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise write_error(target, exc) from exc


def _make_folder(folder: str) -> None:
    """``Path(folder).mkdir(parents=True, exist_ok=True)``: one ``mkdir`` when
    the parent exists (``os.makedirs`` first stats it)."""
    try:
        os.mkdir(folder)
    except FileNotFoundError:
        parent = os.path.dirname(folder)
        if parent == folder:
            raise
        _make_folder(parent)
        _make_folder(folder)
    except FileExistsError:
        if not os.path.isdir(folder):
            raise


def write_error(path: Path, exc: OSError) -> PublishError:
    return PublishError(
        f"cannot write output: {exc.strerror or exc}",
        path=path,
        hint="free disk space or make the output folder writable, then build again;"
        " the previous output is unchanged",
    )


def unchanged(path: Path | str, data: bytes) -> bool:
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` through a temporary file and a rename."""
    temp = stage(path, data)
    try:
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise write_error(path, exc) from exc


def stage_parts(path: Path, parts: Iterable[bytes | memoryview]) -> str:
    """Write the bytes ``parts`` join to (not joined first: a 19 MB state file
    with one record written again is three parts) to ``temp_of(path)``, not
    yet in place (``os.replace``); their SHA-256 (hex). Raises ``OSError``
    with the temporary removed.

    Big parts, each hashed and written by one call that lets go of the
    interpreter lock: a thread can do it while the build renders."""
    temp = os.fspath(temp_of(path))
    digest = hashlib.sha256()
    try:
        fd = os.open(temp, _STAGE_FLAGS, 0o666)
        try:
            for part in parts:
                digest.update(part)
                view = memoryview(part)
                while view:
                    view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return digest.hexdigest()


def write_parts_atomic(path: Path, parts: Iterable[bytes | memoryview]) -> str:
    """``write_atomic`` of the bytes ``parts`` join to (:func:`stage_parts`);
    their SHA-256 (hex)."""
    temp = os.fspath(temp_of(path))
    try:
        digest = stage_parts(path, parts)
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise write_error(path, exc) from exc
    return digest


def write_chunks_atomic(path: Path, chunks: Iterable[bytes]) -> str:
    """``write_atomic`` of the bytes ``chunks`` join to, never held whole; the file
    is left untouched when it holds them already. The SHA-256 (hex) of the bytes."""
    temp = temp_of(path)
    digest = hashlib.sha256()
    size = 0
    try:
        with open(temp, "wb") as handle:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                handle.write(chunk)
        if _digest_of(path, size) == digest.digest():
            temp.unlink()
        else:
            os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise write_error(path, exc) from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return digest.hexdigest()


def _digest_of(path: Path, size: int) -> bytes | None:
    """The SHA-256 of the file ``path`` if it has ``size`` bytes (read in blocks), else ``None``."""
    try:
        with open(path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size != size:
                return None
            digest = hashlib.sha256()
            while block := handle.read(1 << 20):
                digest.update(block)
            return digest.digest()
    except OSError:
        return None


def _walk(out: Path, *, dot_folders: bool) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """``(relative path, entry)`` of every file under ``out``, symlinked folders not followed."""
    stack = [("", out)]
    while stack:  # iterative: a deep tree must not exhaust the recursion limit
        prefix, folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if dot_folders or not entry.name.startswith("."):
                    stack.append((f"{prefix}{entry.name}/", Path(entry.path)))
            else:
                yield prefix + entry.name, entry


def clean_temporaries(out: Path) -> list[Path]:
    """Remove the temporary files an interrupted build left in ``out`` (and
    the folders it staged whole)."""
    discard_staging(out)
    removed = []
    for _, entry in _walk(out, dot_folders=True):
        if entry.name.endswith(TEMP_SUFFIX) or (
            entry.name.startswith(".") and entry.name.endswith(".tmp")
        ):
            Path(entry.path).unlink(missing_ok=True)
            removed.append(Path(entry.path))
    return removed


def existing_files(out: Path) -> set[str]:
    """The relative paths of the files under ``out``, dot folders excepted."""
    return {relative for relative, _ in _walk(out, dot_folders=False)}


def prune_empty_dirs(folder: Path, root: Path) -> None:
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _folder_inside(out: Path, folder: str, verdicts: dict[str, bool]) -> bool:
    """Whether ``out/folder`` resolves inside ``out`` (``folder``: no ``..``, no ``.``).

    A folder whose parent is inside stays inside unless it is a symlink: one
    ``lstat`` per folder, not a full resolve of every path component.
    """
    verdict = verdicts.get(folder)
    if verdict is None:
        if not folder:
            verdict = True
        else:
            path = out / folder
            verdict = _folder_inside(out, folder.rpartition("/")[0], verdicts) and (
                not path.is_symlink() or path.resolve().is_relative_to(out.resolve())
            )
        verdicts[folder] = verdict
    return verdict


def inside(out: Path, relative: str, folders: dict[str, bool] | None = None) -> Path:
    """``out/relative`` if it stays inside ``out`` once resolved, else an error.

    Only the folders are resolved (a file itself is replaced or unlinked, never
    followed); ``folders`` caches their verdicts for one build, since resolving
    every path of a large site costs seconds.
    """
    target = out / relative
    parent = relative.rpartition("/")[0]
    folders = {} if folders is None else folders
    if not safe_relative(relative) or not _folder_inside(out, parent, folders):
        raise PublishError(
            f"refusing to touch {relative!r}: it is not inside the output folder",
            path=out,
            hint="a slug or a state file entry points outside; fix the article or the state",
        )
    return target
