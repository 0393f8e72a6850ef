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
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import timedelta

from pydantic import BaseModel, computed_field
from sqlalchemy import text
from sqlmodel import Session, col, select

from staircase.cases import consequences, evaluations
from staircase.cases.evaluations import Stored
from staircase.cases.show import escalation_view, proposal_view
from staircase.cases.window import window_facts
from staircase.core.lookup import unit_packs
from staircase.core.notify import Delivery
from staircase.core.work import Request, Work, transaction
from staircase.db.models import Case, CaseEvaluation, Escalation, Unit
from staircase.domain.engine import evaluate
from staircase.domain.pack import Pack
from staircase.kinds import Addressee, EscalationStatus
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


BATCH = 200
"""Cases planned per read, then written in one short write transaction."""


def tick(
    request: Request, *, dry_run: bool = False, progress: Progress | None = None
) -> TickReport:
    """Apply every time-based rule across all units; with ``dry_run`` write nothing.

    The cases time can change are found in one read, then taken in batches:
    each is read and evaluated in memory without the write lock, and what
    must change is written in one short write transaction. Staff logging
    during a tick wait for one batch's writes at most, and get the lock
    while the next batch is read. A dry run keeps everything in one
    transaction it rolls back, so it reports what one real run would do.
    """
    report = TickReport(dry_run=dry_run)
    with transaction(request, "tick", write=False) as work:
        packs, report.skipped_units = unit_packs(work.session)
        checked, candidates = _candidates(work.session, packs, work)
    batches = [candidates[i : i + BATCH] for i in range(0, len(candidates), BATCH)]
    whole = transaction(request, "tick", dry_run=True) if dry_run else nullcontext(None)
    with whole as everything:

        def unit_of_work(*, write: bool) -> AbstractContextManager[Work]:
            return (
                nullcontext(everything) if everything else transaction(request, "tick", write=write)
            )

        for done, batch in enumerate(batches, start=1):
            with unit_of_work(write=False) as work:
                plan = _plan(work, batch, packs)
            with unit_of_work(write=True) as work:
                _one_tick_at_a_time(work.session)
                _carry_out(work, plan, packs, report)
                work.send_mail = False
            if progress is not None:
                progress(min(done * BATCH, len(candidates)), len(candidates))
        with unit_of_work(write=True) as work:
            _one_tick_at_a_time(work.session)
            report.cases_checked = checked
            # After the evaluation: an escalation whose step is no longer at
            # issue has just been closed, and is not passed on to the area.
            _escalate_overdue(work, report)
            work.send_mail = not dry_run
            work.audit(
                "tick",
                subject=f"checked={checked} evaluated={len(candidates)} changed={report.changed}",
            )
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


def _candidates(session: Session, packs: dict[str, Pack], work: Work) -> tuple[int, list[int]]:
    """How many open cases tick answers for, and those time can have changed: no
    evaluation stored, one not settled, or one whose ``due_at`` has come.

    Every other case's stored evaluation holds until something is logged or
    decided, which settles it there and then, so tick checks the quiet
    majority by their ``due_at`` alone. Cases of a unit whose pack cannot be
    loaded are left out (issue 11); their overdue escalations still go up,
    which needs no pack.
    """
    due = (
        col(CaseEvaluation.case_id).is_(None)
        | col(CaseEvaluation.settled).is_(False)
        | (col(CaseEvaluation.due_at) <= work.now)
    )
    query = (
        select(Case.id, due)
        .outerjoin(CaseEvaluation, col(CaseEvaluation.case_id) == Case.id)
        .where(col(Case.closed_at).is_(None), col(Case.unit_id).in_(list(packs)))
    )
    rows = session.exec(query.order_by(Case.id)).all()
    return len(rows), [case_id for case_id, is_due in rows if is_due]


@dataclass
class Plan:
    """What one batch needs: evaluations to store as they are (with the stored row
    they replace), and the cases with something to do."""

    quiet: list[tuple[Stored | None, Stored]] = field(default_factory=list)
    busy: list[int] = field(default_factory=list)


def _plan(work: Work, ids: list[int], packs: dict[str, Pack]) -> Plan:
    """Evaluate a batch in memory from bulk reads, without the write lock.

    The candidates are checked again: a log or another tick may have
    settled a case since they were found.
    """
    session, now = work.session, work.now
    stored = evaluations.read(session, ids)
    cases = [
        case
        for case in session.exec(
            select(Case).where(col(Case.id).in_(ids), col(Case.closed_at).is_(None))
        )
        if case.id not in stored or not stored[case.id].settled or stored[case.id].due(now)
    ]
    ids = [c.id for c in cases]
    known = window_facts(session, {p.id: p for p in packs.values()}.values(), now, ids)
    states = consequences.case_states(session, cases, packs)
    rows = consequences.held(session, ids)
    plan = Plan()
    for case in cases:
        pack, facts, state = packs[case.unit_id], known.get(case.id, []), states[case.id]
        evaluation = evaluate(pack, facts, state, now)
        if consequences.quiet(
            case,
            pack,
            evaluation,
            proposals=rows.proposals[case.id],
            escalations=rows.escalations[case.id],
            actions=rows.actions[case.id],
        ):
            fresh = evaluations.of(case.id, pack, evaluation, facts, state, now, settled=True)
            plan.quiet.append((stored.get(case.id), fresh))
        else:
            plan.busy.append(case.id)
    return plan


def _carry_out(work: Work, plan: Plan, packs: dict[str, Pack], report: TickReport) -> None:
    """Write what the plan found, in the caller's write transaction.

    A quiet case whose stored evaluation changed since the plan was read (a
    log came in between) keeps the newer one; the busy cases are settled
    together, read afresh under the lock in a few bulk queries.
    """
    session = work.session
    current = evaluations.read(session, [fresh.case_id for _, fresh in plan.quiet])
    evaluations.save(
        session, [fresh for read, fresh in plan.quiet if current.get(fresh.case_id) == read]
    )
    busy = session.exec(
        select(Case)
        .where(col(Case.id).in_(plan.busy), col(Case.closed_at).is_(None))
        .order_by(Case.id)
    ).all()
    for case_id, result in consequences.settle(work, busy, packs).items():
        if result.moved:
            report.moved.append((case_id, result.moved.from_step, result.moved.to_step))
        report.proposals += [proposal_view(p) for p in result.proposals]
        report.withdrawn += [proposal_view(p) for p in result.withdrawn]
        report.escalations += [escalation_view(e) for e in result.escalations]
        report.closed += [escalation_view(e) for e in result.closed]
        report.actions += len(result.actions)


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
