"""People deciding (§3.3): accepting or rejecting proposals, moving cases.

Every decision needs a reason, passes the state machine, becomes a
Transition, and is followed by a re-evaluation so proposals and
escalations stay consistent with the new step.
"""

from staircase.cases import consequences
from staircase.cases.show import case_view
from staircase.core.lookup import get_open_case, pack_for, require_reason
from staircase.core.permissions import permit_unit
from staircase.core.work import Request, Work, transaction
from staircase.db.models import Case, Proposal
from staircase.errors import InvalidInput, NotFound
from staircase.kinds import ProposalStatus
from staircase.views import CaseView


def _open_proposal(work: Work, proposal_id: int) -> tuple[Proposal, Case]:
    """An open proposal and its case, if the acting person may decide it."""
    proposal = work.session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(f"no proposal {proposal_id}; see `staircase assess`")
    if proposal.status != ProposalStatus.OPEN:
        raise InvalidInput(f"proposal {proposal_id} is already {proposal.status}")
    case = get_open_case(work.session, proposal.case_id)
    work.session.refresh(proposal)  # as it is now that the case is locked: decided once
    if proposal.status != ProposalStatus.OPEN:
        raise InvalidInput(f"proposal {proposal_id} is already {proposal.status}")
    permit_unit(work.actor, case.unit_id, "proposal.decide")
    return proposal, case


def accept(request: Request, proposal_id: int, *, reason: str | None) -> CaseView:
    """A leader accepts a proposal: the case moves as proposed."""
    why = require_reason(reason, doing="a decision")
    with transaction(request, "proposal.decide") as work:
        proposal, case = _open_proposal(work, proposal_id)
        if case.step != proposal.from_step:
            raise InvalidInput(
                f"proposal {proposal_id} was made for step {proposal.from_step}, "
                f"but the case is now on {case.step}; run `staircase show {case.id}`"
            )
        pack = pack_for(work.session, case)
        _decide(work, proposal, ProposalStatus.ACCEPTED, why)
        consequences.record_move(
            work,
            case,
            pack,
            proposal.to_step,
            reason=f"proposal {proposal_id} accepted: {why}",
            evidence=frozenset(proposal.evidence),
        )
        return case_view(work, case, consequences.reevaluate(work, case).evaluation)


def reject(request: Request, proposal_id: int, *, reason: str | None) -> CaseView:
    """A leader rejects a proposal; the same evidence will not raise it again."""
    why = require_reason(reason, doing="a decision")
    with transaction(request, "proposal.decide") as work:
        proposal, case = _open_proposal(work, proposal_id)
        _decide(work, proposal, ProposalStatus.REJECTED, why)
        return case_view(work, case)


def _decide(work: Work, proposal: Proposal, status: ProposalStatus, reason: str) -> None:
    proposal.status, proposal.reason = status, reason
    proposal.decided_by, proposal.decided_at = work.actor.id, work.now
    work.session.add(proposal)
    verb = {ProposalStatus.ACCEPTED: "accept", ProposalStatus.REJECTED: "reject"}[status]
    work.audit(
        f"proposal.{verb}", case_id=proposal.case_id, subject=str(proposal.id), detail=reason
    )


def move(request: Request, case_id: int, step: str, *, reason: str | None) -> CaseView:
    """A person moves a case; the state machine says whether they may."""
    why = require_reason(reason, doing="a decision")
    with transaction(request, "move") as work:
        case = get_open_case(work.session, case_id)
        permit_unit(work.actor, case.unit_id, "move")
        pack = pack_for(work.session, case)
        consequences.record_move(work, case, pack, pack.step(step).id, reason=why)
        return case_view(work, case, consequences.reevaluate(work, case).evaluation)
