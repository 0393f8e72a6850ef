"""The command line for set-up and daily work, checked against the database (§10)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from staircase.cli.app import app

NOW = "2026-11-23 10:00"
SHOW_KEYS = {
    "id",
    "step",
    "indicated_step",
    "why",
    "proposals",
    "escalations",
    "actions",
    "agreements",
    "observations",
    "transitions",
}


class Cli:
    """Runs ``staircase`` in-process against one database, as one person."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.runner = CliRunner()

    def __call__(self, *args: str, who: str = "ADM", now: str = NOW):
        env = {
            "STAIRCASE_DB": self.url,
            "STAIRCASE_USER": who,
            "STAIRCASE_NOW": now,
            "NO_COLOR": "1",
        }
        return self.runner.invoke(app, list(args), env=env)

    def json(self, *args: str, who: str = "ADM", now: str = NOW):
        result = self("--json", *args, who=who, now=now)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)


def open_case(cli: Cli) -> None:
    """Case 1: Maria Andersen, daughter of the resident SOL-1."""
    cli(
        "case",
        "open",
        "--resident",
        "SOL-1",
        "--relative",
        "Maria Andersen",
        "--relation",
        "datter",
    )


@pytest.fixture
def cli(db_url: str) -> Cli:
    run = Cli(db_url)
    assert run("init", "--admin", "ADM", "--name", "Anna Admin", "--shared-terminal").exit_code == 0
    for args in (
        ("unit", "add", "nord", "--name", "Område Nord"),
        ("unit", "add", "sol", "--name", "Solhaven", "--parent", "nord"),
        ("staff", "add", "LH", "--name", "Lise Holm", "--role", "leader", "--unit", "sol"),
        ("staff", "add", "AK", "--name", "Aisha Khan", "--role", "staff", "--unit", "sol"),
        ("resident", "add", "SOL-1", "--name", "Else Andersen", "--unit", "sol"),
    ):
        result = run(*args)
        assert result.exit_code == 0, result.stderr
    return run


def test_init_twice_changes_nothing(cli: Cli) -> None:
    again = cli("init", "--admin", "ADM", "--name", "Anna Admin", "--shared-terminal")
    assert again.exit_code == 0
    assert "already up to date" in again.stdout
    assert "admin ADM created" not in again.stdout


def test_case_open_prints_the_created_object(cli: Cli) -> None:
    case = cli.json(
        "case",
        "open",
        "--resident",
        "SOL-1",
        "--relative",
        "Maria Andersen",
        "--relation",
        "datter",
        "--contact",
        "AK",
        "--primary",
    )
    assert case["id"] == 1
    assert (case["step"], case["primary"], case["contact_id"]) == ("godt", True, "AK")
    plain = cli(
        "case",
        "open",
        "--resident",
        "SOL-1",
        "--relative",
        "Jonas",
        "--relation",
        "barnebarn",
        "--child",
    )
    assert plain.stdout.strip() == "case 2"
    listed = cli.json("case", "list", who="AK")
    assert [(c["id"], c["is_child"]) for c in listed] == [(1, False), (2, True)]


def test_log_show_assess_and_accept_through_the_cli(cli: Cli) -> None:
    open_case(cli)
    logged = cli(
        "log",
        "1",
        "kritik",
        "--at",
        "-2h",
        "--channel",
        "telefon",
        "--note",
        "Utilfreds med maden",
        who="AK",
    )
    assert logged.exit_code == 0, logged.stderr
    assert "proposal 1" in logged.stdout

    shown = cli.json("show", "1", who="AK")
    assert set(shown) >= SHOW_KEYS
    assert (shown["step"], shown["indicated_step"]) == ("mindre", "stoerre")
    assert shown["why"] == [{"rule": "signal-stoerre", "observations": [1]}]
    assert shown["proposals"][0].keys() >= {"id", "to_step", "status"}
    assert shown["escalations"][0].keys() >= {
        "id",
        "step",
        "to_role",
        "to_unit",
        "raised",
        "due",
        "acknowledged_at",
        "status",
    }
    assert shown["escalations"][0]["raised"] == "2026-11-23T09:00:00Z"
    assert shown["actions"][0].keys() >= {"id", "action", "owner", "due", "status"}

    assessed = cli.json("assess", who="LH")
    assert set(assessed) >= {"cases", "proposals", "escalations", "actions_overdue"}
    assert assessed["cases"][0].keys() >= {"id", "step", "indicated_step", "why"}

    accepted = cli("accept", "1", "--reason", "Drøftet med familien", who="LH")
    assert accepted.exit_code == 0, accepted.stderr
    assert cli.json("show", "1", who="LH")["step"] == "stoerre"


