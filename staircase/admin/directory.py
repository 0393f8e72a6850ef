"""Setting up a care home: the database, units, staff, residents and cases (§10.3)."""

import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from staircase.clock import Clock
from staircase.core import audit
from staircase.core.identity import (
    ROLES,
    SHARED_TERMINAL_KEY,
    account_name,
    has_staff,
    is_shared_terminal,
)
from staircase.core.permissions import permit_unit
from staircase.core.work import Request, Work, transaction
from staircase.cpr import refuse_cpr
from staircase.db.migrate import upgrade
from staircase.db.models import Case, Membership, Relative, Resident, Setting, Staff, Unit
from staircase.db.store import session_scope
from staircase.domain.pack import load_pack
from staircase.errors import InvalidInput, NotAllowed, NotFound
from staircase.text import did_you_mean
from staircase.views import CaseSummary, ResidentView, StaffView, UnitView

CONSENT = ("named", "guardian", "attorney", "other")
"""Why this relative is involved: the resident named them; a guardian
(værgemål) or power of attorney (fuldmagt) decides; or another recorded
reason (samarbejdstrappe.md, "What the other policies add")."""

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class InitResult:
    """What ``init`` did: the schema before and after, and whether the admin is new."""

    url: str
    schema_before: str | None
    schema: str
    admin: str
    created_admin: bool


def init(
    url: str, *, admin: str, name: str, clock: Clock, shared_terminal: bool = False
) -> InitResult:
    """Create or upgrade the database and its first admin; a second run changes nothing.

    The first run binds the admin to the account running it (§6.8), keys the
    audit chain, and records whether this is a shared terminal. On a
    database that has people, ``init`` never adds one: an admin uses
    ``staff add``, so nobody becomes admin by running ``init`` again.
    """
    _check_id(admin, "initials")
    refuse_cpr(name, field="the name")
    before, after = upgrade(url)
    with session_scope(url, write=True) as session:
        existing = session.get(Staff, admin)
        if existing is None and has_staff(session):
            raise NotAllowed(
                "this database already has its people; init never adds an admin — "
                "an admin adds people with `staircase staff add`"
            )
        if existing is not None and existing.role != "admin":
            raise InvalidInput(f"{admin} already exists with role {existing.role}, not admin")
        if existing is not None and shared_terminal != is_shared_terminal(session):
            raise InvalidInput(
                "whether this is a shared terminal is chosen when the database is created, "
                "not by running init again"
            )
        audit.start_keyed_chain(session, url)
        if existing is None:
            if shared_terminal:
                session.add(Setting(key=SHARED_TERMINAL_KEY, value="yes"))
            session.add(Staff(id=admin, name=name, role="admin", login=account_name(session)))
            session.flush()
            audit.append(
                session,
                [audit.Event(admin, "init", subject=f"schema {after}", detail=name)],
                clock,
                shared=shared_terminal,
            )
    return InitResult(url, before, after, admin, existing is None)


def add_unit(
    request: Request, *, unit_id: str, name: str, parent: str | None, pack: str | None
) -> UnitView:
    """A care home or department, optionally under an area (its parent)."""
    _check_id(unit_id, "unit id")
    refuse_cpr(name, field="the unit name")
    with transaction(request, "unit.add") as work:
        if work.session.get(Unit, unit_id) is not None:
            raise InvalidInput(f"unit {unit_id} already exists")
        if parent is not None:
            get_unit(work.session, parent)
        unit = Unit(id=unit_id, name=name, parent_id=parent, pack=load_pack(pack).id)
        work.session.add(unit)
        work.audit("unit.add", subject=unit_id)
        return UnitView.model_validate(unit)


def list_units(request: Request) -> list[UnitView]:
    with transaction(request, "unit.list", write=False) as work:
        units = work.session.exec(select(Unit).order_by(Unit.id)).all()
        return [UnitView.model_validate(u) for u in units]


