"""Backups and restores (§5.5), every file readable by its owner only (§6.7).

SQLite is copied with its online backup API in a single step: one read
transaction on the live database, so the copy is a consistent snapshot of
everything committed before it started, while other processes go on
writing (WAL readers never block writers). PostgreSQL is dumped with
``pg_dump``; restoring it is left to ``pg_restore``, and we say exactly how.

Audit order, the same on SQLite and PostgreSQL: the copy is taken first and the ``backup``
entry is appended to the live chain once the copy is complete and checked.
A backup therefore holds every entry before its own, never a record of a
backup that failed. A restore appends its ``restore`` entry to the restored
chain *before* that chain replaces the live database, in one locked copy,
so no writer can slip in between the restored data and the record of it.
"""

import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from staircase.clock import Clock
from staircase.core import audit
from staircase.core.work import Request, transaction
from staircase.db.schema import HEAD, REVISIONS
from staircase.db.store import BUSY_TIMEOUT_MS, close_engine, session_scope
from staircase.errors import DatabaseProblem, InvalidInput

SQLITE_HEADER = b"SQLite format 3\x00"
STAIRCASE_TABLES = frozenset({"alembic_version", "audit", "case"})
"""Tables every staircase schema has had: what tells our database from another SQLite file."""


@dataclass(frozen=True)
class BackupResult:
    """Where the backup went and what it holds (``audit_entries`` is unknown for pg_dump)."""

    path: str
    method: str
    schema: str
    bytes: int
    audit_entries: int | None


@dataclass(frozen=True)
class RestoreResult:
    """What was restored: the backup file, its schema, and the verified chain's length."""

    path: str
    schema: str
    audit_entries: int


def backup(request: Request, path: str | os.PathLike, *, force: bool = False) -> BackupResult:
    """Copy the database to ``path`` (admin only); refuse an existing file unless ``force``."""
    target = Path(path).expanduser().absolute()
    with transaction(request, "backup", write=False) as work:
        live = _sqlite_file(request.url)
        if live is None:
            result = _pg_dump(request.url, target, force=force)
        else:
            if target == live.absolute():
                raise InvalidInput(f"{target} is the database itself; choose another file")
            result = _sqlite_backup(live, target, force=force)
        work.audit("backup", subject=target.name, detail=str(target))
    return result


def restore(request: Request, path: str | os.PathLike) -> RestoreResult:
    """Replace the live SQLite database with a backup (admin only).

    Refused, with nothing touched: a file that is not a SQLite database, one
    that is not staircase's, one whose audit chain does not verify (exit 1);
    a damaged one, and one newer than this program (exit 4, §5.3).
    """
    source = Path(path).expanduser().absolute()
    with transaction(request, "restore", write=False) as work:
        actor = work.actor.id
    live = _sqlite_file(request.url)
    if live is None:
        raise InvalidInput(_pg_restore_hint(request.url, source))
    if source == live.absolute():
        raise InvalidInput(f"{source} is the database itself; name a backup file")
    with _scratch_file(live) as staged:
        schema = _stage(source, staged, actor=actor, clock=request.clock)
        _replace(staged, live)
    close_engine(request.url)
    with session_scope(request.url, write=False) as session:
        check = audit.verify(session)
    if not check.ok:
        raise DatabaseProblem(f"the restored audit log does not verify: {check.problem}")
    return RestoreResult(str(source), schema, check.entries)


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    return Path(parsed.database) if parsed.get_backend_name() == "sqlite" else None


def _sqlite_backup(live: Path, target: Path, *, force: bool) -> BackupResult:
    with _new_file(target, force=force) as partial:
        schema, entries = _copy_checked(live, partial, name=target.name)
    return BackupResult(str(target), "sqlite", schema, target.stat().st_size, entries)


def _copy_checked(live: Path, partial: Path, *, name: str) -> tuple[str, int]:
    """Copy the live database into ``partial``; its schema and audit length once checked."""
    with (
        closing(sqlite3.connect(live, timeout=BUSY_TIMEOUT_MS / 1000)) as source,
        closing(sqlite3.connect(partial)) as copy,
    ):
        source.backup(copy)  # pages=-1: one step, so one read transaction, one snapshot
        # One self-contained file, readable without a -wal beside it.
        copy.execute("pragma journal_mode = delete")
        schema = _check_staircase(copy, name)
        (entries,) = copy.execute("select count(*) from audit").fetchone()
    return schema, entries


def _check_staircase(connection: sqlite3.Connection, name: str) -> str:
    """The schema revision of an intact staircase database, or the reason it is not one."""
    (integrity,) = connection.execute("pragma integrity_check").fetchone()
    if integrity != "ok":
        raise DatabaseProblem(f"{name} is damaged ({integrity}); nothing was changed")
    tables = {
        row[0] for row in connection.execute("select name from sqlite_master where type = 'table'")
    }
    revision = None
    if tables >= STAIRCASE_TABLES:
        revision = connection.execute("select max(version_num) from alembic_version").fetchone()[0]
    if revision is None:
        raise InvalidInput(f"{name} is not a staircase database; nothing was changed")
    if revision not in REVISIONS:
        raise DatabaseProblem(
            f"{name} has schema {revision}, newer than this staircase understands; "
            "upgrade staircase (nothing was changed)"
        )
    return revision


