"""Opening a case and finding cases: one relative and the care around one resident (§2, §10.3)."""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from staircase.core.lookup import get_resident, get_unit, visible_units
from staircase.core.permissions import permit_unit
from staircase.core.work import Request, Work, transaction
from staircase.cpr import refuse_cpr
from staircase.db.models import Case, Membership, Relative, Resident, Staff
from staircase.domain.pack import load_pack
from staircase.errors import InvalidInput, NotFound
from staircase.text import did_you_mean
from staircase.views import CaseSummary

CONSENT = ("named", "guardian", "attorney", "other")
"""Why this relative is involved: the resident named them; a guardian
(værgemål) or power of attorney (fuldmagt) decides; or another recorded
reason (samarbejdstrappe.md, "What the other policies add")."""


@dataclass(frozen=True)
class NewCase:
    """What ``case open`` was given."""

    resident_ref: str
    relative_name: str | None = None
    relation: str | None = None
    relative_id: int | None = None
    contact: str | None = None
    consent: str = "named"
    consent_note: str | None = None
    primary: bool = False
    child: bool = False
    relative_contact: str | None = None


def open_case(request: Request, new: NewCase) -> CaseSummary:
    """Open a case: one relative and the care around one resident, on the bottom step."""
    _check_new_case(new)
    with transaction(request, "case.open") as work:
        resident = get_resident(work.session, new.resident_ref)
        permit_unit(work.actor, resident.unit_id, "case.open")
        relative = _relative(work, new)
        if new.contact is not None:
            _check_contact(work.session, new.contact, resident.unit_id)
        if work.session.exec(
            select(Case).where(Case.resident_id == resident.id, Case.relative_id == relative.id)
        ).first():
            raise InvalidInput(
                f"relative {relative.id} already has a case with resident {resident.ref}"
            )
        unit = get_unit(work.session, resident.unit_id)
        case = Case(
            resident_id=resident.id,
            relative_id=relative.id,
            unit_id=resident.unit_id,
            step=load_pack(unit.pack).bottom.id,
            step_since=work.now,
            consent=new.consent,
            consent_note=new.consent_note,
            primary=new.primary,
            contact_id=new.contact,
            opened_at=work.now,
        )
        work.session.add(case)
        work.session.flush()
        work.audit("case.open", case_id=case.id, subject=resident.ref, detail=relative.name)
        return summarise(case, resident, relative)


def _check_new_case(new: NewCase) -> None:
    if new.consent not in CONSENT:
        raise InvalidInput(
            f'unknown consent basis "{new.consent}"{did_you_mean(new.consent, list(CONSENT))} '
            f"(one of {', '.join(CONSENT)})"
        )
    if new.consent == "other" and not (new.consent_note or "").strip():
        raise InvalidInput("consent basis other needs the reason: add --consent-note TEXT")
    if new.relative_id is None and not (new.relative_name and new.relation):
        raise InvalidInput("name the relative: --relative NAME --relation TEXT, or --relative-id N")
    for text, what in (
        (new.relative_name, "the relative's name"),
        (new.relation, "the relation"),
        (new.consent_note, "the consent note"),
        (new.relative_contact, "the contact details"),
    ):
        refuse_cpr(text, field=what)


def _relative(work: Work, new: NewCase) -> Relative:
    if new.relative_id is not None:
        relative = work.session.get(Relative, new.relative_id)
        if relative is None:
            raise NotFound(f"no relative {new.relative_id}")
        return relative
    relative = Relative(
        name=new.relative_name,
        relation=new.relation,
        contact=new.relative_contact,
        is_child=new.child,
    )
    work.session.add(relative)
    work.session.flush()
    work.audit("relative.add", subject=str(relative.id), detail=relative.name)
    return relative


def _check_contact(session: Session, initials: str, unit_id: str) -> None:
    staff = session.get(Staff, initials)
    if staff is None:
        raise NotFound(f"no staff member {initials}; see `staircase staff list`")
    member = session.get(Membership, (initials, unit_id))
    if member is None:
        raise InvalidInput(
            f"{initials} does not work in unit {unit_id}, so cannot be the contact person"
        )


def list_cases(
    request: Request, *, unit: str | None = None, step: str | None = None
) -> list[CaseSummary]:
    """The open cases the acting person may see, by unit and step."""
    with transaction(request, "case.list", write=False) as work:
        units = visible_units(work, unit, "case.list")
        query = (
            select(Case, Resident, Relative)
            .join(Resident, Resident.id == Case.resident_id)
            .join(Relative, Relative.id == Case.relative_id)
            .where(col(Case.closed_at).is_(None))
        )
        if units is not None:
            query = query.where(col(Case.unit_id).in_(units))
        if step is not None:
            query = query.where(Case.step == _step_id(work, units, step))
        rows = work.session.exec(query.order_by(Case.id)).all()
        work.audit("case.search", subject=f"unit={unit or '*'} step={step or '*'}")
        return [summarise(c, r, rel) for c, r, rel in rows]


def _step_id(work: Work, units: list[str] | None, step: str) -> str:
    """A typed step in the pack of the units asked about (the default pack for all)."""
    unit = get_unit(work.session, units[0]) if units else None
    return load_pack(unit.pack if unit else None).step(step).id


def summarise(case: Case, resident: Resident, relative: Relative) -> CaseSummary:
    return CaseSummary(
        id=case.id,
        unit_id=case.unit_id,
        resident_ref=resident.ref,
        resident=resident.name,
        relative_id=relative.id,
        relative=relative.name,
        relation=relative.relation,
        step=case.step,
        contact_id=case.contact_id,
        primary=case.primary,
        is_child=relative.is_child,
        consent=case.consent,
        opened_at=case.opened_at,
        closed_at=case.closed_at,
    )
