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
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from staircase.clock import Clock
from staircase.core import audit
from staircase.core.identity import is_shared_terminal
from staircase.core.work import Request, transaction
from staircase.db.guard import check_text
from staircase.db.schema import HEAD, REVISIONS
from staircase.db.store import BUSY_TIMEOUT_MS, SQLITE_HEADER, close_engine, session_scope
from staircase.errors import DatabaseProblem, InvalidInput
from staircase.files import is_live_file, open_regular, private_file, safe_target, scratch_file
from staircase.i18n import _

STAIRCASE_TABLES = frozenset({"alembic_version", "audit", "case"})
"""Tables every staircase schema has had: what tells our database from another SQLite file."""
_SQLITE_TABLES = frozenset({"alembic_version", "sqlite_sequence", "sqlite_stat1"})
"""Tables alembic and SQLite itself keep beside staircase's own."""


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
    """Copy the database to ``path`` (admin only); refuse an existing file unless ``force``.

    The target is checked before anything happens (``files.safe_target``:
    never the live database, never through a link), the copy is made into a
    scratch file, and the file appears under its name only after the
    ``backup`` entry is committed.
    """
    live = _sqlite_file(request.url)
    target = safe_target(path, live=live)
    with (
        private_file(target, force=force) as partial,
        transaction(request, "backup", write=False) as work,
    ):
        if live is None:
            schema, entries = _pg_dump(request.url, partial, target), None
        else:
            schema, entries = _copy_checked(live, partial, name=target.name)
        work.audit("backup", detail=str(target))
    method = "sqlite" if live is not None else "pg_dump"
    return BackupResult(str(target), method, schema, target.stat().st_size, entries)


def restore(request: Request, path: str | os.PathLike) -> RestoreResult:
    """Replace the live SQLite database with a backup (admin only).

    Refused, with nothing touched: a file that is not a SQLite database, one
    that is not staircase's, one whose audit chain does not verify (exit 1);
    a damaged one, and one newer than this program (exit 4, §5.3).
    """
    check_text(os.fspath(path), field=_("the file name"))
    source = Path(path).expanduser().absolute()
    with transaction(request, "restore", write=False) as work:
        actor = work.actor.id
    live = _sqlite_file(request.url)
    if live is None:
        raise InvalidInput(_pg_restore_hint(request.url, source))
    if is_live_file(source, live=live):
        raise InvalidInput(
            _("{source} is the live database or one of its files; name a backup").format(
                source=source
            )
        )
    with scratch_file(live.parent) as staged:
        schema = _stage(source, staged, actor=actor, clock=request.clock, key_of=request.url)
        _replace(staged, live)
    close_engine(request.url)
    with session_scope(request.url, write=False) as session:
        check = audit.verify(session)
    if not check.ok:
        raise DatabaseProblem(
            _("the restored audit log does not verify: {problem}").format(problem=check.problem)
        )
    return RestoreResult(str(source), schema, check.entries)


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    return Path(parsed.database) if parsed.get_backend_name() == "sqlite" else None


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
        raise DatabaseProblem(
            _("{name} is damaged ({integrity}); nothing was changed").format(
                name=name, integrity=integrity
            )
        )
    tables = {
        row[0] for row in connection.execute("select name from sqlite_master where type = 'table'")
    }
    revision = None
    if tables >= STAIRCASE_TABLES:
        revision = connection.execute("select max(version_num) from alembic_version").fetchone()[0]
    if revision is None:
        raise InvalidInput(
            _("{name} is not a staircase database; nothing was changed").format(name=name)
        )
    if revision not in REVISIONS:
        raise DatabaseProblem(
            _(
                "{name} has schema {revision}, newer than this staircase understands; "
                "upgrade staircase (nothing was changed)"
            ).format(name=name, revision=revision)
        )
    _refuse_foreign_objects(connection, name)
    return revision


