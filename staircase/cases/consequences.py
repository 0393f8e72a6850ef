"""Carrying out what the engine says, for one case or many at once (§3.3–3.4).

``settle`` is the single path from observations to consequences: a log, a
decision, a move and an import settle their cases, tick its busy ones, the
bench's build every open case, so an automatic move, a proposal, an
escalation or an action always arises the same way. It works set-wise:
the cases' facts, states and rows are read in a few bulk queries, the
engine evaluates each in memory, and what changed is written in one flush
(a ``Ledger``). ``arrive`` is the single path for a case arriving on a
higher step, whoever moved it — the rules, an accepted proposal, a person —
so the step's policy (its escalation, its actions) applies the same way
each time. Nothing here decides legality; the state machine does.
"""

from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from sqlmodel import Session, col, select

from staircase.cases import evaluations
from staircase.cases.evaluations import Stored, id_chunks, of_cases
from staircase.cases.window import Window, window_facts
from staircase.clock import due_after
from staircase.core import notify
from staircase.core.lookup import pack_for
from staircase.core.work import Work
from staircase.db.models import Action, Case, Escalation, Observation, Proposal, Transition, Unit
from staircase.domain.engine import CaseState, EscalationOrder, Evaluation, Fact, evaluate
from staircase.domain.machine import machine_for
from staircase.domain.pack import Pack
from staircase.i18n import N_
from staircase.kinds import ActionStatus, Addressee, Direction, EscalationStatus, ProposalStatus

Row = TypeVar("Row", Proposal, Escalation, Action)


@dataclass
class Consequences:
    """What one evaluation changed, for the user to see right after a log or tick."""

    evaluation: Evaluation
    moved: Transition | None = None
    proposals: list[Proposal] = field(default_factory=list)
    withdrawn: list[Proposal] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)
    closed: list[Escalation] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


@dataclass
class Held:
    """The rows of many cases that consequences depend on, grouped by case in id
    order: the open proposals, and all escalations and actions (what they
    already answered counts, not only what is open)."""

    proposals: dict[int, list[Proposal]]
    escalations: dict[int, list[Escalation]]
    actions: dict[int, list[Action]]


def held(session: Session, case_ids: Collection[int]) -> Held:
    """Three queries per few thousand cases, for tick's plan and for a ``Ledger``."""
    open_proposal = Proposal.status == ProposalStatus.OPEN
    return Held(
        _by_case(session, Proposal, case_ids, open_proposal),
        _by_case(session, Escalation, case_ids),
        _by_case(session, Action, case_ids),
    )


def _by_case(
    session: Session, table: type[Row], case_ids: Collection[int], *where
) -> dict[int, list[Row]]:
    grouped: dict[int, list[Row]] = defaultdict(list)
    for chunk in id_chunks(case_ids):
        query = select(table).where(col(table.case_id).in_(chunk), *where)
        for row in session.exec(query.order_by(col(table.id))):
            grouped[row.case_id].append(row)
    return grouped


class Ledger:
    """The held rows of a set of cases, changed in memory and written in one flush.

    The audit entries name the new rows' ids, which the database gives only
    at the flush, so every entry (and every mail) waits for ``write`` and
    is then recorded in the order things happened.
    """

    def __init__(self, work: Work, case_ids: Collection[int]) -> None:
        self.work = work
        self.rows = held(work.session, case_ids)
        self._after: list[Callable[[], None]] = []

    def add(self, row: Transition | Proposal | Escalation | Action | Case) -> None:
        self.work.session.add(row)

    def audit(
        self, action: str, case_id: int, subject: Callable[[], str], detail: str | None = None
    ) -> None:
        """An audit entry, recorded at ``write`` once ``subject`` can name the ids."""
        self._after.append(
            lambda: self.work.audit(action, case_id=case_id, subject=subject(), detail=detail)
        )

    def later(self, then: Callable[[], None]) -> None:
        """Something that needs the new rows' ids (a mail, a note naming a row)."""
        self._after.append(then)

    def open_proposals(self, case_id: int) -> list[Proposal]:
        return [p for p in self.rows.proposals[case_id] if p.status == ProposalStatus.OPEN]

    def open_escalations(self, case_id: int, step: str | None = None) -> list[Escalation]:
        return [
            e
            for e in self.rows.escalations[case_id]
            if e.status == EscalationStatus.OPEN and step in (None, e.step)
        ]

    def open_actions(self, case_id: int) -> list[Action]:
        return [a for a in self.rows.actions[case_id] if a.status == ActionStatus.OPEN]

    def write(self) -> None:
        """One flush for everything, then the audit entries and mail in order."""
        self.work.session.flush()
        after, self._after = self._after, []
        for then in after:
            then()


