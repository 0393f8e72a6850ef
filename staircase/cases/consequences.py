"""Carrying out what the engine says for one case (§3.3–3.4).

``reevaluate`` is the single path from observations to consequences: it is
called after a log, a decision, a move and by tick, so an automatic move, a
proposal, an escalation or an action always arises the same way. Nothing
here decides legality; the state machine does.
"""

from dataclasses import dataclass, field
from itertools import pairwise

from sqlmodel import Session, select

from staircase.clock import due_after
from staircase.core import notify
from staircase.core.lookup import pack_for
from staircase.core.work import Work
from staircase.db.models import Action, Case, Escalation, Observation, Proposal, Transition, Unit
from staircase.domain.engine import CaseState, EscalationOrder, Evaluation, Fact, evaluate
from staircase.domain.machine import machine_for
from staircase.domain.pack import Pack
from staircase.kinds import ActionStatus, Addressee, Direction, EscalationStatus, ProposalStatus


@dataclass
class Consequences:
    """What one evaluation changed, for the user to see right after a log or tick."""

    evaluation: Evaluation
    moved: Transition | None = None
    proposals: list[Proposal] = field(default_factory=list)
    withdrawn: list[Proposal] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)


def facts(session: Session, case_id: int) -> list[Fact]:
    """The case's observations as engine facts, retractions applied."""
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


def case_state(session: Session, case: Case) -> CaseState:
    """The case's step and what people have already ruled on (§3.3 "no nagging").

    Dismissed evidence: a rejected proposal up, and a move up on evidence
    (automatic, or an accepted proposal) that a person undid by moving the
    case down from that step. The calm count for a step down restarts at the
    arrival on the step and at a rejected down proposal.
    """
    pack = pack_for(session, case)
    decided = session.exec(
        select(Proposal).where(
            Proposal.case_id == case.id, Proposal.status == ProposalStatus.REJECTED
        )
    ).all()
    dismissed = {o for p in decided if p.direction == Direction.UP for o in p.evidence}
    floors = [case.step_since, *(p.decided_at for p in decided if p.direction == Direction.DOWN)]
    moves = session.exec(
        select(Transition).where(Transition.case_id == case.id).order_by(Transition.id)
    ).all()
    for arrival, leaving in pairwise(moves):
        undone = leaving.by_staff and leaving.from_step == arrival.to_step
        if undone and pack.rank(leaving.to_step) < pack.rank(leaving.from_step):
            dismissed |= set(arrival.evidence)
    return CaseState(step=case.step, calm_floor=max(floors), dismissed=frozenset(dismissed))


def reevaluate(work: Work, case: Case) -> Consequences:
    """Evaluate the case now and carry out the consequences."""
    pack = pack_for(work.session, case)
    evaluation = evaluate(
        pack, facts(work.session, case.id), case_state(work.session, case), work.now
    )
    result = Consequences(evaluation)
    if evaluation.auto_to:
        result.moved = record_move(
            work,
            case,
            pack,
            evaluation.auto_to,
            by_rules=evaluation,
            reason="indicated by " + ", ".join(r.rule for r in evaluation.why),
        )
    _reconcile_proposals(work, case, pack, evaluation, result)
    for order in evaluation.escalations:
        escalation = _escalate(work, case, order)
        if escalation is not None:
            result.escalations.append(escalation)
    result.actions = _recommend(work, case, pack, evaluation)
    return result


def record_move(
    work: Work,
    case: Case,
    pack: Pack,
    to_step: str,
    *,
    reason: str,
    by_rules: Evaluation | None = None,
    evidence: frozenset[int] = frozenset(),
) -> Transition:
    """Move the case through the state machine and record the Transition.

    ``evidence`` (or the rules' own) is kept with the move, so that a person
    undoing it later dismisses that evidence (§3.3, no nagging).
    """
    by_leader = work.actor.is_leader and case.unit_id in work.actor.units
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
    case.step, case.step_since = to_step, work.now
    work.session.add_all([transition, case])
    work.session.flush()
    work.audit("case.move", case_id=case.id, subject=f"{transition.from_step}->{to_step}")
    return transition


