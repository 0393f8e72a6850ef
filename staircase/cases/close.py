"""Closing a case (§2: a case records when it was opened and closed).

A case ends when the relationship does: the resident moved or died, the
relative withdrew. Closing is what starts the retention clock (§6.6), so
it is a decision with a reason, taken by the unit's leader or an admin.
Nobody will decide a closed case's proposals or should be chased about its
escalations: open proposals are withdrawn and open escalations closed
(§3.4). Open actions stay as they were and are listed for the leader.
Closed cases leave assess, tick and case list, and refuse new observations.
"""

from staircase.cases import consequences, evaluations
from staircase.cases.show import action_view, case_view
from staircase.clock import format_local
from staircase.core.lookup import get_case, pack_for, require_reason
from staircase.core.permissions import permit_unit
from staircase.core.work import Request, transaction
from staircase.errors import InvalidInput
from staircase.i18n import N_, _
from staircase.views import DecisionView

CASE_CLOSED = N_("case closed")
"""Stored in English as the reason of what closing withdrew; shown translated."""


def close_case(request: Request, case_id: int, *, reason: str | None) -> DecisionView:
    """Close a case now; the reason goes to the audit detail, outside the chain."""
    why = require_reason(reason, doing=_("closing a case"))
    with transaction(request, "case.close") as work:
        case = get_case(work.session, case_id)
        permit_unit(work.actor, case.unit_id, "case.close")
        if case.closed_at is not None:
            closed = format_local(case.closed_at, work.clock.tz)
            raise InvalidInput(
                _("case {case_id} was already closed on {closed}").format(
                    case_id=case_id, closed=closed
                )
            )
        with consequences.carrying_out(work, [case]) as ledger:
            for proposal in ledger.open_proposals(case.id):
                consequences.withdraw(ledger, proposal, CASE_CLOSED)
            consequences.close_escalations_not_at_issue(ledger, case, reason=CASE_CLOSED)
        case.closed_at = work.now
        evaluations.forget(work.session, case.id)
        work.session.add(case)
        work.session.flush()
        work.audit("case.close", case_id=case_id, detail=why)
        pack = pack_for(work.session, case)
        left = consequences.left_open(work.session, case, pack)
        return DecisionView(
            case=case_view(work, case), left_open=[action_view(pack, a) for a in left]
        )
