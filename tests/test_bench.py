"""``staircase bench`` at a tiny size: every §8 operation on the table, with a number
and a budget, and the synthetic municipality holding exactly what it says."""

import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from driver import AWAY, Staircase
from staircase.bench import floor, synth
from staircase.bench.suite import Settings, run_bench

CASES, OBSERVATIONS = 30, 600

OPERATIONS = {
    "assess --all, 1st run",
    "assess --all, 2nd run",
    "assess --all --json, 1st run",
    "assess --all --json, 2nd run",
    "assess --all --json --recompute",
    "tick, 1st run",
    "tick, 2nd run",
    "export history, CSV",
    f"import, CSV, {max(10, OBSERVATIONS // 100):,} obs.",
    "log, empty database",
    "log, full database",
    "log, full ÷ empty",
    "log during tick",
    "--help",
    f"assess RSS, {OBSERVATIONS // 10:,} obs.",
    f"assess RSS, {OBSERVATIONS:,} obs.",
    "assess RSS, full ÷ tenth",
    f"export RSS, {OBSERVATIONS // 10:,} obs.",
    f"export RSS, {OBSERVATIONS:,} obs.",
    "export RSS, full ÷ tenth",
}


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    """One tiny run, its databases kept for the checks below."""
    work = tmp_path_factory.mktemp("bench")
    stages = []
    report = run_bench(
        Settings(cases=CASES, observations=OBSERVATIONS, keep=work, repeats=1),
        lambda done, total, what: stages.append(what),
    )
    return report, work, stages


def test_every_operation_has_a_number_and_a_budget(bench):
    report, _work, stages = bench
    assert {row.operation for row in report.rows} == OPERATIONS
    for row in report.rows:
        assert row.budget, row.operation
        assert row.status in ("pass", "fail", "not built", "info"), row.operation
        if row.staircase is None:  # not built, or a log that failed while tick ran
            assert row.status in ("not built", "fail") and row.note, row.operation
        else:
            assert row.staircase > 0, row.operation
        if row.operation != "log, full ÷ empty":
            assert row.floor is not None and row.floor > 0, row.operation
    budgets = {row.operation: row.budget for row in report.rows}
    assert budgets["assess --all, 1st run"] == "≤ 1× floor"
    assert budgets["tick, 1st run"] == "≤ 2× floor"
    assert budgets["--help"] == "≤ 0.150 s"
    assert "writing observation" in stages
    assert report.model_dump(mode="json")["rows"][0]["ratio"] > 0


