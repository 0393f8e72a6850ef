"""The tables (PRODUCT.md §2), as SQLModel classes.

Times are stored in UTC (§5.4). Observations, transitions and the audit log
are append-only: a correction is a new row, never an update. Columns that
queries filter by carry indexes; assess and tick read them set-wise.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    Column,
    DateTime,
    Dialect,
    Enum,
    Index,
    String,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlmodel import AutoString, Field, SQLModel

from staircase.kinds import (
    ActionStatus,
    Addressee,
    AgreementStatus,
    Direction,
    EscalationStatus,
    ProposalStatus,
    Role,
)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, on SQLite (which keeps no zone) and PostgreSQL.

    A naive datetime is refused on the way in: every time in the program
    comes from the clock or from parsing, both aware, and a naive one would
    be a bug that silently shifts history by an hour or two.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; times must be aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class CommaList(TypeDecorator):
    """Rule ids, roles or observation ids as a tuple in Python, as comma-separated text stored.

    The one place these lists are joined and split: the database keeps the
    same plain text column it always had (``"3,7,12"``, ``"signal-stoerre"``),
    code sees ``(3, 7, 12)``. A set is stored sorted, so the same evidence is
    always the same text; any other sequence keeps its order (the rules in
    the order they fired). ``None`` stays ``None``: no list, not an empty one.
    """

    impl = AutoString
    cache_ok = True

    def __init__(self, item: type = str, length: int | None = None) -> None:
        super().__init__(length=length)
        self.item = item

    def process_bind_param(self, value: Iterable | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, str):
            raise TypeError("a CommaList column takes a sequence of names, not one string")
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return ",".join(str(item) for item in items)

    def process_result_value(self, value: str | None, dialect: Dialect) -> tuple | None:
        if value is None:
            return None
        return tuple(self.item(part) for part in value.split(",") if part)


def _kind(values: type[StrEnum], length: int) -> Enum:
    """A column of one ``StrEnum``: the member's value stored as plain VARCHAR(length).

    Not a database enum type: the schema stays the text columns it was, and
    adding a status is a change of this program, not a migration.
    """
    return Enum(
        values,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda kind: [member.value for member in kind],
    )


def _listed(item: type) -> Column:
    """A list column (``CommaList``) of ``item``s; an empty list is stored as ``""``."""
    return Column(CommaList(item), nullable=False)


NEVER_REUSE_IDS = {"sqlite_autoincrement": True}
"""SQLite would hand a purged case's number to the next new case, and old
audit entries would then seem to speak of it; ids are never reused."""


def _utc(**kwargs) -> Column:
    """A timestamp column that stores UTC (§5.4)."""
    return Column(UTCDateTime(), **kwargs)


class Unit(SQLModel, table=True):
    """A care home or department; ``parent`` is the area escalations go on to."""

    id: str = Field(primary_key=True, max_length=40)
    name: str = Field(max_length=200)
    parent_id: str | None = Field(default=None, foreign_key="unit.id", index=True)
    pack: str = Field(default="aarhus", max_length=60)


class Staff(SQLModel, table=True):
    """A person who works in the system; ``id`` is their initials."""

    id: str = Field(primary_key=True, max_length=20)
    name: str = Field(max_length=200)
    role: Role = Field(sa_type=_kind(Role, 10))
    email: str | None = Field(default=None, max_length=200)
    active: bool = True
    left_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    login: str | None = Field(default=None, max_length=64, unique=True, index=True)
    """The account this person acts from (§6.8): an OS user on SQLite, a role on PostgreSQL."""


class Membership(SQLModel, table=True):
    """Which units a staff member belongs to (§6.1 scopes reads and decisions)."""

    staff_id: str = Field(foreign_key="staff.id", primary_key=True)
    unit_id: str = Field(foreign_key="unit.id", primary_key=True, index=True)


class Resident(SQLModel, table=True):
    """A resident (borger). Never a CPR number: ``ref`` is the home's own reference."""

    __table_args__ = (NEVER_REUSE_IDS,)

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    unit_id: str = Field(foreign_key="unit.id", index=True)


class Relative(SQLModel, table=True):
    """A relative (pårørende); one relative may have cases with several residents.

    ``name_key`` is the name as every spelling of it matches (``text.key``:
    case and æ/ø/å folded), so that the same person is found, not created
    twice (§2 "one person is one record"), on SQLite too, whose ``lower()``
    knows no Danish letters.
    """

    __table_args__ = (NEVER_REUSE_IDS,)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    name_key: str = Field(max_length=200, index=True)
    relation: str = Field(max_length=60)
    contact: str | None = Field(default=None, max_length=200)
    is_child: bool = False