def _stage(source: Path, staged: Path, *, actor: str, clock: Clock) -> str:
    """Copy the backup into ``staged``, check it, and record the restore in its chain.

    The backup file itself is only read: every check and the new audit entry
    happen on the staged copy, so a refused file leaves everything as it was.
    """
    try:
        with source.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as err:
        raise InvalidInput(f"cannot read {source}: {err.strerror}") from None
    if header != SQLITE_HEADER:
        raise InvalidInput(f"{source.name} is not a SQLite database; nothing was changed")
    with closing(sqlite3.connect(source)) as backup_file, closing(sqlite3.connect(staged)) as copy:
        backup_file.execute("pragma query_only = on")
        try:
            backup_file.backup(copy)
        except sqlite3.DatabaseError as err:
            raise InvalidInput(
                f"{source.name} cannot be read ({err}); nothing was changed"
            ) from None
        schema = _check_staircase(copy, source.name)
    staged_url = f"sqlite:///{staged}"
    try:
        if schema != HEAD:
            from staircase.db.migrate import upgrade

            upgrade(staged_url)  # a backup from an older staircase, brought up as `db upgrade` does
        with session_scope(staged_url, write=True) as session:
            check = audit.verify(session)
            if not check.ok:
                raise InvalidInput(
                    f"the audit log in {source.name} does not verify ({check.problem}); "
                    "nothing was changed"
                )
            event = audit.Event(actor, "restore", subject=source.name, detail=str(source))
            audit.append(session, [event], clock)
    finally:
        close_engine(staged_url)
    return HEAD


def _replace(staged: Path, live: Path) -> None:
    """Copy ``staged`` over the live database in one step.

    ``sqlite3_backup_step(-1)`` holds the live database's write lock from the
    first page to the commit, so no writer interleaves and readers see the
    old database or the restored one, never a mixture. The live file is
    written in place, so it keeps its owner-only mode.
    """

    def give_up_when_locked(status: int, _remaining: int, _total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise DatabaseProblem(
                f"the database {live} stayed locked for {BUSY_TIMEOUT_MS // 1000} s; "
                "nothing was restored; try again"
            )

    with (
        closing(sqlite3.connect(staged)) as source,
        closing(sqlite3.connect(live, timeout=BUSY_TIMEOUT_MS / 1000)) as target,
    ):
        try:
            source.backup(target, progress=give_up_when_locked)
        except sqlite3.Error as err:
            raise DatabaseProblem(f"could not restore into {live}: {err}") from None


@contextmanager
def _scratch_file(beside: Path) -> Iterator[Path]:
    """A new, empty file next to ``beside``, readable by its owner only; gone afterwards.

    ``mkstemp`` creates it with O_EXCL and mode 0600 whatever the umask, and
    SQLite gives its journal and WAL files the mode of the database file.
    """
    try:
        handle, name = tempfile.mkstemp(dir=beside.parent, prefix=f".{beside.name}.", suffix=".tmp")
    except OSError as err:
        raise InvalidInput(f"cannot write in {beside.parent}: {err.strerror}") from None
    os.close(handle)
    scratch = Path(name)
    try:
        yield scratch
    finally:
        scratch.unlink(missing_ok=True)


@contextmanager
def _new_file(target: Path, *, force: bool) -> Iterator[Path]:
    """A 0600 scratch file that becomes ``target`` when the block succeeds.

    ``target`` only ever appears complete. Without ``force`` its name is
    first reserved with O_EXCL, so an existing file is refused and never
    overwritten, even by a second backup racing this one.
    """
    if target.is_dir():
        raise InvalidInput(f"{target} is a folder; name the backup file")
    if not target.parent.is_dir():
        raise InvalidInput(f"there is no folder {target.parent}")
    reserved = False
    if not force:
        try:
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            raise InvalidInput(
                f"{target} already exists; choose a new name or use --force"
            ) from None
        except OSError as err:
            raise InvalidInput(f"cannot create {target}: {err.strerror}") from None
        reserved = True
    try:
        with _scratch_file(target) as scratch:
            yield scratch
            os.replace(scratch, target)
            reserved = False
    finally:
        if reserved:
            target.unlink(missing_ok=True)


def _libpq(url: str) -> tuple[str, str | None, str | None]:
    """The URL as libpq reads it, without the password; the password; the schema.

    The password goes to ``pg_dump`` through ``PGPASSWORD``, never on a
    command line other users can see. When the URL pins ``search_path`` (a
    staircase schema inside a shared database), only that schema is dumped.
    """
    parsed = make_url(url)
    options = str(parsed.query.get("options", ""))
    pinned = re.search(r"search_path\s*=\s*([\w$]+)", options)
    conninfo = parsed.set(drivername="postgresql", password=None)
    return (
        conninfo.render_as_string(hide_password=False),
        parsed.password,
        pinned.group(1) if pinned else None,
    )


def _pg_dump(url: str, target: Path, *, force: bool) -> BackupResult:
    conninfo, password, schema = _libpq(url)
    arguments = ["--format=custom", *(["--schema", schema] if schema else []), conninfo]
    program = shutil.which("pg_dump")
    if program is None:
        command = shlex.join(["pg_dump", "--file", str(target), *arguments])
        login = " with the password in PGPASSWORD or ~/.pgpass" if password else ""
        raise InvalidInput(
            f"pg_dump is not installed here; install the PostgreSQL client and run{login}: "
            f"{command}"
        )
    environment = {**os.environ, **({"PGPASSWORD": password} if password else {})}
    with _new_file(target, force=force) as partial:
        done = subprocess.run(
            [program, "--file", str(partial), *arguments],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            why = (done.stderr.strip().splitlines() or ["no message"])[0]
            raise DatabaseProblem(f"pg_dump failed: {why}")
    return BackupResult(str(target), "pg_dump", HEAD, target.stat().st_size, None)


def _pg_restore_hint(url: str, source: Path) -> str:
    conninfo, _password, _schema = _libpq(url)
    command = shlex.join(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--no-owner",
            "--dbname",
            conninfo,
            str(source),
        ]
    )
    return (
        f"staircase restores SQLite only; restore PostgreSQL with: {command} "
        "then run `staircase audit verify`"
    )
