"""Files that hold personal data: written safely, never over the live database (§6.7, §9).

Backups and subject-access reports are written where an admin points, and
a path can name the live database in many ways: a symbolic link to its
folder, ``sub/../staircase.db``, a hard link. Writing there would destroy
what staff are logging, so a target is compared with the live database
and its journal files by resolved path *and* by ``samefile``, and a target
that is itself a symbolic link is refused rather than followed.

A file only ever appears complete: it is written to a scratch file in the
target's folder (mode 0600, created with ``O_EXCL``) and renamed over the
target in one step. A failure or Ctrl-C removes the scratch file; one left
by a killed process carries that process's id in its name and is removed
by the next write into that folder.
"""

import os
import re
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from staircase.errors import InvalidInput
from staircase.i18n import _

WRITERS_SUFFIX = "-writers"
"""The file beside a SQLite database on which its writers queue (``db.store``)."""

LIVE_SUFFIXES = ("", "-wal", "-shm", "-journal", WRITERS_SUFFIX)
"""The SQLite database file and the files SQLite and staircase keep beside it."""

NAME_LIMIT = 255
"""Bytes in one file name on Linux, macOS and Windows file systems."""

_SCRATCH_PREFIX = ".staircase-partial-"
_SCRATCH = re.compile(rf"^{re.escape(_SCRATCH_PREFIX)}(?P<pid>[0-9]+)-")


def live_files(database: Path | None) -> list[Path]:
    """The live SQLite file and its journal files, resolved; none for a server database."""
    if database is None:
        return []
    real = database.expanduser().resolve()
    return [real.with_name(real.name + suffix) for suffix in LIVE_SUFFIXES]


def safe_target(path: str | os.PathLike, *, live: Path | None) -> Path:
    """``path`` as a file it is safe to write: in a real folder, not a link, not the database.

    Returns the path with its folder resolved, so a link swapped in later
    cannot redirect the write. Refuses, with one line and nothing written,
    a CPR number or an unprintable character in the path (it goes into the
    audit detail), a missing folder, an over-long name, a symbolic link, a
    folder or device, and any of the live database's files.
    """
    from staircase.db.guard import check_text

    check_text(os.fspath(path), field=_("the file name"))
    given = Path(path).expanduser().absolute()
    if len(os.fsencode(given.name)) > NAME_LIMIT:
        raise InvalidInput(
            _("the file name is longer than {NAME_LIMIT} bytes; choose a shorter one").format(
                NAME_LIMIT=NAME_LIMIT
            )
        )
    if not given.parent.is_dir():
        raise InvalidInput(
            _("there is no folder {parent}; create it or choose another path").format(
                parent=given.parent
            )
        )
    target = given.parent.resolve() / given.name
    if target.is_symlink():
        raise InvalidInput(
            _("{given} is a symbolic link; name the file itself, not a link to it").format(
                given=given
            )
        )
    if target.exists() and not target.is_file():
        raise InvalidInput(
            _("{given} is not a regular file (a folder, pipe or device)").format(given=given)
        )
    if is_live_file(target, live=live):
        raise InvalidInput(
            _("{given} is the live database or one of its files; choose another file").format(
                given=given
            )
        )
    return target


def is_live_file(path: Path, *, live: Path | None) -> bool:
    """Whether ``path`` is the live database or a journal file of it, however it is named."""
    real = path.resolve()
    return any(
        real == file or (real.exists() and file.exists() and os.path.samefile(real, file))
        for file in live_files(live)
    )


@contextmanager
def private_file(target: Path, *, force: bool = False) -> Iterator[Path]:
    """A 0600 scratch file beside ``target`` that becomes ``target`` when the block succeeds.

    Without ``force`` an existing ``target`` is refused, and the scratch file
    is hard-linked into place, which fails rather than overwrite a file that
    appeared meanwhile. With ``force`` it is renamed over ``target``. Either
    way the step is atomic: readers see no file or the whole one.
    """
    if not force and (target.exists() or target.is_symlink()):
        raise InvalidInput(
            _("{target} already exists; choose a new name or use --force").format(target=target)
        )
    with scratch_file(target.parent) as scratch:
        yield scratch
        _put_in_place(scratch, target, force=force)


@contextmanager
def scratch_file(folder: Path) -> Iterator[Path]:
    """A new, empty 0600 file in ``folder``, removed afterwards whatever happens.

    ``mkstemp`` creates it with ``O_EXCL`` and mode 0600 whatever the umask,
    and SQLite gives its journal files the mode of the database file. Its
    name carries this process's id, so a copy left by a killed process is
    recognised and removed by the next one.
    """
    _remove_leftovers(folder)
    try:
        handle, name = tempfile.mkstemp(
            dir=folder, prefix=f"{_SCRATCH_PREFIX}{os.getpid()}-", suffix=".tmp"
        )
    except OSError as err:
        raise InvalidInput(
            _("cannot write in {folder}: {strerror}").format(folder=folder, strerror=err.strerror)
        ) from None
    os.close(handle)
    scratch = Path(name)
    try:
        yield scratch
    finally:
        scratch.unlink(missing_ok=True)
        for journal in LIVE_SUFFIXES[1:]:
            scratch.with_name(scratch.name + journal).unlink(missing_ok=True)


def _put_in_place(scratch: Path, target: Path, *, force: bool) -> None:
    if force:
        os.replace(scratch, target)
        return
    try:
        os.link(scratch, target)
    except FileExistsError:
        raise InvalidInput(
            _("{target} already exists; choose a new name or use --force").format(target=target)
        ) from None
    except OSError as err:
        raise InvalidInput(
            _("cannot create {target}: {strerror}").format(target=target, strerror=err.strerror)
        ) from None


def _remove_leftovers(folder: Path) -> None:
    """Remove scratch files whose writer is gone (killed mid-write: they hold personal data)."""
    with suppress(OSError):
        for entry in os.scandir(folder):
            match = _SCRATCH.match(entry.name)
            if match and int(match["pid"]) != os.getpid() and not _alive(int(match["pid"])):
                Path(entry.path).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def open_regular(path: Path) -> int:
    """A read-only descriptor on ``path``, refused at once unless it is a regular file.

    ``O_NONBLOCK`` keeps a FIFO from hanging the open; the check is made on
    the open descriptor, so the file cannot be swapped after it.
    """
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as err:
        raise InvalidInput(
            _("cannot read {path}: {strerror}").format(path=path, strerror=err.strerror)
        ) from None
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise InvalidInput(
            _("{path} is not a regular file (a pipe, device or folder)").format(path=path)
        )
    return handle
