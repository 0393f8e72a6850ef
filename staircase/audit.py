"""The append-only, hash-chained audit log (§6.2).

Each entry's hash covers the previous entry's hash and its own chained
fields, so editing, deleting or reordering any entry breaks the chain at
that entry. Personal details live in ``audit_detail``, outside the chain,
so retention can delete them and the chain still verifies (§6.6).
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text
from sqlmodel import Session, select

from staircase.clock import Clock
from staircase.db.models import AuditDetail, AuditEntry

GENESIS = "0" * 64
_CHAIN_LOCK = 7_146_201  # PostgreSQL advisory lock id serialising chain appends


@dataclass(frozen=True)
class Event:
    """Something to audit: who did what to which case, and the outcome."""

    actor: str
    action: str
    case_id: int | None = None
    subject: str = ""
    outcome: str = "ok"
    detail: str | None = None


def entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    """The hash of one entry given its predecessor's hash."""
    chained = {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "clock": entry.clock.isoformat() if entry.clock else None,
        "actor": entry.actor,
        "action": entry.action,
        "case_id": entry.case_id,
        "subject": entry.subject,
        "outcome": entry.outcome,
    }
    payload = prev_hash + json.dumps(chained, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(session: Session, events: list[Event], clock: Clock) -> None:
    """Append events to the chain inside the caller's transaction.

    Each entry records the real time, and the shifted clock when ``--now``
    was used, so replays and demos are told apart from live work (§10.1).

    Appends are serialised (SQLite's write lock; an advisory lock on
    PostgreSQL) so that two writers never fork the chain.
    """
    if not events:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("select pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})
    last = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).first()
    prev_hash, next_id = (last.hash, last.id + 1) if last else (GENESIS, 1)
    at, shifted = datetime.now(UTC), clock.now if clock.shifted else None
    details = []
    for event in events:
        entry = AuditEntry(
            id=next_id,
            at=at,
            clock=shifted,
            actor=event.actor,
            action=event.action,
            case_id=event.case_id,
            subject=event.subject,
            outcome=event.outcome,
            prev_hash=prev_hash,
            hash="",
        )
        entry.hash = entry_hash(prev_hash, entry)
        session.add(entry)
        if event.detail:
            details.append(AuditDetail(audit_id=next_id, detail=event.detail))
        prev_hash, next_id = entry.hash, next_id + 1
    session.flush()
    session.add_all(details)
    session.flush()


@dataclass(frozen=True)
class Verification:
    """The result of walking the chain: how many entries, and the first broken one."""

    entries: int
    broken_at: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(session: Session) -> Verification:
    """Walk the chain in id order and name the first entry that does not hold.

    An edited entry no longer matches its hash; a deleted one leaves a gap in
    the ids and a successor whose ``prev_hash`` points nowhere; a reordering
    breaks both. Streams the entries, so memory stays flat on a long log.
    """
    prev_hash, expected_id, count = GENESIS, 1, 0
    for entry in session.exec(select(AuditEntry).order_by(AuditEntry.id)).yield_per(2000):
        count += 1
        if entry.id != expected_id:
            return Verification(count, expected_id, f"entry {expected_id} is missing")
        if entry.prev_hash != prev_hash:
            return Verification(
                count, entry.id, f"entry {entry.id} does not follow entry {entry.id - 1}"
            )
        if entry_hash(prev_hash, entry) != entry.hash:
            return Verification(count, entry.id, f"entry {entry.id} was altered")
        prev_hash, expected_id = entry.hash, expected_id + 1
    return Verification(count)
