"""The leader's view (§1.2, ``staircase assess``).

Every case of the leader's units with its step and what its observations
indicate now, what changed since this person's previous assess, and what
waits for a decision. It reads set-wise — one query for the cases, one for
the observations inside the widest rule window, streamed in case order —
and runs the engine per case in memory, so it stays linear in the data.

"Changed" is decided by what happened since the person's last assess — a
new observation, a move either way, a proposal raised or decided, an
escalation raised — not by comparing two snapshots, which would miss a
case that went up and came back down in between.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import groupby

from sqlalchemy import delete, func, insert, union
from sqlmodel import Session, col, select

from staircase.cases.show import action_view, escalation_view, proposal_view, why_view
from staircase.core.lookup import unit_packs, visible_units
from staircase.core.work import Request, Work, transaction
from staircase.db.models import (
    Action,
    AssessSeen,
    AuditEntry,
    Case,
    Escalation,
    Observation,
    Proposal,
    Relative,
    Resident,
    Transition,
)
from staircase.domain.engine import CaseState, Fact, evaluate
from staircase.domain.pack import Pack
from staircase.errors import NotAllowed
from staircase.i18n import _
from staircase.kinds import ActionStatus, EscalationStatus, ProposalStatus, Role
from staircase.views import AssessedCase, Assessment, SeenView


def assess(request: Request, *, unit: str | None = None, all_units: bool = False) -> Assessment:
    """Assess the acting person's units (or one unit, or all for quality/admin)."""
    with transaction(request, "assess") as work:
        if all_units and work.actor.role not in (Role.QUALITY, Role.ADMIN):
            raise NotAllowed(_("assess --all: only quality and admin read across all units"))
        asked = None if all_units else visible_units(work, unit, "assess")
        packs, skipped = unit_packs(work.session, asked)
        # A unit whose pack cannot be loaded is left out and reported (issue 11).
        units = asked if not skipped else sorted(packs)
        last = _last_assess(work)
        changed = _changed_since(work.session, units, last) if last else None
        cases = list(_assessed_cases(work, units, packs, changed))
        _remember(work, cases)
        for case in cases:
            work.audit("case.read", case_id=case.id, subject="assess")
        work.audit("assess", subject="units=" + (",".join(asked) if asked is not None else "*"))
        steps = {step.id: 0 for pack in packs.values() for step in pack.ladder}
        for case in cases:
            steps[case.step] = steps.get(case.step, 0) + 1
        return Assessment(
            units=sorted(packs) if units is None else units,
            first=last is None,
            cases=cases,
            proposals=_open_proposals(work.session, units),
            escalations=_open_escalations(work.session, units),
            actions_overdue=_overdue_actions(work, units, packs),
            steps=steps,
            total=len(cases),
            skipped_units=skipped,
            packs=sorted({pack.id for pack in packs.values()}),
        )


def _in_units(query, column, units: list[str] | None):
    return query if units is None else query.where(col(column).in_(units))


def _last_assess(work: Work) -> datetime | None:
    """When this person last assessed, on the clock they assessed by (None: never)."""
    return work.session.exec(
        select(func.max(func.coalesce(AuditEntry.clock, AuditEntry.at))).where(
            AuditEntry.actor == work.actor.id,
            AuditEntry.action == "assess",
            AuditEntry.outcome == "ok",
        )
    ).one()


def _changed_since(session: Session, units: list[str] | None, since: datetime) -> set[int]:
    """The cases something happened to after ``since``: one query over the event tables."""
    events = [
        select(Observation.case_id).where(Observation.logged_at > since),
        select(Transition.case_id).where(Transition.at > since),
        select(Proposal.case_id).where(
            (Proposal.raised_at > since) | (Proposal.decided_at > since)
        ),
        select(Escalation.case_id).where(Escalation.raised_at > since),
    ]
    happened = union(*events).subquery()
    query = select(Case.id).where(col(Case.id).in_(select(happened.c.case_id)))
    return set(session.exec(_in_units(query, Case.unit_id, units)).all())


def _assessed_cases(
    work: Work, units: list[str] | None, packs: dict[str, Pack], changed: set[int] | None
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
        evidence = {o for reason in evaluation.why for o in reason.observations}
        yield AssessedCase(
            id=case_id,
            unit_id=unit_id,
            resident=resident,
            relative=relative,
            step=step,
            indicated_step=evaluation.indicated,
            why=why_view(evaluation),
            seen=[
                SeenView(id=f.observation, indicator=f.indicator, occurred_at=f.at)
                for f in facts.get(case_id, [])
                if f.observation in evidence
            ],
            previous_step=before.step if before else None,
            previous_indicated=before.indicated if before else None,
            # At a first assess there is no "since": the cases off the bottom
            # step are the overview, not forty quiet cases as news.
            changed=(
                case_id in changed
                if changed is not None
                else step != pack.bottom.id or evaluation.indicated != pack.bottom.id
            ),
        )


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
        select(Escalation, Case.step)
        .join(Case, Case.id == Escalation.case_id)
        .where(Escalation.status == EscalationStatus.OPEN, col(Case.closed_at).is_(None))
    )
    if units is not None:
        query = query.where(col(Case.unit_id).in_(units) | col(Escalation.to_unit).in_(units))
    rows = session.exec(query.order_by(Escalation.due_at, Escalation.id))
    return [escalation_view(e, case_step) for e, case_step in rows]


def _overdue_actions(work: Work, units: list[str] | None, packs: dict[str, Pack]) -> list:
    query = (
        select(Action, Case.unit_id)
        .join(Case, Case.id == Action.case_id)
        .where(Action.status == ActionStatus.OPEN, Action.due_at < work.now)
    )
    rows = work.session.exec(_in_units(query, Case.unit_id, units).order_by(Action.due_at))
    return [action_view(packs[unit_id], action) for action, unit_id in rows]
