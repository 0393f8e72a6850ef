"""A synthetic municipality in the project's own schema, through its bulk paths.

Areas of twenty care homes each (at most 500 homes), a leader and four staff
per home, an area leader per area; residents with one or two relatives each,
one case per relationship; and floor.py's observations, draw for draw, so
the project and the floor are measured on the same data (§8). The schema is
the one ``init`` creates (alembic); the rows go in with SQLAlchemy Core bulk
inserts in one transaction, as an import would, and one audit entry says
that they did.

Each case stands where its observations put it at the bench's now (the
floor's own assess query decides, §3.5), having arrived there with its
latest observation above the bottom step; one transition records the move.
That is the state a municipality reaches when leaders follow the rules: a
realistic mix of steps, consistent with history. Last, every open case is
settled at the bench's now through ``consequences.settle``, as a log or an
import would have left it: its escalations, actions and proposals raised,
its evaluation stored — so the bench's first tick has nothing to do and its
first assess reads stored evaluations, as in a municipality in daily use.
"""

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice

from sqlalchemy import Table, insert, text
from sqlmodel import Session, col, select

from staircase.admin.directory import init
from staircase.bench import floor
from staircase.cases import consequences
from staircase.clock import Clock
from staircase.core import audit
from staircase.core.identity import resolve_actor
from staircase.core.lookup import unit_packs
from staircase.core.work import Work
from staircase.db.models import (
    Case,
    Membership,
    Observation,
    Relative,
    Resident,
    Staff,
    Transition,
    Unit,
)
from staircase.db.store import session_scope
from staircase.domain.pack import load_pack
from staircase.i18n import _
from staircase.text import key

Progress = Callable[[int, int, str], None]
"""Called with (done, total, what) as the work goes on, for a progress bar."""

NOW = datetime.fromtimestamp(floor.NOW, UTC)
ADMIN, QUALITY = "ADM", "KVA"
CASES_PER_UNIT = 200
UNITS_MAX = 500
UNITS_PER_AREA = 20
STAFF_PER_UNIT = "abcd"
RELATIONS = ("datter", "søn", "ægtefælle", "barnebarn", "ven", "nabo")
CHUNK = 20_000
SETTLE = 1_000
"""Cases settled together at the end of the build."""
OPENED = NOW - timedelta(days=731)
"""Every case opened before its first observation (the floor's go two years back)."""


