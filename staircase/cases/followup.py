"""Following up on a case: acknowledging escalations, closing actions, agreements (§2, §3.4).

These are the answers people give to what the rules raised. Each is
audited, refused for people it is not addressed to, and leaves the rest of
the case to ``consequences.reevaluate``.
"""

from datetime import datetime

from sqlmodel import Session

from staircase.cases.consequences import acknowledge_chain, escalation_chain
from staircase.cases.observe import record
from staircase.cases.show import action_view, agreement_views, escalation_view
from staircase.clock import parse_when
from staircase.core.identity import Actor
from staircase.core.lookup import get_case, get_open_case, pack_for, require_reason
from staircase.core.permissions import permit_unit
from staircase.core.work import Request, Work, transaction
from staircase.cpr import refuse_cpr
from staircase.db.models import (
    Action,
    Agreement,
    AgreementBreach,
    AgreementReview,
    Case,
    Escalation,
)
from staircase.errors import InvalidInput, NotAllowed, NotFound
from staircase.i18n import _
from staircase.kinds import ActionStatus, Addressee, AgreementStatus, EscalationStatus
from staircase.text import did_you_mean
from staircase.views import ActionView, AgreementView, BreachResult, EscalationView


def addressed_to(session: Session, actor: Actor, escalation: Escalation) -> bool:
    """Is this escalation for this person? Leaders of its unit; the contact person."""
    if escalation.to_role == Addressee.CONTACT:
        case = session.get(Case, escalation.case_id)
        return case is not None and case.contact_id == actor.id
    return actor.is_leader and escalation.to_unit in actor.members_of


