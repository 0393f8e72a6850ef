"""No traceback reaches a user (§9): commands × bad values, fuzzed from the real CLI.

Each command is given one hostile value — ids beyond any column, times in
year 1 and 9999, non-UTF-8 bytes (as Python hands them over: lone
surrogates), terminal escapes, NUL, over-long text and paths, CPR numbers,
a non-database, a MySQL URL, broken rule packs — and must answer with one
clear line and a §10.7 exit status, writing nothing when it refuses.
"""

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from home import Home
from staircase.db.store import close_engine

BAD_VALUES = [
    "99999999999999999999",
    "9223372036854775808",
    "2147483648",
    "-1",
    "0",
    "0001-01-01",
    "9999-12-31",
    "+99999999w",
    "\x1b[2J\x1b[31mrød",
    "a\x00b",
    "\udcff\udcfe",
    "x" * 300,
    "x" * 5000,
    "010190-1234",
    "../../../../etc/passwd",
    "/dev/null",
    "",
    " ",
    "mysql://root@localhost/staircase",
    "{not_a_db}",
    "{bad_utf8}",
    "{nested}",
    "{long_path}",
]

TEMPLATES = [
    ["show", "{}"],
    ["log", "{}", "kritik"],
    ["log", "1", "{}"],
    ["log", "1", "kritik", "--note", "{}"],
    ["log", "1", "kritik", "--at", "{}"],
    ["log", "1", "kritik", "--channel", "{}"],
    ["--now", "{}", "log", "1", "kritik"],
    ["--now", "{}", "tick"],
    ["--db", "{}", "show", "1"],
    ["--as", "{}", "show", "1"],
    ["unit", "add", "{}", "--name", "Hus"],
    ["unit", "add", "hus", "--name", "{}"],
    ["unit", "add", "hus", "--name", "Hus", "--pack", "{}"],
    ["staff", "add", "{}", "--name", "Ny", "--role", "staff", "--unit", "sol"],
    ["staff", "add", "NY", "--name", "{}", "--role", "staff", "--unit", "sol"],
    ["staff", "add", "NY", "--name", "Ny", "--role", "staff", "--unit", "sol", "--email", "{}"],
    ["resident", "add", "{}", "--name", "Poul", "--unit", "sol"],
    ["resident", "add", "SOL-9", "--name", "{}", "--unit", "sol"],
    ["case", "open", "--resident", "SOL-1", "--relative", "{}", "--relation", "søn"],
    ["case", "open", "--resident", "{}", "--relative", "Jonas", "--relation", "søn"],
    ["case", "open", "--resident", "SOL-1", "--relative-id", "{}"],
    ["case", "list", "--unit", "{}"],
    ["move", "1", "{}", "--reason", "aftalt"],
    ["move", "{}", "mindre", "--reason", "aftalt"],
    ["move", "1", "mindre", "--reason", "{}"],
    ["accept", "{}", "--reason", "enig"],
    ["ack", "{}"],
    ["action", "done", "{}"],
    ["agreement", "add", "1", "{}"],
    ["agreement", "add", "1", "Ring hver uge", "--review", "{}"],
    ["agreement", "end", "{}"],
    ["assess", "--unit", "{}"],
    ["audit", "show", "--case", "{}"],
    ["audit", "show", "--since", "{}"],
    ["audit", "show", "--person", "{}"],
    ["backup", "{}"],
    ["restore", "--yes", "{}"],
    ["subject-access", "--relative", "{}", "--out", "indsigt"],
    ["subject-access", "--relative", "1", "--out", "{}"],
    ["purge", "--dry-run", "--older-than", "{}"],
    ["rules", "check", "{}"],
    ["rules", "show", "{}"],
]

EXIT_STATUSES = {0, 1, 2, 3, 4}


@pytest.fixture
def hostile_files(tmp_path: Path) -> dict[str, str]:
    """Files a careless or hostile user may point at."""
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("this is not a database\n")
    bad_utf8 = tmp_path / "bad.toml"
    bad_utf8.write_bytes(b'id = "\xff\xfe"\n')
    nested = tmp_path / "nested.toml"
    nested.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    return {
        "{not_a_db}": str(not_a_db),
        "{bad_utf8}": str(bad_utf8),
        "{nested}": str(nested),
        "{long_path}": str(tmp_path / ("d" * 300) / "x.db"),
    }


def tables_but_audit(path: Path) -> list[str]:
    """Every row outside the audit log (a refusal is audited, nothing else may change)."""
    with closing(sqlite3.connect(path)) as connection:
        return [
            line
            for line in connection.iterdump()
            if not line.startswith(('INSERT INTO "audit', 'INSERT INTO "setting'))
        ]


@settings(
    max_examples=300,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    template=st.sampled_from(TEMPLATES),
    value=st.sampled_from(BAD_VALUES),
    who=st.sampled_from(["LH", "ADM"]),
)
def test_no_command_shows_a_traceback(
    sqlite_home: Home, hostile_files, tmp_path, monkeypatch, template, value, who
) -> None:
    monkeypatch.chdir(tmp_path)
    value = hostile_files.get(value, value)
    argv = [value if part == "{}" else part for part in template]
    live = Path(sqlite_home.url.removeprefix("sqlite:///"))
    close_engine(sqlite_home.url)
    before = tables_but_audit(live)

    result = sqlite_home(*argv, who=who).result

    assert result.exception is None or isinstance(result.exception, SystemExit), (
        argv,
        repr(result.exception),
    )
    assert result.exit_code in EXIT_STATUSES, argv
    assert "Traceback" not in result.output and "internal error" not in result.stderr, (
        argv,
        result.stderr,
    )
    if result.exit_code != 0:
        assert "\x1b" not in result.stderr, argv
        close_engine(sqlite_home.url)
        assert tables_but_audit(live) == before, argv
