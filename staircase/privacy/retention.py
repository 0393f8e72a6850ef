"""Retention: really deleting closed cases once their time is up (§6.6).

Data about a family's hard moments may be kept only as long as it is
needed. ``purge`` deletes closed cases older than the retention period,
everything hanging off them, the relatives and residents no one else's
case refers to, and the personal details of their audit entries. The
audit entries themselves stay — their chained fields hold only ids — so
the chain still verifies, and the purge itself is recorded (with counts,
never names). On SQLite the file is then rewritten so the deleted rows
leave no bytes behind.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from staircase.core.settings import MAX_RETENTION_DAYS, RETENTION_DAYS
from staircase.core.work import Request, transaction
from staircase.db import digests
from staircase.db.models import (
    Action,
    Agreement,
    AgreementBreach,
    AgreementReview,
    AssessSeen,
    AuditDetail,
    AuditEntry,
    Case,
    CaseChange,
    CaseEvaluation,
    Escalation,
    Notification,
    Observation,
    Proposal,
    Relative,
    Resident,
    Setting,
    Transition,
)
from staircase.db.store import compact
from staircase.errors import InvalidInput
from staircase.i18n import _
from staircase.views import Time, View

DEFAULT_RETENTION_DAYS = 1826
"""Five years, unless the ``retention_days`` setting says otherwise."""
_CHUNK = 500
"""Ids per ``IN (…)``: well inside SQLite's and PostgreSQL's parameter limits."""

_CASE_ROWS = (
    CaseChange,
    AgreementBreach,
    AgreementReview,
    Observation,
    Transition,
    Proposal,
    Action,
    Agreement,
    AssessSeen,
    CaseEvaluation,
)
"""Tables whose rows belong to one case and go with it (escalations apart, for their
mail), those that refer to others first."""


class PurgeReport(View):
    """What a purge deleted (or, dry, would delete): case ids and rows per table."""

    dry_run: bool
    retention_days: int
    cutoff: Time
    cases: list[int]
    deleted: dict[str, int]


@dataclass(frozen=True)
class _Doomed:
    """A closed case past retention, with the people it refers to."""

    case_id: int
    relative_id: int
    resident_id: int


def purge(request: Request, *, dry_run: bool = False, older_than: int | None = None) -> PurgeReport:
    """Delete closed cases older than the retention period; ``dry_run`` only counts.

    A dry run does the very deletions and rolls them back, so its counts
    are what a real run would delete.
    """
    if older_than is not None and not 1 <= older_than <= MAX_RETENTION_DAYS:
        raise InvalidInput(
            _("--older-than needs a number of days, 1 to {MAX_RETENTION_DAYS}").format(
                MAX_RETENTION_DAYS=MAX_RETENTION_DAYS
            )
        )
    with transaction(request, "purge", dry_run=dry_run) as work:
        days = older_than if older_than is not None else retention_days(work.session)
        # Real time, never --now: a shifted clock must not age data into deletion (§6.8).
        cutoff = work.clock.real_now - timedelta(days=days)
        doomed = _closed_before(work.session, cutoff)
        deleted = _delete(work.session, doomed)
        for case in doomed:
            work.audit("case.purge", case_id=case.case_id)
        counts = " ".join(f"{table}={n}" for table, n in deleted.items())
        work.audit("purge", subject=f"older_than={days}d {counts}")
        report = PurgeReport(
            dry_run=dry_run,
            retention_days=days,
            cutoff=cutoff,
            cases=[c.case_id for c in doomed],
            deleted=deleted,
        )
    if doomed and not dry_run:
        compact(request.url)
    return report


def retention_days(session: Session) -> int:
    """The configured retention period: the ``retention_days`` setting, else five years."""
    row = session.get(Setting, RETENTION_DAYS)
    if row is None:
        return DEFAULT_RETENTION_DAYS
    try:
        days = int(row.value)
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_RETENTION_DAYS:
        raise InvalidInput(
            _(
                'the setting {RETENTION_DAYS} is "{value}", not a number of days; fix it, '
                "or give --older-than DAYS"
            ).format(RETENTION_DAYS=RETENTION_DAYS, value=row.value)
        )
    return days


def _closed_before(session: Session, cutoff) -> list[_Doomed]:
    rows = session.exec(
        select(Case.id, Case.relative_id, Case.resident_id)
        .where(col(Case.closed_at).is_not(None), col(Case.closed_at) < cutoff)
        .order_by(Case.id)
    ).all()
    return [_Doomed(*row) for row in rows]


def _delete(session: Session, doomed: list[_Doomed]) -> dict[str, int]:
    """Delete the cases and all that hangs off them, children before parents."""
    counts = dict.fromkeys(
        ["case", *(t.__tablename__ for t in _CASE_ROWS), "escalation", "notification"], 0
    )
    counts |= {"audit_detail": 0, "relative": 0, "resident": 0}
    for chunk in _chunks([c.case_id for c in doomed]):
        for table, n in _delete_cases(session, chunk):
            counts[table] += n
    relatives = _unreferenced(session, Relative, Case.relative_id, {c.relative_id for c in doomed})
    residents = _unreferenced(session, Resident, Case.resident_id, {c.resident_id for c in doomed})
    refs = _resident_refs(session, residents)
    counts["audit_detail"] += _forget_registrations(session, relatives, refs)
    counts["relative"] = _delete_ids(session, Relative, relatives)
    counts["resident"] = _delete_ids(session, Resident, residents)
    return counts


def _delete_cases(session: Session, chunk: list[int]) -> Iterator[tuple[str, int]]:
    escalations = select(Escalation.id).where(col(Escalation.case_id).in_(chunk))
    yield (
        "notification",
        _run(session, delete(Notification).where(col(Notification.escalation_id).in_(escalations))),
    )
    yield "escalation", _run(session, delete(Escalation).where(col(Escalation.case_id).in_(chunk)))
    for table in _CASE_ROWS:
        yield table.__tablename__, _run(session, delete(table).where(col(table.case_id).in_(chunk)))
    entries = select(AuditEntry.id).where(col(AuditEntry.case_id).in_(chunk))
    yield (
        "audit_detail",
        _run(session, delete(AuditDetail).where(col(AuditDetail.audit_id).in_(entries))),
    )
    yield "case", _run(session, delete(Case).where(col(Case.id).in_(chunk)))


def _unreferenced(session: Session, table: type, reference, ids: set[int]) -> list[int]:
    """Those of ``ids`` that no remaining case refers to."""
    found: list[int] = []
    for chunk in _chunks(sorted(ids)):
        found += session.exec(
            select(table.id).where(
                col(table.id).in_(chunk), col(table.id).not_in(select(reference))
            )
        ).all()
    return found


def _resident_refs(session: Session, resident_ids: list[int]) -> list[str]:
    refs: list[str] = []
    for chunk in _chunks(resident_ids):
        refs += session.exec(select(Resident.ref).where(col(Resident.id).in_(chunk))).all()
    return refs


def _forget_registrations(session: Session, relative_ids: list[int], refs: list[str]) -> int:
    """The details of audit entries naming a deleted person outside any case:
    their registration and earlier subject-access exports (``subject.py``)."""
    keys = [
        *(("relative.add", str(i)) for i in relative_ids),
        *(("resident.add", ref) for ref in refs),
        *(("subject.access", f"relative:{i}") for i in relative_ids),
        *(("subject.access", f"resident:{ref}") for ref in refs),
    ]
    deleted = 0
    for action in sorted({a for a, _s in keys}):
        subjects = [s for a, s in keys if a == action]
        for chunk in _chunks(subjects):
            entries = select(AuditEntry.id).where(
                AuditEntry.action == action, col(AuditEntry.subject).in_(chunk)
            )
            deleted += _run(
                session, delete(AuditDetail).where(col(AuditDetail.audit_id).in_(entries))
            )
    return deleted


def _delete_ids(session: Session, table: type, ids: list[int]) -> int:
    return sum(
        _run(session, delete(table).where(col(table.id).in_(chunk))) for chunk in _chunks(ids)
    )


def _run(session: Session, statement) -> int:
    """Run a bulk delete; how many rows it deleted. A table the audit chain vouches
    for has its deleted ids recorded, so ``audit verify`` knows purge deleted them."""
    options = {"synchronize_session": False}
    table = statement.table.name
    if table not in digests.TRACKED:
        return session.execute(statement, execution_options=options).rowcount
    ids = session.execute(statement.returning(statement.table.c.id), execution_options=options)
    gone = ids.scalars().all()
    digests.deleted(session, table, gone)
    return len(gone)


def _chunks(items: Sequence) -> Iterator[list]:
    for start in range(0, len(items), _CHUNK):
        yield list(items[start : start + _CHUNK])