@contextmanager
def carrying_out(work: Work, cases: Collection[Case]) -> Iterator[Ledger]:
    """A ledger of the cases' rows, written when the block ends."""
    ledger = Ledger(work, [c.id for c in cases])
    yield ledger
    ledger.write()


def facts(session: Session, case_id: int) -> list[Fact]:
    """All the case's observations as engine facts, retractions applied (for ``show``)."""
    rows = session.exec(
        select(
            Observation.id, Observation.indicator, Observation.occurred_at, Observation.retracts_id
        )
        .where(Observation.case_id == case_id)
        .order_by(Observation.occurred_at)
    ).all()
    retracted = {r.retracts_id for r in rows if r.retracts_id is not None}
    return [
        Fact(r.id, r.indicator, r.occurred_at, r.id in retracted)
        for r in rows
        if r.indicator is not None
    ]


def case_state(session: Session, case: Case, pack: Pack | None = None) -> CaseState:
    """The case's step and what people have already ruled on (§3.3)."""
    return case_states(session, [case], {case.unit_id: pack or pack_for(session, case)})[case.id]


def case_states(
    session: Session, cases: Collection[Case], packs: Mapping[str, Pack]
) -> dict[int, CaseState]:
    """The state of many cases at once, in a few queries, for tick's and assess's batches.

    Only ``id``, ``unit_id``, ``step`` and ``step_since`` of each case are
    read, so assess passes the rows of its listing query as they come.

    Dismissed (no nagging): the evidence of a rejected proposal up. Set
    aside: every observation logged up to the latest move down by a person
    (their own move, or a proposal down they accepted) — the person judged
    the case with those in view, so only later observations raise it again.
    The calm count for a step down restarts at the arrival on the step and
    at a rejected down proposal.
    """
    ids = [c.id for c in cases]
    rejected: dict[int, list[tuple[Direction, tuple[int, ...], datetime]]] = defaultdict(list)
    downs: dict[int, datetime] = {}
    by_id = {c.id: c for c in cases}
    for proposals in of_cases(Proposal.case_id, ids):
        for case_id, direction, evidence, decided_at in session.exec(
            select(Proposal.case_id, Proposal.direction, Proposal.evidence, Proposal.decided_at)
            .where(proposals)
            .where(Proposal.status == ProposalStatus.REJECTED)
        ):
            if case_id in by_id:
                rejected[case_id].append((direction, evidence, decided_at))
    for transitions in of_cases(Transition.case_id, ids):
        for case_id, from_step, to_step, at in session.exec(
            select(Transition.case_id, Transition.from_step, Transition.to_step, Transition.at)
            .where(transitions)
            .where(col(Transition.by_staff).is_not(None))
        ):
            if case_id not in by_id:
                continue
            pack = packs[by_id[case_id].unit_id]
            if pack.rank(to_step) < pack.rank(from_step):
                downs[case_id] = max(at, downs.get(case_id, at))
    set_aside: dict[int, set[int]] = defaultdict(set)
    for chunk in id_chunks(list(downs)):  # one query per chunk, not one per case moved down
        for case_id, obs_id, logged_at in session.exec(
            select(Observation.case_id, Observation.id, Observation.logged_at).where(
                col(Observation.case_id).in_(chunk)
            )
        ):
            if logged_at <= downs[case_id]:
                set_aside[case_id].add(obs_id)
    states = {}
    for case in cases:
        if case.id not in rejected and case.id not in set_aside:  # most cases: nothing ruled on
            states[case.id] = CaseState(case.step, case.step_since)
            continue
        decided = rejected.get(case.id, [])
        floors = [case.step_since, *(at for d, _, at in decided if d == Direction.DOWN)]
        states[case.id] = CaseState(
            step=case.step,
            calm_floor=max(floors),
            dismissed=frozenset(o for d, ev, _ in decided if d == Direction.UP for o in ev),
            set_aside=frozenset(set_aside.get(case.id, ())),
        )
    return states


