"""The keyed audit chain (§6.8): someone who can write the database but not read the
key cannot rewrite history unnoticed, and `audit verify` says it checked with the key.
"""

import hashlib
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest
from sqlmodel import select

from home import Home, build_home
from staircase.admin.backup import backup
from staircase.core import audit
from staircase.core.keys import AUDIT_KEY, key_path, missing_audit_key, read_audit_key
from staircase.db.models import AuditEntry
from staircase.db.store import close_engine, session_scope


def database_file(home: Home) -> Path:
    return Path(home.url.removeprefix("sqlite:///"))


def rechain(path: Path, chain: audit.Chaining) -> None:
    """The forger's script: edit entry 3, recompute every hash after it, fix the head."""
    with session_scope(f"sqlite:///{path}", write=False) as session:
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    close_engine(f"sqlite:///{path}")
    prev = audit.GENESIS
    with closing(sqlite3.connect(path)) as connection:
        for entry in entries:
            if entry.id == 3:
                entry.subject = "nothing happened here"
            row = entry.model_dump()
            entry.prev_hash, entry.hash = prev, chain.digest(prev, row)
            connection.execute(
                "update audit set subject = ?, prev_hash = ?, hash = ? where id = ?",
                (entry.subject, entry.prev_hash, entry.hash, entry.id),
            )
            prev = entry.hash
        connection.execute(
            "update setting set value = ? where key = ?", (f"{len(entries)} {prev}", "audit_head")
        )
        connection.commit()


def test_the_key_lives_outside_the_database_readable_by_its_owner_only(sqlite_home: Home):
    path = key_path(sqlite_home.url, AUDIT_KEY)

    assert path == Path(f"{database_file(sqlite_home)}.key")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret = read_audit_key(sqlite_home.url).secret.hex()
    assert secret.encode() not in database_file(sqlite_home).read_bytes()


def test_rechaining_with_plain_sha256_is_caught(sqlite_home: Home) -> None:
    rechain(database_file(sqlite_home), audit.Chaining())

    result = sqlite_home("audit", "verify")

    assert result.exit_code == 1
    assert "entry 1 was altered" in result.stderr


def test_the_forgers_script_is_right_when_it_has_the_key(sqlite_home: Home) -> None:
    """The same script with the key succeeds: what stops it above is the key alone."""
    key = read_audit_key(sqlite_home.url)
    rechain(database_file(sqlite_home), audit.Chaining(key.secret, key.keyed_from))

    result = sqlite_home("audit", "verify")

    assert result.exit_code == 0, result.stderr
    assert "(checked with the key)" in result.stdout


def test_without_its_key_the_log_is_neither_checked_nor_extended(sqlite_home: Home) -> None:
    key_path(sqlite_home.url, AUDIT_KEY).rename(database_file(sqlite_home).with_suffix(".moved"))
    with session_scope(sqlite_home.url, write=False) as session:
        before = session.exec(select(AuditEntry.id)).all()

    verify = sqlite_home("audit", "verify")
    logged = sqlite_home("log", "1", "kritik", who="AK")

    assert (verify.exit_code, logged.exit_code) == (4, 4)
    assert "key" in verify.stderr and len(verify.stderr.strip().splitlines()) == 1
    with session_scope(sqlite_home.url, write=False) as session:
        assert session.exec(select(AuditEntry.id)).all() == before


def test_a_backup_keyed_by_another_installation_is_not_restored(
    sqlite_home: Home, tmp_path: Path
) -> None:
    other_url = f"sqlite:///{tmp_path / 'other' / 'staircase.db'}"
    (tmp_path / "other").mkdir()
    other = build_home(other_url)
    copy = tmp_path / "other-copy.db"
    backup(other.as_("ADM"), copy)
    close_engine(other_url)

    result = sqlite_home("restore", "--yes", str(copy))

    assert result.exit_code == 1
    assert "does not verify" in result.stderr


def test_every_role_connecting_to_a_server_database_finds_the_same_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each person connects as their own role (§6.8); the key is the database's."""
    monkeypatch.setenv("STAIRCASE_KEY_DIR", str(tmp_path))
    owner = key_path("postgresql+psycopg://postgres:secret@db.kommune.dk/plejehjem", AUDIT_KEY)
    lise = key_path("postgresql+psycopg://lise@db.kommune.dk/plejehjem", AUDIT_KEY)
    other = key_path("postgresql+psycopg://lise@db.kommune.dk/andet", AUDIT_KEY)

    assert owner == lise and owner.parent == tmp_path
    assert other != lise


def test_a_server_databases_audit_key_at_its_old_place_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before every role found the same key, its name hashed the user too."""
    monkeypatch.setenv("STAIRCASE_KEY_DIR", str(tmp_path))
    url = "postgresql+psycopg://kv@db.kommune.dk/staircase"
    old = tmp_path / f"{hashlib.sha256(url.encode()).hexdigest()[:24]}.key"
    old.write_text("staircase-audit-key 1\n" + "ab" * 32 + "\n1\n")

    problem = str(missing_audit_key(url))

    assert f"old place {old}; move it to {key_path(url, AUDIT_KEY)}" in problem