def acknowledge(request: Request, escalation_id: int, *, note: str | None = None) -> EscalationView:
    """Acknowledge an escalation; it closes the whole chain it was escalated along."""
    refuse_cpr(note, field=_("the note"))
    with transaction(request, "escalation.ack") as work:
        escalation = work.session.get(Escalation, escalation_id)
        if escalation is None:
            raise NotFound(
                _("no escalation {escalation_id}; see `staircase inbox`").format(
                    escalation_id=escalation_id
                )
            )
        if escalation.status == EscalationStatus.ACKNOWLEDGED:
            raise InvalidInput(
                _(
                    "escalation {escalation_id} was already acknowledged by {acknowledged_by}"
                ).format(escalation_id=escalation_id, acknowledged_by=escalation.acknowledged_by)
            )
        if escalation.status == EscalationStatus.CLOSED:
            raise InvalidInput(
                _("escalation {escalation_id} is closed ({note})").format(
                    escalation_id=escalation_id, note=escalation.note
                )
            )
        chain = escalation_chain(work.session, escalation)
        if not any(addressed_to(work.session, work.actor, e) for e in chain):
            raise NotAllowed(
                _(
                    "escalation {escalation_id} is for the {replace} of {to_unit}, not for {id}"
                ).format(
                    escalation_id=escalation_id,
                    replace=escalation.to_role.replace("_", " "),
                    to_unit=escalation.to_unit,
                    id=work.actor.id,
                )
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
        note = require_reason(note, doing=_("dropping an action"))
    refuse_cpr(note, field=_("the note"))
    with transaction(request, "action.close") as work:
        action = work.session.get(Action, action_id)
        if action is None:
            raise NotFound(
                _("no action {action_id}; see `staircase inbox`").format(action_id=action_id)
            )
        case = get_case(work.session, action.case_id)
        permit_unit(work.actor, case.unit_id, "action.close")
        if action.status != ActionStatus.OPEN:
            raise InvalidInput(
                _("action {action_id} is already {status}").format(
                    action_id=action_id, status=action.status
                )
            )
        action.status, action.note = status, note
        action.closed_by, action.closed_at = work.actor.id, work.now
        work.session.add(action)
        work.audit(f"action.{status}", case_id=case.id, subject=str(action_id), detail=note)
        return action_view(pack_for(work.session, case), action)


BREACH_BY = ("relative", "staff", "both")
"""Who did not keep an agreement (§2). Only the relative's part is an
indicator on the staircase: a promise the care staff broke says nothing
about the relative's collaboration."""


def add_agreement(
    request: Request, case_id: int, text: str, *, review: str | None
) -> AgreementView:
    """Record an agreement with the relative (forventningsafstemning), with a review date."""
    if not text.strip():
        raise InvalidInput(_("an agreement needs its text"))
    refuse_cpr(text, field=_("the agreement"))
    review_at = _review_date(request, review)
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
        return agreement_views(work.session, case.id, only=agreement.id)[0]


def _review_date(request: Request, when: str | None) -> datetime | None:
    """A review date as typed; it lies ahead, or it would be overdue the moment it is set."""
    review_at = parse_when(when, clock=request.clock) if when else None
    if review_at is not None and review_at <= request.clock.now:
        raise InvalidInput(_("the review date must be in the future"))
    return review_at


def _active_agreement(work: Work, agreement_id: int) -> tuple[Agreement, Case]:
    agreement = work.session.get(Agreement, agreement_id)
    if agreement is None:
        raise NotFound(
            _("no agreement {agreement_id}; see `staircase show CASE`").format(
                agreement_id=agreement_id
            )
        )
    case = get_open_case(work.session, agreement.case_id)
    permit_unit(work.actor, case.unit_id, "agreement")
    if agreement.status != AgreementStatus.ACTIVE:
        raise InvalidInput(
            _("agreement {agreement_id} is already {status}").format(
                agreement_id=agreement_id, status=agreement.status
            )
        )
    return agreement, case


def break_agreement(
    request: Request, agreement_id: int, *, by: str = "relative", note: str | None = None
) -> BreachResult:
    """Record that an agreement was not kept; the agreement itself stays in force.

    A breach by the relative (or by both sides) logs "aftaler overholdes
    ikke" through the one observation path, so its consequences are those
    of any other observation.
    """
    if by not in BREACH_BY:
        raise InvalidInput(
            _('--by "{by}": who did not keep it is one of {join}{did_you_mean}').format(
                by=by, join=", ".join(BREACH_BY), did_you_mean=did_you_mean(by, list(BREACH_BY))
            )
        )
    refuse_cpr(note, field=_("the note"))
    with transaction(request, "agreement") as work:
        agreement, case = _active_agreement(work, agreement_id)
        breach = AgreementBreach(
            agreement_id=agreement.id,
            case_id=case.id,
            at=work.now,
            broken_by=by,
            recorded_by=work.actor.id,
            note=note,
        )
        work.session.add(breach)
        work.session.flush()
        logged = None
        if by != "staff":
            indicator = _broken_indicator(work, case)
            text = note or f"Aftale {agreement.id} blev ikke overholdt: {agreement.text}"
            logged = record(work, case, (indicator,), occurred=work.now, channel="andet", note=text)
            breach.observation_id = logged.observations[0]
            work.session.add(breach)
        work.audit("agreement.broken", case_id=case.id, subject=f"{agreement.id}:{by}")
        view = agreement_views(work.session, case.id, only=agreement.id)[0]
        return BreachResult(agreement=view, logged=logged)


def _broken_indicator(work: Work, case: Case) -> str:
    """The pack's indicator for kept-not agreements (``aftaler-brudt`` in Aarhus')."""
    pack = pack_for(work.session, case)
    return pack.indicator("aftaler-brudt").id


def review_agreement(
    request: Request, agreement_id: int, *, next_review: str | None, note: str | None = None
) -> AgreementView:
    """The agreement was gone through with the relative; ``next_review`` is when to again.

    Without a next date the agreement stays in force with no review planned,
    and leaves the inbox's list of reviews due.
    """
    refuse_cpr(note, field=_("the note"))
    next_at = _review_date(request, next_review)
    with transaction(request, "agreement") as work:
        agreement, case = _active_agreement(work, agreement_id)
        work.session.add(
            AgreementReview(
                agreement_id=agreement.id,
                case_id=case.id,
                at=work.now,
                by_staff=work.actor.id,
                note=note,
                next_review_at=next_at,
            )
        )
        agreement.review_at = next_at
        work.session.add(agreement)
        work.session.flush()
        work.audit("agreement.review", case_id=case.id, subject=str(agreement.id))
        return agreement_views(work.session, case.id, only=agreement.id)[0]


def end_agreement(request: Request, agreement_id: int) -> AgreementView:
    """An agreement has run its course (kept, replaced, or no longer relevant after a breach)."""
    with transaction(request, "agreement") as work:
        agreement, case = _active_agreement(work, agreement_id)
        agreement.status, agreement.closed_at = AgreementStatus.ENDED, work.now
        work.session.add(agreement)
        work.session.flush()
        work.audit("agreement.ended", case_id=case.id, subject=str(agreement.id))
        return agreement_views(work.session, case.id, only=agreement.id)[0]