class Case(SQLModel, table=True):
    """One relationship between a relative and the care around a resident (sag).

    ``unit_id`` repeats the resident's unit so that assess and tick select a
    unit's cases without a join.
    """

    __tablename__ = "case"
    __table_args__ = (UniqueConstraint("resident_id", "relative_id"), NEVER_REUSE_IDS)

    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="resident.id", index=True)
    relative_id: int = Field(foreign_key="relative.id", index=True)
    unit_id: str = Field(foreign_key="unit.id", index=True)
    step: str = Field(max_length=40, index=True)
    step_since: datetime = Field(sa_column=_utc(nullable=False))
    consent: str = Field(max_length=10)
    consent_note: str | None = None
    primary: bool = False
    contact_id: str | None = Field(default=None, foreign_key="staff.id")
    opened_at: datetime = Field(sa_column=_utc(nullable=False))
    closed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class CaseChange(SQLModel, table=True):
    """A change of a case's contact person, primary flag or consent, with its reason (§2).

    Append-only, like transitions: the case row holds the present, this
    table how it came to be.
    """

    __tablename__ = "case_change"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    at: datetime = Field(sa_column=_utc(nullable=False))
    by_staff: str = Field(foreign_key="staff.id")
    field: str = Field(max_length=20)
    old_value: str | None = Field(default=None, max_length=200)
    new_value: str | None = Field(default=None, max_length=200)
    reason: str


class Observation(SQLModel, table=True):
    """One indicator seen at one time (a log with several indicators makes several rows).

    Append-only: ``retracts_id`` names an earlier observation this one
    withdraws; a pure retraction has no indicator.
    """

    __table_args__ = (
        Index("ix_observation_case_at", "case_id", "occurred_at"),
        # Covers the rules' windows: one range per indicator, no table reads.
        Index("ix_observation_indicator_at", "indicator", "occurred_at", "case_id"),
        Index("ix_observation_logged_at", "logged_at"),
        NEVER_REUSE_IDS,
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    indicator: str | None = Field(default=None, max_length=60)
    occurred_at: datetime = Field(sa_column=_utc(nullable=False))
    logged_at: datetime = Field(sa_column=_utc(nullable=False))
    logged_by: str = Field(foreign_key="staff.id")
    channel: str = Field(default="andet", max_length=10)
    note: str | None = None
    retracts_id: int | None = Field(default=None, foreign_key="observation.id", index=True)


class Transition(SQLModel, table=True):
    """A move of a case from one step to another, by a person or by a rule."""

    __table_args__ = (NEVER_REUSE_IDS,)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    from_step: str = Field(max_length=40)
    to_step: str = Field(max_length=40)
    at: datetime = Field(sa_column=_utc(nullable=False))
    by_staff: str | None = Field(default=None, foreign_key="staff.id")
    by_rule: tuple[str, ...] | None = Field(
        default=None, sa_column=Column(CommaList(str, length=200), nullable=True)
    )
    reason: str
    pack: str = Field(max_length=60)
    pack_version: str = Field(max_length=20)
    evidence: tuple[int, ...] = Field(default=(), sa_column=_listed(int))


class Proposal(SQLModel, table=True):
    """A move the rules indicate that waits for a person (§3.3)."""

    __table_args__ = (NEVER_REUSE_IDS,)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    from_step: str = Field(max_length=40)
    to_step: str = Field(max_length=40)
    direction: Direction = Field(sa_type=_kind(Direction, 4))
    status: ProposalStatus = Field(
        default=ProposalStatus.OPEN, sa_type=_kind(ProposalStatus, 10), index=True
    )
    raised_at: datetime = Field(sa_column=_utc(nullable=False))
    rules: tuple[str, ...] = Field(default=(), sa_column=_listed(str))
    evidence: tuple[int, ...] = Field(default=(), sa_column=_listed(int))
    decided_by: str | None = Field(default=None, foreign_key="staff.id")
    decided_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    reason: str | None = None
    pack: str = Field(max_length=60)
    pack_version: str = Field(max_length=20)


class Escalation(SQLModel, table=True):
    """Leadership told about a case: to whom, by when, and whether they answered."""

    __table_args__ = (NEVER_REUSE_IDS,)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    step: str = Field(max_length=40)
    to_role: Addressee = Field(sa_type=_kind(Addressee, 20))
    to_unit: str = Field(foreign_key="unit.id")
    inform: tuple[Addressee, ...] = Field(default=(), sa_column=_listed(Addressee))
    rules: tuple[str, ...] = Field(default=(), sa_column=_listed(str))
    evidence: tuple[int, ...] = Field(default=(), sa_column=_listed(int))
    raised_at: datetime = Field(sa_column=_utc(nullable=False))
    due_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    status: EscalationStatus = Field(
        default=EscalationStatus.OPEN, sa_type=_kind(EscalationStatus, 12), index=True
    )
    acknowledged_by: str | None = Field(default=None, foreign_key="staff.id")
    acknowledged_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    note: str | None = None
    escalated_from_id: int | None = Field(default=None, foreign_key="escalation.id")


class Action(SQLModel, table=True):
    """A response (handling) the pack recommends for a case, with an owner and a due date."""

    __table_args__ = (NEVER_REUSE_IDS,)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    action: str = Field(max_length=60)
    owner_role: Addressee = Field(sa_type=_kind(Addressee, 20))
    owner_id: str | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    due_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    status: ActionStatus = Field(
        default=ActionStatus.OPEN, sa_type=_kind(ActionStatus, 10), index=True
    )
    rules: tuple[str, ...] = Field(default=(), sa_column=_listed(str))
    evidence: tuple[int, ...] = Field(default=(), sa_column=_listed(int))
    note: str | None = None
    closed_by: str | None = Field(default=None, foreign_key="staff.id")
    closed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class Agreement(SQLModel, table=True):
    """An agreement (aftale) with a relative, with an optional review date."""

    __table_args__ = (NEVER_REUSE_IDS,)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    text: str
    agreed_at: datetime = Field(sa_column=_utc(nullable=False))
    agreed_by: str = Field(foreign_key="staff.id")
    review_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    status: AgreementStatus = Field(
        default=AgreementStatus.ACTIVE, sa_type=_kind(AgreementStatus, 10)
    )
    closed_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class AgreementBreach(SQLModel, table=True):
    """One time an agreement was not kept, and by whom (§2: it can happen more than once).

    ``case_id`` repeats the agreement's case so that purge and subject access
    take a case's rows by one column; ``observation_id`` is the
    "aftaler overholdes ikke" a relative's breach logged.
    """

    __tablename__ = "agreement_breach"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    at: datetime = Field(sa_column=_utc(nullable=False))
    broken_by: str = Field(max_length=10)
    recorded_by: str = Field(foreign_key="staff.id")
    note: str | None = None
    observation_id: int | None = Field(default=None, foreign_key="observation.id")


class AgreementReview(SQLModel, table=True):
    """An agreement gone through with the relative, and when to go through it next."""

    __tablename__ = "agreement_review"
    __table_args__ = (NEVER_REUSE_IDS,)

    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    at: datetime = Field(sa_column=_utc(nullable=False))
    by_staff: str = Field(foreign_key="staff.id")
    note: str | None = None
    next_review_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))