@dataclass(frozen=True)
class Shape:
    """How big the municipality is; everything else follows from the two numbers."""

    cases: int
    observations: int

    @property
    def units(self) -> int:
        return min(UNITS_MAX, max(1, self.cases // CASES_PER_UNIT))

    @property
    def areas(self) -> int:
        return math.ceil(self.units / UNITS_PER_AREA)

    @property
    def residents(self) -> int:
        """Two relatives for every other resident: case ``c`` is resident ``2c // 3``'s."""
        return resident_of(self.cases - 1) + 1

    @property
    def staff(self) -> int:
        return 2 + self.areas + self.units * (1 + len(STAFF_PER_UNIT))

    @property
    def imported(self) -> int:
        """Observations in the bench's import file: a hundredth of the history (20,000 at
        full size, some ten care homes' spreadsheets), at least ten."""
        return max(10, self.observations // 100)

    def tenth(self) -> "Shape":
        return Shape(max(1, self.cases // 10), self.observations // 10)


def resident_of(case: int) -> int:
    return 2 * case // 3


def unit_of(case: int, shape: Shape) -> int:
    return resident_of(case) % shape.units


def area_id(area: int) -> str:
    return f"area-{area:02d}"


def unit_id(unit: int) -> str:
    return f"home-{unit:03d}"


def leader_id(unit: int) -> str:
    return f"L{unit:03d}"


def staff_id(unit: int, k: int) -> str:
    return f"S{unit:03d}{STAFF_PER_UNIT[k]}"


def contact_of(case: int, shape: Shape) -> str:
    return staff_id(unit_of(case, shape), case % len(STAFF_PER_UNIT))


def build(url: str, shape: Shape, floor_db, progress: Progress) -> dict[str, int]:
    """Create the database with ``init`` and fill it; return the rows written per table.

    ``floor_db`` is the floor's database built from the same draws: its
    assess query gives each case's step.
    """
    init(
        url,
        admin=ADMIN,
        name="Bench administrator",
        clock=Clock.fixed(OPENED),
        shared_terminal=True,
    )
    pack = load_pack(None)
    ladder = {step.rank: step.id for step in pack.ladder}
    steps = floor.indicated(floor_db)
    arrived = floor.latest_raise(floor_db)
    counts: dict[str, int] = {}
    with session_scope(url, write=True) as session:

        def put(model, rows: Iterable[dict], total: int) -> None:
            counts[model.__tablename__] = _insert(session, model.__table__, rows, total, progress)

        put(Unit, _units(shape), shape.areas + shape.units)
        put(Staff, _staff(shape), shape.staff)
        put(Membership, _memberships(shape), shape.staff - 2)
        put(Resident, _residents(shape), shape.residents)
        put(Relative, _relatives(shape), shape.cases)
        put(Case, _cases(shape, steps, arrived, ladder), shape.cases)
        moved = [c for c in range(shape.cases) if steps.get(c, 1) > 1]
        put(Transition, _transitions(shape, moved, steps, arrived, ladder, pack.version), 0)
        put(Observation, _observations(shape), shape.observations)
        _continue_numbering(session, (Resident, Relative, Case, Observation))
        event = audit.Event(
            ADMIN, "bench.build", subject=" ".join(f"{k}={v}" for k, v in counts.items())
        )
        work = Work(session, resolve_actor(session, ADMIN), Clock.fixed(NOW))
        _settle(work, shape, progress)
        audit.append(session, [event, *work.events], Clock.fixed(NOW))
    return counts


def _settle(work: Work, shape: Shape, progress: Progress) -> None:
    """Every case settled at ``NOW`` in batches, by the administrator who built it."""
    packs, _skipped = unit_packs(work.session)
    for start in range(0, shape.cases, SETTLE):
        ids = range(start + 1, min(start + SETTLE, shape.cases) + 1)
        batch = work.session.exec(select(Case).where(col(Case.id).in_(ids))).all()
        consequences.settle(work, batch, packs)
        work.session.flush()
        work.session.expunge_all()
        progress(start + len(batch), shape.cases, _("Evaluating cases"))


def _insert(session: Session, table: Table, rows: Iterable[dict], total: int, progress) -> int:
    """Core ``insert`` in chunks (executemany), reporting progress per chunk."""
    done, rows = 0, iter(rows)
    while chunk := list(islice(rows, CHUNK)):
        session.execute(insert(table), chunk)
        done += len(chunk)
        progress(done, max(total, done), _("writing {table}").format(table=table.name))
    return done


def _continue_numbering(session: Session, models) -> None:
    """The rows above were given their ids; PostgreSQL's sequences must go on after
    them, or the next ``log`` or ``case open`` collides (SQLite's AUTOINCREMENT follows
    given ids by itself)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        table = model.__tablename__
        session.execute(
            text(f"select setval(pg_get_serial_sequence(:table, 'id'), max(id)) from \"{table}\""),
            {"table": f'"{table}"'},
        )


def _units(shape: Shape) -> Iterator[dict]:
    for a in range(shape.areas):
        yield {"id": area_id(a), "name": f"Område {a + 1}", "parent_id": None, "pack": "aarhus"}
    for u in range(shape.units):
        yield {
            "id": unit_id(u),
            "name": f"Plejehjem {u + 1}",
            "parent_id": area_id(u // UNITS_PER_AREA),
            "pack": "aarhus",
        }


def _people(shape: Shape) -> Iterator[tuple[str, str, str, list[str]]]:
    """Everyone who works here: (initials, name, role, units)."""
    yield ADMIN, "Bench administrator", "admin", []
    yield QUALITY, "Bench kvalitet", "quality", []
    for a in range(shape.areas):
        yield f"A{a:02d}", f"Områdeleder {a + 1}", "leader", [area_id(a)]
    for u in range(shape.units):
        yield leader_id(u), f"Leder {u + 1}", "leader", [unit_id(u)]
        for k in range(len(STAFF_PER_UNIT)):
            yield staff_id(u, k), f"Medarbejder {u + 1}{STAFF_PER_UNIT[k]}", "staff", [unit_id(u)]


def _staff(shape: Shape) -> Iterator[dict]:
    for initials, name, role, _units in _people(shape):
        if initials != ADMIN:  # init made the admin
            yield {"id": initials, "name": name, "role": role, "email": None, "active": True}


def _memberships(shape: Shape) -> Iterator[dict]:
    for initials, _name, _role, units in _people(shape):
        for unit in units:
            yield {"staff_id": initials, "unit_id": unit}


def _residents(shape: Shape) -> Iterator[dict]:
    for r in range(shape.residents):
        unit = unit_id(r % shape.units)
        yield {"id": r + 1, "ref": f"R{r:07d}", "name": f"Beboer {r + 1}", "unit_id": unit}


def _relatives(shape: Shape) -> Iterator[dict]:
    for c in range(shape.cases):
        relation = RELATIONS[c % len(RELATIONS)]
        name = f"Pårørende {c + 1}"
        yield {
            "id": c + 1,
            "name": name,
            "name_key": key(name),
            "relation": relation,
            "contact": None,
            "is_child": False,
        }


def _cases(shape: Shape, steps, arrived, ladder) -> Iterator[dict]:
    for c in range(shape.cases):
        rank = steps.get(c, 1)
        yield {
            "id": c + 1,
            "resident_id": resident_of(c) + 1,
            "relative_id": c + 1,
            "unit_id": unit_id(unit_of(c, shape)),
            "step": ladder[rank],
            "step_since": _since(arrived, c, rank),
            "consent": "named",
            "consent_note": None,
            "primary": c % 3 != 2,
            "contact_id": contact_of(c, shape),
            "opened_at": OPENED,
            "closed_at": None,
        }


def _since(arrived: dict[int, int], case: int, rank: int) -> datetime:
    """A raised case arrived on its step with its latest observation above the bottom."""
    at = arrived.get(case)
    return OPENED if rank == 1 or at is None else datetime.fromtimestamp(at, UTC)


def _transitions(shape, moved, steps, arrived, ladder, version: str) -> Iterator[dict]:
    for c in moved:
        rank = steps[c]
        yield {
            "case_id": c + 1,
            "from_step": ladder[1],
            "to_step": ladder[rank],
            "at": _since(arrived, c, rank),
            "by_staff": leader_id(unit_of(c, shape)),
            "by_rule": None,
            "reason": "Syntetisk historik (bench)",
            "pack": "aarhus",
            "pack_version": version,
            "evidence": (),
        }


def _observations(shape: Shape) -> Iterator[dict]:
    for n, case, indicator, at, channel, note in floor.rows(shape.cases, shape.observations):
        when = datetime.fromtimestamp(at, UTC)
        yield {
            "id": n + 1,
            "case_id": case + 1,
            "indicator": indicator,
            "occurred_at": when,
            "logged_at": when,
            "logged_by": contact_of(case, shape),
            "channel": channel,
            "note": note,
            "retracts_id": None,
        }
