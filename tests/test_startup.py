"""What the everyday commands load (§8, issue 14 item 5): behaviour, not timing.

``--help`` and shell completion load neither the database layer nor rich;
``log`` loads what a log needs and nothing of migrations, exports, reports
or mail (the schema check is one query, not alembic). The figures are the
benchmark's (``staircase bench``); these tests keep the reasons for them.
"""

import subprocess
import sys

import pytest

from driver import AWAY, NOW, Staircase

HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "psycopg", "transitions", "pydantic", "rich")

DATABASE_LAYER = ("sqlalchemy", "sqlmodel", "alembic", "psycopg", "staircase.db", "rich")
"""What completion must not load (typer itself parses the words with pydantic)."""

NOT_FOR_A_LOG = (
    "alembic",
    "mako",
    "openpyxl",
    "jinja2",
    "smtplib",
    "psycopg",
    "sqlalchemy.dialects.postgresql",
    "staircase.db.migrate",
    "staircase.quality",
    "staircase.privacy",
    "staircase.admin",
    "staircase.bench",
    "staircase.demo",
)
"""Migrations, spreadsheets, reports, mail, the server driver and its SQL dialect (on
SQLite), and the library's other layers: a log uses none of them."""

PROBE = """
import sys
from staircase.cli.app import app
try:
    app(sys.argv[1:], prog_name="staircase", standalone_mode=False)
except SystemExit:
    pass
print("loaded:", " ".join(sorted(sys.modules)))
"""
"""Runs the real command in a fresh interpreter and reports every module it loaded."""


def loaded_by(*args: str, environ: dict) -> tuple[str, set[str]]:
    """The output of ``staircase ARGS`` run whole, and the modules it loaded."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        env=environ,
        cwd=AWAY,
        capture_output=True,
        text=True,
        check=True,
    )
    output, _, modules = result.stdout.rpartition("loaded: ")
    return output, set(modules.split())


def packages(modules: set[str], names: tuple[str, ...]) -> set[str]:
    """Which of ``names`` (packages or modules) are among ``modules``."""
    return {n for n in names if any(m == n or m.startswith(n + ".") for m in modules)}


def test_help_does_not_import_the_database_layer() -> None:
    output, modules = loaded_by("--help", environ=Staircase().environ())
    assert "Usage" in output
    assert packages(modules, HEAVY) == set()
    assert "staircase.clock" not in modules, "--help tells no time"


def test_completion_does_not_import_the_database_layer() -> None:
    environ = Staircase().environ() | {
        "_STAIRCASE_COMPLETE": "complete_bash",
        "COMP_WORDS": "staircase lo",
        "COMP_CWORD": "1",
    }
    output, modules = loaded_by(environ=environ)
    assert "log" in output.split()
    assert packages(modules, DATABASE_LAYER) == set()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_log_loads_no_migrations_exports_or_mail(home) -> None:
    output, modules = loaded_by(
        "log", "1", "naervaer", "--note", "startup", environ=home.environ(who="AK", now=NOW)
    )
    assert "Logged on case 1" in output
    assert packages(modules, NOT_FOR_A_LOG) == set()
    assert "staircase.db.schema" in modules, "the schema is still checked, by one query"