def reevaluate(work: Work, case: Case, pack: Pack | None = None) -> Consequences:
    """``settle`` for one case (after a log or a decision)."""
    return settle(work, [case], {case.unit_id: pack or pack_for(work.session, case)})[case.id]


def settle(
    work: Work,
    cases: Collection[Case],
    packs: Mapping[str, Pack],
    *,
    window: Window | None = None,
) -> dict[int, Consequences]:
    """Evaluate the cases now, carry out the consequences, and store the evaluations.

    ``packs`` maps each case's unit to its pack. The facts are the ones the
    rules can see (``window_facts``; the engine finds the same with them as
    with all), read with the states and held rows in a few bulk queries for
    the whole set; the changes are written in one flush and the evaluations
    in one statement. A stored evaluation is settled: what it calls for has
    just been done.

    Whoever settles many cases a batch at a time (an import) passes one
    ``window`` read for them all: ``window_facts`` reads each batch's cases
    through their index range on every call, the window is one scan.
    """
    session, now = work.session, work.now
    ids = [c.id for c in cases]
    if window is not None:
        known = window.facts(ids)
    else:
        used = {packs[c.unit_id].id: packs[c.unit_id] for c in cases}
        known = window_facts(session, used.values(), now, ids)
    states = case_states(session, cases, packs)
    results: dict[int, Consequences] = {}
    stored: list[Stored] = []
    with carrying_out(work, cases) as ledger:
        for case in cases:
            pack, facts_, state = packs[case.unit_id], known.get(case.id, []), states[case.id]
            results[case.id] = _carry_out(ledger, case, pack, evaluate(pack, facts_, state, now))
            after = CaseState(
                step=case.step,
                calm_floor=max(state.calm_floor or case.step_since, case.step_since),
            )
            evaluation = results[case.id].evaluation
            stored.append(
                evaluations.of(case.id, pack, evaluation, facts_, after, now, settled=True)
            )
    evaluations.save(session, stored)
    return results


def _carry_out(ledger: Ledger, case: Case, pack: Pack, evaluation: Evaluation) -> Consequences:
    """One case's consequences, in the ledger: move, proposals, escalations, actions."""
    result = Consequences(evaluation)
    if evaluation.auto_to:
        result.moved = record_move(
            ledger,
            case,
            pack,
            evaluation.auto_to,
            by_rules=evaluation,
            reason="indicated by " + ", ".join(r.rule for r in evaluation.why),
        )
        arrival = arrive(ledger, case, pack, result.moved)
        result.escalations += arrival.escalations
        result.actions += arrival.actions
    _reconcile_proposals(ledger, case, pack, evaluation, result)
    for order in _orders_at_issue(ledger, case, pack, evaluation, result.proposals):
        escalation = _escalate(ledger, case, order)
        if escalation is not None:
            result.escalations.append(escalation)
    result.actions += _rule_actions(ledger, case, pack, evaluation)
    result.closed = close_escalations_not_at_issue(ledger, case)
    return result


def quiet(
    case: Case,
    pack: Pack,
    evaluation: Evaluation,
    *,
    proposals: list[Proposal],
    escalations: list[Escalation],
    actions: list[Action],
) -> bool:
    """Would ``settle`` change nothing? Asked by tick of every case it looks at,
    with the case's open proposals and all its escalations and actions loaded
    in bulk, so that only the cases with something to do take the full path.

    Mirrors ``settle`` step by step: no automatic move, the open proposals
    exactly those ``_reconcile_proposals`` keeps, every order at issue already
    seen by an escalation, every rule action answered or open, and no open
    escalation for a step no longer at issue.
    """
    if evaluation.auto_to:
        return False
    wanted = evaluation.proposal
    for proposal in proposals:
        current = proposal.from_step == case.step
        if wanted and proposal.to_step == wanted.to_step and current:
            wanted = None
        elif not (made_by_person(proposal) and current):
            return False
    if wanted is not None:
        return False
    at_issue = {case.step, *(p.to_step for p in proposals)}
    for order in evaluation.escalations:
        seen = frozenset().union(*(e.evidence for e in escalations if e.to_role == order.to))
        if order.step in at_issue and not order.evidence <= seen:
            return False
    open_kinds = {a.action for a in actions if a.status == ActionStatus.OPEN}
    for reason in evaluation.fired:
        for action_id in pack.get_rule(reason.rule).then.actions:
            answered = frozenset().union(*(a.evidence for a in actions if a.action == action_id))
            covered = action_id in open_kinds or any(
                action_id in pack.supersedes(a) for a in open_kinds
            )
            if not (frozenset(reason.observations) <= answered or covered):
                return False
    return not any(
        e.status == EscalationStatus.OPEN and e.step not in at_issue for e in escalations
    )


