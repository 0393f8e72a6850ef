"""The append-only, hash-chained audit log (§6.2).

Each entry's hash covers the previous entry's hash and its own chained
fields, so editing, deleting or reordering any entry breaks the chain at
that entry. Deleting the *last* entries leaves no gap behind, so the chain's
head (how many entries, and the last hash) is kept in the ``setting`` table,
moved by every append in the same transaction, and compared by ``verify``.
Personal details live in ``audit_detail``, outside the chain, so retention
can delete them and the chain still verifies (§6.6).

A plain hash only proves that nobody edited the log *without recomputing
the hashes*; anyone who can write the file can recompute them. So the chain
is keyed (§6.8): each hash is an HMAC-SHA256 with a per-installation secret
created by ``init`` outside the database (``keys.py``), and the ``setting``
row ``audit_keyed`` records from which entry on. Entries written before a
database had a key keep their plain SHA-256 hashes.

The chain vouches for the data as well: the last entry of every
transaction carries digests of the rows it wrote (``db/digests.py``), and
``verify`` reports, one line each, the rows changed or deleted since.
"""

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlalchemy import insert, text
from sqlmodel import Session, select

from staircase.clock import Clock
from staircase.core import keys
from staircase.db import digests
from staircase.db.guard import FREE_TEXT_LIMIT, check_text
from staircase.db.models import AuditDetail, AuditEntry, Setting
from staircase.db.store import keep
from staircase.i18n import _, ngettext

GENESIS = "0" * 64
KEYED_KEY = "audit_keyed"
"""The ``setting`` row holding the id of the first entry hashed with the key."""
HEAD_KEY = "audit_head"
"""The ``setting`` row holding the chain's head: ``"<entries> <last hash>"``."""
ACTOR_LIMIT = 40
"""The ``audit.actor`` column's length."""
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


_CHAINED = ("id", "at", "clock", "actor", "action", "case_id", "subject", "outcome")
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False)
"""``json.dumps`` with these options, built once: ``dumps`` builds an encoder per
call, and an import hashes an entry per row."""


@dataclass(frozen=True)
class Chaining:
    """How this database's entries are hashed: the key, and the first entry it covers.

    ``keyed_from`` without a ``key`` is a keyed log whose key is not here:
    it can be neither extended nor fully checked.
    """

    key: bytes | None = None
    keyed_from: int | None = None
    url: str = ""

    @property
    def checks_with_key(self) -> bool:
        return self.key is not None

    def digest(self, prev_hash: str, row: dict) -> str:
        """The hash over the previous hash and an entry's chained fields (never its details).

        ``shared`` and ``rows`` join the chained fields only when set, so
        entries made before they existed keep their hashes.
        """
        chained = {name: row[name] for name in _CHAINED}
        chained["at"] = row["at"].isoformat()
        chained["clock"] = row["clock"].isoformat() if row["clock"] else None
        if row.get("shared"):
            chained["shared"] = True
        if row.get("rows"):
            chained["rows"] = row["rows"]
        payload = (prev_hash + _ENCODER.encode(chained)).encode()
        if self.keyed_from is not None and row["id"] >= self.keyed_from:
            if self.key is None:
                raise keys.missing_audit_key(self.url)
            return hmac.new(self.key, payload, hashlib.sha256).hexdigest()
        return hashlib.sha256(payload).hexdigest()


LISTINGS = ("assess", "case.search")
"""Reads of many cases at once, audited as one entry whose detail lists the cases read."""


def listing_detail(criteria: str, case_ids: Iterable[int]) -> str:
    """The detail of a listing's one entry: its criteria and every case it showed.

    Kept outside the chain, where retention can delete it (§6.6), and read
    back by ``listed_cases`` so a subject-access request still sees every
    overview a family's case appeared in (§6.2: every read audited). Ids
    that follow one another are written as a run (``1:9990``): an assess of
    a municipality names its 100,000 cases in a few bytes, not 600 kB that
    the audit's text guard must read character by character. (Not ``1-9990``:
    with a dash, ``1010-901234`` would read as a CPR number to the guard.)
    """
    runs: list[list[int]] = []
    for case_id in case_ids:
        if runs and case_id == runs[-1][1] + 1:
            runs[-1][1] = case_id
        else:
            runs.append([case_id, case_id])
    named = (str(first) if first == last else f"{first}:{last}" for first, last in runs)
    return f"{criteria} cases=" + ",".join(named)


