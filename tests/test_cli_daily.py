"""The command line for set-up and daily work, checked against the database (§10)."""

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from driver import AUDIT_LOG, AWAY
from fresh import stored_are_fresh
from home import NOW, Home
from staircase.bench import floor, synth
from staircase.db.models import AuditEntry, Case, CaseEvaluation, Observation, Staff

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


def test_init_twice_changes_nothing(home: Home) -> None:
    before = home.contents()
    again = home("init", "--admin", "ADM", "--name", "Anna Admin", "--shared-terminal")
    assert again.exit_code == 0, again.stderr
    assert "already up to date" in again.stdout
    assert "admin ADM created" not in again.stdout
    assert home.contents() == before
    assert [s.id for s in home.rows(Staff, Staff.role == "admin")] == ["ADM"]
    assert [e.action for e in home.rows(AuditEntry)].count("init") == 1


def test_case_open_prints_the_created_object(home: Home) -> None:
    case = home.json(
        "case",
        "open",
        "--resident",
        "SOL-1",
        "--relative",
        "Jonas Andersen",
        "--relation",
        "søn",
        "--contact",
        "AK",
        "--primary",
    )
    assert case["id"] == 2
    assert (case["step"], case["primary"], case["contact_id"]) == ("godt", True, "AK")
    stored = home.rows(Case, Case.id == 2)[0]
    assert (stored.step, stored.primary, stored.contact_id) == ("godt", True, "AK")
    plain = home(
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
    assert plain.stdout.strip() == "case 3"
    listed = home.json("case", "list", who="AK")
    assert [(c["id"], c["is_child"]) for c in listed] == [(1, False), (2, False), (3, True)]


def test_log_show_assess_and_accept_through_the_cli(home: Home) -> None:
    logged = home(
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
    assert "Proposal 1:" in logged.stdout
    [observation] = home.rows(Observation)
    assert (observation.indicator, observation.note) == ("kritik", "Utilfreds med maden")

    shown = home.json("show", "1", who="AK")
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

    assessed = home.json("assess", who="LH")
    assert set(assessed) >= {"cases", "proposals", "escalations", "actions_overdue"}
    assert assessed["cases"][0].keys() >= {"id", "step", "indicated_step", "why"}

    accepted = home("accept", "1", "--reason", "Drøftet med familien", who="LH")
    assert accepted.exit_code == 0, accepted.stderr
    assert home.json("show", "1", who="LH")["step"] == "stoerre"
    assert home.rows(Case)[0].step == "stoerre"


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
        (("unit", "add", "vest", "--name", "Område Vest"), "LH", 3, "not allowed"),
    ],
)
def test_bad_input_is_one_line_and_nothing_written(home: Home, args, who, status, words) -> None:
    before = home.contents(leave_out=AUDIT_LOG)
    result = home(*args, who=who)
    assert result.exit_code == status
    assert words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert home.contents(leave_out=AUDIT_LOG) == before


