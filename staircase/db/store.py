"""The one place that opens databases and sessions (§5.1–5.3).

SQLite is the embedded default, in the user's data directory. Several staff
logging at once must never see "database is locked", so every SQLite
connection runs in WAL mode with foreign keys on and a busy timeout, and a
writing transaction starts with ``BEGIN IMMEDIATE``: it waits for the write
lock up front instead of failing when it later upgrades a read lock.

Writers wait their turn in a queue, not in SQLite's busy handler. That
handler sleeps and polls, backing off to 100 ms, so under twenty writers
one of them can lose the race again and again for seconds (issue 14 item
6). Before ``BEGIN IMMEDIATE`` a writer takes a ticket in the file
``<database>-writers`` beside the database and waits, in the kernel, for
the writer before it: the write lock passes from one writer to the next in
the order they came, without a sleep in between (``_take_turn``).
"""

import fcntl
import os
import sqlite3
import stat
import struct
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    DataError,
    DBAPIError,
    IntegrityError,
    OperationalError,
)
from sqlmodel import Session

from staircase.db import digests
from staircase.db.guard import check_text, guard_rows
from staircase.db.schema import check_revision
from staircase.errors import DatabaseProblem, InvalidInput, NotAllowed
from staircase.files import NAME_LIMIT, WRITERS_SUFFIX
from staircase.i18n import _

BUSY_TIMEOUT_MS = 30_000
INSUFFICIENT_PRIVILEGE = "42501"
"""PostgreSQL's SQLSTATE for a statement the connected role has no grant for (§6.8)."""


def default_path() -> Path:
    """``staircase.db`` in the user data directory (platformdirs)."""
    from platformdirs import user_data_path

    return user_data_path("staircase", appauthor=False) / "staircase.db"


BACKENDS = ("sqlite", "postgresql")
"""The databases staircase is built and tested for (§5.1, §5.2)."""

SQLITE_HEADER = b"SQLite format 3\x00"
"""The first bytes of every SQLite database file."""


def database_url(db: str | os.PathLike | None) -> str:
    """A SQLAlchemy URL from ``--db``: a URL as it is, a path as a SQLite file.

    Refuses, before any driver is loaded, a URL for another kind of
    database and a path no file system accepts.
    """
    if db is None:
        return f"sqlite:///{default_path()}"
    text_db = os.fspath(db)
    if "://" in text_db:
        try:
            backend = make_url(text_db).get_backend_name()
        except ArgumentError as err:
            raise DatabaseProblem(
                _("cannot read the database URL: {err}").format(err=err)
            ) from None
        if backend not in BACKENDS:
            raise DatabaseProblem(
                _(
                    "staircase works with SQLite and PostgreSQL, not {backend}; give a file "
                    "path or a postgresql+psycopg:// URL"
                ).format(backend=backend)
            )
        return text_db
    check_text(text_db, field=_("the database path"))
    path = Path(text_db).expanduser().absolute()
    if any(len(os.fsencode(part)) > NAME_LIMIT for part in path.parts):
        raise DatabaseProblem(
            _("the database path has a name longer than {NAME_LIMIT} bytes").format(
                NAME_LIMIT=NAME_LIMIT
            )
        )
    return f"sqlite:///{path.resolve()}"


_engines: dict[str, Engine] = {}
Row = TypeVar("Row")


def open_engine(url: str) -> Engine:
    """The process's one engine for the URL, with SQLite's pragmas on every connection."""
    if url not in _engines:
        _engines[url] = _create(url)
    return _engines[url]


