"""Who is acting (§2): ``--as`` / ``STAIRCASE_USER``, else the OS login."""

import getpass
from dataclasses import dataclass

from sqlmodel import Session, select

from staircase.db.models import Membership, Staff
from staircase.errors import InvalidInput

ROLES = ("staff", "leader", "quality", "admin")


@dataclass(frozen=True)
class Actor:
    """A staff member acting now, with the units they belong to."""

    id: str
    name: str
    role: str
    units: frozenset[str]

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
    units = session.exec(select(Membership.unit_id).where(Membership.staff_id == staff.id)).all()
    return Actor(staff.id, staff.name, staff.role, frozenset(units))
