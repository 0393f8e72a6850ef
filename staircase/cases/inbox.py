"""``staircase inbox``: what waits for the acting person, most urgent first.

Escalations addressed to them (and those they are informed of), proposals
they may decide, actions they own, agreements due for review in their
units. One place to look at the start of a shift.
"""

from datetime import datetime

from sqlmodel import col, select

from staircase.cases.followup import addressed_to
from staircase.core.lookup import pack_for
from staircase.core.work import Request, Work, transaction
from staircase.db.models import (
    Action,
    Agreement,
    Case,
    Escalation,
    Proposal,
    Relative,
    Resident,
    Unit,
)
from staircase.kinds import (
    ActionStatus,
    Addressee,
    AgreementStatus,
    EscalationStatus,
    ProposalStatus,
)
from staircase.views import Inbox, InboxItem


def inbox(request: Request) -> Inbox:
    """Collect and order everything that waits for the acting person."""
    with transaction(request, "inbox", write=False) as work:
        items = [*_escalations(work), *_proposals(work), *_actions(work), *_agreements(work)]
        items.sort(key=lambda item: (item.due is None, item.due or work.now, item.kind, item.id))
        work.audit("inbox", subject=f"items={len(items)}")
        return Inbox(person=work.actor.id, items=_with_families(work, items))


def _item(
    work: Work,
    kind: str,
    row_id: int,
    case_id: int,
    what: str,
    due: datetime | None,
    **about: object,
) -> InboxItem:
    """An item; ``about`` holds the ids a screen words it by (step, action …)."""
    return InboxItem(
        kind=kind,
        id=row_id,
        case_id=case_id,
        what=what,
        due=due,
        overdue=due is not None and due < work.now,
        **about,
    )


def _with_families(work: Work, items: list[InboxItem]) -> list[InboxItem]:
    """Each item with the relative and resident its case is about, and the case's
    pack: people are recognised by name, not by case number (issue 12)."""
    cases = sorted({item.case_id for item in items})
    families = {
        case_id: (relative, resident, pack)
        for case_id, relative, resident, pack in work.session.exec(
            select(Case.id, Relative.name, Resident.name, Unit.pack)
            .join(Relative, Relative.id == Case.relative_id)
            .join(Resident, Resident.id == Case.resident_id)
            .join(Unit, Unit.id == Case.unit_id)
            .where(col(Case.id).in_(cases))
        ).all()
    }
    return [
        item.model_copy(
            update=dict(zip(("relative", "resident", "pack"), families[item.case_id], strict=True))
        )
        for item in items
    ]


def _mine(work: Work, query):
    """Rows of the units the acting person belongs to (not the whole area below them)."""
    return work.session.exec(
        query.join(Case).where(col(Case.unit_id).in_(sorted(work.actor.members_of)))
    ).all()


def _escalations(work: Work) -> list[InboxItem]:
    rows = work.session.exec(
        select(Escalation, Case.step)
        .join(Case, Case.id == Escalation.case_id)
        .where(Escalation.status == EscalationStatus.OPEN, col(Case.closed_at).is_(None))
    ).all()
    items = []
    for escalation, case_step in rows:
        about = _about(escalation, case_step)
        if addressed_to(work.session, work.actor, escalation):
            what = f"acknowledge: {about}"
            items.append(
                _item(
                    work,
                    "escalation",
                    escalation.id,
                    escalation.case_id,
                    what,
                    escalation.due_at,
                    **_escalation_ids(escalation, case_step),
                )
            )
        elif (
            work.actor.is_leader
            and Addressee.AREA_LEADER in escalation.inform
            and _in_area(work, escalation)
        ):
            what = f"for your information: {about}"
            items.append(
                _item(
                    work,
                    "informed",
                    escalation.id,
                    escalation.case_id,
                    what,
                    None,
                    **_escalation_ids(escalation, case_step),
                )
            )
    return items


def _about(escalation: Escalation, case_step: str) -> str:
    """What an escalation is about, naming the step the case stands on and the one at issue."""
    rules = f" ({', '.join(escalation.rules)})" if escalation.rules else ""
    if escalation.step == case_step:
        return f"case on {case_step}{rules}"
    return f"{escalation.step} proposed; the case stands on {case_step}{rules}"


def _escalation_ids(escalation: Escalation, case_step: str) -> dict:
    return {"step": escalation.step, "case_step": case_step, "rules": list(escalation.rules)}


def _in_area(work: Work, escalation: Escalation) -> bool:
    unit = work.session.get(Unit, escalation.to_unit)
    return unit is not None and unit.parent_id in work.actor.members_of


def _proposals(work: Work) -> list[InboxItem]:
    if not work.actor.is_leader:
        return []
    rows = _mine(work, select(Proposal).where(Proposal.status == ProposalStatus.OPEN))
    return [
        _item(
            work,
            "proposal",
            p.id,
            p.case_id,
            f"decide: the case stands on {p.from_step}; proposed {p.to_step}"
            + (f" ({p.reason})" if p.reason else ""),
            None,
            step=p.to_step,
            case_step=p.from_step,
            text=p.reason,
        )
        for p in rows
    ]


def _actions(work: Work) -> list[InboxItem]:
    rows = _mine(work, select(Action).where(Action.status == ActionStatus.OPEN))
    items = []
    for action in rows:
        mine = action.owner_id == work.actor.id or (
            action.owner_id is None
            and action.owner_role == Addressee.UNIT_LEADER
            and work.actor.is_leader
        )
        if mine:
            case = work.session.get(Case, action.case_id)
            name = pack_for(work.session, case).action_name(action.action)
            items.append(
                _item(
                    work,
                    "action",
                    action.id,
                    action.case_id,
                    name,
                    action.due_at,
                    action=action.action,
                )
            )
    return items


def _agreements(work: Work) -> list[InboxItem]:
    rows = _mine(
        work,
        select(Agreement).where(
            Agreement.status == AgreementStatus.ACTIVE,
            col(Agreement.review_at).is_not(None),
            Agreement.review_at <= work.now,
        ),
    )
    return [
        _item(work, "agreement", a.id, a.case_id, f"review: {a.text}", a.review_at, text=a.text)
        for a in rows
    ]
