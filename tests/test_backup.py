"""Backups and restores (§5.5, §6.7): owner-only files, consistent copies, safe refusals."""

import json
import os
import shlex
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlmodel import select

from driver import AWAY
from home import Home
from staircase.admin.backup import backup
from staircase.core import audit
from staircase.db.models import AuditEntry, Observation
from staircase.db.schema import HEAD

SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
POSTGRES_ONLY = pytest.mark.parametrize(
    "backend", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


@pytest.fixture(autouse=True)
def ordinary_umask() -> Iterator[None]:
    """A permissive umask, so owner-only modes come from staircase, not from the test run."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def sqlite_path(url: str) -> Path:
    return Path(make_url(url).database)


def contents(url: str) -> list[str]:
    """Every row of a SQLite database, as SQL: equal lists mean nothing changed."""
    with closing(sqlite3.connect(sqlite_path(url))) as connection:
        return list(connection.iterdump())


@SQLITE_ONLY
def test_backup_and_the_live_database_are_owner_only(home: Home, tmp_path: Path) -> None:
    target = tmp_path / "backups" / "solhaven.db"
    target.parent.mkdir()
    result = home("backup", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip().startswith(f"backup written to {target} (sqlite, schema {HEAD}")
    assert len(result.stdout.strip().splitlines()) == 1
    assert mode(target) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["solhaven.db"]

    live = sqlite_path(home.url)
    with home.engine.connect():
        wal, shm = Path(f"{live}-wal"), Path(f"{live}-shm")
        assert wal.exists() and shm.exists()
        assert (mode(live), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)

    again = home("backup", str(target))
    assert again.exit_code == 1
    assert "already exists" in again.stderr and "--force" in again.stderr

    loose = tmp_path / "loose.db"
    loose.write_text("an old file anyone could read")
    loose.chmod(0o644)
    forced = home("--json", "backup", str(loose), "--force")
    assert forced.exit_code == 0, forced.stderr
    assert json.loads(forced.stdout) == {
        "path": str(loose),
        "method": "sqlite",
        "schema": HEAD,
        "bytes": loose.stat().st_size,
        "audit_entries": home.count(AuditEntry) - 1,
    }
    assert mode(loose) == 0o600
    assert loose.read_bytes().startswith(b"SQLite format 3\x00")
    assert [e.action for e in home.rows(AuditEntry)][-2:] == ["backup", "backup"]


WORKER = """\
import contextlib, io, pathlib, sys
from staircase.cli.app import app

stop = pathlib.Path(sys.argv[1])
for i in range(400):
    if stop.exists():
        break
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            code = app(["log", "1", "kontaktbehov", "--note", f"run {i}"], standalone_mode=False)
    except SystemExit as exit:
        code = exit.code
    if code:
        sys.exit(code)
    print(i, flush=True)
"""


def observation_ids(path: Path) -> list[int]:
    with closing(sqlite3.connect(path)) as connection:
        return [row[0] for row in connection.execute("select id from observation order by id")]


def test_backup_while_another_process_logs_restores_every_committed_observation(
    sqlite_home: Home, tmp_path: Path
) -> None:
    """§5.5: the online backup is consistent while a real second process writes."""
    home = sqlite_home
    db = sqlite_path(home.url)
    stop = tmp_path / "stop"
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, str(stop)],
        env=home.environ(who="AK"),
        cwd=AWAY,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(5):
            assert worker.stdout.readline(), "the logging process stopped early"
        committed = observation_ids(db)

        copy = tmp_path / "during.db"
        made = home("backup", str(copy))
        assert made.exit_code == 0, made.stderr
        in_backup = observation_ids(copy)

        for _ in range(400):
            if len(observation_ids(db)) > len(in_backup):
                break
            assert worker.stdout.readline(), "the logging process stopped early"
    finally:
        stop.touch()
        _, errors = worker.communicate(timeout=240)
    assert worker.returncode == 0, errors
    assert "locked" not in errors
    logged = observation_ids(db)
    assert len(committed) >= 5
    assert in_backup[: len(committed)] == committed
    assert in_backup == list(range(1, len(in_backup) + 1))
    assert len(logged) > len(in_backup)

    restored = home("restore", "--yes", str(copy))
    assert restored.exit_code == 0, restored.stderr
    assert restored.stdout.startswith(f"restored {copy} (schema {HEAD}); audit log verified:")
    assert observation_ids(db) == in_backup
    with home.session() as session:
        assert audit.verify(session).ok
        assert session.exec(select(Observation)).all()
    last = home.rows(AuditEntry)[-1]
    assert (last.actor, last.action, last.subject, last.outcome) == (
        "ADM",
        "restore",
        "",
        "ok",
    )
    assert (mode(db), mode(copy)) == (0o600, 0o600)


def tampered_chain(home: Home, path: Path) -> None:
    backup(home.as_("ADM"), path)
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("update audit set subject = 'edited' where id = 2")
        connection.commit()


def newer_schema(home: Home, path: Path) -> None:
    backup(home.as_("ADM"), path)
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("update alembic_version set version_num = '9999'")
        connection.commit()


def foreign_sqlite(_home: Home, path: Path) -> None:
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("create table recipes (name text)")
        connection.commit()


def text_file(_home: Home, path: Path) -> None:
    path.write_text("name;step\nMaria;godt\n")


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("make", "status", "words"),
    [
        (text_file, 1, "is not a SQLite database"),
        (foreign_sqlite, 1, "is not a staircase database"),
        (tampered_chain, 1, "does not verify (entry 2 was altered)"),
        (newer_schema, 4, "newer than this staircase understands"),
    ],
)
def test_restore_refuses_a_bad_file_and_touches_nothing(
    home: Home, tmp_path: Path, make, status, words
) -> None:
    bad = tmp_path / "bad.db"
    make(home, bad)
    with home.engine.connect():  # the live database open, its WAL beside it, as in daily use
        live, file = contents(home.url), bad.read_bytes()
        folder = sorted(p.name for p in tmp_path.iterdir())

    result = home("restore", "--yes", str(bad))

    assert result.exit_code == status
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert contents(home.url) == live
    assert bad.read_bytes() == file
    assert sorted(p.name for p in tmp_path.iterdir()) == folder


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_only_an_admin_may_back_up_or_restore(home: Home, tmp_path: Path, command: str) -> None:
    target = tmp_path / "copy.db"
    if command == "restore":
        backup(home.as_("ADM"), target)
    before = home.count(AuditEntry)

    confirm = ["--yes"] if command == "restore" else []
    result = home(command, *confirm, str(target), who="LH")

    assert result.exit_code == 3
    assert f"{command}: not allowed for role leader (needs admin)" in result.stderr
    assert target.exists() == (command == "restore")
    entries = home.rows(AuditEntry)
    assert len(entries) == before + 1
    assert (entries[-1].actor, entries[-1].action, entries[-1].outcome) == (
        "LH",
        command,
        "refused",
    )


@POSTGRES_ONLY
def test_postgresql_backup_runs_pg_dump_and_names_the_restore(home: Home, tmp_path: Path) -> None:
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("the PostgreSQL client tools are not installed")
    dump = tmp_path / "staircase.dump"
    before = [e.action for e in home.rows(AuditEntry)]
    made = home("--json", "backup", str(dump))
    assert made.exit_code == 0, made.stderr
    assert dump.read_bytes().startswith(b"PGDMP")
    assert mode(dump) == 0o600
    assert [e.action for e in home.rows(AuditEntry)] == [*before, "backup"]

    logged = home("log", "1", "kritik", who="AK")
    assert logged.exit_code == 0, logged.stderr
    refused = home("restore", "--yes", str(dump))
    assert refused.exit_code == 1
    message = refused.stderr.strip()
    assert "pg_restore" in message and str(dump) in message

    # The command the message names really restores the dump.
    command = message.split("restore PostgreSQL with: ", 1)[1].split(" then run", 1)[0]
    subprocess.run(shlex.split(command), check=True, capture_output=True)
    with home.session() as session:
        assert session.exec(select(Observation)).all() == []
        assert audit.verify(session).ok
        restored = [e.action for e in session.exec(select(AuditEntry).order_by(AuditEntry.id))]
    assert restored == before  # the dump is taken before its own audit entry


@POSTGRES_ONLY
def test_postgresql_backup_without_pg_dump_says_what_to_run(
    home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    dump = tmp_path / "staircase.dump"
    before = home.count(AuditEntry)

    result = home("backup", str(dump))

    assert result.exit_code == 1
    assert f"pg_dump --file {dump} --format=custom" in result.stderr
    assert "postgresql://" in result.stderr and "+psycopg" not in result.stderr
    assert not dump.exists()
    assert home.count(AuditEntry) == before
