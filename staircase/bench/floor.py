"""The raw-sqlite3 floor of ``../shared/bench/floor.py``, on the same data as the project.

The floor's weights, indicator steps and assess query are read from that
file when it sits beside the repository, so the bench measures against the
very floor the budgets (§8) name; an installed copy without it falls back to
the copy below, taken from ``shared/bench/floor.py`` (2026-11). floor.py
keeps its generator and its timed work inside ``main()``; the generator is
repeated here exactly (``rows``: same seed, same draws, same order) and the
timed work is run as whole processes of plain ``python -c`` with sqlite3
only, so the floor pays interpreter start-up just as ``staircase`` does.
"""

import csv
import importlib.util
import random
import sqlite3
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "floor.py"
"""``../shared/bench/floor.py`` relative to the repository (the budgets' reference)."""

NOW = 1_795_000_000
"""floor.py's now (2026-11-18 11:06:40 UTC); the staircase commands run with ``--now`` at it."""
SEED = 7
_STEP = {
    "god-dialog": 1,
    "naervaer": 1,
    "nysgerrighed-respekt": 1,
    "uklar-dialog": 2,
    "utilfredshed": 2,
    "kontaktbehov": 2,
    "vanskelig-dialog": 3,
    "kritik": 3,
    "trussel-presse": 3,
    "manglende-dialog": 4,
    "aftaler-brudt": 4,
    "trusler-vold-chikane": 4,
}
_WEIGHTS = [20, 10, 10, 8, 6, 6, 3, 3, 1, 1, 1, 0.5]
_ASSESS = """
select o.case_id,
  case
    when sum(i.step = 4 and o.at >= :now - 90 * 86400) > 0
      or sum(o.indicator = 'trusler-vold-chikane') > 0 then 4
    when sum(i.step = 3 and o.at >= :now - 60 * 86400) > 0
      or sum(i.step = 2 and o.at >= :now - 30 * 86400) >= 3 then 3
    when sum(i.step = 2 and o.at >= :now - 30 * 86400) > 0 then 2
    else 1
  end as indicated
from observation o join indicator i on i.id = o.indicator
where o.at >= :now - 365 * 86400
group by o.case_id
"""
SCHEMA = """
  pragma journal_mode = wal; pragma synchronous = normal;
  create table indicator(id text primary key, step int);
  create table "case"(id integer primary key, unit text, relative text, step int);
  create table observation(id integer primary key, case_id int, indicator text,
                           at int, channel text, note text);"""
EXPORT = """select c.id, c.unit, o.id, o.indicator, o.at, o.channel, o.note
            from observation o join "case" c on c.id = o.case_id
            order by c.id, o.at"""
INDEX = "create index observation_case_at on observation(case_id, at)"
NOTE = "note " * 8
CHANNEL = "telefon"

Row = tuple[int, int, str, int, str, str]
"""One observation as floor.py makes it: (id, case, indicator, at, channel, note)."""


def _shared() -> ModuleType | None:
    """floor.py as a module; it reads ``sys.argv`` at import, so it is shown none."""
    if not SHARED.is_file():
        return None
    spec = importlib.util.spec_from_file_location("staircase_shared_floor", SHARED)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    argv, sys.argv = sys.argv, [str(SHARED)]
    try:
        spec.loader.exec_module(module)
    finally:
        sys.argv = argv
    return module


_floor = _shared()
DAY: int = getattr(_floor, "DAY", 86_400)
STEP: dict[str, int] = getattr(_floor, "STEP", _STEP)
WEIGHTS: list[float] = getattr(_floor, "WEIGHTS", _WEIGHTS)
ASSESS: str = getattr(_floor, "ASSESS", _ASSESS)
SOURCE = str(SHARED) if _floor else "the copy in staircase/bench/floor.py"
"""Where the floor's query and weights came from (shown in the report)."""


