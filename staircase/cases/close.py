"""Closing a case (§2: a case records when it was opened and closed).

A case ends when the relationship does: the resident moved or died, the
relative withdrew. Closing is what starts the retention clock (§6.6), so
it is a decision with a reason, taken by the unit's leader or an admin.
Open proposals are withdrawn, since nobody will decide them; open
escalations and actions stay visible as they were. Closed cases leave
assess, tick and case list, and refuse new observations.
"""

from sqlmodel import select

from staircase.cases.show import case_view
from staircase.clock import format_local
from staircase.core.lookup import get_case, require_reason
from staircase.core.permissions import permit_unit
from staircase.core.work import Request, Work, transaction
from staircase.db.models import Proposal
from staircase.errors import InvalidInput
from staircase.kinds import ProposalStatus
from staircase.views import CaseView


def close_case(request: Request, case_id: int, *, reason: str | None) -> CaseView:
    """Close a case now; the reason goes to the audit detail, outside the chain."""
    why = require_reason(reason, doing="closing a case")
    with transaction(request, "case.close") as work:
        case = get_case(work.session, case_id)
        permit_unit(work.actor, case.unit_id, "case.close")
        if case.closed_at is not None:
            closed = format_local(case.closed_at, work.clock.tz)
            raise InvalidInput(f"case {case_id} was already closed on {closed}")
        _withdraw_proposals(work, case_id)
        case.closed_at = work.now
        work.session.add(case)
        work.session.flush()
        work.audit("case.close", case_id=case_id, detail=why)
        return case_view(work, case)


def _withdraw_proposals(work: Work, case_id: int) -> None:
    """Nobody will decide a closed case's proposals: withdraw them, as tick would."""
    open_ones = work.session.exec(
        select(Proposal).where(Proposal.case_id == case_id, Proposal.status == ProposalStatus.OPEN)
    ).all()
    for proposal in open_ones:
        proposal.status, proposal.decided_at = ProposalStatus.WITHDRAWN, work.now
        proposal.reason = "case closed"
        work.session.add(proposal)
        work.audit("proposal.withdraw", case_id=case_id, subject=str(proposal.id))
