"""A case as people read it: ``staircase show`` and the case printed after a log."""

from sqlmodel import Session, select

from staircase.cases import consequences
from staircase.core.lookup import get_case, pack_for
from staircase.core.permissions import permit_unit
from staircase.core.work import Request, Work, transaction
from staircase.db.models import (
    Action,
    Agreement,
    AgreementBreach,
    AgreementReview,
    Case,
    CaseChange,
    Escalation,
    Observation,
    Proposal,
    Relative,
    Resident,
    Transition,
)
from staircase.domain.engine import Evaluation, evaluate
from staircase.domain.pack import Pack
from staircase.views import (
    ActionView,
    AgreementView,
    BreachView,
    CaseChangeView,
    CaseView,
    EscalationView,
    ObservationView,
    ProposalView,
    ReviewView,
    TransitionView,
    WhyView,
)


def show_case(request: Request, case_id: int) -> CaseView:
    """The whole case, recomputed at the clock's now; the read is audited (§6.2)."""
    with transaction(request, "case.show", write=False) as work:
        case = get_case(work.session, case_id)
        permit_unit(work.actor, case.unit_id, "case.show")
        work.audit("case.read", case_id=case.id)
        return case_view(work, case)


def case_view(work: Work, case: Case, evaluation: Evaluation | None = None) -> CaseView:
    """Build the view of a case inside an open unit of work.

    The indication reads the case as the rules do, with what people have
    ruled on (a move down sets earlier evidence aside); a caller that has
    just re-evaluated the case passes that evaluation instead of paying for
    a second one.
    """
    session = work.session
    pack = pack_for(session, case)
    if evaluation is None:
        facts = consequences.facts(session, case.id)
        evaluation = evaluate(pack, facts, consequences.case_state(session, case), work.now)
    resident = session.get(Resident, case.resident_id)
    relative = session.get(Relative, case.relative_id)
    return CaseView(
        id=case.id,
        unit_id=case.unit_id,
        resident_ref=resident.ref,
        resident=resident.name,
        relative=relative.name,
        relation=relative.relation,
        is_child=relative.is_child,
        primary=case.primary,
        consent=case.consent,
        consent_note=case.consent_note,
        contact_id=case.contact_id,
        opened_at=case.opened_at,
        closed_at=case.closed_at,
        pack=pack.id,
        pack_version=pack.version,
        step=case.step,
        step_since=case.step_since,
        indicated_step=evaluation.indicated,
        why=why_view(evaluation),
        proposals=[proposal_view(p) for p in _rows(session, Proposal, case.id)],
        escalations=[escalation_view(e, case.step) for e in _rows(session, Escalation, case.id)],
        actions=[action_view(pack, a) for a in _rows(session, Action, case.id)],
        agreements=agreement_views(session, case.id),
        observations=_observations(session, pack, case.id),
        transitions=[transition_view(t) for t in _rows(session, Transition, case.id)],
        changes=[CaseChangeView.model_validate(c) for c in _rows(session, CaseChange, case.id)],
    )


def _rows(session: Session, table: type, case_id: int) -> list:
    return list(
        session.exec(select(table).where(table.case_id == case_id).order_by(table.id)).all()
    )


def agreement_views(session: Session, case_id: int, only: int | None = None) -> list[AgreementView]:
    """The case's agreements (or the one ``only``), each with its breaches and reviews."""
    breaches = _rows(session, AgreementBreach, case_id)
    reviews = _rows(session, AgreementReview, case_id)
    return [
        AgreementView(
            id=a.id,
            case_id=a.case_id,
            text=a.text,
            agreed_at=a.agreed_at,
            agreed_by=a.agreed_by,
            review_at=a.review_at,
            status=a.status,
            closed_at=a.closed_at,
            breaches=[BreachView.model_validate(b) for b in breaches if b.agreement_id == a.id],
            reviews=[ReviewView.model_validate(r) for r in reviews if r.agreement_id == a.id],
        )
        for a in _rows(session, Agreement, case_id)
        if only is None or a.id == only
    ]


def _observations(session: Session, pack: Pack, case_id: int) -> list[ObservationView]:
    rows = _rows(session, Observation, case_id)
    retracted = {o.retracts_id for o in rows if o.retracts_id is not None}
    return [
        ObservationView(
            id=o.id,
            indicator=o.indicator,
            step=pack.indicator_step(o.indicator).id if o.indicator else None,
            occurred_at=o.occurred_at,
            logged_at=o.logged_at,
            logged_by=o.logged_by,
            channel=o.channel,
            note=o.note,
            retracts=o.retracts_id,
            retracted=o.id in retracted,
        )
        for o in rows
    ]


def why_view(evaluation: Evaluation) -> list[WhyView]:
    return [WhyView(rule=r.rule, observations=list(r.observations)) for r in evaluation.why]


def proposal_view(proposal: Proposal) -> ProposalView:
    return ProposalView.model_validate(proposal)


def escalation_view(escalation: Escalation, case_step: str | None = None) -> EscalationView:
    """The escalation, with the step its case stands on when the caller knows it."""
    view = EscalationView.model_validate(escalation)
    return view.model_copy(update={"case_step": case_step}) if case_step else view


def action_view(pack: Pack, action: Action) -> ActionView:
    return ActionView(
        id=action.id,
        case_id=action.case_id,
        action=action.action,
        name=pack.action_name(action.action),
        owner=action.owner_id or action.owner_role,
        due=action.due_at,
        status=action.status,
        note=action.note,
    )


def transition_view(transition: Transition) -> TransitionView:
    return TransitionView(
        id=transition.id,
        from_step=transition.from_step,
        to_step=transition.to_step,
        at=transition.at,
        by=transition.by_staff or "rule:" + ", ".join(transition.by_rule or ()),
        reason=transition.reason,
        pack=transition.pack,
        pack_version=transition.pack_version,
    )
