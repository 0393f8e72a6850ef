"""`staircase --help` and shell completion never load the database layer (§8)."""

import subprocess
import sys

from driver import AWAY, Staircase

HEAVY = ("sqlalchemy", "sqlmodel", "alembic", "psycopg", "transitions", "pydantic", "rich")


def test_help_does_not_import_the_database_layer() -> None:
    probe = (
        "import sys\n"
        "from staircase.cli.app import app\n"
        "try:\n"
        "    app(['--help'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=Staircase().environ(),
        cwd=AWAY,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Usage" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"
