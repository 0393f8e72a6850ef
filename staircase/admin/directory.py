"""Setting up an installation: the database, units, staff (and their leaving), residents (§10.3)."""

import re
from dataclasses import dataclass

from sqlmodel import col, delete, select

from staircase.clock import Clock
from staircase.core import audit
from staircase.core.identity import (
    SHARED_TERMINAL_KEY,
    account_name,
    has_staff,
    is_shared_terminal,
)
from staircase.core.keys import pseudonym_key
from staircase.core.lookup import get_unit, require_reason
from staircase.core.permissions import permit_unit
from staircase.core.work import Request, Work, transaction
from staircase.cpr import refuse_cpr
from staircase.db.migrate import upgrade
from staircase.db.models import (
    Action,
    Case,
    CaseChange,
    Membership,
    Resident,
    Setting,
    Staff,
    Unit,
)
from staircase.db.store import session_scope
from staircase.domain.pack import load_pack
from staircase.errors import InvalidInput, NotAllowed, NotFound
from staircase.i18n import _
from staircase.kinds import Role
from staircase.text import did_you_mean
from staircase.views import Handover, ResidentView, StaffChange, StaffView, UnitView

_ID = re.compile(r"^[^\W_][\w-]{0,39}$")
"""Letters (Danish ones too: initials like ``SØ``), digits, ``-`` and ``_``."""


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
    _check_id(admin, _("initials"))
    refuse_cpr(name, field=_("the name"))
    before, after = upgrade(url)
    pseudonym_key(url)
    with session_scope(url, write=True) as session:
        existing = session.get(Staff, admin)
        if existing is None and has_staff(session):
            raise NotAllowed(
                _(
                    "this database already has its people; init never adds an admin — an admin "
                    "adds people with `staircase staff add`"
                )
            )
        if existing is not None and existing.role != Role.ADMIN:
            raise InvalidInput(
                _("{admin} already exists with role {role}, not admin").format(
                    admin=admin, role=existing.role
                )
            )
        if existing is not None and shared_terminal != is_shared_terminal(session):
            raise InvalidInput(
                _(
                    "whether this is a shared terminal is chosen when the database is created, "
                    "not by running init again"
                )
            )
        audit.start_keyed_chain(session, url)
        if existing is None:
            if shared_terminal:
                session.add(Setting(key=SHARED_TERMINAL_KEY, value="yes"))
            session.add(Staff(id=admin, name=name, role=Role.ADMIN, login=account_name(session)))
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
    _check_id(unit_id, _("unit id"))
    refuse_cpr(name, field=_("the unit name"))
    with transaction(request, "unit.add") as work:
        if work.session.get(Unit, unit_id) is not None:
            raise InvalidInput(_("unit {unit_id} already exists").format(unit_id=unit_id))
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
    _check_id(initials, _("initials"))
    refuse_cpr(name, field=_("the name"))
    _check_email(email)
    _check_login(login)
    _check_role(role, units)
    with transaction(request, "staff.add") as work:
        if work.session.get(Staff, initials) is not None:
            raise InvalidInput(
                _("staff member {initials} already exists").format(initials=initials)
            )
        _refuse_bound_login(work, login, initials)
        for unit_id in units:
            get_unit(work.session, unit_id)
        staff = Staff(id=initials, name=name, role=role, email=email, login=login)
        work.session.add(staff)
        work.session.flush()
        work.session.add_all(Membership(staff_id=initials, unit_id=u) for u in dict.fromkeys(units))
        work.audit("staff.add", subject=f"{initials}:{role}", detail=name)
        return _staff_view(staff, sorted(set(units)))


def _check_login(login: str | None) -> None:
    refuse_cpr(login, field=_("the login"))
    if login is not None and not login.strip():
        raise InvalidInput(_("--login needs the account's name, e.g. --login anna"))


def _refuse_bound_login(work: Work, login: str | None, initials: str) -> None:
    """One account acts as one person (§6.8): an account bound to another is refused."""
    if login is None:
        return
    bound = work.session.exec(
        select(Staff.id).where(Staff.login == login, Staff.id != initials)
    ).first()
    if bound is not None:
        raise InvalidInput(
            _('the account "{login}" is already bound to {bound}').format(login=login, bound=bound)
        )


def _check_email(email: str | None) -> None:
    refuse_cpr(email, field=_("the e-mail address"))
    if email is not None and "@" not in email:
        raise InvalidInput(_('"{email}" is not an e-mail address').format(email=email))


