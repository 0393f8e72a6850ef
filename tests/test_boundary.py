"""One boundary for everything (§9, §10.7): each kind of fault is one line and its exit status."""

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from driver import Staircase
from home import Home
from staircase.db.models import Staff, Unit
from staircase.db.store import session_scope
from staircase.errors import DatabaseProblem


def one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_a_file_that_is_not_a_database_is_exit_4(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("Maria ringede\n")

    result = Staircase(str(text))("show", "1")

    assert result.exit_code == 4
    assert "not a database" in one_line(result)
    assert text.read_text() == "Maria ringede\n"


def test_another_kind_of_database_url_is_exit_4() -> None:
    result = Staircase("mysql://root@localhost/staircase")("show", "1")

    assert result.exit_code == 4
    assert "SQLite and PostgreSQL, not mysql" in one_line(result)


def test_init_leaves_another_programs_sqlite_file_exactly_as_it_was(tmp_path: Path) -> None:
    foreign = tmp_path / "recipes.db"
    with closing(sqlite3.connect(foreign)) as connection:
        connection.execute("create table recipes (name text)")
        connection.commit()
    before = foreign.read_bytes()

    result = Staircase(str(foreign))("init", "--admin", "ADM", "--name", "Anna")

    assert result.exit_code == 4
    assert "another program's SQLite database" in one_line(result)
    assert foreign.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["recipes.db"]


def test_init_makes_an_existing_empty_file_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "staircase.db"
    db.touch(mode=0o644)
    db.chmod(0o644)

    result = Staircase(str(db))("init", "--admin", "ADM", "--name", "Anna")

    assert result.exit_code == 0, result.stderr
    assert db.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["show", "99999999999999999999"], "out of range"),
        (["--now", "0001-01-01", "log", "1", "kritik"], "outside 1900–2199"),
        (["log", "1", "kritik", "--at", "9999-12-31"], "outside 1900–2199"),
        (["purge", "--dry-run", "--older-than", "99999999999"], "1 to 36500"),
    ],
)
def test_numbers_and_dates_out_of_range_are_one_line(home: Home, argv, words) -> None:
    result = home(*argv, who="LH" if argv[0] != "purge" else "ADM")

    assert result.exit_code == 1
    assert words in one_line(result)


def test_over_long_names_are_refused_alike_on_both_databases(home: Home) -> None:
    """PostgreSQL used to fail with StringDataRightTruncation and a traceback."""
    long_name = "Solhaven " * 30
    with session_scope(home.url, write=False) as session:
        units = session.exec(select(func.count()).select_from(Unit)).one()
        staff = session.exec(select(func.count()).select_from(Staff)).one()

    unit = home("unit", "add", "hus", "--name", long_name)
    person = home("staff", "add", "A" * 30, "--name", "Ny", "--role", "staff", "--unit", "sol")

    assert (unit.exit_code, person.exit_code) == (1, 1)
    assert "too long: 270 characters, at most 200" in one_line(unit)
    assert "at most 20" in one_line(person)
    with session_scope(home.url, write=False) as session:
        assert session.exec(select(func.count()).select_from(Unit)).one() == units
        assert session.exec(select(func.count()).select_from(Staff)).one() == staff


def test_a_note_with_a_terminal_escape_is_refused_and_never_echoed(home: Home) -> None:
    note = "ring\x1b[2J\x1b[31m igen"

    result = home("log", "1", "kritik", "--note", note, who="LH")

    assert result.exit_code == 1
    assert "control character" in one_line(result)
    assert "\x1b" not in result.output


def test_an_error_line_repeating_input_shows_escapes_inert(home: Home) -> None:
    result = home("case", "list", "--unit", "\x1b[2Jsol", who="LH")

    assert result.exit_code == 1
    assert "\\x1b[2Jsol" in one_line(result)
    assert "\x1b" not in result.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("x")

    result = Staircase()("--db", str(text), "--debug", "show", "1")

    assert isinstance(result.exception, DatabaseProblem), repr(result.exception)


def test_text_stored_before_the_guard_is_shown_inert(sqlite_home: Home) -> None:
    """A note written by an older staircase or another program cannot act on the terminal."""
    path = Path(sqlite_home.url.removeprefix("sqlite:///"))
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("update audit_detail set detail = ?", ("Maria\x1b[2J\x9b31m\u202e",))
        connection.execute("update resident set name = ?", ("Else\x1b]0;owned\x07",))
        connection.commit()

    shown = [
        sqlite_home("audit", "show"),
        sqlite_home("audit", "show", "--json"),
        sqlite_home("case", "list", who="LH"),
        sqlite_home("case", "list", "--json", who="LH"),
    ]

    for result in shown:
        assert result.exit_code == 0, result.stderr
        assert "Maria" in result.stdout or "Else" in result.stdout
        assert not {"\x1b", "\x9b", "\u202e", "\x07"} & set(result.stdout)
