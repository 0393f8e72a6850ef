"""Each case's stored evaluation (table ``evaluation``): written where the case is evaluated.

``consequences.settle`` stores what it found, settled, in the transaction that
carries out the consequences; assess stores what it had to compute, not
settled (nothing was carried out); a decision that may change what follows
marks the stored one unsettled so the next tick looks again. Assess and
tick then read the stored evaluation of every case whose ``due_at`` has not
come instead of recomputing it.
"""

from collections.abc import Collection, Iterable, Iterator
from datetime import datetime
from typing import Any, NamedTuple

from pydantic_core import from_json, to_json
from sqlalchemy import ColumnElement, delete, update
from sqlmodel import Session, col, select

from staircase.clock import iso_utc
from staircase.db.models import CaseEvaluation
from staircase.domain.engine import CaseState, Evaluation, Fact
from staircase.domain.horizon import changes_at
from staircase.domain.pack import Pack


class Stored(NamedTuple):
    """One case's evaluation as stored: what assess shows and when it can next change.

    A named tuple, made from a row in one call: a full recompute makes one for each
    of a municipality's cases, twice."""

    case_id: int
    indicated: str
    why: str
    due_at: datetime | None
    settled: bool

    def due(self, now: datetime) -> bool:
        """Can time have changed it since it was stored?"""
        return self.due_at is not None and self.due_at <= now

    def same(self, other: "Stored") -> bool:
        """The same evaluation, whether or not its consequences were carried out."""
        return (self.indicated, self.why, self.due_at) == (
            other.indicated,
            other.why,
            other.due_at,
        )


def evidence(why: str) -> dict[str, list[dict]]:
    """A stored "why" as the fields ``why`` and ``seen`` of the case's view: plain
    data, so a chunk of cases is validated in one go."""
    return from_json(why) if why else {"why": [], "seen": []}


def _evidence_text(evaluation: Evaluation, facts: Iterable[Fact]) -> str:
    """The indicated step's reasons and, for each, the kendetegn and time of the
    observations it rests on (§7.5), as JSON: what a leader's view shows of a case.

    Kept with the evaluation rather than looked up at every assess: an observation
    never changes once logged, and a retraction re-evaluates its case.
    """
    if not evaluation.why:
        return ""
    known = {fact.observation: fact for fact in facts}
    seen = [
        {"id": o, "indicator": known[o].indicator, "occurred_at": iso_utc(known[o].at)}
        for reason in evaluation.why
        for o in dict.fromkeys(reason.observations)
    ]
    why = [{"rule": r.rule, "observations": list(r.observations)} for r in evaluation.why]
    return to_json({"why": why, "seen": seen}).decode()


def of(
    case_id: int,
    pack: Pack,
    evaluation: Evaluation,
    facts: Iterable[Fact],
    state: CaseState,
    now: datetime,
    *,
    settled: bool,
) -> Stored:
    """The row to store for an evaluation the engine just made at ``now``."""
    facts = list(facts)
    return Stored(
        case_id,
        evaluation.indicated,
        _evidence_text(evaluation, facts),
        changes_at(pack, facts, state, now),
        settled,
    )


def save(session: Session, rows: Collection[Stored]) -> None:
    """Insert or replace the rows: one statement, whatever the database."""
    if not rows:
        return
    # Imported here: PostgreSQL's dialect package costs every SQLite log ~25 ms (issue 14).
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # On the table, not the model: the ORM's bulk path would look at every row again.
    statement = insert(CaseEvaluation.__table__)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["case_id"],
            set_={
                name: statement.excluded[name] for name in ("indicated", "why", "due_at", "settled")
            },
        ),
        [
            {
                "case_id": r.case_id,
                "indicated": r.indicated,
                "why": r.why,
                "due_at": r.due_at,
                "settled": r.settled,
            }
            for r in rows
        ],
    )


def read(session: Session, case_ids: Collection[int] | None = None) -> dict[int, Stored]:
    """The stored evaluations of these cases (of all, with ``None``)."""
    query = select(
        CaseEvaluation.case_id,
        CaseEvaluation.indicated,
        CaseEvaluation.why,
        CaseEvaluation.due_at,
        CaseEvaluation.settled,
    )
    found: dict[int, Stored] = {}
    for chunk in id_chunks(case_ids):
        narrowed = query if chunk is None else query.where(col(CaseEvaluation.case_id).in_(chunk))
        found.update((row[0], Stored(*row)) for row in session.exec(narrowed))
    return found


def unsettle(session: Session, case_id: int) -> None:
    """A decision changed what may follow from the evaluation: tick must look again."""
    session.execute(
        update(CaseEvaluation).where(col(CaseEvaluation.case_id) == case_id).values(settled=False)
    )


def forget(session: Session, case_id: int) -> None:
    """A closed case is neither assessed nor ticked: its evaluation goes."""
    session.execute(delete(CaseEvaluation).where(col(CaseEvaluation.case_id) == case_id))


def id_chunks(ids: Collection[int] | None, size: int = 5_000) -> Iterable[list[int] | None]:
    """Ids in slices a database accepts as one ``IN`` list (SQLite's limit is 32,766)."""
    if ids is None:
        yield None
        return
    ordered = sorted(ids)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def of_cases(column: Any, ids: Collection[int]) -> Iterator[ColumnElement[bool]]:
    """Conditions on a case id ``column`` that together select these cases: one range
    where the ids lie close together (a chunk of a listing, whose ``IN`` list of a
    thousand cost more to send than the rows it found), ``IN`` lists otherwise. A
    range may also hold other cases: the caller keeps only the rows of its own."""
    ordered = sorted(ids)
    if ordered and ordered[-1] - ordered[0] < 2 * len(ordered):
        yield col(column).between(ordered[0], ordered[-1])
        return
    for chunk in id_chunks(ordered):
        if chunk:
            yield col(column).in_(chunk)