def test_the_script_prints_the_readme_table_of_a_run(bench, tmp_path):
    """``benchmarks/run.py --from RUN.json --markdown``: every operation, with its budget and
    verdict, as the README's Performance section shows them."""
    report, _work, _stages = bench
    saved = tmp_path / "bench.json"
    saved.write_text(report.model_dump_json())
    script = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"
    out = subprocess.run(
        [sys.executable, str(script), "--from", str(saved), "--markdown"],
        cwd=AWAY,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "| operation | staircase | floor | ratio | budget | result |" in out
    for row in report.rows:
        assert f"| {row.operation} |" in out
        assert f"| {row.budget} | {row.status} |" in out


def test_the_municipality_is_what_it_says(bench):
    report, work, _stages = bench
    shape = synth.Shape(CASES, OBSERVATIONS)
    built = sqlite3.connect(work / "full.snapshot")
    count = lambda table: built.execute(f'select count(*) from "{table}"').fetchone()[0]  # noqa: E731
    assert count("case") == count("relative") == CASES == report.cases
    assert count("observation") == OBSERVATIONS
    assert count("resident") == shape.residents == report.residents
    assert count("unit") == shape.units + shape.areas
    assert count("staff") == shape.staff == report.staff
    assert (
        built.execute("select count(*) from unit where parent_id is null").fetchone()[0]
        == shape.areas
    )

    rows = list(floor.rows(CASES, OBSERVATIONS))
    stored = built.execute(
        "select id - 1, case_id - 1, indicator, channel, note from observation order by id"
    ).fetchall()
    assert stored == [(n, c, i, ch, note) for n, c, i, _at, ch, note in rows]

    ladder = {1: "godt", 2: "mindre", 3: "stoerre", 4: "kompliceret"}
    indicated = floor.indicated(work / "floor-full.db")
    steps = dict(built.execute('select id - 1, step from "case"').fetchall())
    assert steps == {c: ladder[indicated.get(c, 1)] for c in range(CASES)}
    assert len(Counter(steps.values())) > 1, "a mix of steps"
    moved = built.execute("select count(*) from transition").fetchone()[0]
    assert moved == sum(step != "godt" for step in steps.values())


@pytest.mark.skipif(not floor.SHARED.is_file(), reason="../shared/bench/floor.py is not here")
def test_the_floor_is_floor_py_draw_for_draw(bench):
    """floor.py's own run at the same size assesses the same cases as the bench's floor."""
    _report, work, _stages = bench
    out = subprocess.run(
        [sys.executable, str(floor.SHARED), str(CASES), str(OBSERVATIONS)],
        cwd=AWAY,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    fields = dict(part.split("=") for part in out.split())
    assert int(fields["assessed"]) == len(floor.indicated(work / "floor-full.db"))


def test_the_command_line_refuses_an_existing_database(tmp_path):
    taken = tmp_path / "taken.db"
    taken.write_bytes(b"")
    for given in (f"sqlite:///{taken}", str(taken)):
        result = Staircase()("bench", "--cases", "10", "--observations", "10", "--db", given)
        assert result.exit_code == 1
        assert "builds new databases only" in result.output


def test_a_built_database_takes_new_rows(db_url, tmp_path):
    """After the bulk load (ids given), the next case and observation get fresh ids,
    on PostgreSQL too (its sequences must be moved past the given ids)."""
    from staircase.cases.observe import Entry, log
    from staircase.cases.register import NewCase, open_case
    from staircase.clock import Clock
    from staircase.core.work import Request

    shape = synth.Shape(20, 200)
    floor_db = tmp_path / "floor.db"
    floor.build(floor_db, shape.cases, list(floor.rows(shape.cases, shape.observations)))
    counts = synth.build(db_url, shape, floor_db, lambda done, total, what: None)
    assert counts["observation"] == 200 and counts["case"] == 20

    def as_(who: str) -> Request:
        return Request(url=db_url, clock=Clock.fixed(synth.NOW), user=who)

    logged = log(as_(synth.contact_of(0, shape)), Entry(1, ("naervaer",), note="bench"))
    assert logged.observations == [201]
    opened = open_case(
        as_(synth.ADMIN), NewCase(resident_ref="R0000000", relative_name="Ny Ven", relation="ven")
    )
    assert opened.id == 21


def test_the_floor_imports_what_staircase_imports(bench):
    """The import file holds the same rows for both: staircase's import and the floor's
    append the same observations, case for case and indicator for indicator."""
    report, work, _stages = bench
    rows = max(10, OBSERVATIONS // 100)
    assert f"import, CSV, {rows:,} obs." in {row.operation for row in report.rows}
    file = work / "import.csv"
    floor.write_import(file, CASES, rows)
    scratch = work / "floor-check.db"
    scratch.write_bytes((work / "floor-full.db").read_bytes())
    subprocess.run(floor.import_command(scratch, file), check=True)
    appended = sqlite3.connect(scratch).execute(
        "select case_id + 1, indicator from observation where id >= ? order by id", (OBSERVATIONS,)
    )
    drawn = [(case + 1, indicator) for _n, case, indicator, *_ in floor.rows(CASES, rows, 8)]
    assert appended.fetchall() == drawn


@pytest.mark.postgres
def test_the_bench_on_postgresql_makes_and_drops_its_own_databases(pg_server):
    """``--db postgresql+psycopg://…/NAME`` builds NAME, NAME_tenth and NAME_empty on that
    server, measures every operation there, and leaves no database behind."""
    from sqlalchemy import create_engine, text

    name = f"{pg_server.name}_bench"
    server = pg_server.database.set(database=name).render_as_string(hide_password=False)
    report = run_bench(
        Settings(cases=CASES, observations=OBSERVATIONS, db=server, repeats=1),
        lambda done, total, what: None,
    )
    assert report.database == "postgresql"
    assert {row.operation for row in report.rows} == OPERATIONS
    measured = [row for row in report.rows if row.status != "not built"]
    assert all(row.staircase is not None for row in measured if row.status != "fail")
    admin = create_engine(pg_server.database.set(database="postgres"))
    with admin.connect() as connection:
        left = connection.execute(
            text("select datname from pg_database where datname like :name"), {"name": f"{name}%"}
        ).all()
    admin.dispose()
    assert left == []
