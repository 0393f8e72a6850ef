"""One PostgreSQL role per person, with only the grants the product needs (§6.8).

On PostgreSQL each person connects as their own role, authenticated by
PostgreSQL itself; ``identity`` maps ``session_user`` to the staff member
whose ``login`` it is. ``staircase db grant`` (admin, run as the database
owner) creates or refreshes those roles from the staff table:

- every active person: read everything; write the case work (cases,
  observations, moves, follow-up); append to the audit log — ``INSERT`` and
  ``SELECT`` on ``audit`` and ``audit_detail``, never ``UPDATE``, ``DELETE``
  or ``TRUNCATE``, so no staff role can rewrite history; move the chain's
  head in ``setting`` and no other setting (row-level security);
- admins also write the directory (units, staff, memberships) and settings;
- a deactivated person's role loses its grants and may no longer log in.

What only the owner may do stays with the owner: migrations (DDL), purge
(which deletes ``audit_detail``), restore. Roles with powers beyond the
product's (superuser, create-role, bypass-RLS, the owner running this) are
left alone and reported: the DBA manages those.

Passwords, peer or GSSAPI authentication are PostgreSQL's business
(``pg_hba.conf``); this command never sets one.
"""

from collections.abc import Callable

from sqlalchemy import inspect, text
from sqlmodel import Session, select

from staircase.core.audit import HEAD_KEY
from staircase.core.work import Request, transaction
from staircase.db.models import Staff
from staircase.errors import InvalidInput
from staircase.i18n import _
from staircase.kinds import Role
from staircase.views import GrantReport

AUDIT_TABLES = frozenset({"audit", "audit_detail"})
"""Appended to and read, never changed (§6.2)."""
DIRECTORY_TABLES = frozenset({"unit", "staff", "membership", "setting"})
"""Written by admins only: who works here, in which unit, with which role."""
OWNER_TABLES = frozenset({"alembic_version"})
"""The schema's own bookkeeping: migrations are the owner's."""

_POLICIES = ("staircase_read", "staircase_head_insert", "staircase_head_update", "staircase_admin")


def grant_roles(request: Request) -> GrantReport:
    """Create or refresh every staff member's role; audited as ``db.grant``."""
    with transaction(request, "db.grant") as work:
        session = work.session
        if session.get_bind().dialect.name != "postgresql":
            raise InvalidInput(
                _(
                    "db grant is for PostgreSQL; on SQLite each person's OS account is bound "
                    "with `staircase staff add|edit … --login ACCOUNT`"
                )
            )
        report = _grant(session)
        work.audit(
            "db.grant",
            subject=f"granted={len(report.granted)} closed={len(report.closed)}",
            detail=" ".join(f"{k}={','.join(v)}" for k, v in report.model_dump().items() if v),
        )
    return report


def _grant(session: Session) -> GrantReport:
    quote = session.get_bind().dialect.identifier_preparer.quote_identifier
    schema = quote(session.execute(text("select current_schema()")).scalar_one())
    tables = set(inspect(session.connection()).get_table_names())
    writable = tables - AUDIT_TABLES - OWNER_TABLES
    powerful = _powerful_roles(session)
    granted, closed, unbound, left_alone, admins = [], [], [], [], []
    for staff in session.exec(select(Staff).order_by(Staff.id)).all():
        if staff.login is None:
            unbound.append(staff.id)
            continue
        if staff.login in powerful:
            left_alone.append(staff.id)
            continue
        role = quote(staff.login)
        _ensure_role(session, staff.login, role, can_login=staff.active)
        own = writable if staff.role == Role.ADMIN else writable - DIRECTORY_TABLES
        for statement in _privileges(schema, role, own if staff.active else None, quote):
            session.execute(text(statement))
        (granted if staff.active else closed).append(staff.id)
        if staff.active and staff.role == Role.ADMIN:
            admins.append(role)
    _setting_policies(session, admins)
    return GrantReport(granted=granted, closed=closed, unbound=unbound, left_alone=left_alone)


def _privileges(
    schema: str, role: str, writes: set[str] | None, quote: Callable[[str], str]
) -> list[str]:
    """Everything taken from ``role``, then what it needs given back: read all, append
    to the audit log, move its head, write ``writes``; nothing for ``None`` (closed)."""
    revoked = [
        f"revoke all on all tables in schema {schema} from {role}",
        f"revoke all on all sequences in schema {schema} from {role}",
        f"revoke all on schema {schema} from {role}",
    ]
    if writes is None:
        return revoked
    granted = [
        f"grant usage on schema {schema} to {role}",
        f"grant select on all tables in schema {schema} to {role}",
        f"grant usage, select on all sequences in schema {schema} to {role}",
        f"grant insert on {', '.join(quote(t) for t in sorted(AUDIT_TABLES))} to {role}",
        f"grant insert, update on setting to {role}",
    ]
    if writes:
        tables = ", ".join(quote(t) for t in sorted(writes))
        granted.append(f"grant insert, update, delete on {tables} to {role}")
    return revoked + granted


def _powerful_roles(session: Session) -> set[str]:
    """Roles this command must not touch: the one running it, and any with powers
    beyond the product's, which closing or re-granting could lock the DBA out with."""
    rows = session.execute(
        text(
            "select rolname from pg_roles where rolsuper or rolcreaterole or rolbypassrls "
            "or rolname = current_user or rolname = session_user"
        )
    )
    return set(rows.scalars())


def _ensure_role(session: Session, name: str, role: str, *, can_login: bool) -> None:
    login = "login" if can_login else "nologin"
    exists = session.execute(text("select 1 from pg_roles where rolname = :n"), {"n": name})
    verb = "alter" if exists.first() else "create"
    session.execute(text(f"{verb} role {role} {login}"))


def _setting_policies(session: Session, admins: list[str]) -> None:
    """Row-level security on ``setting``: everyone reads; staff may only move the
    chain's head (every audited command does); admins write the rest. The owner
    is not bound by these policies (migrations, ``init``)."""
    for policy in _POLICIES:
        session.execute(text(f"drop policy if exists {policy} on setting"))
    head = f"key = '{HEAD_KEY}'"
    session.execute(text("alter table setting enable row level security"))
    session.execute(text("create policy staircase_read on setting for select using (true)"))
    session.execute(
        text(f"create policy staircase_head_insert on setting for insert with check ({head})")
    )
    session.execute(
        text(
            f"create policy staircase_head_update on setting for update "
            f"using ({head}) with check ({head})"
        )
    )
    if admins:
        session.execute(
            text(
                f"create policy staircase_admin on setting for all to {', '.join(admins)} "
                "using (true) with check (true)"
            )
        )
