"""Files that hold personal data (§6.7, §9): never written over the live database,
never through a link, only ever complete; restores read only regular files
holding nothing staircase did not make, and ask first.
"""

import os
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from driver import AWAY
from home import Home
from staircase.admin.backup import backup
from staircase.db.store import close_engine

NOW = "2026-11-23 10:00"


def live_path(home: Home) -> Path:
    return Path(home.url.removeprefix("sqlite:///"))


def contents(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as connection:
        return list(connection.iterdump())


def folder_listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def ways_to_name_the_live_database(live: Path, tmp_path: Path) -> dict[str, Path]:
    """Every path that is the live database or one of its journal files."""
    (tmp_path / "link").symlink_to(live.parent, target_is_directory=True)
    (tmp_path / "sub").mkdir(exist_ok=True)
    os.link(live, tmp_path / "hardlink.db")
    return {
        "symlinked folder": tmp_path / "link" / live.name,
        "dot-dot": tmp_path / "sub" / ".." / live.name,
        "hard link": tmp_path / "hardlink.db",
        "wal file": live.with_name(live.name + "-wal"),
        "shm file": tmp_path / "link" / (live.name + "-shm"),
    }


def test_backup_force_never_overwrites_the_live_database(sqlite_home: Home, tmp_path) -> None:
    live = live_path(sqlite_home)
    for how, path in ways_to_name_the_live_database(live, tmp_path).items():
        before = contents(live)
        result = sqlite_home("backup", str(path), "--force")
        assert result.exit_code == 1, how
        assert "is the live database" in result.stderr, how
        assert len(result.stderr.strip().splitlines()) == 1
        assert contents(live) == before, how


def test_backup_refuses_a_symlink_as_target(sqlite_home: Home, tmp_path) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not yours")
    link = tmp_path / "backup.db"
    link.symlink_to(elsewhere)

    result = sqlite_home("backup", str(link), "--force")

    assert result.exit_code == 1
    assert "is a symbolic link" in result.stderr
    assert elsewhere.read_text() == "not yours"
    assert link.is_symlink()


def test_subject_access_never_replaces_the_live_database(sqlite_home: Home, tmp_path) -> None:
    live = live_path(sqlite_home)
    for path in (live, live.with_name(live.name + "-wal"), tmp_path / "link-to-db.json"):
        if path.name == "link-to-db.json":
            path.symlink_to(live)
        before = contents(live)
        result = sqlite_home("subject-access", "--relative", "1", "--out", str(path), "--force")
        assert result.exit_code == 1, path
        assert contents(live) == before
    assert live.exists()


def test_a_failed_backup_leaves_no_file_behind(sqlite_home: Home, tmp_path) -> None:
    target = tmp_path / "out" / "copy.db"
    target.parent.mkdir()
    before = folder_listing(target.parent)

    refused = sqlite_home("backup", str(target), who="LH")

    assert refused.exit_code == 3
    assert folder_listing(target.parent) == before


def test_a_killed_backup_leaves_no_copy_for_long(sqlite_home: Home, tmp_path) -> None:
    """A backup killed mid-copy leaves its scratch file; the next one removes it."""
    folder = tmp_path / "backups"
    folder.mkdir()
    script = (
        "import os, sqlite3, sys\n"
        "from staircase.files import scratch_file\n"
        "with scratch_file(__import__('pathlib').Path(sys.argv[1])) as s:\n"
        "    s.write_bytes(b'a copy of everything')\n"
        "    os.kill(os.getpid(), 9)\n"
    )
    killed = subprocess.run([sys.executable, "-c", script, str(folder)], cwd=AWAY, check=False)
    assert killed.returncode == -signal.SIGKILL
    assert len(folder_listing(folder)) == 1

    done = sqlite_home("backup", str(folder / "copy.db"))

    assert done.exit_code == 0, done.stderr
    assert folder_listing(folder) == ["copy.db"]


def test_restore_refuses_a_fifo_at_once(sqlite_home: Home, tmp_path) -> None:
    fifo = tmp_path / "backup.db"
    os.mkfifo(fifo)
    before = contents(live_path(sqlite_home))

    result = sqlite_home("restore", "--yes", str(fifo))

    assert result.exit_code == 1
    assert "is not a regular file" in result.stderr
    assert contents(live_path(sqlite_home)) == before


@pytest.mark.parametrize(
    "foreign",
    [
        "create trigger t after insert on observation begin delete from audit; end",
        "create view v as select * from staff",
        "create table spy (x text)",
        "create index ix_spy on staff (name)",
    ],
)
def test_restore_refuses_objects_staircase_does_not_have(
    sqlite_home: Home, tmp_path, foreign: str
) -> None:
    copy = tmp_path / "copy.db"
    backup(sqlite_home.as_("ADM"), copy)
    with closing(sqlite3.connect(copy)) as connection:
        connection.execute(foreign)
        connection.commit()
    before = contents(live_path(sqlite_home))

    result = sqlite_home("restore", "--yes", str(copy))

    assert result.exit_code == 1
    assert "staircase does not have" in result.stderr
    assert contents(live_path(sqlite_home)) == before


def test_restore_without_a_terminal_needs_yes(sqlite_home: Home, tmp_path) -> None:
    copy = tmp_path / "copy.db"
    backup(sqlite_home.as_("ADM"), copy)
    sqlite_home("log", "1", "kritik", who="AK")
    close_engine(sqlite_home.url)
    before = contents(live_path(sqlite_home))

    result = sqlite_home("restore", str(copy), input="y\n")

    assert result.exit_code == 1
    assert "add --yes" in result.stderr
    assert contents(live_path(sqlite_home)) == before


def test_backup_then_restore_with_yes_round_trips(sqlite_home: Home, tmp_path) -> None:
    copy = tmp_path / "copy.db"
    made = sqlite_home("backup", str(copy))
    assert made.exit_code == 0, made.stderr
    assert oct(copy.stat().st_mode & 0o777) == "0o600"

    restored = sqlite_home("restore", "--yes", str(copy))

    assert restored.exit_code == 0, restored.stderr
    assert not [name for name in folder_listing(tmp_path) if "partial" in name]
    assert not [name for name in folder_listing(live_path(sqlite_home).parent) if "partial" in name]
