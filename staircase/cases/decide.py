"""People deciding (§3.3): accepting or rejecting proposals, moving cases.

Every decision needs a reason, passes the state machine, becomes a
Transition (or, for a staff member's move to a ``leader_only`` step, a
proposal for the unit's leader), and is followed by a re-evaluation so
proposals and escalations stay consistent with the new step.
"""

from staircase.cases import consequences, evaluations
from staircase.cases.show import action_view, case_view, escalation_view, proposal_view
from staircase.core.lookup import get_open_case, pack_for, require_reason
from staircase.core.permissions import permit_unit
from staircase.core.work import Request, Work, transaction
from staircase.db.models import Case, Proposal, Transition
from staircase.domain.machine import machine_for
from staircase.domain.pack import Pack
from staircase.errors import InvalidInput, NotFound
from staircase.i18n import _
from staircase.kinds import Direction, ProposalStatus
from staircase.views import DecisionView, EscalationView


def _open_proposal(work: Work, proposal_id: int) -> tuple[Proposal, Case]:
    """An open proposal and its case, if the acting person may decide it."""
    proposal = work.session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(
            _("no proposal {proposal_id}; see `staircase assess`").format(proposal_id=proposal_id)
        )
    if proposal.status != ProposalStatus.OPEN:
        raise InvalidInput(
            _("proposal {proposal_id} is already {status}").format(
                proposal_id=proposal_id, status=proposal.status
            )
        )
    case = get_open_case(work.session, proposal.case_id)
    work.session.refresh(proposal)  # as it is now that the case is locked: decided once
    if proposal.status != ProposalStatus.OPEN:
        raise InvalidInput(
            _("proposal {proposal_id} is already {status}").format(
                proposal_id=proposal_id, status=proposal.status
            )
        )
    permit_unit(work.actor, case.unit_id, "proposal.decide")
    return proposal, case


def accept(request: Request, proposal_id: int, *, reason: str | None) -> DecisionView:
    """A leader accepts a proposal: the case moves as proposed.

    The escalation raised with the proposal is acknowledged by the decision
    and is the arrival's escalation: nothing new to acknowledge (§3.3).
    """
    why = require_reason(reason, doing=_("a decision"))
    with transaction(request, "proposal.decide") as work:
        proposal, case = _open_proposal(work, proposal_id)
        if case.step != proposal.from_step:
            raise InvalidInput(
                _(
                    "proposal {proposal_id} was made for step {from_step}, but the case is now "
                    "on {step}; run `staircase show {id}`"
                ).format(
                    proposal_id=proposal_id,
                    from_step=proposal.from_step,
                    step=case.step,
                    id=case.id,
                )
            )
        pack = pack_for(work.session, case)
        acknowledged = _decide(work, proposal, ProposalStatus.ACCEPTED, why)
        with consequences.carrying_out(work, [case]) as ledger:
            move = consequences.record_move(
                ledger,
                case,
                pack,
                proposal.to_step,
                reason=f"proposal {proposal_id} accepted: {why}",
                evidence=frozenset(proposal.evidence),
            )
            consequences.arrive(ledger, case, pack, move, escalated=True)
        return _after_move(work, case, pack, move, acknowledged=tuple(acknowledged))


def reject(request: Request, proposal_id: int, *, reason: str | None) -> DecisionView:
    """A leader rejects a proposal; the same evidence will not raise it again.

    The escalation raised with it is acknowledged by the decision: the
    leader has looked at the case, and is not chased for it any more.
    """
    why = require_reason(reason, doing=_("a decision"))
    with transaction(request, "proposal.decide") as work:
        proposal, case = _open_proposal(work, proposal_id)
        acknowledged = _decide(work, proposal, ProposalStatus.REJECTED, why)
        # What the rules indicate is unchanged, but what follows from it may be
        # (a rejection dismisses evidence, restarts a calm count): tick looks again.
        evaluations.unsettle(work.session, case.id)
        return DecisionView(case=case_view(work, case), acknowledged=acknowledged)


