"""The leader's view (§1.2, ``staircase assess``).

Every case of the leader's units with its step and what its observations
indicate now, what changed since this person's previous assess, and what
waits for a decision. Each case's evaluation is stored (``evaluations``)
with the moment time alone can next change it; assess reads those that
hold and evaluates only the rest, in memory, from the observations inside
the rules' own windows (``window``), so a repeated assess costs what
changed, not the size of the municipality.

"Changed" is decided by what happened since the person's last assess — a
new observation, a move either way, a proposal raised or decided, an
escalation raised — not by comparing two snapshots, which would miss a
case that went up and came back down in between.
"""

from datetime import datetime

from sqlalchemy import delete, func, insert, union
from sqlmodel import Session, col, select

from staircase.cases import consequences, evaluations
from staircase.cases.evaluations import Stored, id_chunks
from staircase.cases.show import action_view, escalation_view, proposal_view
from staircase.cases.window import window_facts
from staircase.core import audit
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
from staircase.domain.engine import evaluate
from staircase.domain.pack import Pack
from staircase.errors import NotAllowed
from staircase.i18n import _
from staircase.kinds import ActionStatus, EscalationStatus, ProposalStatus, Role
from staircase.views import AssessedCase, Assessment, SeenView


def assess(
    request: Request, *, unit: str | None = None, all_units: bool = False, recompute: bool = False
) -> Assessment:
    """Assess the acting person's units (or one unit, or all for quality/admin).

    Reads each case's stored evaluation and evaluates only those time may
    have changed (or, with ``recompute``, every case). The work is done
    under a read transaction; the write lock is taken only for the few rows
    to write. The listing is audited as one entry whose detail (outside the
    chain, purgeable) names the criteria and every case read.
    """
    with transaction(request, "assess", write=False) as work:
        if all_units and work.actor.role not in (Role.QUALITY, Role.ADMIN):
            raise NotAllowed(_("assess --all: only quality and admin read across all units"))
        asked = None if all_units else visible_units(work, unit, "assess")
        packs, skipped = unit_packs(work.session, asked)
        # A unit whose pack cannot be loaded is left out and reported (issue 11).
        units = asked if not skipped else sorted(packs)
        last = _last_assess(work)
        changed = _changed_since(work.session, units, last) if last else None
        cases, computed = _assessed_cases(work, units, packs, changed, recompute=recompute)
        steps = {step.id: 0 for pack in packs.values() for step in pack.ladder}
        for case in cases:
            steps[case.step] = steps.get(case.step, 0) + 1
        assessment = Assessment(
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
        seen = _seen_changes(work, cases)
        work.session.commit()
        work.session.connection(execution_options={"write": True})
        # An assess of the future (``--now`` ahead, which only reads) must not leave
        # evaluations that would be taken for current ones when the real time comes.
        if not work.clock.ahead:
            _store(work, computed)
        _remember(work, *seen)
        criteria = "units=" + (",".join(asked) if asked is not None else "*")
        work.audit(
            "assess",
            detail=audit.listing_detail(f"{criteria} recompute={recompute}", (c.id for c in cases)),
        )
        return assessment


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


Computed = dict[int, tuple[Stored | None, Stored]]
"""Evaluations assess had to compute: per case, what was stored when it read, and the new one."""


def _assessed_cases(
    work: Work,
    units: list[str] | None,
    packs: dict[str, Pack],
    changed: set[int] | None,
    *,
    recompute: bool,
) -> tuple[list[AssessedCase], Computed]:
    """Every open case with what it indicates: stored where it holds, computed where not."""
    session, now = work.session, work.now
    cases = session.exec(
        _in_units(
            select(Case.id, Case.unit_id, Case.step, Case.step_since, Resident.name, Relative.name)
            .join(Resident, Resident.id == Case.resident_id)
            .join(Relative, Relative.id == Case.relative_id)
            .where(col(Case.closed_at).is_(None)),
            Case.unit_id,
            units,
        ).order_by(Case.id)
    ).all()
    stored = evaluations.read(session, None if units is None else [c[0] for c in cases])
    stale = [c[0] for c in cases if recompute or c[0] not in stored or stored[c[0]].due(now)]
    everyone = len(stale) == len(cases) and units is None
    facts = window_facts(session, packs.values(), now, None if everyone else stale)
    seen = {
        row.case_id: row
        for row in session.exec(
            select(AssessSeen).where(AssessSeen.staff_id == work.actor.id)
        ).all()
    }
    computed: Computed = {}
    assessed = []
    rows = []
    stale_ids = set(stale)
    # What people have ruled on counts here as in tick: after a leader's move
    # down, the evidence set aside must not read as "indicated større".
    states = consequences.case_states(session, [c for c in cases if c.id in stale_ids], packs)
    for case_id, unit_id, step, _since, resident, relative in cases:
        pack = packs[unit_id]
        if case_id in stale_ids:
            known = facts.get(case_id, [])
            state = states[case_id]
            evaluation = evaluate(pack, known, state, now)
            fresh = evaluations.of(case_id, pack, evaluation, known, state, now, settled=False)
            had = stored.get(case_id)
            if had is None or not had.same(fresh) or had.due(now):
                computed[case_id] = (had, fresh)
        now_stored = fresh if case_id in stale_ids else stored[case_id]
        rows.append((case_id, unit_id, step, resident, relative, now_stored, seen.get(case_id)))
    # What each "why" rests on, read once for every case shown (§7.5: what was seen, when).
    shown = _seen_observations(
        session, {o for row in rows for w in row[5].why_views() for o in w.observations}
    )
    for case_id, unit_id, step, resident, relative, now_stored, before in rows:
        pack = packs[unit_id]
        why = now_stored.why_views()
        assessed.append(
            AssessedCase(
                id=case_id,
                unit_id=unit_id,
                resident=resident,
                relative=relative,
                step=step,
                indicated_step=now_stored.indicated,
                why=why,
                seen=[shown[o] for w in why for o in dict.fromkeys(w.observations) if o in shown],
                previous_step=before.step if before else None,
                previous_indicated=before.indicated if before else None,
                # At a first assess there is no "since": the cases off the bottom
                # step are the overview, not forty quiet cases as news.
                changed=(
                    case_id in changed
                    if changed is not None
                    else step != pack.bottom.id or now_stored.indicated != pack.bottom.id
                ),
            )
        )
    return assessed, computed


def _seen_observations(session: Session, ids: set[int]) -> dict[int, SeenView]:
    """The kendetegn and time of each observation a shown "why" names."""
    found = {}
    for chunk in id_chunks(sorted(ids)):
        for obs_id, indicator, occurred_at in session.exec(
            select(Observation.id, Observation.indicator, Observation.occurred_at).where(
                col(Observation.id).in_(chunk)
            )
        ):
            if indicator is not None:
                found[obs_id] = SeenView(id=obs_id, indicator=indicator, occurred_at=occurred_at)
    return found


def _store(work: Work, computed: Computed) -> None:
    """Store what assess computed, unless the case was evaluated again meanwhile.

    Between the read and this write a log may have stored a newer
    evaluation; that one stands. What assess stores is not settled: it
    carried out nothing, so tick still looks at the case.
    """
    current = evaluations.read(work.session, list(computed))
    evaluations.save(
        work.session,
        [fresh for case_id, (read, fresh) in computed.items() if current.get(case_id) == read],
    )


Seen = tuple[list[int], list[dict]]
"""The seen rows to drop and those to write."""


def _seen_changes(work: Work, cases: list[AssessedCase]) -> Seen:
    """What this person's seen rows must become: only the rows that differ are written."""
    shown = {c.id: (c.step, c.indicated_step) for c in cases}
    had = {c.id: (c.previous_step, c.previous_indicated) for c in cases}
    rows = work.session.exec(
        select(AssessSeen.case_id).where(AssessSeen.staff_id == work.actor.id)
    ).all()
    gone = [case_id for case_id in rows if case_id not in shown]
    differ = [case_id for case_id, now_seen in shown.items() if had[case_id] != now_seen]
    return [*gone, *differ], [
        {"staff_id": work.actor.id, "case_id": i, "step": shown[i][0], "indicated": shown[i][1]}
        for i in differ
    ]


def _remember(work: Work, drop: list[int], write: list[dict]) -> None:
    """What this person saw, so their next assess shows what changed.

    Bulk statements, and only for the cases whose step or indication this
    person had not seen: a repeated assess over a municipality writes little.
    """
    for chunk in id_chunks(drop):
        work.session.exec(
            delete(AssessSeen).where(
                AssessSeen.staff_id == work.actor.id, col(AssessSeen.case_id).in_(chunk)
            )
        )
    if write:
        work.session.execute(insert(AssessSeen), write)


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
