"""Who is acting (§2): ``--as`` / ``STAIRCASE_USER``, else the OS login."""

import getpass
from dataclasses import dataclass

from sqlmodel import Session, select

from staircase.db.models import Membership, Staff, Unit
from staircase.errors import InvalidInput

ROLES = ("staff", "leader", "quality", "admin")


@dataclass(frozen=True)
class Actor:
    """A staff member acting now.

    ``members_of`` are the units they belong to; ``units`` adds every unit
    below those, so an area leader reads and decides in the homes of the
    area — including the case behind an escalation that reached them.
    """

    id: str
    name: str
    role: str
    units: frozenset[str]
    members_of: frozenset[str]

    @property
    def is_leader(self) -> bool:
        return self.role == "leader"


def login_name(given: str | None) -> str:
    """The initials to act as: as given, else the OS login."""
    return given.strip() if given and given.strip() else getpass.getuser()


def resolve_actor(session: Session, given: str | None) -> Actor:
    """The staff member behind ``given``; an unknown person is an error, nothing written."""
    initials = login_name(given)
    staff = session.get(Staff, initials) or session.get(Staff, initials.upper())
    if staff is None or not staff.active:
        raise InvalidInput(
            f'"{initials}" is not a staff member here; use --as INITIALS or ask an admin '
            "to run `staircase staff add`"
        )
    members_of = frozenset(
        session.exec(select(Membership.unit_id).where(Membership.staff_id == staff.id)).all()
    )
    return Actor(
        staff.id, staff.name, staff.role, with_descendants(session, members_of), members_of
    )


def with_descendants(session: Session, units: frozenset[str]) -> frozenset[str]:
    """The units and every unit below them (the unit tree is small: read it whole)."""
    children: dict[str, list[str]] = {}
    for unit_id, parent_id in session.exec(select(Unit.id, Unit.parent_id)).all():
        children.setdefault(parent_id, []).append(unit_id)
    found, todo = set(units), list(units)
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return frozenset(found)
