"""Reading the audit log: ``audit verify`` and ``audit show`` (§6.2).

The log is how a municipality shows who read and changed what, so reading
it is itself audited: a verification records its result, and ``show`` is a
search recorded with its criteria, as the Datatilsynet guidance on logging
asks. Both are for quality and admin only (``permissions.py``).
"""

from datetime import datetime

from pydantic import Field
from sqlmodel import Session, col, select

from staircase.clock import iso_utc, parse_when
from staircase.core import audit
from staircase.core.work import Request, transaction
from staircase.db.guard import check_text
from staircase.db.models import AuditDetail, AuditEntry
from staircase.views import Time, View


class AuditCheck(View):
    """What ``audit verify`` found: how many entries, and the first that does not hold."""

    ok: bool
    entries: int
    broken_at: int | None = None
    problem: str | None = None
    with_key: bool = False
    """Whether the chain was checked with the installation's key (§6.8), not plain hashes."""
    rows: list[str] = Field(default_factory=list)
    """Rows changed or deleted outside staircase since their last audited write, one line each."""


class AuditEntryView(View):
    """One entry as people read it, with its personal detail where one is still held."""

    id: int
    at: Time
    clock: Time | None
    actor: str
    action: str
    case_id: int | None
    subject: str
    outcome: str
    detail: str | None


class AuditLog(View):
    """The entries ``audit show`` selected, and the criteria it selected them by."""

    case_id: int | None
    person: str | None
    since: Time | None
    entries: list[AuditEntryView]


def verify_log(request: Request) -> AuditCheck:
    """Walk the chain (§6.2); the verification and its outcome go into the log too."""
    with transaction(request, "audit.verify", write=False) as work:
        check = audit.verify(work.session)
        if check.broken_at is not None:
            outcome = f"broken at {check.broken_at}"
        else:
            outcome = f"rows-altered={len(check.rows)}" if check.rows else "intact"
        work.audit("audit.verify", subject=f"entries={check.entries} {outcome}")
        return AuditCheck(
            ok=check.ok,
            entries=check.entries,
            broken_at=check.broken_at,
            problem=check.problem,
            with_key=check.with_key,
            rows=check.rows,
        )


def show_log(
    request: Request,
    *,
    case_id: int | None = None,
    person: str | None = None,
    since: str | None = None,
) -> AuditLog:
    """The entries about a case, by a person, since a time (real time, not ``--now``).

    The search is audited with its criteria (§6.2); a search about one case
    is also part of that case's history, which subject access reports.
    """
    if person is not None:
        check_text(person, field="--person", limit=audit.ACTOR_LIMIT)
    with transaction(request, "audit.show", write=False) as work:
        start = parse_when(since, clock=work.clock) if since else None
        actor = person.strip() if person else None
        entries = _select(work.session, case_id=case_id, actor=actor, since=start)
        criteria = (
            f"case={case_id or '*'} person={actor or '*'} since={iso_utc(start) if start else '*'}"
        )
        # The criteria name a person: kept in the detail, which retention can delete,
        # never in the chained subject (§6.8).
        work.audit("audit.search", case_id=case_id, detail=criteria)
        return AuditLog(case_id=case_id, person=actor, since=start, entries=entries)


def _select(
    session: Session, *, case_id: int | None, actor: str | None, since: datetime | None
) -> list[AuditEntryView]:
    query = select(AuditEntry, AuditDetail.detail).outerjoin(
        AuditDetail, col(AuditDetail.audit_id) == AuditEntry.id
    )
    if case_id is not None:
        query = query.where(AuditEntry.case_id == case_id)
    if actor is not None:
        query = query.where(col(AuditEntry.actor).in_({actor, actor.upper()}))
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    return [
        AuditEntryView(
            id=entry.id,
            at=entry.at,
            clock=entry.clock,
            actor=entry.actor,
            action=entry.action,
            case_id=entry.case_id,
            subject=entry.subject,
            outcome=entry.outcome,
            detail=detail,
        )
        for entry, detail in session.exec(query.order_by(AuditEntry.id)).all()
    ]