def _decide(
    work: Work, proposal: Proposal, status: ProposalStatus, reason: str
) -> list[EscalationView]:
    """Record the decision and acknowledge the escalations raised with the proposal."""
    proposal.status, proposal.reason = status, reason
    proposal.decided_by, proposal.decided_at = work.actor.id, work.now
    work.session.add(proposal)
    verb = {ProposalStatus.ACCEPTED: "accept", ProposalStatus.REJECTED: "reject"}[status]
    work.audit(
        f"proposal.{verb}", case_id=proposal.case_id, subject=str(proposal.id), detail=reason
    )
    if proposal.direction != Direction.UP:
        return []
    raised_with = consequences.open_escalations(work.session, proposal.case_id, proposal.to_step)
    note = f"proposal {proposal.id} {status}"
    for escalation in raised_with:
        consequences.acknowledge_chain(work, escalation, note=note)
        work.audit("escalation.ack", case_id=proposal.case_id, subject=str(escalation.id))
    return [escalation_view(e) for e in raised_with]


def move(request: Request, case_id: int, step: str, *, reason: str | None) -> DecisionView:
    """A person moves a case; the state machine says whether they may.

    A staff member's move up to a ``leader_only`` step becomes a proposal
    for the unit's leader, with the step's escalation (§3.3): labelling a
    relationship is a leader's decision, and the leader hears of it at once.
    """
    why = require_reason(reason, doing=_("a decision"))
    with transaction(request, "move") as work:
        case = get_open_case(work.session, case_id)
        permit_unit(work.actor, case.unit_id, "move")
        pack = pack_for(work.session, case)
        target = pack.step(step)
        going_up = target.rank > pack.rank(case.step)
        if going_up and target.leader_only and not consequences.leads(work, case):
            return _propose(work, case, pack, target.id, why)
        with consequences.carrying_out(work, [case]) as ledger:
            transition = consequences.record_move(ledger, case, pack, target.id, reason=why)
            consequences.arrive(ledger, case, pack, transition)
        return _after_move(work, case, pack, transition)


def _after_move(
    work: Work,
    case: Case,
    pack: Pack,
    move: Transition,
    *,
    acknowledged: tuple[EscalationView, ...] = (),
) -> DecisionView:
    """After a move and its arrival: a re-evaluation, and what the leader should see next."""
    evaluation = consequences.reevaluate(work, case).evaluation
    went_down = pack.rank(move.to_step) < pack.rank(move.from_step)
    left = consequences.left_open(work.session, case, pack) if went_down else []
    return DecisionView(
        case=case_view(work, case, evaluation),
        acknowledged=list(acknowledged),
        left_open=[action_view(pack, a) for a in left],
    )


def _propose(work: Work, case: Case, pack: Pack, target: str, why: str) -> DecisionView:
    """A staff member's move to a ``leader_only`` step, as a proposal with its escalation.

    An open proposal to the same step stands (the staff member agrees with
    it); any other open proposal up gives way to this one.
    """
    machine_for(pack).move(case.step, target, by_leader=True)  # refuses what no one may do
    with consequences.carrying_out(work, [case]) as ledger:
        open_ones = ledger.open_proposals(case.id)
        proposal = next((p for p in open_ones if p.to_step == target), None)
        for other in open_ones:
            if other is not proposal and other.direction == Direction.UP:
                consequences.withdraw(
                    ledger, other, f"replaced by {work.actor.id}'s proposal of {target}"
                )
        if proposal is None:
            proposal = Proposal(
                case_id=case.id,
                from_step=case.step,
                to_step=target,
                direction=Direction.UP,
                raised_at=work.now,
                reason=f"proposed by {work.actor.id}: {why}",
                pack=pack.id,
                pack_version=pack.version,
            )
            ledger.add(proposal)
            raised = proposal
            ledger.audit("proposal.raise", case.id, lambda: f"{raised.id}:{target}", detail=why)
        if all(e.step != target for e in ledger.open_escalations(case.id)):
            order = consequences.policy_order(pack, target, rules=(), evidence=())
            if order is not None:
                consequences.raise_escalation(ledger, case, order)
    evaluations.unsettle(work.session, case.id)
    return DecisionView(case=case_view(work, case), proposal=proposal_view(proposal))
