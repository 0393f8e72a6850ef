"""CPR numbers nowhere (§6.5): every spelling, through every command that stores
or audits text, is refused with one line, and the database is left exactly as it was.
"""

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from home import Home
from staircase.cpr import find_cpr
from staircase.db.store import close_engine

SPELLINGS = [
    "0101901234",
    "010190-1234",
    "010190 1234",
    "010190 - 1234",
    "010190  1234",
    "010190 -1234",
    "010190- 1234",
    "01.01.90-1234",
    "01.01.90 1234",
    "01.01.901234",
    "01.01.90 - 1234",
    "01-01-90-1234",
    "01 01 90 1234",
    "01 01 90-1234",
    "01/01/90-1234",
    "01/01/90 1234",
    "010190/1234",
    "010190.1234",
    "010190_1234",
    "010190\\1234",
    "010190–1234",  # en dash
    "010190—1234",  # em dash
    "010190−1234",  # minus sign
    "010190‐1234",  # hyphen
    "010190‑1234",  # non-breaking hyphen
    "010190‒1234",  # figure dash
    "010190\u00a01234",  # no-break space
    "010190\u20091234",  # thin space
    "010190\u202f1234",  # narrow no-break space
    "010190\u30001234",  # ideographic space
    "0101\u200b901234",  # zero-width space
    "010190\u00ad1234",  # soft hyphen
    "01\u00ad01\u00ad90-1234",
    "010190\u200d1234",  # zero-width joiner
    "\u2060010190-1234",  # word joiner
    "010190\ufeff1234",  # byte order mark
    "010190\u200e-1234",  # left-to-right mark
    "0\u03011\u03010190-1234",  # combining accents
    "٠١٠١٩٠-١٢٣٤",  # Arabic-Indic digits
    "۰۱۰۱۹۰۱۲۳۴",  # Extended Arabic-Indic (Persian) digits
    "०१०१९०-१२३४",  # Devanagari digits
    "০১০১৯০-১২৩৪",  # Bengali digits
    "０１０１９０－１２３４",  # full-width
    "𝟎𝟏𝟎𝟏𝟗𝟎-𝟏𝟐𝟑𝟒",  # mathematical bold digits
]

NOT_CPR = [
    "12 34 56 78",
    "+45 12345678",
    "tlf. 20 30 40 50",
    "2026-11-21 14:30",
    "21.11.26 kl. 14.30",
    "21.11.26 14.30",
    "kr. 1.234,50",
    "3213456789",
    "SOL-1",
    "stue 12-14",
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_is_found(spelling: str) -> None:
    assert find_cpr(f"ring til {spelling} i morgen") is not None


@pytest.mark.parametrize("text", NOT_CPR)
def test_phone_numbers_dates_and_amounts_pass(text: str) -> None:
    assert find_cpr(text) is None


def for_file(spelling: str) -> str:
    """A spelling usable as a file name (a slash would make it a folder)."""
    return spelling.replace("/", "_").replace("\\", "_")


GUARDED = {
    "log --note": lambda s, d: ["log", "1", "kritik", "--note", f"ring {s}"],
    "ack --note": lambda s, d: ["ack", "1", "--note", f"ring {s}"],
    "move --reason": lambda s, d: ["move", "1", "mindre", "--reason", f"aftalt {s}"],
    "agreement add": lambda s, d: ["agreement", "add", "1", f"ring til {s}"],
    "case open --relative": lambda s, d: [
        *["case", "open", "--resident", "SOL-1"],
        *["--relative", f"Jonas {s}", "--relation", "søn"],
    ],
    "case open --relation": lambda s, d: [
        *["case", "open", "--resident", "SOL-1"],
        *["--relative", "Jonas", "--relation", s],
    ],
    "resident add REF": lambda s, d: ["resident", "add", s, "--name", "Poul", "--unit", "sol"],
    "resident add --name": lambda s, d: [
        *["resident", "add", "SOL-9", "--name", f"Poul {s}", "--unit", "sol"]
    ],
    "unit add ID": lambda s, d: ["unit", "add", s, "--name", "Hus"],
    "unit add --name": lambda s, d: ["unit", "add", "hus", "--name", f"Hus {s}"],
    "staff add INITIALS": lambda s, d: [
        *["staff", "add", s, "--name", "Ny", "--role", "staff", "--unit", "sol"]
    ],
    "staff add --name": lambda s, d: [
        *["staff", "add", "NY", "--name", f"Ny {s}", "--role", "staff", "--unit", "sol"]
    ],
    "staff add --email": lambda s, d: [
        *["staff", "add", "NY", "--name", "Ny", "--role", "staff", "--unit", "sol"],
        *["--email", f"{s}@kommune.dk"],
    ],
    "audit show --person": lambda s, d: ["audit", "show", "--person", s],
    "backup PATH": lambda s, d: ["backup", str(d / f"{for_file(s)}.db")],
    "subject-access --out": lambda s, d: [
        *["subject-access", "--relative", "1", "--out", str(d / for_file(s))]
    ],
}


def everything(path: Path) -> list[str]:
    """Every row of the database file, as SQL."""
    with closing(sqlite3.connect(path)) as connection:
        return list(connection.iterdump())


@pytest.mark.parametrize("command", GUARDED)
def test_every_spelling_is_refused_by_every_guarded_command(
    sqlite_home: Home, tmp_path: Path, command: str
) -> None:
    who = "LH" if command.split()[0] in ("log", "ack", "move", "agreement") else "ADM"
    files = tmp_path / "out"
    files.mkdir()
    live = Path(sqlite_home.url.removeprefix("sqlite:///"))
    close_engine(sqlite_home.url)
    before = everything(live)

    for spelling in SPELLINGS:
        result = sqlite_home(*GUARDED[command](spelling, files), who=who)
        assert result.exit_code == 1, (spelling, result.stderr or result.output)
        assert "CPR number" in result.stderr, (spelling, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, spelling

    close_engine(sqlite_home.url)
    assert everything(live) == before
    assert list(files.iterdir()) == []
