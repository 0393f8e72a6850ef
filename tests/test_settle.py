"""Settling many cases at once does exactly what settling each alone does (issue 14).

Tick's busy cases, an import's touched cases and the bench's build go
through ``consequences.settle`` a batch at a time; a log or a decision
settles its one case. Batching must change nothing a leader could see: the
same moves, proposals, escalations, actions and stored evaluations, and the
same audit entries. And the bench's municipality is left as staircase
itself would leave it: its first tick finds nothing to do.
"""

import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from databases import closing_engine, sqlite_copy
from driver import AWAY, LANGUAGE
from fresh import open_cases, stored_are_fresh
from staircase.bench import floor, synth
from staircase.cases import consequences
from staircase.cases.observe import Observed, channel_id, store
from staircase.cases.tick import tick
from staircase.cases.window import Window
from staircase.clock import Clock, iso_utc
from staircase.core.lookup import unit_packs
from staircase.core.work import Request, Work, transaction
from staircase.db.models import Case
from staircase.domain.pack import Pack, load_pack

SHAPE = synth.Shape(300, 6000)
TABLES = (
    "observation",
    "transition",
    "proposal",
    "escalation",
    "action",
    "evaluation",
    "notification",
    "case",
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bench's municipality at a small size, closed so the file alone holds it."""
    folder = tmp_path_factory.mktemp("settle")
    floor_db = folder / "floor.db"
    floor.build(floor_db, SHAPE.cases, list(floor.rows(SHAPE.cases, SHAPE.observations)))
    path = folder / "built.db"
    with closing_engine(f"sqlite:///{path}") as url:
        synth.build(url, SHAPE, floor_db, lambda done, total, what: None)
    return path


def _as_admin(url: str, now: datetime) -> Request:
    return Request(url=url, clock=Clock.fixed(now), user=synth.ADMIN)


def test_the_built_municipality_is_settled_so_a_first_tick_changes_nothing(
    built: Path, tmp_path: Path
) -> None:
    with closing_engine(sqlite_copy(built, tmp_path / "copy.db")) as url:
        raised = sqlite3.connect(tmp_path / "copy.db").execute("select count(*) from escalation")
        assert raised.fetchone()[0] > 0, "the build raised what the rules call for"
        assert stored_are_fresh(url, synth.NOW, all_stored=True) == SHAPE.cases
        report = tick(_as_admin(url, synth.NOW))
    assert report.cases_checked == SHAPE.cases
    assert not report.changed, report


@pytest.mark.parametrize("days", [0, 12, 45, 200])
def test_settling_a_batch_is_settling_each_case_alone(
    built: Path, tmp_path: Path, days: int
) -> None:
    """Copies with the same new observations and the same later now: one settles every
    open case in one call, one (as an import does) in batches reading one window for
    all, with its observations stored in bulk, the last case by case; the databases
    end up the same."""
    now = synth.NOW + timedelta(days=days, hours=3)
    dumps = []
    for way in ("together", "import", "alone"):
        path = tmp_path / f"{way}.db"
        with closing_engine(sqlite_copy(built, path)) as url:
            _log_more(url, now)
            with transaction(_as_admin(url, now), "tick") as work:
                cases = open_cases(work.session)
                packs, _skipped = unit_packs(work.session)
                if way == "together":
                    done = consequences.settle(work, cases, packs)
                elif way == "import":
                    done = _settle_as_import(work, cases, packs)
                else:
                    done = {c.id: consequences.reevaluate(work, c, packs[c.unit_id]) for c in cases}
            assert stored_are_fresh(url, now, all_stored=True) > 0
        dumps.append((_dump(path), _changed(done)))
    *batched, (alone, alone_changed) = dumps
    assert sum(alone_changed.values()) > 0, "the comparison has something to compare"
    for batch, batch_changed in batched:
        assert batch_changed == alone_changed
        for table in (*TABLES, "audit"):
            assert batch[table] == alone[table], table


def _settle_as_import(
    work: Work, cases: list[Case], packs: dict[str, Pack]
) -> dict[int, consequences.Consequences]:
    """The cases settled in batches of 50, with one window read for all of them."""
    window = Window(work.session, {p.id: p for p in packs.values()}.values(), work.now)
    done: dict[int, consequences.Consequences] = {}
    for start in range(0, len(cases), 50):
        batch = cases[start : start + 50]
        done.update(consequences.settle(work, batch, packs, window=window))
    return done


def _log_more(url: str, now: datetime) -> None:
    """New observations on every seventh case, stored without settling them (as an
    import stores them), cycling through the pack's indicators."""
    indicators = [i.id for i in load_pack("aarhus").indicators]
    with transaction(_as_admin(url, now), "import") as work:
        store(
            work,
            [
                Observed(
                    case,
                    indicators[case % len(indicators)],
                    now - timedelta(hours=case % 50),
                    channel_id(None),
                    None,
                )
                for case in range(1, SHAPE.cases + 1, 7)
            ],
        )


def _changed(done: dict[int, consequences.Consequences]) -> dict[str, int]:
    return {
        "moved": sum(c.moved is not None for c in done.values()),
        "proposals": sum(len(c.proposals) for c in done.values()),
        "withdrawn": sum(len(c.withdrawn) for c in done.values()),
        "escalations": sum(len(c.escalations) for c in done.values()),
        "closed": sum(len(c.closed) for c in done.values()),
        "actions": sum(len(c.actions) for c in done.values()),
    }


def _dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of the tables settling writes, and the audit entries' content in order."""
    db = sqlite3.connect(path)
    rows = {t: db.execute(f'select * from "{t}" order by 1').fetchall() for t in TABLES}
    rows["audit"] = db.execute(
        "select actor, action, case_id, subject from audit order by id"
    ).fetchall()
    return rows


def test_an_assess_piped_into_head_ends_quietly_and_is_audited(built: Path, tmp_path: Path) -> None:
    """``staircase assess --all --json | head``: the reader leaves after a few lines.
    Nothing is printed about it (a pipe expects that), and the cases read before
    the output broke off are in the audit all the same (§6.2)."""
    url = sqlite_copy(built, tmp_path / "copy.db")
    script = Path(sys.executable).with_name("staircase")
    now = iso_utc(synth.NOW)
    argv = [str(script), "--db", url, "--as", synth.QUALITY, "--now", now, "assess", "--all"]
    environ = {**os.environ, **LANGUAGE, "NO_COLOR": "1"}
    reading = subprocess.Popen(
        [*argv, "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environ, cwd=AWAY
    )
    assert reading.stdout is not None and reading.stdout.read(200)
    reading.stdout.close()  # what `head` does once it has its lines
    assert reading.wait(timeout=120) != 0
    assert reading.stderr is not None and reading.stderr.read() == b""
    outcomes = sqlite3.connect(tmp_path / "copy.db").execute(
        "select outcome from audit where action = 'assess'"
    )
    assert [outcome for (outcome,) in outcomes] == ["cut short"]