def record_move(
    ledger: Ledger,
    case: Case,
    pack: Pack,
    to_step: str,
    *,
    reason: str,
    by_rules: Evaluation | None = None,
    evidence: frozenset[int] = frozenset(),
) -> Transition:
    """Move the case through the state machine and record the Transition.

    ``evidence`` (or the rules' own) is kept with the move: the history says
    what the move rested on.
    """
    work = ledger.work
    by_leader = leads(work, case)
    mover = "rules" if by_rules else "person"
    machine_for(pack).move(case.step, to_step, mover=mover, by_leader=by_leader)
    transition = Transition(
        case_id=case.id,
        from_step=case.step,
        to_step=to_step,
        at=work.now,
        by_staff=None if by_rules else work.actor.id,
        by_rule=tuple(r.rule for r in by_rules.why) if by_rules else None,
        reason=reason,
        pack=pack.id,
        pack_version=pack.version,
        evidence=by_rules.basis if by_rules else evidence,
    )
    move = f"{transition.from_step}->{to_step}"
    case.step, case.step_since = to_step, work.now
    ledger.add(transition)
    ledger.add(case)
    ledger.audit("case.move", case.id, lambda: move)
    return transition


def leads(work: Work, case: Case) -> bool:
    """Is the acting person a leader over the case's unit (§3.3 "only a leader")?"""
    return work.actor.is_leader and case.unit_id in work.actor.units


@dataclass
class Arrival:
    """What a case's arrival on a higher step raised."""

    escalations: list[Escalation] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


def arrive(
    ledger: Ledger, case: Case, pack: Pack, move: Transition, *, escalated: bool = False
) -> Arrival:
    """Apply the policy of the step a case arrived on from below (§3.3, §3.4).

    The step's escalation is raised unless ``escalated`` (an accepted
    proposal's escalation, which the decision acknowledged) or one for the
    step is open already; a leader who moved the case decided it, so theirs
    (new or open) is acknowledged at once, and a new one only tells whom the
    policy informs. The step's actions are created, each unless one of its
    kind, or one that supersedes it, is open already. A move down raises
    nothing: the actions it leaves open are listed for the leader instead
    (``left_open``).
    """
    work, arrival = ledger.work, Arrival()
    if pack.rank(move.to_step) <= pack.rank(move.from_step):
        return arrival
    order = policy_order(pack, move.to_step, rules=move.by_rule or (), evidence=move.evidence)
    if order is not None and not escalated:
        decided = move.by_staff is not None and leads(work, case)
        pending = ledger.open_escalations(case.id, move.to_step)
        for escalation in pending if decided else ():
            acknowledge_chain(work, escalation, note=f"the case was moved to {move.to_step}")
            ledger.audit("escalation.ack", case.id, lambda e=escalation: str(e.id))
        if not pending:
            arrival.escalations.append(
                raise_escalation(
                    ledger, case, order, acknowledged_by=work.actor.id if decided else None
                )
            )
    for action_id in pack.get_step(move.to_step).actions:
        action = create_action(
            ledger, case, pack, action_id, rules=move.by_rule or (), evidence=move.evidence
        )
        if action is not None:
            arrival.actions.append(action)
    return arrival


def open_escalations(session: Session, case_id: int, step: str | None = None) -> list[Escalation]:
    """The case's escalations still waiting for acknowledgement, for one step or all."""
    query = select(Escalation).where(
        Escalation.case_id == case_id, Escalation.status == EscalationStatus.OPEN
    )
    if step is not None:
        query = query.where(Escalation.step == step)
    return list(session.exec(query).all())