def test_debug_shows_the_traceback(home: Home) -> None:
    """A real process, because the traceback is what Python prints as it exits."""
    result = subprocess.run(
        [sys.executable, "-m", "staircase.cli", "--debug", "log", "7", "kritik"],
        env=home.environ(who="AK"),
        cwd=AWAY,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("staircase.errors.NotFound: no case 7")
    assert home.rows(Observation) == []


def test_newer_schema_is_refused_untouched(home: Home) -> None:
    with home.engine.begin() as connection:
        connection.execute(text("update alembic_version set version_num = '9999'"))
    before = home.contents()
    for args in (("unit", "list"), ("db", "upgrade"), ("init", "--admin", "ADM", "--name", "A")):
        result = home(*args)
        assert result.exit_code == 4, args
        assert "newer than this staircase" in result.stderr
    assert home.contents() == before
    with home.engine.connect() as connection:
        assert (
            connection.execute(text("select version_num from alembic_version")).scalar() == "9999"
        )


LOGGERS, CASES, SECONDS = 20, 5, 10
"""Twenty staff logging at once for ten seconds, four to a case (§8, issue 14 item 6)."""


def test_concurrent_loggers_never_see_database_locked(home: Home) -> None:
    """Twenty real processes log as fast as they can for ten seconds into one
    database: every log gets through, nothing is lost, every case's stored
    evaluation is what the engine says, and the audit chain verifies. The
    worst time one log took, once all are running (its wait for its turn at the
    write lock included), is printed: the issue's budget is 2 s, but on two
    shared cores it measures the machine's load as much as the queue, so it is
    the bench's figure, not an assertion. Every logger's output is read as it
    comes: one left writing into a full pipe would wait on the test, not on
    the database.
    """
    for n in range(2, CASES + 1):
        opened = home(
            "case",
            "open",
            "--resident",
            "SOL-1",
            "--relative",
            f"Relative {n}",
            "--relation",
            "ven",
        )
        assert opened.exit_code == 0, opened.stderr
    before = home.count(Observation)
    script = (
        "import sys, time\n"
        "from staircase.cli.app import app\n"
        "def log(n):\n"
        "    try:\n"
        "        app(['log', sys.argv[1], 'kontaktbehov', '--note', f'run {n}'],\n"
        "            standalone_mode=False)\n"
        "    except SystemExit as e:\n"
        "        if e.code: raise\n"
        "log(0)\n"  # warmed up: imports done, the database opened once
        "print('ready', flush=True)\n"
        "sys.stdin.readline()\n"  # blocks, spending no CPU, until all are ready
        "until, done, worst = time.monotonic() + float(sys.argv[2]), 1, 0.0\n"
        "while time.monotonic() < until:\n"
        "    started = time.monotonic()\n"
        "    log(done)\n"
        "    done, worst = done + 1, max(worst, time.monotonic() - started)\n"
        "print('LOGGED', done, worst)\n"
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(1 + n % CASES), str(SECONDS)],
            env=home.environ(who="AK"),
            cwd=AWAY,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(LOGGERS)
    ]
    for worker in workers:
        while (line := worker.stdout.readline()).strip() != "ready":
            assert line, worker.communicate()[1]  # the warm-up log failed
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    with ThreadPoolExecutor(LOGGERS) as readers:
        outputs = list(readers.map(lambda w: w.communicate(timeout=240), workers))
    assert [w.returncode for w in workers] == [0] * LOGGERS, [e for _, e in outputs]
    assert not any("locked" in e for _, e in outputs)
    reports = [out.rsplit("LOGGED", 1)[1].split() for out, _ in outputs]
    logged, worst = sum(int(n) for n, _ in reports), max(float(w) for _, w in reports)
    print(f"{LOGGERS} loggers, {logged} logs in {SECONDS} s, worst log {worst:.2f} s")
    assert logged > 2 * LOGGERS
    assert home.count(Observation) == before + logged
    assert stored_are_fresh(home.url, NOW, all_stored=True) == CASES
    verified = home("audit", "verify")
    assert verified.exit_code == 0, verified.stderr


def test_a_log_started_during_a_big_tick_gets_through(db_url: str, tmp_path: Path) -> None:
    """Tick commits in short batches, so a staff member's log started while a tick
    works through a municipality's cases does not wait for the whole tick."""
    shape = synth.Shape(1_000, 20_000)
    floor_db = tmp_path / "floor.db"
    floor.build(floor_db, shape.cases, list(floor.rows(shape.cases, shape.observations)))
    synth.build(db_url, shape, floor_db, lambda done, total, what: None)
    town = Home(db_url, now=synth.NOW)
    ticking = subprocess.Popen(
        [sys.executable, "-c", "from staircase.cli.app import app; app(['tick'])"],
        env=town.environ(who=synth.ADMIN),
        cwd=AWAY,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    while town.count(CaseEvaluation) == 0 and ticking.poll() is None:
        pass  # the tick's first batch has not committed yet
    logged = town("log", "1", "kritik", who=synth.contact_of(0, shape))
    still_ticking = ticking.poll() is None
    out, err = ticking.communicate(timeout=600)
    assert ticking.returncode == 0, err
    assert logged.exit_code == 0, logged.stderr
    print(f"the log finished {'while' if still_ticking else 'after'} the tick ran: {out.strip()}")
    assert still_ticking, "the tick was over before the log ran: make the municipality bigger"
    assert stored_are_fresh(db_url, synth.NOW, all_stored=True) > 0


def test_people_logging_on_the_same_case_at_once_raise_one_proposal(
    home: Home, tmp_path: Path
) -> None:
    """Three real processes, started together, log criticism on one case (both databases)."""
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
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(go)],
            env=home.environ(who="AK"),
            cwd=AWAY,
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
    shown = home.json("show", "1", who="LH")
    assert len(shown["observations"]) == 6
    assert [(p["to_step"], p["status"]) for p in shown["proposals"]] == [("stoerre", "open")]
    assert len(shown["escalations"]) == 1
    assert [t["to_step"] for t in shown["transitions"]] == ["mindre"]
