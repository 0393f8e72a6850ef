"""Who is acting (§6.8): established from the account running the command, not claimed.

On a database initialised as a shared terminal (one care-home PC, the
demo, tests) ``--as`` / ``STAIRCASE_USER`` is trusted, and the audit marks
every entry as made there. Everywhere else the acting person is the staff
member bound (``staff add … --login``) to the account that runs the
command: the process's real user id on SQLite, ``session_user`` on
PostgreSQL, whom PostgreSQL itself authenticated. ``--as`` naming anyone
else is then refused and audited as the person who tried.
"""

import getpass
import os
import pwd
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, func, select

from staircase.db.models import Membership, Setting, Staff, Unit
from staircase.db.store import keep
from staircase.errors import InvalidInput, NotAllowed
from staircase.i18n import _
from staircase.kinds import Role

SHARED_TERMINAL_KEY = "shared_terminal"
"""The ``setting`` row that says ``--as`` is trusted here; only ``init`` writes it."""


class NotYou(NotAllowed):
    """A refusal about identity, audited as the account's own person (or the account)."""

    def __init__(self, message: str, *, actor: str) -> None:
        super().__init__(message)
        self.actor = actor


@dataclass(frozen=True)
class Actor:
    """A staff member acting now.

    ``members_of`` are the units they belong to; ``units`` adds every unit
    below those, so an area leader reads and decides in the homes of the
    area — including the case behind an escalation that reached them.
    """

    id: str
    name: str
    role: Role
    units: frozenset[str]
    members_of: frozenset[str]

    @property
    def is_leader(self) -> bool:
        return self.role == Role.LEADER


def login_name(given: str | None) -> str:
    """The initials to act as on a shared terminal: as given, else the OS login."""
    return given.strip() if given and given.strip() else getpass.getuser()


def is_shared_terminal(session: Session) -> bool:
    row = keep(session, session.get(Setting, SHARED_TERMINAL_KEY))
    return row is not None and row.value == "yes"


def account_name(session: Session) -> str:
    """The account running this command: the database role on PostgreSQL, else the OS
    user of the real uid (not ``$USER`` or ``$LOGNAME``, which anyone can set)."""
    if session.get_bind().dialect.name == "postgresql":
        return session.execute(text("select session_user")).scalar_one()
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return f"uid {os.getuid()}"


def has_staff(session: Session) -> bool:
    return session.exec(select(func.count()).select_from(Staff)).one() > 0


def resolve_actor(session: Session, given: str | None) -> Actor:
    """The staff member acting: claimed on a shared terminal, else bound to the account."""
    staff = _claimed(session, given) if is_shared_terminal(session) else _bound(session, given)
    members_of = frozenset(
        session.exec(select(Membership.unit_id).where(Membership.staff_id == staff.id)).all()
    )
    return Actor(
        staff.id, staff.name, staff.role, with_descendants(session, members_of), members_of
    )


def _claimed(session: Session, given: str | None) -> Staff:
    initials = login_name(given)
    staff = session.get(Staff, initials) or session.get(Staff, initials.upper())
    if staff is not None and not staff.active:
        raise InvalidInput(
            _(
                "{id} has left (deactivated) and can no longer act here; ask an admin if "
                "that is wrong"
            ).format(id=staff.id)
        )
    if staff is None:
        raise InvalidInput(
            _(
                '"{initials}" is not a staff member here; use --as INITIALS or ask an admin '
                "to run `staircase staff add`"
            ).format(initials=initials)
        )
    return staff


def _bound(session: Session, given: str | None) -> Staff:
    """The person bound to this account; ``--as`` may only name them."""
    account = account_name(session)
    staff = session.exec(select(Staff).where(Staff.login == account)).first()
    if staff is None:
        raise NotYou(
            _(
                'the account "{account}" is not bound to a staff member here; an admin binds it '
                "with `staircase staff add INITIALS … --login {account}`"
            ).format(account=account),
            actor=account[:40],
        )
    if not staff.active:
        raise NotYou(
            _("{staff} is deactivated and cannot act").format(staff=staff.id), actor=staff.id
        )
    claimed = given.strip() if given else ""
    if claimed and claimed.upper() != staff.id.upper():
        raise NotYou(
            _(
                '--as names someone else, but the account "{account}" is {staff}; '
                "--as is trusted only on a shared terminal (`init --shared-terminal`)"
            ).format(account=account, staff=staff.id),
            actor=staff.id,
        )
    return staff


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