def _check_role(role: str, units: list[str]) -> None:
    roles = list(Role)
    if role not in roles:
        raise InvalidInput(
            _('unknown role "{role}"{did_you_mean} (roles: {join})').format(
                role=role, did_you_mean=did_you_mean(role, roles), join=", ".join(roles)
            )
        )
    if role in (Role.STAFF, Role.LEADER) and not units:
        raise InvalidInput(
            _("a {role} belongs to at least one unit; add --unit ID").format(role=role)
        )


def _staff_view(staff: Staff, units: list[str]) -> StaffView:
    return StaffView(
        id=staff.id,
        name=staff.name,
        role=staff.role,
        email=staff.email,
        units=units,
        active=staff.active,
        left_at=staff.left_at,
    )


@dataclass(frozen=True)
class StaffEdit:
    """What ``staff edit`` changes; None leaves a field as it is, ``units`` replaces them all."""

    name: str | None = None
    role: str | None = None
    units: list[str] | None = None
    email: str | None = None
    login: str | None = None


def edit_staff(request: Request, initials: str, edit: StaffEdit) -> StaffChange:
    """Change a person's name, role, units, e-mail or login (§2: staff change over time).

    The change and what it was are audited; observations and decisions they
    made before keep their initials, so history stays as it happened. What
    they owned open in a unit they no longer work in goes to that unit's
    leader, as when a person leaves.
    """
    if edit.name is not None:
        refuse_cpr(edit.name, field=_("the name"))
    _check_email(edit.email)
    _check_login(edit.login)
    with transaction(request, "staff.edit") as work:
        staff = _active_staff(work, initials)
        _refuse_bound_login(work, edit.login, staff.id)
        units = _units_of(work, staff.id) if edit.units is None else list(dict.fromkeys(edit.units))
        role = edit.role or staff.role
        _check_role(role, units)
        for unit_id in units:
            get_unit(work.session, unit_id)
        if staff.role == "admin" and role != "admin":
            _refuse_last_admin(work, staff)
        left = set(_units_of(work, staff.id)) - set(units)
        changed = _apply_staff_edit(work, staff, edit, role, units)
        if not changed:
            raise InvalidInput(
                _("{initials} already stands so; nothing was changed").format(initials=initials)
            )
        work.audit("staff.edit", subject=f"{staff.id}:{','.join(changed)}", detail=staff.name)
        handed = (
            _hand_over(work, staff, f"{staff.id} left unit {', '.join(sorted(left))}", left)
            if left
            else []
        )
        return StaffChange(staff=_staff_view(staff, sorted(units)), handed_over=handed)


def _apply_staff_edit(
    work: Work, staff: Staff, edit: StaffEdit, role: str, units: list[str]
) -> list[str]:
    """Set what differs; the names of the fields that changed."""
    changed = []
    fields = (("name", edit.name), ("role", role), ("email", edit.email), ("login", edit.login))
    for field, value in fields:
        if value is not None and value != getattr(staff, field):
            setattr(staff, field, value)
            changed.append(field)
    work.session.add(staff)
    if sorted(units) != _units_of(work, staff.id):
        work.session.exec(delete(Membership).where(Membership.staff_id == staff.id))
        work.session.add_all(Membership(staff_id=staff.id, unit_id=u) for u in units)
        changed.append("units")
    work.session.flush()
    return changed


def _units_of(work: Work, initials: str) -> list[str]:
    return sorted(
        work.session.exec(select(Membership.unit_id).where(Membership.staff_id == initials)).all()
    )


def _active_staff(work: Work, initials: str) -> Staff:
    staff = work.session.get(Staff, initials)
    if staff is None:
        raise NotFound(
            _("no staff member {initials}; see `staircase staff list`").format(initials=initials)
        )
    if not staff.active:
        raise InvalidInput(
            _("{initials} has left (deactivated); nothing was changed").format(initials=initials)
        )
    return staff


def _refuse_last_admin(work: Work, staff: Staff) -> None:
    """Someone must be left who can set the installation up."""
    others = work.session.exec(
        select(Staff.id).where(
            Staff.role == "admin", col(Staff.active).is_(True), Staff.id != staff.id
        )
    ).first()
    if others is None:
        raise InvalidInput(
            _("{id} is the only admin; make someone else admin first").format(id=staff.id)
        )