def add_staff(
    request: Request,
    *,
    initials: str,
    name: str,
    role: str,
    units: list[str],
    email: str | None = None,
    login: str | None = None,
) -> StaffView:
    """A staff member with a role in one or more units; ``login`` binds their account (§6.8)."""
    _check_id(initials, "initials")
    refuse_cpr(name, field="the name")
    refuse_cpr(email, field="the e-mail address")
    refuse_cpr(login, field="the login")
    if login is not None and not login.strip():
        raise InvalidInput("--login needs the account's name, e.g. --login anna")
    if email is not None and "@" not in email:
        raise InvalidInput(f'"{email}" is not an e-mail address')
    if role not in ROLES:
        raise InvalidInput(
            f'unknown role "{role}"{did_you_mean(role, list(ROLES))} (roles: {", ".join(ROLES)})'
        )
    if role in ("staff", "leader") and not units:
        raise InvalidInput(f"a {role} belongs to at least one unit; add --unit ID")
    with transaction(request, "staff.add") as work:
        if work.session.get(Staff, initials) is not None:
            raise InvalidInput(f"staff member {initials} already exists")
        if login is not None:
            bound = work.session.exec(select(Staff.id).where(Staff.login == login)).first()
            if bound is not None:
                raise InvalidInput(f'the account "{login}" is already bound to {bound}')
        for unit_id in units:
            get_unit(work.session, unit_id)
        work.session.add(Staff(id=initials, name=name, role=role, email=email, login=login))
        work.session.flush()
        work.session.add_all(Membership(staff_id=initials, unit_id=u) for u in dict.fromkeys(units))
        work.audit("staff.add", subject=f"{initials}:{role}", detail=name)
        return StaffView(id=initials, name=name, role=role, email=email, units=sorted(set(units)))


def list_staff(request: Request) -> list[StaffView]:
    with transaction(request, "staff.list", write=False) as work:
        staff = work.session.exec(select(Staff).order_by(Staff.id)).all()
        members = work.session.exec(select(Membership)).all()
        return [
            StaffView(
                id=s.id,
                name=s.name,
                role=s.role,
                email=s.email,
                units=sorted(m.unit_id for m in members if m.staff_id == s.id),
            )
            for s in staff
        ]


def add_resident(request: Request, *, ref: str, name: str, unit_id: str) -> ResidentView:
    """A resident, by the home's own reference; never a CPR number (§6.5)."""
    _check_id(ref, "resident reference")
    refuse_cpr(ref, field="the resident reference")
    refuse_cpr(name, field="the name")
    with transaction(request, "resident.add") as work:
        get_unit(work.session, unit_id)
        permit_unit(work.actor, unit_id, "resident.add")
        if work.session.exec(select(Resident).where(Resident.ref == ref)).first():
            raise InvalidInput(f"resident {ref} already exists")
        resident = Resident(ref=ref, name=name, unit_id=unit_id)
        work.session.add(resident)
        work.session.flush()
        work.audit("resident.add", subject=ref, detail=name)
        return ResidentView.model_validate(resident)


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


def visible_units(work: Work, unit: str | None, action: str) -> list[str] | None:
    """The units to read: the one asked for (if allowed), else the person's own.

    None means every unit (quality and admin, who read across units).
    """
    if unit is not None:
        get_unit(work.session, unit)
        permit_unit(work.actor, unit, action)
        return [unit]
    if work.actor.role in ("quality", "admin"):
        return None
    return sorted(work.actor.units)


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


def get_unit(session: Session, unit_id: str) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        known = list(session.exec(select(Unit.id)).all())
        raise NotFound(
            f'no unit "{unit_id}"{did_you_mean(unit_id, known)}; see `staircase unit list`'
        )
    return unit


def get_resident(session: Session, ref: str) -> Resident:
    resident = session.exec(select(Resident).where(Resident.ref == ref)).first()
    if resident is None:
        raise NotFound(f'no resident "{ref}"; add one with `staircase resident add`')
    return resident


def _check_id(value: str, what: str) -> None:
    refuse_cpr(value, field=f"the {what}")
    if not _ID.match(value):
        raise InvalidInput(f'{what} "{value}" must be letters, digits, - or _ (at most 40)')
