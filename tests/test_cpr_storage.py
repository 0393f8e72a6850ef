"""A CPR number typed anywhere is refused and never reaches the database file (§6.5)."""

import sqlite3
from pathlib import Path

import pytest

from home import Home
from staircase.db.store import close_engine

CPR = "010203-1234"
ATTEMPTS = [
    ["log", "1", "kritik", "--note", f"Datterens cpr er {CPR}"],
    ["case", "open", "--resident", "SOL-1", "--relative", f"Jonas {CPR}", "--relation", "søn"],
    ["move", "1", "mindre", "--reason", f"Aftalt med {CPR}"],
    ["agreement", "add", "1", f"Ring til {CPR.replace('-', '')} hver uge"],
    ["resident", "add", "SOL-2", "--name", f"Poul {CPR}", "--unit", "sol"],
]


@pytest.mark.parametrize("argv", ATTEMPTS, ids=lambda a: " ".join(a[:2]))
def test_cpr_is_refused_and_not_stored(sqlite_home: Home, argv: list[str]) -> None:
    home = sqlite_home
    who = "ADM" if argv[0] in ("case", "resident") else "LH"
    result = home(*argv, who=who)
    assert result.exit_code == 1
    assert "CPR" in result.stderr and "1234" not in result.stderr
    close_engine(home.url)
    path = Path(home.url.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as connection:
        connection.execute("pragma wal_checkpoint(truncate)")
    for file in path.parent.glob(path.name + "*"):
        data = file.read_bytes()
        assert CPR.encode() not in data and CPR.replace("-", "").encode() not in data