def deactivate_staff(request: Request, initials: str, *, reason: str | None) -> StaffChange:
    """A person leaves: they can no longer act, and own nothing open (§2).

    Nothing they did is removed. Their open actions, and the cases they were
    contact person for, go to the leader of the case's unit (each listed in
    the result; a case's new contact person is a change in its history).
    """
    why = require_reason(reason, doing=_("deactivating a person"))
    with transaction(request, "staff.deactivate") as work:
        staff = _active_staff(work, initials)
        if staff.role == "admin":
            _refuse_last_admin(work, staff)
        staff.active, staff.left_at = False, work.now
        work.session.add(staff)
        handed = _hand_over(work, staff, f"{staff.id} left: {why}")
        work.audit("staff.deactivate", subject=staff.id, detail=why)
        return StaffChange(staff=_staff_view(staff, _units_of(work, staff.id)), handed_over=handed)


def _unit_leader(work: Work, unit_id: str) -> Staff | None:
    """The unit's leader who takes over: the first active leader of the unit by initials."""
    return work.session.exec(
        select(Staff)
        .join(Membership, Membership.staff_id == Staff.id)
        .where(Membership.unit_id == unit_id, Staff.role == "leader", col(Staff.active).is_(True))
        .order_by(Staff.id)
    ).first()


def _hand_over(
    work: Work, staff: Staff, reason: str, units: set[str] | None = None
) -> list[Handover]:
    """What the person owns open — actions, and cases as contact person — goes to the
    leader of the case's unit; ``units`` limits it to the units they no longer work in."""
    actions = select(Action, Case).join(Case, Case.id == Action.case_id)
    actions = actions.where(Action.owner_id == staff.id, Action.status == "open")
    cases = select(Case).where(Case.contact_id == staff.id, col(Case.closed_at).is_(None))
    if units is not None:
        actions = actions.where(col(Case.unit_id).in_(units))
        cases = cases.where(col(Case.unit_id).in_(units))
    handed = []
    for action, case in work.session.exec(actions.order_by(Action.id)).all():
        leader = _unit_leader(work, case.unit_id)
        action.owner_role, action.owner_id = "unit_leader", leader.id if leader else None
        work.session.add(action)
        work.audit("action.handover", case_id=case.id, subject=f"{action.id}:{staff.id}")
        handed.append(Handover(kind="action", id=action.id, case_id=case.id, to=_to(leader)))
    for case in work.session.exec(cases.order_by(Case.id)).all():
        leader = _unit_leader(work, case.unit_id)
        case.contact_id = leader.id if leader else None
        work.session.add(case)
        work.session.add(
            CaseChange(
                case_id=case.id,
                at=work.now,
                by_staff=work.actor.id,
                field="contact",
                old_value=staff.id,
                new_value=case.contact_id,
                reason=reason,
            )
        )
        work.audit("case.edit", case_id=case.id, subject="contact", detail=reason)
        handed.append(Handover(kind="contact", id=case.id, case_id=case.id, to=_to(leader)))
    work.session.flush()
    return handed


def _to(leader: Staff | None) -> str:
    return leader.id if leader else "unit_leader"


def list_staff(request: Request) -> list[StaffView]:
    with transaction(request, "staff.list", write=False) as work:
        staff = work.session.exec(select(Staff).order_by(Staff.id)).all()
        members = work.session.exec(select(Membership)).all()
        return [
            _staff_view(s, sorted(m.unit_id for m in members if m.staff_id == s.id)) for s in staff
        ]


def add_resident(request: Request, *, ref: str, name: str, unit_id: str) -> ResidentView:
    """A resident, by the home's own reference; never a CPR number (§6.5)."""
    _check_id(ref, _("resident reference"))
    refuse_cpr(ref, field=_("the resident reference"))
    refuse_cpr(name, field=_("the name"))
    with transaction(request, "resident.add") as work:
        get_unit(work.session, unit_id)
        permit_unit(work.actor, unit_id, "resident.add")
        if work.session.exec(select(Resident).where(Resident.ref == ref)).first():
            raise InvalidInput(_("resident {ref} already exists").format(ref=ref))
        resident = Resident(ref=ref, name=name, unit_id=unit_id)
        work.session.add(resident)
        work.session.flush()
        work.audit("resident.add", subject=ref, detail=name)
        return ResidentView.model_validate(resident)


def _check_id(value: str, what: str) -> None:
    refuse_cpr(value, field=what)
    if not _ID.fullmatch(value):
        raise InvalidInput(
            _('{what} "{value}" must be letters, digits, - or _ (at most 40)').format(
                what=what, value=value
            )
        )