def listed_cases(detail: str | None) -> set[int]:
    """The cases a listing's detail names (none for any other detail)."""
    _, found, ids = (detail or "").rpartition(" cases=")
    listed: set[int] = set()
    for part in ids.split(",") if found else ():
        first, _, last = part.partition(":")
        if first.isdigit() and (last or first).isdigit():
            listed.update(range(int(first), int(last or first) + 1))
    return listed


def chaining(session: Session, *, key_of: str | None = None) -> Chaining:
    """The chaining of the database in ``session``, keyed by ``key_of``'s key (default: its own).

    The key file decides from which entry on the chain is keyed; the
    database's own record of it only tells that a key is expected.
    """
    url = key_of or session.get_bind().url.render_as_string(hide_password=False)
    key = keys.read_audit_key(url)
    if key is not None:
        return Chaining(key.secret, key.keyed_from, url)
    row = session.get(Setting, KEYED_KEY)
    return Chaining(None, int(row.value), url) if row is not None else Chaining(url=url)


def start_keyed_chain(session: Session, url: str) -> None:
    """Key every entry from the next one on (``init``): create the installation's key."""
    if session.get(Setting, KEYED_KEY) is not None:
        return
    count, _hash = read_head(session) or _last_entry(session)
    key = keys.create_audit_key(url, keyed_from=count + 1)
    session.add(Setting(key=KEYED_KEY, value=str(key.keyed_from)))
    session.flush()


def entry_hash(prev_hash: str, entry: AuditEntry, chain: Chaining = Chaining()) -> str:
    """The hash of one entry given its predecessor's hash."""
    row = {name: getattr(entry, name) for name in _CHAINED}
    row["shared"], row["rows"] = entry.shared, entry.rows
    return chain.digest(prev_hash, row)


def append(
    session: Session,
    events: list[Event],
    clock: Clock,
    *,
    shared: bool = False,
    key_of: str | None = None,
) -> None:
    """Append events to the chain inside the caller's transaction.

    Each entry records the real time, and the shifted clock when ``--now``
    was used, so replays and demos are told apart from live work (§10.1),
    and whether it was made on a shared terminal, where the actor is
    claimed rather than established (§6.8).

    Appends are serialised (SQLite's write lock; an advisory lock on
    PostgreSQL) so that two writers never fork the chain. ``key_of`` names
    the database whose key signs them when it is not this one (a staged
    restore).
    """
    if not events:
        return
    for event in events:
        _check(event)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("select pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})
    chain = chaining(session, key_of=key_of)
    count, prev_hash = read_head(session) or _last_entry(session)
    next_id = count + 1
    at, shifted = datetime.now(UTC), clock.now if clock.shifted else None
    session.flush()
    written = digests.take(session)
    entries, details = [], []
    for index, event in enumerate(events):
        row = {
            "id": next_id,
            "at": at,
            "clock": shifted,
            "actor": event.actor,
            "action": event.action,
            "case_id": event.case_id,
            "subject": event.subject,
            "outcome": event.outcome,
            "shared": shared,
            "rows": written if index == len(events) - 1 else "",
            "prev_hash": prev_hash,
        }
        row["hash"] = chain.digest(prev_hash, row)
        entries.append(row)
        if event.detail:
            details.append({"audit_id": next_id, "detail": event.detail})
        prev_hash, next_id = row["hash"], next_id + 1
    # Bulk statements, not ORM objects: an assess over a municipality reads
    # (and so audits) tens of thousands of cases in one go.
    # Core statements on the tables: the ORM's bulk path would look at every row again.
    session.execute(insert(AuditEntry.__table__), entries)
    if details:
        session.execute(insert(AuditDetail.__table__), details)
    _write_head(session, next_id - 1, prev_hash)
    session.flush()


def _check(event: Event) -> None:
    """Refuse an entry that would put a CPR number, control characters or
    over-long text into the chain, which can never be rewritten (§6.5).

    The entries are bulk-inserted, past the ORM's flush guard, so the check
    is made here; the caller's transaction then rolls back whole.
    """
    check_text(event.actor, field=_("the acting person"), limit=ACTOR_LIMIT)
    check_text(event.subject, field=_("what the audit entry names"), limit=FREE_TEXT_LIMIT)
    if event.detail:
        check_text(event.detail, field=_("the audit detail"))


def read_head(session: Session) -> tuple[int, str] | None:
    """The recorded head of the chain (entries, last hash), or None if none is recorded.

    Appends chain on from the head, not from the last row, so that after
    deleted last entries the next entry still points at the missing one and
    the gap stays visible.
    """
    query = select(Setting).where(Setting.key == HEAD_KEY)
    row = keep(session, session.exec(query.execution_options(populate_existing=True)).first())
    if row is None:
        return None
    count, _, last_hash = row.value.partition(" ")
    return int(count), last_hash


def _last_entry(session: Session) -> tuple[int, str]:
    """The head as the rows show it: for a log written before heads were recorded."""
    last = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).first()
    return (last.id, last.hash) if last else (0, GENESIS)