def policy_order(
    pack: Pack, step_id: str, *, rules: tuple[str, ...], evidence: frozenset[int] | tuple[int, ...]
) -> EscalationOrder | None:
    """The step's own escalation policy as an order, or None where it asks nobody."""
    policy = pack.get_step(step_id).escalation
    if policy.to == "none" or (policy.acknowledge_days is None and not policy.inform):
        return None
    return EscalationOrder(
        step=step_id,
        to=policy.to,
        acknowledge_days=policy.acknowledge_days,
        inform=policy.inform,
        rules=tuple(rules),
        evidence=frozenset(evidence),
    )


def _reconcile_proposals(
    ledger: Ledger, case: Case, pack: Pack, evaluation: Evaluation, result: Consequences
) -> None:
    """Keep exactly the proposal the evaluation supports open; withdraw the rest.

    A proposal a person made (a staff member's move to a ``leader_only``
    step) is not the rules' to withdraw: it waits for its leader, unless the
    case has since arrived on its step.
    """
    wanted = evaluation.proposal
    for proposal in ledger.open_proposals(case.id):
        current = proposal.from_step == case.step
        if wanted and proposal.to_step == wanted.to_step and current:
            wanted = None
            continue
        if made_by_person(proposal) and current:
            continue
        reason = (
            f"the case was moved to {case.step}"
            if proposal.to_step == case.step or not current
            else N_("no longer indicated")
        )
        withdraw(ledger, proposal, reason)
        result.withdrawn.append(proposal)
    if wanted is None:
        return
    proposal = Proposal(
        case_id=case.id,
        from_step=case.step,
        to_step=wanted.to_step,
        direction=wanted.direction,
        raised_at=ledger.work.now,
        rules=tuple(r.rule for r in evaluation.why),
        evidence=wanted.evidence,
        pack=pack.id,
        pack_version=pack.version,
    )
    ledger.add(proposal)
    ledger.rows.proposals[case.id].append(proposal)
    result.proposals.append(proposal)
    ledger.audit("proposal.raise", case.id, lambda: f"{proposal.id}:{proposal.to_step}")


def made_by_person(proposal: Proposal) -> bool:
    """A proposal up that no rule made: a staff member's move to a ``leader_only`` step."""
    return proposal.direction == Direction.UP and not proposal.rules


def withdraw(ledger: Ledger, proposal: Proposal, reason: str) -> None:
    """Withdraw an open proposal nobody needs to decide any more, saying why."""
    proposal.status, proposal.decided_at = ProposalStatus.WITHDRAWN, ledger.work.now
    proposal.reason = reason
    ledger.add(proposal)
    ledger.audit("proposal.withdraw", proposal.case_id, lambda: str(proposal.id))


def steps_at_issue(ledger: Ledger, case: Case) -> set[str]:
    """The step the case stands on and every step an open proposal would move it to."""
    return {case.step, *(p.to_step for p in ledger.open_proposals(case.id))}


def _orders_at_issue(
    ledger: Ledger, case: Case, pack: Pack, evaluation: Evaluation, raised: list[Proposal]
) -> list[EscalationOrder]:
    """The escalations to raise: the engine's, for steps at issue, and each new proposal's.

    An order for a step the case neither stands on nor is proposed for
    (evidence a person set aside by moving the case down) raises nothing.
    A new proposal up always brings its step's escalation (§3.3), even when
    the engine's orders speak of another step.
    """
    at_issue = steps_at_issue(ledger, case)
    orders = [o for o in evaluation.escalations if o.step in at_issue]
    for proposal in raised:
        if proposal.direction == Direction.UP and all(o.step != proposal.to_step for o in orders):
            order = policy_order(
                pack, proposal.to_step, rules=proposal.rules, evidence=proposal.evidence
            )
            orders += [order] if order is not None else []
    return orders