class Notification(SQLModel, table=True):
    """An e-mail to send about an escalation (an outbox: written with the escalation,
    sent after the commit, retried by the next tick until it goes through).

    The text names a case number and a command, never the family's names or
    notes (data minimisation).
    """

    __table_args__ = (NEVER_REUSE_IDS,)

    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int = Field(foreign_key="escalation.id", index=True)
    staff_id: str = Field(foreign_key="staff.id")
    email: str = Field(max_length=200)
    subject: str
    body: str
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    attempts: int = 0
    last_error: str | None = None


class CaseEvaluation(SQLModel, table=True):
    """A case's stored evaluation, so assess and tick read it instead of recomputing.

    ``due_at`` is the first moment time alone can change it (an observation
    leaving a rule's window, a dated one coming into view, calm days
    passing); ``None`` means never. ``settled`` says its consequences were
    carried out (written by ``consequences.settle``); an evaluation that assess merely
    computed, or one a decision may have changed, is not settled, and tick
    looks at the case again. ``why`` is the indicated step's reasons and the
    observations they rest on, as the JSON of the assess view's ``why`` and
    ``seen`` (``evaluations.evidence``; empty for a case no rule raises).
    """

    __tablename__ = "evaluation"

    case_id: int = Field(foreign_key="case.id", primary_key=True)
    indicated: str = Field(max_length=40)
    why: str = ""
    due_at: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    settled: bool = False


class AssessSeen(SQLModel, table=True):
    """What a person saw of a case at their last assess, so the next shows what changed."""

    __tablename__ = "assess_seen"

    staff_id: str = Field(foreign_key="staff.id", primary_key=True)
    case_id: int = Field(foreign_key="case.id", primary_key=True)
    step: str = Field(max_length=40)
    indicated: str = Field(max_length=40)


class AuditEntry(SQLModel, table=True):
    """One entry of the append-only, hash-chained audit log (§6.2).

    ``hash`` covers the previous entry's hash and this entry's chained
    fields. Personal data (names, criteria with names) goes in
    ``AuditDetail``, outside the chain, so that purge can delete it and the
    chain still verifies.
    """

    __tablename__ = "audit"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_utc(nullable=False))
    clock: datetime | None = Field(default=None, sa_column=_utc(nullable=True))
    actor: str = Field(max_length=40)
    action: str = Field(max_length=40, index=True)
    case_id: int | None = Field(default=None, index=True)
    subject: str = ""
    outcome: str = Field(default="ok", max_length=10)
    shared: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    """Made on a shared terminal, where ``--as`` is trusted rather than established (§6.8)."""
    rows: str = Field(default="", sa_column_kwargs={"server_default": ""})
    """Digests of the rows the entry's transaction wrote (``digests.py``); chained."""
    prev_hash: str = Field(sa_column=Column(String(64), nullable=False))
    hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))


class AuditDetail(SQLModel, table=True):
    """Personal details of an audit entry, kept outside the hash chain (§6.2, §6.6)."""

    __tablename__ = "audit_detail"

    audit_id: int = Field(foreign_key="audit.id", primary_key=True)
    detail: str


class Setting(SQLModel, table=True):
    """Per-installation settings and secrets (e.g. the pseudonym key, §6.3)."""

    key: str = Field(primary_key=True, max_length=60)
    value: str