def _write_head(session: Session, count: int, last_hash: str) -> None:
    row = session.get(Setting, HEAD_KEY) or Setting(key=HEAD_KEY, value="")
    row.value = f"{count} {last_hash}"
    session.add(row)


@dataclass(frozen=True)
class Verification:
    """The result of walking the chain: how many entries, and the first broken one."""

    entries: int
    broken_at: int | None = None
    problem: str | None = None
    with_key: bool = False
    rows: list[str] = field(default_factory=list)
    """Rows changed or deleted outside the product since their last audited write."""

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.rows


def verify(session: Session, *, key_of: str | None = None) -> Verification:
    """Walk the chain in id order and name the first entry that does not hold.

    An edited entry no longer matches its hash; a deleted one leaves a gap in
    the ids and a successor whose ``prev_hash`` points nowhere; a reordering
    breaks both; deleted last entries fall short of the recorded head.
    Streams the entries, so memory stays flat on a long log.

    The head is read first: entries appended while the walk runs (PostgreSQL
    reads committed rows as it goes) chain on beyond it and are not a fault.
    A keyed log is checked with its key; without the key it cannot be.
    """
    chain = chaining(session, key_of=key_of)
    if chain.keyed_from is not None and chain.key is None:
        raise keys.missing_audit_key(chain.url)
    head = read_head(session)
    prev_hash, expected_id, count, hash_at_head = GENESIS, 1, 0, GENESIS
    vouched: dict[tuple[str, str], tuple[str, int]] = {}
    for entry in session.exec(select(AuditEntry).order_by(AuditEntry.id)).yield_per(2000):
        count += 1
        if entry.id != expected_id:
            return Verification(
                count, expected_id, _("entry {id} is missing").format(id=expected_id)
            )
        if entry.prev_hash != prev_hash:
            return Verification(
                count,
                entry.id,
                _("entry {id} does not follow entry {previous}").format(
                    id=entry.id, previous=entry.id - 1
                ),
            )
        if entry_hash(prev_hash, entry, chain) != entry.hash:
            return Verification(count, entry.id, _("entry {id} was altered").format(id=entry.id))
        prev_hash, expected_id = entry.hash, expected_id + 1
        for table, row_id, digest in digests.parse(entry.rows):
            vouched[(table, row_id)] = (digest, entry.id)
        if head is not None and entry.id == head[0]:
            hash_at_head = entry.hash
    result = _check_head(head, count, hash_at_head)
    if result.ok:
        result = replace(result, rows=digests.findings(session, vouched))
    return replace(result, with_key=chain.checks_with_key)


def _check_head(head: tuple[int, str] | None, count: int, hash_at_head: str) -> Verification:
    """Compare an unbroken chain with the head its appends recorded."""
    if head is None:
        if count == 0:
            return Verification(0)
        return Verification(
            count,
            count,
            _("the record of the log's end is missing; entry {id} may not be last").format(
                id=count
            ),
        )
    recorded, recorded_hash = head
    if count < recorded:
        gone = recorded - count
        return Verification(
            count,
            count + 1,
            ngettext(
                "entry {id} is missing (the last entry was deleted)",
                "entry {id} is missing (the last {n} entries were deleted)",
                gone,
            ).format(id=count + 1, n=gone),
        )
    if hash_at_head != recorded_hash:
        return Verification(count, recorded, _("entry {id} was altered").format(id=recorded))
    return Verification(count)