def _reconcile_proposals(
    work: Work, case: Case, pack: Pack, evaluation: Evaluation, result: Consequences
) -> None:
    """Keep exactly the proposal the evaluation supports open; withdraw the rest."""
    wanted = evaluation.proposal
    open_ones = work.session.exec(
        select(Proposal).where(Proposal.case_id == case.id, Proposal.status == ProposalStatus.OPEN)
    ).all()
    for proposal in open_ones:
        if wanted and proposal.to_step == wanted.to_step and proposal.from_step == case.step:
            wanted = None
            continue
        proposal.status, proposal.decided_at = ProposalStatus.WITHDRAWN, work.now
        proposal.reason = "no longer indicated"
        work.session.add(proposal)
        result.withdrawn.append(proposal)
        work.audit("proposal.withdraw", case_id=case.id, subject=str(proposal.id))
    if wanted is None:
        return
    proposal = Proposal(
        case_id=case.id,
        from_step=case.step,
        to_step=wanted.to_step,
        direction=wanted.direction,
        raised_at=work.now,
        rules=tuple(r.rule for r in evaluation.why),
        evidence=wanted.evidence,
        pack=pack.id,
        pack_version=pack.version,
    )
    work.session.add(proposal)
    work.session.flush()
    result.proposals.append(proposal)
    work.audit("proposal.raise", case_id=case.id, subject=f"{proposal.id}:{wanted.to_step}")


def _escalate(work: Work, case: Case, order: EscalationOrder) -> Escalation | None:
    """Raise an escalation unless one already covers the same evidence.

    An open escalation to the same addressee about the same step absorbs new
    evidence (and the sooner deadline); a new one is raised only for evidence
    that no earlier escalation of the case has seen, so a leader is not told
    twice — but is told again when the case points a step higher.
    """
    earlier = work.session.exec(
        select(Escalation).where(Escalation.case_id == case.id, Escalation.to_role == order.to)
    ).all()
    seen = frozenset().union(*(e.evidence for e in earlier))
    if order.evidence <= seen:
        return None
    due = (
        due_after(work.now, order.acknowledge_days, work.clock.tz)
        if order.acknowledge_days is not None
        else None
    )
    pending = next(
        (e for e in earlier if e.status == EscalationStatus.OPEN and e.step == order.step), None
    )
    if pending is not None:
        pending.evidence = frozenset(pending.evidence) | order.evidence
        pending.rules = _joined(pending.rules, order.rules)
        pending.inform = _joined(pending.inform, order.inform)
        if due is not None and (pending.due_at is None or due < pending.due_at):
            pending.due_at = due
        work.session.add(pending)
        return None
    escalation = Escalation(
        case_id=case.id,
        step=order.step,
        to_role=order.to,
        to_unit=_unit_for(work.session, case, order.to),
        inform=order.inform,
        rules=order.rules,
        evidence=order.evidence,
        raised_at=work.now,
        due_at=due,
    )
    work.session.add(escalation)
    work.session.flush()
    work.audit("escalation.raise", case_id=case.id, subject=f"{escalation.id}:{order.to}")
    queue_mail(work, escalation)
    return escalation


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


def _recommend(work: Work, case: Case, pack: Pack, evaluation: Evaluation) -> list[Action]:
    """Create the recommended actions that new evidence calls for.

    An action is not created again while one with the same id is open, nor
    for evidence an earlier one already answered; a new episode (say a second
    violent incident) creates it anew.
    """
    existing = work.session.exec(select(Action).where(Action.case_id == case.id)).all()
    created = []
    for action_id, evidence in _action_evidence(pack, evaluation).items():
        same = [a for a in existing if a.action == action_id]
        if any(a.status == ActionStatus.OPEN for a in same):
            continue
        if evidence <= frozenset().union(*(a.evidence for a in same)):
            continue
        spec = pack.action(action_id)
        action = Action(
            case_id=case.id,
            action=action_id,
            owner_role=spec.owner,
            owner_id=case.contact_id if spec.owner == Addressee.CONTACT else None,
            created_at=work.now,
            due_at=due_after(work.now, spec.due_days, work.clock.tz),
            rules=tuple(
                r.rule for r in evaluation.fired if action_id in _rule_actions(pack, r.rule)
            ),
            evidence=evidence,
        )
        work.session.add(action)
        created.append(action)
    work.session.flush()
    for action in created:
        work.audit("action.create", case_id=case.id, subject=f"{action.id}:{action.action}")
    return created


def _rule_actions(pack: Pack, rule_id: str) -> tuple[str, ...]:
    return pack.get_rule(rule_id).then.actions


def _action_evidence(pack: Pack, evaluation: Evaluation) -> dict[str, frozenset[int]]:
    """Each recommended action with the observations that call for it."""
    evidence: dict[str, frozenset[int]] = {}
    for reason in evaluation.fired:
        for action_id in _rule_actions(pack, reason.rule):
            evidence[action_id] = evidence.get(action_id, frozenset()) | set(reason.observations)
    for action_id in evaluation.actions:
        evidence.setdefault(action_id, evaluation.evidence)
    return evidence
