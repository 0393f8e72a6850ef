"""The leader's view (§1.2, ``staircase assess``).

Every case of the leader's units with its step and what its observations
indicate now, what changed since this person's previous assess, and what
waits for a decision. It reads set-wise — one query for the cases, one for
the observations inside the widest rule window, streamed in case order —
and runs the engine per case in memory, so it stays linear in the data.
"""

from collections.abc import Iterator
from datetime import timedelta
from itertools import groupby

from sqlalchemy import delete, insert
from sqlmodel import Session, col, select

from staircase.cases.show import action_view, escalation_view, proposal_view, why_view
from staircase.core.lookup import visible_units
from staircase.core.work import Request, Work, transaction
from staircase.db.models import (
    Action,
    AssessSeen,
    Case,
    Escalation,
    Observation,
    Proposal,
    Relative,
    Resident,
    Unit,
)
from staircase.domain.engine import CaseState, Fact, evaluate
from staircase.domain.pack import Pack, load_pack
from staircase.errors import NotAllowed
from staircase.kinds import ActionStatus, EscalationStatus, ProposalStatus, Role
from staircase.views import AssessedCase, Assessment


def assess(request: Request, *, unit: str | None = None, all_units: bool = False) -> Assessment:
    """Assess the acting person's units (or one unit, or all for quality/admin)."""
    with transaction(request, "assess") as work:
        if all_units and work.actor.role not in (Role.QUALITY, Role.ADMIN):
            raise NotAllowed("assess --all: only quality and admin read across all units")
        units = None if all_units else visible_units(work, unit, "assess")
        packs = _packs(work.session, units)
        cases = list(_assessed_cases(work, units, packs))
        _remember(work, cases)
        for case in cases:
            work.audit("case.read", case_id=case.id, subject="assess")
        work.audit("assess", subject="units=" + (",".join(units) if units is not None else "*"))
        steps = {step.id: 0 for pack in packs.values() for step in pack.ladder}
        for case in cases:
            steps[case.step] = steps.get(case.step, 0) + 1
        return Assessment(
            units=sorted(packs) if units is None else units,
            cases=cases,
            proposals=_open_proposals(work.session, units),
            escalations=_open_escalations(work.session, units),
            actions_overdue=_overdue_actions(work, units, packs),
            steps=steps,
            total=len(cases),
        )


def _packs(session: Session, units: list[str] | None) -> dict[str, Pack]:
    query = select(Unit.id, Unit.pack)
    if units is not None:
        query = query.where(col(Unit.id).in_(units))
    return {unit_id: load_pack(pack) for unit_id, pack in session.exec(query).all()}


def _in_units(query, column, units: list[str] | None):
    return query if units is None else query.where(col(column).in_(units))


def _assessed_cases(
    work: Work, units: list[str] | None, packs: dict[str, Pack]
) -> Iterator[AssessedCase]:
    session = work.session
    cases = session.exec(
        _in_units(
            select(Case.id, Case.unit_id, Case.step, Resident.name, Relative.name)
            .join(Resident, Resident.id == Case.resident_id)
            .join(Relative, Relative.id == Case.relative_id)
            .where(col(Case.closed_at).is_(None)),
            Case.unit_id,
            units,
        ).order_by(Case.id)
    ).all()
    seen = {
        row.case_id: row
        for row in session.exec(
            select(AssessSeen).where(AssessSeen.staff_id == work.actor.id)
        ).all()
    }
    facts = _facts_by_case(work, units, packs)
    for case_id, unit_id, step, resident, relative in cases:
        pack = packs[unit_id]
        evaluation = evaluate(pack, facts.get(case_id, []), CaseState(step=step), work.now)
        before = seen.get(case_id)
        yield AssessedCase(
            id=case_id,
            unit_id=unit_id,
            resident=resident,
            relative=relative,
            step=step,
            indicated_step=evaluation.indicated,
            why=why_view(evaluation),
            previous_step=before.step if before else None,
            previous_indicated=before.indicated if before else None,
            changed=_changed(before, step, evaluation.indicated, pack),
        )


def _changed(before: AssessSeen | None, step: str, indicated: str, pack: Pack) -> bool:
    """Changed since this person's last assess; at their first, every case off the bottom step.

    A leader's first assess should not list forty quiet cases as news.
    """
    if before is None:
        return step != pack.bottom.id or indicated != pack.bottom.id
    return (before.step, before.indicated) != (step, indicated)


def _facts_by_case(
    work: Work, units: list[str] | None, packs: dict[str, Pack]
) -> dict[int, list[Fact]]:
    """The observations inside the widest window of any rule, grouped by case."""
    widest = max((r.when.within_days for p in packs.values() for r in p.rules), default=0)
    since = work.now - timedelta(days=widest)
    base = select(
        Observation.case_id, Observation.id, Observation.indicator, Observation.occurred_at
    ).join(Case, Case.id == Observation.case_id)
    base = _in_units(base.where(col(Case.closed_at).is_(None)), Case.unit_id, units)
    retracted = set(
        work.session.exec(
            _in_units(
                select(Observation.retracts_id)
                .join(Case, Case.id == Observation.case_id)
                .where(col(Observation.retracts_id).is_not(None)),
                Case.unit_id,
                units,
            )
        ).all()
    )
    rows = work.session.exec(
        base.where(
            col(Observation.indicator).is_not(None), Observation.occurred_at >= since
        ).order_by(Observation.case_id)
    )
    return {
        case_id: [Fact(r.id, r.indicator, r.occurred_at, r.id in retracted) for r in group]
        for case_id, group in groupby(rows, key=lambda r: r.case_id)
    }


def _remember(work: Work, cases: list[AssessedCase]) -> None:
    """What this person saw, so their next assess shows what changed.

    One bulk statement, not an ORM object per case: an assess over every
    case of a municipality must not spend its time building rows.
    """
    work.session.exec(delete(AssessSeen).where(AssessSeen.staff_id == work.actor.id))
    if cases:
        work.session.execute(
            insert(AssessSeen),
            [
                {
                    "staff_id": work.actor.id,
                    "case_id": c.id,
                    "step": c.step,
                    "indicated": c.indicated_step,
                }
                for c in cases
            ],
        )


def _open_proposals(session: Session, units: list[str] | None) -> list:
    query = (
        select(Proposal)
        .join(Case, Case.id == Proposal.case_id)
        .where(Proposal.status == ProposalStatus.OPEN)
    )
    return [
        proposal_view(p)
        for p in session.exec(_in_units(query, Case.unit_id, units).order_by(Proposal.id))
    ]


def _open_escalations(session: Session, units: list[str] | None) -> list:
    """Escalations not yet acknowledged, addressed to these units or raised in them."""
    query = (
        select(Escalation)
        .join(Case, Case.id == Escalation.case_id)
        .where(Escalation.status == EscalationStatus.OPEN)
    )
    if units is not None:
        query = query.where(col(Case.unit_id).in_(units) | col(Escalation.to_unit).in_(units))
    return [
        escalation_view(e) for e in session.exec(query.order_by(Escalation.due_at, Escalation.id))
    ]


def _overdue_actions(work: Work, units: list[str] | None, packs: dict[str, Pack]) -> list:
    query = (
        select(Action, Case.unit_id)
        .join(Case, Case.id == Action.case_id)
        .where(Action.status == ActionStatus.OPEN, Action.due_at < work.now)
    )
    rows = work.session.exec(_in_units(query, Case.unit_id, units).order_by(Action.due_at))
    return [action_view(packs[unit_id], action) for action, unit_id in rows]