def _escalate(ledger: Ledger, case: Case, order: EscalationOrder) -> Escalation | None:
    """Raise an escalation unless one already covers the same evidence.

    An open escalation to the same addressee about the same step absorbs new
    evidence (and the sooner deadline); a new one is raised only for evidence
    that no earlier escalation of the case has seen, so a leader is not told
    twice — but is told again when the case points a step higher.
    """
    earlier = [e for e in ledger.rows.escalations[case.id] if e.to_role == order.to]
    seen = frozenset().union(*(e.evidence for e in earlier))
    if order.evidence <= seen:
        return None
    pending = next(
        (e for e in earlier if e.status == EscalationStatus.OPEN and e.step == order.step), None
    )
    if pending is None:
        return raise_escalation(ledger, case, order)
    due = _due(ledger.work, order)
    pending.evidence = frozenset(pending.evidence) | order.evidence
    pending.rules = _joined(pending.rules, order.rules)
    pending.inform = _joined(pending.inform, order.inform)
    if due is not None and (pending.due_at is None or due < pending.due_at):
        pending.due_at = due
    ledger.add(pending)
    return None


def raise_escalation(
    ledger: Ledger, case: Case, order: EscalationOrder, *, acknowledged_by: str | None = None
) -> Escalation:
    """Store a new escalation and tell its people; acknowledged at once when its
    addressee is the very leader who decided the move."""
    work = ledger.work
    escalation = Escalation(
        case_id=case.id,
        step=order.step,
        to_role=order.to,
        to_unit=_unit_for(work.session, case, order.to),
        inform=order.inform,
        rules=order.rules,
        evidence=order.evidence,
        raised_at=work.now,
        due_at=_due(work, order),
    )
    if acknowledged_by is not None:
        escalation.status = EscalationStatus.ACKNOWLEDGED
        escalation.acknowledged_by, escalation.acknowledged_at = acknowledged_by, work.now
        escalation.note = N_("decided by the leader who moved the case")
    ledger.add(escalation)
    ledger.rows.escalations[case.id].append(escalation)
    ledger.audit("escalation.raise", case.id, lambda: f"{escalation.id}:{order.to}")
    if acknowledged_by is None or escalation.inform:
        ledger.later(lambda: queue_mail(work, escalation))
    return escalation


def _due(work: Work, order: EscalationOrder) -> datetime | None:
    if order.acknowledge_days is None:
        return None
    return due_after(work.now, order.acknowledge_days, work.clock.tz)


def _joined(stored: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...]:
    """A stored list with more names added, each once, in order."""
    return tuple(dict.fromkeys((*stored, *more)))


def queue_mail(work: Work, escalation: Escalation) -> None:
    """Tell the escalation's people by e-mail, when the installation sends mail."""
    if work.mail is not None and notify.enqueue(
        work.session, escalation, tz=work.clock.tz, now=work.now
    ):
        work.send_mail = True


def _unit_for(session: Session, case: Case, role: str) -> str:
    """The unit whose leader a role means: the area (parent) for ``area_leader``."""
    if role != Addressee.AREA_LEADER:
        return case.unit_id
    unit = session.get(Unit, case.unit_id)
    return unit.parent_id or unit.id


def acknowledge_chain(work: Work, escalation: Escalation, *, note: str | None) -> None:
    """Acknowledge the escalation and every link it was escalated from or to."""
    for link in escalation_chain(work.session, escalation):
        if link.status in (EscalationStatus.OPEN, EscalationStatus.ESCALATED):
            link.status = EscalationStatus.ACKNOWLEDGED
            link.acknowledged_by, link.acknowledged_at = work.actor.id, work.now
            link.note = note
            work.session.add(link)


def escalation_chain(session: Session, escalation: Escalation) -> list[Escalation]:
    """The escalation with those it was escalated from and to."""
    root = escalation
    while root.escalated_from_id is not None:
        root = session.get(Escalation, root.escalated_from_id)
    chain, current = [root], root
    while nxt := session.exec(
        select(Escalation).where(Escalation.escalated_from_id == current.id)
    ).first():
        chain.append(nxt)
        current = nxt
    return chain


