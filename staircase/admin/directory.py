"""Setting up an installation: the database, units, staff and residents (§10.3)."""

import re
from dataclasses import dataclass

from sqlmodel import select

from staircase.clock import Clock
from staircase.core import audit
from staircase.core.identity import ROLES
from staircase.core.keyfile import PSEUDONYM_KEY, ensure_key
from staircase.core.lookup import get_unit
from staircase.core.permissions import permit_unit
from staircase.core.work import Request, transaction
from staircase.cpr import refuse_cpr
from staircase.db.migrate import upgrade
from staircase.db.models import Membership, Resident, Staff, Unit
from staircase.db.store import session_scope
from staircase.domain.pack import load_pack
from staircase.errors import InvalidInput
from staircase.text import did_you_mean
from staircase.views import ResidentView, StaffView, UnitView

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class InitResult:
    """What ``init`` did: the schema before and after, and whether the admin is new."""

    url: str
    schema_before: str | None
    schema: str
    admin: str
    created_admin: bool


def init(url: str, *, admin: str, name: str, clock: Clock) -> InitResult:
    """Create or upgrade the database and its first admin; a second run changes nothing."""
    _check_id(admin, "initials")
    refuse_cpr(name, field="the name")
    before, after = upgrade(url)
    ensure_key(url, PSEUDONYM_KEY)
    with session_scope(url, write=True) as session:
        existing = session.get(Staff, admin)
        if existing is not None and existing.role != "admin":
            raise InvalidInput(f"{admin} already exists with role {existing.role}, not admin")
        if existing is None:
            session.add(Staff(id=admin, name=name, role="admin"))
            session.flush()
            audit.append(
                session,
                [audit.Event(admin, "init", subject=f"schema {after}", detail=name)],
                clock,
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
) -> StaffView:
    """A staff member with a role in one or more units."""
    _check_id(initials, "initials")
    refuse_cpr(name, field="the name")
    refuse_cpr(email, field="the e-mail address")
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
        for unit_id in units:
            get_unit(work.session, unit_id)
        work.session.add(Staff(id=initials, name=name, role=role, email=email))
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


def _check_id(value: str, what: str) -> None:
    if not _ID.match(value):
        raise InvalidInput(f'{what} "{value}" must be letters, digits, - or _ (at most 40)')