def rows(cases: int, observations: int, seed: int = SEED) -> Iterator[Row]:
    """floor.py's observations, draw for draw: case, indicator, two years back from NOW."""
    rng = random.Random(seed)
    indicators = list(STEP)
    for n in range(observations):
        yield (
            n,
            rng.randrange(cases),
            rng.choices(indicators, WEIGHTS)[0],
            NOW - rng.randrange(730 * DAY),
            CHANNEL,
            NOTE,
        )


def build(path: Path, cases: int, observations: list[Row]) -> None:
    """floor.py's database: its schema, its cases, the observations, then its index."""
    db = sqlite3.connect(path)
    try:
        db.executescript(SCHEMA)
        db.executemany("insert into indicator values (?, ?)", STEP.items())
        with db:
            db.executemany(
                'insert into "case" values (?, ?, ?, 1)',
                ((c, f"unit-{c % 50}", f"relative {c}") for c in range(cases)),
            )
            db.executemany("insert into observation values (?, ?, ?, ?, ?, ?)", observations)
        db.execute(INDEX)
    finally:
        db.close()


def indicated(path: Path) -> dict[int, int]:
    """Each case's indicated step rank by the floor's own query (cases with no recent
    observation are absent: they stand on the bottom step)."""
    db = sqlite3.connect(path)
    try:
        return dict(db.execute(ASSESS, {"now": NOW}).fetchall())
    finally:
        db.close()


ASSESS_SCRIPT = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute(sys.argv[2], {"now": int(sys.argv[3])}).fetchall()
"""
EXPORT_SCRIPT = """
import csv, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
with open(sys.argv[3], "w", newline="") as f:
    out = csv.writer(f)
    for row in db.execute(sys.argv[2]):
        out.writerow(row)
"""
IMPORT_SCRIPT = """
import csv, sqlite3, sys
from datetime import datetime
db = sqlite3.connect(sys.argv[1])
with open(sys.argv[2], newline="") as f, db:
    rows = csv.reader(f)
    next(rows)
    db.executemany(
        "insert into observation(case_id, indicator, at, channel, note) values (?, ?, ?, ?, ?)",
        ((int(r[0]) - 1, r[1], int(datetime.fromisoformat(r[2]).timestamp()), r[3], r[4])
         for r in rows))
"""


def assess_command(path: Path) -> list[str]:
    """The floor's full recompute as a process: the assess query, every row fetched."""
    return [sys.executable, "-c", ASSESS_SCRIPT, str(path), ASSESS, str(NOW)]


def export_command(path: Path, out: Path) -> list[str]:
    """The floor's case history to CSV as a process (floor.py's export)."""
    return [sys.executable, "-c", EXPORT_SCRIPT, str(path), EXPORT, str(out)]


def import_command(path: Path, csv_path: Path) -> list[str]:
    """The floor's import as a process: the rows of an import file (``write_import``)
    appended to the floor's database in one transaction, its index kept up to date
    (floor.py's load, reading its rows from a file as an import must)."""
    return [sys.executable, "-c", IMPORT_SCRIPT, str(path), str(csv_path)]


IMPORT_HEADER = ("sag", "kendetegn", "tidspunkt", "kanal", "note")
"""The columns of the import file, as ``staircase import`` reads them (§7.3)."""


def write_import(path: Path, cases: int, observations: int) -> None:
    """An import file of new observations drawn as floor.py draws its own (another seed):
    case numbers as the project numbers them (floor case + 1), times in UTC."""
    with open(path, "w", newline="", encoding="utf-8") as file:
        out = csv.writer(file)
        out.writerow(IMPORT_HEADER)
        for _n, case, indicator, at, channel, note in rows(cases, observations, SEED + 1):
            when = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            out.writerow((case + 1, indicator, when, channel, note.strip()))


def latest_raise(path: Path) -> dict[int, int]:
    """When each case last had an observation above the bottom step: case → at."""
    db = sqlite3.connect(path)
    try:
        query = """select o.case_id, max(o.at) from observation o
                   join indicator i on i.id = o.indicator where i.step > 1 group by o.case_id"""
        return dict(db.execute(query).fetchall())
    finally:
        db.close()
