"""Following up on a case: acknowledging escalations, closing actions, agreements (§2, §3.4).

These are the answers people give to what the rules raised. Each is
audited, refused for people it is not addressed to, and leaves the rest of
the case to ``consequences.reevaluate``.
"""

from datetime import datetime

from sqlmodel import Session

from staircase.cases.consequences import acknowledge_chain, escalation_chain
from staircase.cases.observe import record
from staircase.cases.show import action_view, escalation_view
from staircase.clock import parse_when
from staircase.core.identity import Actor
from staircase.core.lookup import get_case, get_open_case, pack_for, require_reason
from staircase.core.permissions import permit_unit
from staircase.core.work import Request, Work, transaction
from staircase.cpr import refuse_cpr
from staircase.db.models import Action, Agreement, Case, Escalation
from staircase.errors import InvalidInput, NotAllowed, NotFound
from staircase.kinds import ActionStatus, Addressee, AgreementStatus, EscalationStatus
from staircase.views import ActionView, AgreementView, EscalationView, LogResult


def addressed_to(session: Session, actor: Actor, escalation: Escalation) -> bool:
    """Is this escalation for this person? Leaders of its unit; the contact person."""
    if escalation.to_role == Addressee.CONTACT:
        case = session.get(Case, escalation.case_id)
        return case is not None and case.contact_id == actor.id
    return actor.is_leader and escalation.to_unit in actor.members_of


def acknowledge(request: Request, escalation_id: int, *, note: str | None = None) -> EscalationView:
    """Acknowledge an escalation; it closes the whole chain it was escalated along."""
    refuse_cpr(note, field="the note")
    with transaction(request, "escalation.ack") as work:
        escalation = work.session.get(Escalation, escalation_id)
        if escalation is None:
            raise NotFound(f"no escalation {escalation_id}; see `staircase inbox`")
        if escalation.status == EscalationStatus.ACKNOWLEDGED:
            raise InvalidInput(
                f"escalation {escalation_id} was already acknowledged "
                f"by {escalation.acknowledged_by}"
            )
        if escalation.status == EscalationStatus.CLOSED:
            raise InvalidInput(f"escalation {escalation_id} is closed ({escalation.note})")
        chain = escalation_chain(work.session, escalation)
        if not any(addressed_to(work.session, work.actor, e) for e in chain):
            raise NotAllowed(
                f"escalation {escalation_id} is for the {escalation.to_role.replace('_', ' ')} of "
                f"{escalation.to_unit}, not for {work.actor.id}"
            )
        acknowledge_chain(work, escalation, note=note)
        work.audit(
            "escalation.ack", case_id=escalation.case_id, subject=str(escalation_id), detail=note
        )
        return escalation_view(escalation)


def close_action(
    request: Request, action_id: int, *, status: ActionStatus, note: str | None
) -> ActionView:
    """Mark an action done, or drop it with a reason."""
    if status == ActionStatus.DROPPED:
        note = require_reason(note, doing="dropping an action")
    refuse_cpr(note, field="the note")
    with transaction(request, "action.close") as work:
        action = work.session.get(Action, action_id)
        if action is None:
            raise NotFound(f"no action {action_id}; see `staircase inbox`")
        case = get_case(work.session, action.case_id)
        permit_unit(work.actor, case.unit_id, "action.close")
        if action.status != ActionStatus.OPEN:
            raise InvalidInput(f"action {action_id} is already {action.status}")
        action.status, action.note = status, note
        action.closed_by, action.closed_at = work.actor.id, work.now
        work.session.add(action)
        work.audit(f"action.{status}", case_id=case.id, subject=str(action_id), detail=note)
        return action_view(pack_for(work.session, case), action)


def add_agreement(
    request: Request, case_id: int, text: str, *, review: str | None
) -> AgreementView:
    """Record an agreement with the relative (forventningsafstemning), with a review date."""
    if not text.strip():
        raise InvalidInput("an agreement needs its text")
    refuse_cpr(text, field="the agreement")
    review_at = parse_when(review, clock=request.clock) if review else None
    if review_at is not None and review_at <= request.clock.now:
        raise InvalidInput("the review date must be in the future")
    with transaction(request, "agreement") as work:
        case = get_open_case(work.session, case_id)
        permit_unit(work.actor, case.unit_id, "agreement")
        agreement = Agreement(
            case_id=case.id,
            text=text.strip(),
            agreed_at=work.now,
            agreed_by=work.actor.id,
            review_at=review_at,
        )
        work.session.add(agreement)
        work.session.flush()
        work.audit("agreement.add", case_id=case.id, subject=str(agreement.id))
        return AgreementView.model_validate(agreement)


def _active_agreement(work: Work, agreement_id: int) -> tuple[Agreement, Case]:
    agreement = work.session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFound(f"no agreement {agreement_id}")
    case = get_open_case(work.session, agreement.case_id)
    permit_unit(work.actor, case.unit_id, "agreement")
    if agreement.status != AgreementStatus.ACTIVE:
        raise InvalidInput(f"agreement {agreement_id} is already {agreement.status}")
    return agreement, case


def _close(work: Work, agreement: Agreement, status: AgreementStatus, at: datetime) -> None:
    agreement.status, agreement.closed_at = status, at
    work.session.add(agreement)
    work.audit(f"agreement.{status}", case_id=agreement.case_id, subject=str(agreement.id))


def break_agreement(request: Request, agreement_id: int, *, note: str | None = None) -> LogResult:
    """An agreement was not kept: logs "aftaler overholdes ikke" through the normal path."""
    refuse_cpr(note, field="the note")
    with transaction(request, "agreement") as work:
        agreement, case = _active_agreement(work, agreement_id)
        _close(work, agreement, AgreementStatus.BROKEN, work.now)
        indicator = _broken_indicator(work, case)
        text = note or f"Aftale {agreement.id} overholdt ikke"
        return record(work, case, (indicator,), occurred=work.now, channel="andet", note=text)


def _broken_indicator(work: Work, case: Case) -> str:
    """The pack's indicator for kept-not agreements (``aftaler-brudt`` in Aarhus')."""
    pack = pack_for(work.session, case)
    return pack.indicator("aftaler-brudt").id


def end_agreement(request: Request, agreement_id: int) -> AgreementView:
    """An agreement has run its course (kept, or no longer relevant)."""
    with transaction(request, "agreement") as work:
        agreement, _ = _active_agreement(work, agreement_id)
        _close(work, agreement, AgreementStatus.ENDED, work.now)
        return AgreementView.model_validate(agreement)