@pytest.mark.parametrize(
    ("args", "who", "status", "words"),
    [
        (("log", "7", "kritik"), "AK", 1, "no case 7"),
        (("log", "1", "utilfredhed"), "AK", 1, 'did you mean "utilfredshed"'),
        (("log", "1", "kritik", "--at", "2026-11-24 12:00"), "AK", 1, "in the future"),
        (("log", "1", "kritik", "--at", "sometime"), "AK", 1, "sometime"),
        (("log", "1", "kritik", "--note", "cpr 010203-1234"), "AK", 1, "CPR"),
        (("log", "1", "kritik"), "ZZ", 1, "not a staff member"),
        (("move", "1", "mindre"), "LH", 1, "reason"),
        (("assess", "--all"), "LH", 3, "only quality and admin"),
        (("unit", "add", "ege", "--name", "Egebakken"), "LH", 3, "not allowed"),
    ],
)
def test_bad_input_is_one_line_and_nothing_written(cli: Cli, args, who, status, words) -> None:
    open_case(cli)
    before = cli.json("show", "1", who="LH")
    result = cli(*args, who=who)
    assert result.exit_code == status
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    after = cli.json("show", "1", who="LH")
    assert (after["observations"], after["transitions"]) == (
        before["observations"],
        before["transitions"],
    )
    assert [u["id"] for u in cli.json("unit", "list")] == ["nord", "sol"]


def test_debug_shows_the_traceback(cli: Cli) -> None:
    result = cli("--debug", "log", "7", "kritik", who="AK")
    assert result.exit_code != 0
    assert result.exception is not None


def test_newer_schema_is_refused_untouched(cli: Cli) -> None:
    from sqlalchemy import text

    from staircase.db.store import open_engine

    with open_engine(cli.url).begin() as connection:
        connection.execute(text("update alembic_version set version_num = '9999'"))
    for args in (("unit", "list"), ("db", "upgrade"), ("init", "--admin", "ADM", "--name", "A")):
        result = cli(*args)
        assert result.exit_code == 4, args
        assert "newer than this staircase" in result.stderr
    with open_engine(cli.url).connect() as connection:
        assert (
            connection.execute(text("select version_num from alembic_version")).scalar() == "9999"
        )


def test_concurrent_loggers_never_see_database_locked(tmp_path: Path) -> None:
    """Several real processes logging at once into one SQLite file (§5.1)."""
    db = tmp_path / "busy.db"
    setup = Cli(f"sqlite:///{db}")
    setup("init", "--admin", "ADM", "--name", "Anna Admin", "--shared-terminal")
    setup("unit", "add", "sol", "--name", "Solhaven")
    setup("staff", "add", "AK", "--name", "Aisha Khan", "--role", "staff", "--unit", "sol")
    setup("resident", "add", "SOL-1", "--name", "Else Andersen", "--unit", "sol")
    for n in range(4):
        setup(
            "case",
            "open",
            "--resident",
            "SOL-1",
            "--relative",
            f"Relative {n}",
            "--relation",
            "ven",
        )
    script = (
        "import sys\n"
        "from staircase.cli.app import app\n"
        "for i in range(8):\n"
        "    try:\n"
        "        args = ['log', sys.argv[1], 'kontaktbehov', '--note', f'run {i}']\n"
        "        app(args, standalone_mode=False)\n"
        "    except SystemExit as e:\n"
        "        if e.code: raise\n"
    )
    env = {**os.environ, "STAIRCASE_DB": str(db), "STAIRCASE_USER": "AK", "STAIRCASE_NOW": NOW}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(case)], env=env, stderr=subprocess.PIPE, text=True
        )
        for case in range(1, 5)
    ]
    errors = [w.communicate(timeout=240)[1] for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0, 0], errors
    assert not any("locked" in e for e in errors)
    for case in range(1, 5):
        assert len(setup.json("show", str(case), who="AK")["observations"]) == 8


def test_people_logging_on_the_same_case_at_once_raise_one_proposal(
    cli: Cli, tmp_path: Path
) -> None:
    """Three real processes, started together, log criticism on one case (both databases)."""
    open_case(cli)
    go = tmp_path / "go"
    script = (
        "import pathlib, sys\n"
        "import staircase.cases.observe\n"
        "from staircase.cli.app import app\n"
        "print('ready', flush=True)\n"
        "while not pathlib.Path(sys.argv[1]).exists():\n"
        "    pass\n"
        "app(['log', '1', 'kritik', 'utilfredshed'], standalone_mode=False)\n"
    )
    env = {**os.environ, "STAIRCASE_DB": cli.url, "STAIRCASE_USER": "AK", "STAIRCASE_NOW": NOW}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(go)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    for worker in workers:
        assert worker.stdout.readline().strip() == "ready"
    go.touch()
    errors = [w.communicate(timeout=240)[1] for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0], errors
    shown = cli.json("show", "1", who="LH")
    assert len(shown["observations"]) == 6
    assert [(p["to_step"], p["status"]) for p in shown["proposals"]] == [("stoerre", "open")]
    assert len(shown["escalations"]) == 1
    assert [t["to_step"] for t in shown["transitions"]] == ["mindre"]
