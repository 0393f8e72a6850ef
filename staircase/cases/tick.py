"""``staircase tick``: every time-based rule, applied at the clock's now (§3.4).

Run from cron (every 15 minutes is fine). Observations age out of their
windows, calm cases earn a proposal down, and escalations left
unacknowledged past their deadline go to the next level — like the
time-based escalations of ticket systems. Idempotent: a second run at the
same now finds nothing left to do, because every consequence is recorded
with the evidence or deadline that caused it. A closed case is never
touched (§3.4): neither evaluated nor escalated.
"""

from collections.abc import Callable
from datetime import timedelta

from pydantic import BaseModel, computed_field
from sqlalchemy import text
from sqlmodel import Session, col, select

from staircase.cases import consequences
from staircase.cases.show import escalation_view, proposal_view
from staircase.core.lookup import unit_packs
from staircase.core.notify import Delivery
from staircase.core.work import Request, Work, transaction
from staircase.db.models import Case, Escalation, Observation, Proposal, Unit
from staircase.kinds import Addressee, EscalationStatus, ProposalStatus
from staircase.views import EscalationView, ProposalView, SkippedUnit

Progress = Callable[[int, int], None]
"""Called with (done, total) as cases are evaluated, for a progress bar."""


class TickReport(BaseModel):
    """What one tick did (or, with ``dry_run``, would do); ``--json`` is its dump."""

    dry_run: bool
    cases_checked: int = 0
    moved: list[tuple[int, str, str]] = []
    proposals: list[ProposalView] = []
    withdrawn: list[ProposalView] = []
    escalations: list[EscalationView] = []
    escalated: list[EscalationView] = []
    closed: list[EscalationView] = []
    actions: int = 0
    skipped_units: list[SkippedUnit] = []
    mail: Delivery | None = None

    @computed_field
    @property
    def changed(self) -> bool:
        return bool(
            self.moved
            or self.proposals
            or self.withdrawn
            or self.escalations
            or self.escalated
            or self.closed
            or self.actions
        )


def tick(
    request: Request, *, dry_run: bool = False, progress: Progress | None = None
) -> TickReport:
    """Apply every time-based rule across all units; with ``dry_run`` write nothing."""
    report = TickReport(dry_run=dry_run)
    with transaction(request, "tick", dry_run=dry_run) as work:
        _one_tick_at_a_time(work.session)
        work.send_mail = not dry_run
        candidates = _candidates(work, report)
        for done, case in enumerate(candidates, start=1):
            result = consequences.reevaluate(work, case)
            if result.moved:
                report.moved.append((case.id, result.moved.from_step, result.moved.to_step))
            report.proposals += [proposal_view(p) for p in result.proposals]
            report.withdrawn += [proposal_view(p) for p in result.withdrawn]
            report.escalations += [escalation_view(e) for e in result.escalations]
            report.closed += [escalation_view(e) for e in result.closed]
            report.actions += len(result.actions)
            if progress is not None:
                progress(done, len(candidates))
        report.cases_checked = len(candidates)
        # After the evaluation: an escalation whose step is no longer at
        # issue has just been closed, and is not passed on to the area.
        _escalate_overdue(work, report)
        work.audit("tick", subject=f"checked={len(candidates)} changed={report.changed}")
    report.mail = work.delivery
    return report


def _one_tick_at_a_time(session: Session) -> None:
    """Two overlapping cron runs must not both escalate the same overdue escalation.

    SQLite serialises writers already; on PostgreSQL a transaction-scoped
    advisory lock makes the second tick wait and then find nothing to do.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("select pg_advisory_xact_lock(:key)"), {"key": _TICK_LOCK})


_TICK_LOCK = 7_146_202


def _candidates(work: Work, report: TickReport) -> list[Case]:
    """The open cases time can change: not on the bottom step, with an open
    proposal, or with an observation inside some rule's window.

    A case on the bottom step with nothing recent and nothing open cannot
    change by time alone, so tick leaves the quiet majority unread. Cases of
    a unit whose pack cannot be loaded are left out and the unit reported
    (issue 11); their overdue escalations still go up, which needs no pack.
    """
    session = work.session
    by_unit, report.skipped_units = unit_packs(session)
    packs = list(by_unit.values())
    bottoms = {p.bottom.id for p in packs}
    widest = max((r.when.within_days for p in packs for r in p.rules), default=0)
    recent = select(Observation.case_id).where(
        Observation.occurred_at >= work.now - timedelta(days=widest)
    )
    pending = select(Proposal.case_id).where(Proposal.status == ProposalStatus.OPEN)
    query = select(Case).where(
        col(Case.closed_at).is_(None),
        col(Case.step).not_in(bottoms) | col(Case.id).in_(recent) | col(Case.id).in_(pending),
    )
    if report.skipped_units:
        query = query.where(col(Case.unit_id).in_(list(by_unit)))
    return list(session.exec(query.order_by(Case.id)).all())


def _escalate_overdue(work: Work, report: TickReport) -> None:
    """Escalations past due go one level up: unit leader → the parent unit's leader.

    At the top of the tree there is no one further: the escalation stays
    open and shows as overdue in assess and the inbox.
    """
    overdue = work.session.exec(
        select(Escalation)
        .join(Case, Case.id == Escalation.case_id)
        .where(
            Escalation.status == EscalationStatus.OPEN,
            Escalation.due_at < work.now,
            col(Case.closed_at).is_(None),
        )
        .order_by(Escalation.id)
    ).all()
    for escalation in overdue:
        parent = _parent_unit(work.session, escalation.to_unit)
        if parent is None:
            continue
        window = escalation.due_at - escalation.raised_at
        higher = Escalation(
            case_id=escalation.case_id,
            step=escalation.step,
            to_role=Addressee.AREA_LEADER,
            to_unit=parent,
            inform=escalation.inform,
            rules=(*escalation.rules, "tick:overdue"),
            evidence=escalation.evidence,
            raised_at=work.now,
            due_at=work.now + max(window, timedelta(days=1)),
            escalated_from_id=escalation.id,
        )
        escalation.status = EscalationStatus.ESCALATED
        work.session.add_all([escalation, higher])
        work.session.flush()
        report.escalated.append(escalation_view(higher))
        work.audit(
            "escalation.escalate",
            case_id=escalation.case_id,
            subject=f"{escalation.id}->{higher.id}",
        )
        consequences.queue_mail(work, higher)


def _parent_unit(session: Session, unit_id: str) -> str | None:
    unit = session.get(Unit, unit_id)
    return unit.parent_id if unit else None