def close_escalations_not_at_issue(
    ledger: Ledger, case: Case, *, reason: str | None = None
) -> list[Escalation]:
    """Close the open escalations for a step the case neither stands on nor is proposed for.

    Nobody should be chased to acknowledge a step that is no longer at issue
    (§3.4); the reason is kept in the escalation's note. With ``reason`` (a
    closed case) every open escalation closes.
    """
    at_issue = set() if reason else steps_at_issue(ledger, case)
    closed = []
    for escalation in ledger.open_escalations(case.id):
        if escalation.step in at_issue:
            continue
        escalation.status = EscalationStatus.CLOSED
        escalation.note = reason or (
            f"closed: {escalation.step} is no longer at issue; "
            f"the case stands on {case.step} and is not proposed for {escalation.step}"
        )
        ledger.add(escalation)
        ledger.audit("escalation.close", case.id, lambda e=escalation: str(e.id))
        closed.append(escalation)
    return closed


def create_action(
    ledger: Ledger,
    case: Case,
    pack: Pack,
    action_id: str,
    *,
    rules: tuple[str, ...],
    evidence: frozenset[int] | tuple[int, ...],
) -> Action | None:
    """Create one recommended action, unless it (or one that supersedes it) is open.

    Its owner is the pack's; an action for the contact person goes to the
    unit's leader when the case has none, so no action is owned by nobody.
    Open actions it supersedes are closed as replaced (§3.4).
    """
    work, spec = ledger.work, pack.action(action_id)
    if pack.covered(action_id, {a.action for a in ledger.open_actions(case.id)}):
        return None
    owner = spec.owner
    if owner == Addressee.CONTACT and case.contact_id is None:
        owner = Addressee.UNIT_LEADER
    action = Action(
        case_id=case.id,
        action=action_id,
        owner_role=owner,
        owner_id=case.contact_id if owner == Addressee.CONTACT else None,
        created_at=work.now,
        due_at=due_after(work.now, spec.due_days, work.clock.tz),
        rules=tuple(rules),
        evidence=frozenset(evidence),
    )
    ledger.add(action)
    ledger.audit("action.create", case.id, lambda: f"{action.id}:{action_id}")
    _replace(ledger, case, action, spec.supersede)
    ledger.rows.actions[case.id].append(action)
    return action


def _replace(ledger: Ledger, case: Case, by: Action, superseded: tuple[str, ...]) -> None:
    """Close the case's open actions that ``by`` supersedes, naming it once it has an id."""
    for action in ledger.open_actions(case.id):
        if action.action not in superseded:
            continue
        action.status, action.closed_at = ActionStatus.REPLACED, ledger.work.now
        ledger.add(action)

        def note(action: Action = action) -> None:
            action.note = f"replaced by action {by.id} ({by.action})"

        ledger.later(note)
        ledger.audit("action.replace", case.id, lambda a=action: f"{a.id}->{by.id}")


def _rule_actions(ledger: Ledger, case: Case, pack: Pack, evaluation: Evaluation) -> list[Action]:
    """Create the actions of the rules that fired on new evidence, at once (§3.4).

    A rule's own actions (the work-environment ones) do not wait for any
    step: a violent episode is registered the same day. An action is not
    created again for evidence an earlier one of its kind already answered;
    a new episode creates it anew.
    """
    existing = ledger.rows.actions[case.id]
    created = []
    for reason in evaluation.fired:
        for action_id in pack.get_rule(reason.rule).then.actions:
            answered = frozenset().union(*(a.evidence for a in existing if a.action == action_id))
            if frozenset(reason.observations) <= answered:
                continue
            action = create_action(
                ledger, case, pack, action_id, rules=(reason.rule,), evidence=reason.observations
            )
            if action is not None:
                created.append(action)
    return created


def left_open(session: Session, case: Case, pack: Pack) -> list[Action]:
    """The open actions a move down or a close leaves behind, for the leader (§3.4).

    After a move down: those that do not belong to the step the case now
    stands on or below (a higher step's, or a rule's). After a close: all.
    They stay open — a person decides whether they are still needed.
    """
    rank = pack.rank(case.step) if case.closed_at is None else pack.bottom.rank - 1
    kept = {a for step in pack.ladder if step.rank <= rank for a in step.actions}
    rows = session.exec(
        select(Action)
        .where(Action.case_id == case.id, Action.status == ActionStatus.OPEN)
        .order_by(Action.id)
    ).all()
    return [a for a in rows if a.action not in kept]