def close_engine(url: str) -> None:
    """Close the URL's pooled connections (before a restore, or a test dropping its database)."""
    engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def _create(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    event.listen(engine, "checkin", _end_turn)
    return engine


def create_database_file(url: str) -> None:
    """For ``init``: create a SQLite file's folder, and the file readable by
    its owner only (§6.7); make an existing one owner-only too. Other
    commands never create a database by accident.

    A file that holds something else — not SQLite, or another program's
    SQLite tables — is refused and left exactly as it was: opening it with
    our engine would already switch it to WAL.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Closing any descriptor of a file drops every POSIX lock this process
        # holds on it, SQLite's included: no connection of ours may be open.
        close_engine(url)
        _refuse_foreign(path)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, stat.S_IRUSR | stat.S_IWUSR))
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def _refuse_foreign(path: Path) -> None:
    """Refuse an existing, non-empty file that is not a staircase database (read-only look)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    _refuse_non_sqlite(path)
    try:
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as connection:
            tables = {row[0] for row in connection.execute("select name from sqlite_master")}
    except sqlite3.DatabaseError as err:
        raise DatabaseProblem(_("cannot read {path}: {err}").format(path=path, err=err)) from None
    if tables and "alembic_version" not in tables:
        raise DatabaseProblem(
            _(
                "{path} is another program's SQLite database; nothing was changed — choose "
                "another --db"
            ).format(path=path)
        )


def _refuse_non_sqlite(path: Path) -> None:
    """Refuse a file that does not start as a SQLite database does (``init`` only: see above)."""
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as err:
        raise DatabaseProblem(
            _("cannot read {path}: {strerror}").format(path=path, strerror=err.strerror)
        ) from None
    if header != SQLITE_HEADER:
        raise DatabaseProblem(_("{path} is not a SQLite database; check --db").format(path=path))


def _sqlite_connect(dbapi_connection, _record) -> None:
    # Let SQLAlchemy's "begin" event, not the driver, start transactions.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("pragma journal_mode = wal")
    cursor.execute("pragma synchronous = normal")
    cursor.execute("pragma foreign_keys = on")
    cursor.execute(f"pragma busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(connection) -> None:
    immediate = connection.get_execution_options().get("write", False)
    if immediate and TURN not in connection.info:
        database = connection.engine.url.database
        if database and database != ":memory:":
            connection.info[TURN] = _take_turn(Path(database + WRITERS_SUFFIX))
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


TURN = "staircase.turn"
"""Where a connection keeps the descriptor that holds its place in the writers' queue."""

_COUNTER = 8
"""Bytes at the start of the queue file: the number of the next ticket."""


def _take_turn(queue: Path) -> int | None:
    """Wait for this writer's turn, first come first served; the descriptor holding it.

    The queue is a ticket lock on the file ``queue``: a writer draws the next
    ticket and locks the byte of that ticket, then waits until it can lock
    the byte of the ticket before it, which its holder unlocks when it
    commits (or dies: the kernel drops a dead process's locks). Only the next
    writer wakes, and nobody can overtake it, as they can in SQLite's polling
    or a plain ``flock``. The locks are open-file-description locks (Linux),
    one per transaction; elsewhere, or where the file cannot be made, there
    is no queue and SQLite's own wait serves. None then, or when the wait
    outlasts SQLite's busy timeout: ``BEGIN IMMEDIATE`` then reports the
    locked database as before.
    """
    if not hasattr(fcntl, "F_OFD_SETLKW"):
        return None
    try:
        fd = os.open(queue, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, stat.S_IRUSR | stat.S_IWUSR)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # the counter only, for two small reads and writes
        try:
            ticket = int.from_bytes(os.pread(fd, _COUNTER, 0), "big")
            os.pwrite(fd, (ticket + 1).to_bytes(_COUNTER, "big"), 0)
            _place(fd, ticket, fcntl.F_WRLCK, wait=False)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    except OSError:
        os.close(fd)
        return None
    if _behind(fd, ticket):
        return fd
    return None


def _place(fd: int, ticket: int, kind: int, *, wait: bool) -> None:
    """Lock (``F_WRLCK``) or unlock (``F_UNLCK``) a ticket's byte, after the counter."""
    command = fcntl.F_OFD_SETLKW if wait else fcntl.F_OFD_SETLK
    where = _COUNTER + ticket % (1 << 48)
    fcntl.fcntl(fd, command, struct.pack("hhqqi4x", kind, os.SEEK_SET, where, 1, 0))


def _behind(fd: int, ticket: int) -> bool:
    """Wait until the ticket before ``ticket`` is done; False if it took too long.

    A blocking lock cannot time out, so a helper thread waits in it. A writer
    that gives up leaves its place at once, and the helper closes the
    descriptor when the wait ends; nothing of the queue is held for it.
    """
    try:
        _place(fd, ticket - 1, fcntl.F_WRLCK, wait=False)
    except OSError:
        pass
    else:
        _place(fd, ticket - 1, fcntl.F_UNLCK, wait=False)
        return True
    decided = threading.Lock()
    came = threading.Event()
    gave_up = False

    def wait() -> None:
        _place(fd, ticket - 1, fcntl.F_WRLCK, wait=True)
        with decided:
            if gave_up:
                os.close(fd)
                return
            _place(fd, ticket - 1, fcntl.F_UNLCK, wait=False)
            came.set()

    threading.Thread(target=wait, name="staircase-writers", daemon=True).start()
    came.wait(BUSY_TIMEOUT_MS / 1000)
    with decided:
        if came.is_set():
            return True
        gave_up = True
        _place(fd, ticket, fcntl.F_UNLCK, wait=False)
    return False


def _end_turn(_dbapi_connection, record) -> None:
    """The connection is back in the pool, committed or rolled back: the next writer's turn."""
    fd = record.info.pop(TURN, None)
    if fd is not None:
        os.close(fd)


@contextmanager
def session_scope(url: str, *, write: bool) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any error.

    ``write=True`` takes SQLite's write lock at the start (see module doc).
    The rows it writes are collected for the audit chain (``digests.track``).
    Every row flushed passes ``guard.guard_rows``: nothing that must not be
    stored (a CPR number, control characters, text too long) reaches the
    database, whichever command wrote it.
    The schema is checked first, so a database newer than the program is
    refused before anything is read or written.
    """
    _require_file(url)
    engine = open_engine(url)
    bind = engine.execution_options(write=True) if write else engine
    try:
        with Session(bind, expire_on_commit=False) as session:
            event.listen(session, "before_flush", guard_rows)
            digests.track(session)
            check_revision(session)
            yield session
            session.commit()
    except OperationalError as err:
        raise DatabaseProblem(explain(err, url)) from err
    except DataError as err:
        raise InvalidInput(
            _("the database refused a value: {first_line}").format(first_line=_first_line(err))
        ) from err
    except OverflowError:
        raise InvalidInput(
            _("a number given is out of range: larger than any id or count staircase keeps")
        ) from None
    except DatabaseError as err:
        if isinstance(err, IntegrityError):
            raise
        if getattr(err.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
            raise NotAllowed(
                _(
                    "your database role may not do this ({reason}); it is the database "
                    "owner's (migrations, purge, restore), or an admin runs `staircase db grant`"
                ).format(reason=_first_line(err))
            ) from err
        raise DatabaseProblem(explain(err, url)) from err


def begin_writing(session: Session) -> None:
    """Commit what the session read so far and start its writing transaction.

    On SQLite the write lock is waited for here (``BEGIN IMMEDIATE``), not
    when the session began: what was read first held up no other writer.
    What the writing depends on is read again after this.
    """
    session.commit()
    session.connection(execution_options={"write": True})


def keep(session: Session, row: Row) -> Row:
    """Hold a row for the rest of the session, and return it.

    The identity map holds rows weakly: one read by primary key and let go
    is read again by the next ``session.get``. A row every step of a command
    asks for (the unit's pack, the terminal setting) is kept, so those asks
    cost no query.
    """
    if row is not None:
        session.info.setdefault("staircase.kept", []).append(row)
    return row


def _require_file(url: str) -> None:
    """A SQLite path that does not exist is a typo or a missing ``init``, never a new database."""
    parsed = make_url(url)
    path = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if path and path != ":memory:" and not Path(path).exists():
        raise DatabaseProblem(
            _(
                "no database at {path}; check --db, or create it with `staircase init "
                "--admin INITIALS --name NAME`"
            ).format(path=path)
        )


def _first_line(err: DBAPIError) -> str:
    """The driver's message, without the SQL and parameters SQLAlchemy appends."""
    lines = str(err.orig or err).strip().splitlines()
    return lines[0] if lines else _("no message")


def explain(err: DBAPIError, url: str) -> str:
    """One line for a database that cannot be used right now."""
    message = _first_line(err)
    where = make_url(url).render_as_string(hide_password=True)
    if "locked" in message or "busy" in message:
        return _("the database {where} stayed locked for {seconds} s; try again").format(
            where=where, seconds=BUSY_TIMEOUT_MS // 1000
        )
    return _("cannot use the database {where}: {message}").format(where=where, message=message)


def compact(url: str) -> None:
    """Rewrite a SQLite file from its live rows, so deleted rows leave no bytes behind (§6.6).

    A delete only marks pages free and leaves old page images in the WAL;
    ``vacuum`` rebuilds the file and a truncating checkpoint empties the
    WAL. It cannot run inside a transaction, hence the driver connection.
    PostgreSQL needs nothing here: deleted rows are gone from every query
    and autovacuum reclaims their space.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return
    raw = open_engine(url).raw_connection()
    try:
        raw.driver_connection.execute("vacuum")
        raw.driver_connection.execute("pragma wal_checkpoint(truncate)")
    except sqlite3.OperationalError as err:
        raise DatabaseProblem(
            _(
                "the deletion is committed, but compacting {database} failed ({err}); run "
                "`sqlite3 {database} vacuum` when nobody is working"
            ).format(database=parsed.database, err=err)
        ) from err
    finally:
        raw.close()
