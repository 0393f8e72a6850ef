"""Digests of the rows a unit of work wrote, so the audit chain vouches for the data too.

The chain proves that nobody edited the log; without more, an observation's
note or a staff member's role edited with ``sqlite3`` or ``psql`` would go
unnoticed (issue 11). So every transaction's last audit entry carries, in a
chained field, a digest of each tracked row it inserted, updated or
deleted (``table:id=digest``, ``-`` for a deletion). ``audit verify`` keeps
the latest digest of every row — a later legitimate update of the same row
supersedes the earlier one — and compares it with the row as it is now.

The rows are collected from the session's flushes (``track``), so no
writing path can forget them; bulk statements, which bypass the flush,
report theirs with ``wrote`` and ``deleted`` (observations, purge).
Digests are computed from the values as Python holds them, normalised the
way they read back (enums as values, times in UTC), so no extra query is
made: ``log`` costs no round trip more.
"""

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Table, event, select
from sqlmodel import Session, SQLModel

from staircase.db.models import (
    Action,
    Agreement,
    AgreementBreach,
    AgreementReview,
    Case,
    CaseChange,
    Escalation,
    Observation,
    Proposal,
    Staff,
    Transition,
    Unit,
)
from staircase.i18n import _

TRACKED: dict[str, type[SQLModel]] = {
    model.__tablename__: model  # type: ignore[misc]
    for model in (
        Unit,
        Staff,
        Case,
        CaseChange,
        Observation,
        Transition,
        Proposal,
        Escalation,
        Action,
        Agreement,
        AgreementBreach,
        AgreementReview,
    )
}
"""The tables whose rows the chain vouches for: who may act, and the cases' history."""

DELETED = "-"
_WRITTEN = "staircase.written"
"""The ``session.info`` key of what this transaction wrote: ``{(table, id): row or None}``."""


def track(session: Session) -> None:
    """Collect the tracked rows every flush of ``session`` writes."""
    event.listen(session, "after_flush", _collect)


def _collect(session: Session, _context: object) -> None:
    written = session.info.setdefault(_WRITTEN, {})
    for row in (*session.new, *session.dirty):
        if getattr(row, "__tablename__", None) in TRACKED:
            written[(row.__tablename__, str(row.id))] = row
    for row in session.deleted:
        if getattr(row, "__tablename__", None) in TRACKED:
            written[(row.__tablename__, str(row.id))] = None


def wrote(session: Session, rows: Iterable[SQLModel]) -> None:
    """Rows a bulk statement wrote (and returned), past the flush."""
    written = session.info.setdefault(_WRITTEN, {})
    for row in rows:
        written[(row.__tablename__, str(row.id))] = row  # type: ignore[attr-defined]


def deleted(session: Session, table: str, ids: Iterable[object]) -> None:
    """Rows a bulk statement deleted (purge): their deletion is their latest write."""
    written = session.info.setdefault(_WRITTEN, {})
    for row_id in ids:
        written[(table, str(row_id))] = None


def pending(session: Session) -> bool:
    """Whether this transaction wrote tracked rows not yet taken into an entry."""
    return bool(session.info.get(_WRITTEN))


def take(session: Session) -> str:
    """What this transaction wrote, as the chained field; forgotten once taken."""
    written = session.info.pop(_WRITTEN, {})
    return " ".join(
        f"{table}:{row_id}={row_digest(row) if row is not None else DELETED}"
        for (table, row_id), row in sorted(written.items(), key=lambda item: item[0])
    )


def row_digest(row: Any, table: Table | None = None) -> str:
    """A row's digest over all its columns: an ORM object, or a row of ``table`` read back."""
    columns = (table if table is not None else row.__table__).columns
    values = {column.key: _plain(getattr(row, column.key)) for column in columns}
    payload = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, set | frozenset):
        return sorted(_plain(item) for item in value)  # as ``CommaList`` stores a set
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def parse(rows: str) -> Iterable[tuple[str, str, str]]:
    """The ``(table, id, digest)`` of a chained ``rows`` field."""
    for item in rows.split():
        where, _, digest = item.rpartition("=")
        table, _, row_id = where.partition(":")
        yield table, row_id, digest


def findings(session: Session, expected: dict[tuple[str, str], tuple[str, int]]) -> list[str]:
    """One line for every tracked row that is not as its latest audited write left it.

    ``expected`` maps ``(table, id)`` to the latest digest and the entry that
    recorded it. Rows the log never vouched for (written before digests,
    or by the benchmark's bulk loader) are not judged.
    """
    found: list[str] = []
    for name, model in TRACKED.items():
        wanted = {row_id: v for (t, row_id), v in expected.items() if t == name}
        if wanted:
            found += _findings_in(session, name, model.__table__, wanted)  # type: ignore[arg-type]
    return found


def _findings_in(
    session: Session, name: str, table: Table, wanted: dict[str, tuple[str, int]]
) -> list[str]:
    found, seen = [], set()
    # Core rows, not ORM objects: the same values, read at a fraction of the cost.
    for row in session.execute(select(table)).yield_per(5000):
        row_id = str(row.id)
        if row_id not in wanted:
            continue
        seen.add(row_id)
        digest, entry = wanted[row_id]
        if digest == DELETED:
            found.append(
                _("{table} {id} is back after entry {entry} deleted it").format(
                    table=name, id=row_id, entry=entry
                )
            )
        elif row_digest(row, table) != digest:
            found.append(
                _(
                    "{table} {id} was changed outside staircase "
                    "(entry {entry} recorded its last write)"
                ).format(table=name, id=row_id, entry=entry)
            )
    for row_id, (digest, entry) in wanted.items():
        if row_id not in seen and digest != DELETED:
            found.append(
                _(
                    "{table} {id} was deleted outside staircase "
                    "(entry {entry} recorded its last write)"
                ).format(table=name, id=row_id, entry=entry)
            )
    return found