def _refuse_foreign_objects(connection: sqlite3.Connection, name: str) -> None:
    """Refuse a database carrying triggers, views, tables or indexes staircase never made.

    A trigger in a restored file would run inside every later write, as
    whoever writes: rewriting notes, copying them elsewhere, or keeping the
    audit chain "intact" over edited rows.
    """
    from sqlmodel import SQLModel

    import staircase.db.models  # noqa: F401  (the tables' metadata)

    tables = set(SQLModel.metadata.tables) | _SQLITE_TABLES
    indexes = {index.name for table in SQLModel.metadata.tables.values() for index in table.indexes}
    for kind, object_name in connection.execute("select type, name from sqlite_master"):
        known = (kind == "table" and object_name in tables) or (
            kind == "index" and (object_name in indexes or object_name.startswith("sqlite_"))
        )
        if not known:
            raise InvalidInput(
                _(
                    "{name} holds a {kind} staircase does not have ({object_name}); it is not a "
                    "plain staircase backup, nothing was changed"
                ).format(name=name, kind=kind, object_name=object_name)
            )


def _stage(source: Path, staged: Path, *, actor: str, clock: Clock, key_of: str) -> str:
    """Copy the backup into ``staged``, check it, and record the restore in its chain.

    The backup file itself is only read: every check and the new audit entry
    happen on the staged copy, so a refused file leaves everything as it was.
    The chain is checked and extended with the live database's key
    (``key_of``): a backup keyed by another installation does not verify.
    """
    with os.fdopen(open_regular(source), "rb") as file:
        header = file.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise InvalidInput(
            _("{name} is not a SQLite database; nothing was changed").format(name=source.name)
        )
    with closing(sqlite3.connect(source)) as backup_file, closing(sqlite3.connect(staged)) as copy:
        backup_file.execute("pragma query_only = on")
        try:
            backup_file.backup(copy)
        except sqlite3.DatabaseError as err:
            raise InvalidInput(
                _("{name} cannot be read ({err}); nothing was changed").format(
                    name=source.name, err=err
                )
            ) from None
        schema = _check_staircase(copy, source.name)
    staged_url = f"sqlite:///{staged}"
    try:
        if schema != HEAD:
            from staircase.db.migrate import upgrade

            upgrade(staged_url)  # a backup from an older staircase, brought up as `db upgrade` does
        with session_scope(staged_url, write=True) as session:
            check = audit.verify(session, key_of=key_of)
            if not check.ok:
                raise InvalidInput(
                    _(
                        "the audit log in {name} does not verify ({problem}); nothing was changed"
                    ).format(name=source.name, problem=check.problem)
                )
            event = audit.Event(actor, "restore", detail=str(source))
            shared = is_shared_terminal(session)
            audit.append(session, [event], clock, shared=shared, key_of=key_of)
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
                _(
                    "the database {live} stayed locked for {value} s; nothing was restored; try "
                    "again"
                ).format(live=live, value=BUSY_TIMEOUT_MS // 1000)
            )

    with (
        closing(sqlite3.connect(staged)) as source,
        closing(sqlite3.connect(live, timeout=BUSY_TIMEOUT_MS / 1000)) as target,
    ):
        try:
            source.backup(target, progress=give_up_when_locked)
        except sqlite3.Error as err:
            raise DatabaseProblem(
                _("could not restore into {live}: {err}").format(live=live, err=err)
            ) from None


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


def _pg_dump(url: str, partial: Path, target: Path) -> str:
    """Dump the PostgreSQL database into ``partial``; the schema revision it holds."""
    conninfo, password, schema = _libpq(url)
    arguments = ["--format=custom", *(["--schema", schema] if schema else []), conninfo]
    program = shutil.which("pg_dump")
    if program is None:
        command = shlex.join(["pg_dump", "--file", str(target), *arguments])
        login = " with the password in PGPASSWORD or ~/.pgpass" if password else ""
        raise InvalidInput(
            _(
                "pg_dump is not installed here; install the PostgreSQL client and "
                "run{login}: {command}"
            ).format(login=login, command=command)
        )
    environment = {**os.environ, **({"PGPASSWORD": password} if password else {})}
    done = subprocess.run(
        [program, "--file", str(partial), *arguments],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        why = (done.stderr.strip().splitlines() or ["no message"])[0]
        raise DatabaseProblem(_("pg_dump failed: {why}").format(why=why))
    return HEAD


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
    return _(
        "staircase restores SQLite only; restore PostgreSQL with: {command} "
        "then run `staircase audit verify`"
    ).format(command=command)
