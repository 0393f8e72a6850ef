"""What an export holds: the case-history tables, their columns and their Danish headers.

Each table is one streamed query (SQLAlchemy Core columns, never ORM
objects) and a list of columns, each made of some of the selected values.
Every column has a kind (text, time, flag, decimal) that its format writes
as it must, so a spreadsheet gets real dates and a JSON line real numbers
(§7.2). Ids keep columns of their own beside the Danish names (§7.5), so a
spreadsheet can filter on them.

Pseudonymised by default (§6.3): people appear as keyed pseudonyms and free
text (notes, reasons, agreement texts) is left out; the columns marked
``private`` — names, references, free text — come only with ``--with-names``.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from functools import cache
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Select, String, func, or_, select, type_coerce
from sqlmodel import Session, col

from staircase.db.models import (
    Action,
    Agreement,
    Case,
    Escalation,
    Observation,
    Proposal,
    Relative,
    Resident,
    Transition,
    Unit,
    UTCDateTime,
)
from staircase.domain.pack import Pack, load_pack
from staircase.quality.pseudonyms import Pseudonyms
from staircase.quality.scope import Scope

Cell = str | int | float | bool | datetime | None

STREAM_ROWS = 2_000
"""Rows fetched at a time: memory stays flat however long the history (§8)."""

COLUMN_ROWS = 200
"""Rows an export turns into columns and back at a time: few enough that their cells
stay in the processor's cache (at 2,000 the export of the history took a third longer)."""


class Labels:
    """Danish names of steps, indicators and actions, from each unit's own pack (§4.4).

    Each pack's names are read into plain dictionaries once; an id a newer
    pack dropped shows as itself.
    """

    def __init__(self, session: Session) -> None:
        loaded: dict[str, Pack] = {}
        self.packs: dict[str, Pack] = {}
        for unit_id, pack_id in session.execute(select(Unit.id, Unit.pack)):
            if pack_id not in loaded:
                loaded[pack_id] = load_pack(pack_id)
            self.packs[unit_id] = loaded[pack_id]
        names = {pack.id: _PackNames(pack) for pack in loaded.values()}
        self._names = {unit: names[pack.id] for unit, pack in self.packs.items()}

    def step(self, unit: str, step_id: str | None) -> str | None:
        return self._names[unit].steps.get(step_id, step_id)

    def rank(self, unit: str, step_id: str) -> int:
        return self.packs[unit].rank(step_id)

    def indicator(self, unit: str, indicator_id: str | None) -> str | None:
        return self._names[unit].indicators.get(indicator_id, indicator_id)

    def indicator_step(self, unit: str, indicator_id: str | None) -> str | None:
        return self._names[unit].indicator_steps.get(indicator_id)

    def action(self, unit: str, action_id: str) -> str:
        return self._names[unit].actions.get(action_id, action_id)


class _PackNames:
    """One pack's ids and Danish names as dictionaries."""

    def __init__(self, pack: Pack) -> None:
        self.steps: dict[str | None, str] = {s.id: s.name.da for s in pack.steps}
        self.indicators: dict[str | None, str] = {i.id: i.name.da for i in pack.indicators}
        self.indicator_steps: dict[str | None, str] = {
            i.id: self.steps[i.step] for i in pack.indicators
        }
        self.actions = {a.id: a.name.da for a in pack.actions}


@dataclass(frozen=True)
class Context:
    """What columns need besides the row: pseudonyms and the packs' names."""

    pseudonyms: Pseudonyms
    labels: Labels


class Kind(Enum):
    """What a format must know of a column's cells to write them (§7.2): text and whole
    numbers are written as they are; times come as stored UTC text (see ``stream``)."""

    TEXT = "text"
    TIME = "time"
    FLAG = "flag"
    DECIMAL = "decimal"


Compute = Callable[[Context], Callable[..., Cell]]
"""A computed column: given the export's context, a function of the column's sources.

Applied with ``map`` over a chunk's columns, so a function cached per distinct value
(``functools.cache``, ``lru_cache``: C on a hit) costs no Python frame per row."""


@dataclass(frozen=True)
class Column:
    """One column: its id (JSON key), Danish header, the selected values it is made of
    (``sources``), how (``compute``; none: the one source as stored), its width in Excel."""

    key: str
    header: str
    sources: tuple[str, ...]
    compute: Compute | None = None
    kind: Kind = Kind.TEXT
    """What a computed column holds (a stored one's kind comes from its SQL type)."""
    width: int = 12
    private: bool = False


@dataclass(frozen=True)
class Table:
    """One exported table: ``key`` is the JSON Lines ``type``, ``name`` the file and sheet."""

    key: str
    name: str
    query: Callable[[Scope], Select]
    columns: tuple[Column, ...]

    def visible(self, with_names: bool) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if with_names or not c.private)


def field(key: str, header: str, attribute: str | None = None, *, width: int = 12) -> Column:
    """A column that shows a selected value as it is stored."""
    return Column(key, header, (attribute or key,), width=width)


def private(key: str, header: str, attribute: str | None = None, *, width: int = 30) -> Column:
    """Free text or a name: only with ``--with-names`` (§6.3)."""
    return Column(key, header, (attribute or key,), width=width, private=True)


def staff(key: str, header: str, attribute: str) -> tuple[Column, ...]:
    """A staff member: pseudonym always, initials only with names."""
    return (
        Column(key, header, (attribute,), lambda ctx: ctx.pseudonyms.staff),
        private(f"{key}_initials", f"{header} (initialer)", attribute, width=10),
    )


def step(key: str, header: str, attribute: str) -> tuple[Column, ...]:
    """A step: its id, and its Danish name from the unit's pack."""
    return (
        field(f"{key}_id", f"{header} (id)", attribute, width=12),
        Column(key, header, ("unit_id", attribute), lambda ctx: cache(ctx.labels.step), width=30),
    )


def joined(value: object) -> str:
    """Rule ids and roles as one readable cell, whatever the column stores them as."""
    if value is None:
        return ""
    parts = value.split(",") if isinstance(value, str) else list(value)
    return ", ".join(str(p) for p in parts if p)


def _joined(ctx: Context) -> Callable[[object], str]:
    return cache(joined)


def _days(start: str | None, end: str | None) -> float | None:
    """Elapsed days with two decimals (a number with decimals: Excel's decimal comma),
    between two times as stored (UTC text)."""
    if start is None or end is None:
        return None
    elapsed = datetime.fromisoformat(end) - datetime.fromisoformat(start)
    return round(elapsed.total_seconds() / 86_400, 2)


def _direction(ctx: Context) -> Callable[[str, str, str], str]:
    """``op`` or ``ned``: whether a move went up or down the unit's pack's staircase."""

    def direction(unit: str, from_step: str, to_step: str) -> str:
        up = ctx.labels.rank(unit, to_step) > ctx.labels.rank(unit, from_step)
        return "op" if up else "ned"

    return cache(direction)


def _proposed(ctx: Context) -> Callable[[str], str]:
    """A proposal's direction in Danish."""
    return cache(lambda direction: {"up": "op", "down": "ned"}.get(direction, direction))


def _in_scope(query: Select, scope: Scope, moment: Any) -> Select:
    """Rows of the scope's units whose ``moment`` lies in its period."""
    if scope.units is not None:
        query = query.where(col(Case.unit_id).in_(scope.units))
    if scope.since is not None:
        query = query.where(moment >= scope.since)
    if scope.until is not None:
        query = query.where(moment < scope.until)
    return query


def _case_query(scope: Scope) -> Select:
    """Cases open at some time in the period."""
    query = (
        select(
            Case.id,
            Case.unit_id,
            Case.resident_id,
            Case.relative_id,
            Case.step,
            Case.step_since,
            Case.consent,
            Case.consent_note,
            Case.primary,
            Case.contact_id,
            Case.opened_at,
            Case.closed_at,
            Resident.ref.label("resident_ref"),
            Resident.name.label("resident_name"),
            Relative.name.label("relative_name"),
            Relative.relation,
            Relative.is_child,
        )
        .join(Resident, col(Resident.id) == Case.resident_id)
        .join(Relative, col(Relative.id) == Case.relative_id)
        .order_by(Case.id)
    )
    if scope.units is not None:
        query = query.where(col(Case.unit_id).in_(scope.units))
    if scope.until is not None:
        query = query.where(col(Case.opened_at) < scope.until)
    if scope.since is not None:
        query = query.where(or_(col(Case.closed_at).is_(None), col(Case.closed_at) >= scope.since))
    return query


def _model_query(model: type, moment: Any) -> Callable[[Scope], Select]:
    """Every column of ``model`` plus the case's unit, in the scope's period."""
    table = model.__table__

    def query(scope: Scope) -> Select:
        base = select(*table.c, Case.unit_id.label("unit_id")).join(
            Case, col(Case.id) == table.c.case_id
        )
        return _in_scope(base, scope, moment).order_by(table.c.id)

    return query


CASES = Table(
    "case",
    "sager",
    _case_query,
    (
        field("case_id", "Sag", "id", width=8),
        field("unit_id", "Enhed", width=12),
        Column("resident", "Beboer", ("resident_id",), lambda ctx: ctx.pseudonyms.resident),
        private("resident_ref", "Beboerens reference", width=14),
        private("resident_name", "Beboerens navn"),
        Column("relative", "Pårørende", ("relative_id",), lambda ctx: ctx.pseudonyms.relative),
        private("relative_name", "Pårørendes navn"),
        field("relation", "Relation", width=14),
        field("is_child", "Barn", width=8),
        *step("step", "Trin", "step"),
        field("step_since", "På trinnet siden", width=18),
        field("consent", "Samtykke", width=12),
        private("consent_note", "Samtykke, note"),
        field("primary", "Primær pårørende", width=10),
        *staff("contact", "Kontaktperson", "contact_id"),
        field("opened_at", "Oprettet", width=18),
        field("closed_at", "Lukket", width=18),
    ),
)

OBSERVATIONS = Table(
    "observation",
    "observationer",
    _model_query(Observation, Observation.__table__.c.occurred_at),
    (
        field("observation_id", "Observation", "id", width=12),
        field("case_id", "Sag", width=8),
        field("unit_id", "Enhed", width=12),
        field("indicator_id", "Kendetegn (id)", "indicator", width=22),
        Column(
            "indicator",
            "Kendetegn",
            ("unit_id", "indicator"),
            lambda ctx: cache(ctx.labels.indicator),
            width=36,
        ),
        Column(
            "indicator_step",
            "Kendetegnets trin",
            ("unit_id", "indicator"),
            lambda ctx: cache(ctx.labels.indicator_step),
            width=30,
        ),
        field("occurred_at", "Tidspunkt", width=18),
        field("logged_at", "Registreret", width=18),
        *staff("logged_by", "Registreret af", "logged_by"),
        field("channel", "Kanal", width=10),
        field("retracts_id", "Tilbagekalder observation", width=12),
        private("note", "Note", width=40),
    ),
)

TRANSITIONS = Table(
    "transition",
    "overgange",
    _model_query(Transition, Transition.__table__.c.at),
    (
        field("transition_id", "Overgang", "id", width=10),
        field("case_id", "Sag", width=8),
        field("unit_id", "Enhed", width=12),
        *step("from_step", "Fra trin", "from_step"),
        *step("to_step", "Til trin", "to_step"),
        Column("direction", "Retning", ("unit_id", "from_step", "to_step"), _direction, width=8),
        field("at", "Tidspunkt", width=18),
        *staff("by_staff", "Flyttet af", "by_staff"),
        Column("by_rule", "Regel", ("by_rule",), _joined, width=20),
        private("reason", "Begrundelse", width=40),
        field("pack", "Regelsæt", width=10),
        field("pack_version", "Regelsættets version", width=10),
    ),
)

PROPOSALS = Table(
    "proposal",
    "forslag",
    _model_query(Proposal, Proposal.__table__.c.raised_at),
    (
        field("proposal_id", "Forslag", "id", width=10),
        field("case_id", "Sag", width=8),
        field("unit_id", "Enhed", width=12),
        *step("from_step", "Fra trin", "from_step"),
        *step("to_step", "Til trin", "to_step"),
        Column("direction", "Retning", ("direction",), _proposed, width=8),
        field("status", "Status", width=10),
        field("raised_at", "Rejst", width=18),
        Column("rules", "Regler", ("rules",), _joined, width=24),
        *staff("decided_by", "Besluttet af", "decided_by"),
        field("decided_at", "Besluttet", width=18),
        private("reason", "Begrundelse", width=40),
        field("pack", "Regelsæt", width=10),
        field("pack_version", "Regelsættets version", width=10),
    ),
)

ESCALATIONS = Table(
    "escalation",
    "eskaleringer",
    _model_query(Escalation, Escalation.__table__.c.raised_at),
    (
        field("escalation_id", "Eskalering", "id", width=10),
        field("case_id", "Sag", width=8),
        field("unit_id", "Enhed", width=12),
        *step("step", "Trin", "step"),
        field("to_role", "Til rolle", width=14),
        field("to_unit", "Til enhed", width=12),
        Column("rules", "Regler", ("rules",), _joined, width=24),
        field("raised_at", "Rejst", width=18),
        field("due_at", "Frist", width=18),
        field("status", "Status", width=12),
        *staff("acknowledged_by", "Kvitteret af", "acknowledged_by"),
        field("acknowledged_at", "Kvitteret", width=18),
        Column(
            "days_to_acknowledge",
            "Dage til kvittering",
            ("raised_at", "acknowledged_at"),
            lambda ctx: _days,
            Kind.DECIMAL,
            width=10,
        ),
        field("escalated_from_id", "Videresendt fra eskalering", width=12),
        private("note", "Note", width=40),
    ),
)

ACTIONS = Table(
    "action",
    "handlinger",
    _model_query(Action, Action.__table__.c.created_at),
    (
        field("action_id", "Handling", "id", width=10),
        field("case_id", "Sag", width=8),
        field("unit_id", "Enhed", width=12),
        field("action", "Handling (id)", width=22),
        Column(
            "action_name",
            "Handlingens navn",
            ("unit_id", "action"),
            lambda ctx: cache(ctx.labels.action),
            width=36,
        ),
        field("owner_role", "Ejers rolle", width=14),
        *staff("owner", "Ejer", "owner_id"),
        field("created_at", "Oprettet", width=18),
        field("due_at", "Frist", width=18),
        field("status", "Status", width=10),
        *staff("closed_by", "Lukket af", "closed_by"),
        field("closed_at", "Lukket", width=18),
        private("note", "Note", width=40),
    ),
)

AGREEMENTS = Table(
    "agreement",
    "aftaler",
    _model_query(Agreement, Agreement.__table__.c.agreed_at),
    (
        field("agreement_id", "Aftale", "id", width=10),
        field("case_id", "Sag", width=8),
        field("unit_id", "Enhed", width=12),
        field("agreed_at", "Aftalt", width=18),
        *staff("agreed_by", "Aftalt af", "agreed_by"),
        field("review_at", "Revideres", width=18),
        field("status", "Status", width=10),
        field("closed_at", "Afsluttet", width=18),
        private("text", "Aftalens tekst", width=50),
    ),
)

TABLES = (CASES, OBSERVATIONS, TRANSITIONS, PROPOSALS, ESCALATIONS, ACTIONS, AGREEMENTS)
"""Every exported table, in the order a reader meets them."""


def count(session: Session, table: Table, scope: Scope) -> int:
    """How many rows ``table`` has in the scope (for the progress bar and the audit)."""
    query = table.query(scope).with_only_columns(func.count()).order_by(None)
    return session.execute(query).scalar_one()


Write = Mapping[Kind, Callable[[Sequence[Any]], Iterable[Cell]]]
"""How a format writes a column of cells of each kind; a kind it leaves out is written
as it comes. A column per call, not a cell: ``map`` over a C function costs no frame."""


def stream(
    session: Session,
    table: Table,
    scope: Scope,
    ctx: Context,
    columns: Sequence[Column],
    write: Write,
) -> Iterator[list[tuple[Cell, ...]]]:
    """The table's rows as cells, in chunks of ``COLUMN_ROWS``, fetched ``STREAM_ROWS`` at a
    time (a server-side cursor on PostgreSQL), so memory stays flat as the history grows.

    Rows are millions (§8), so nothing is done per row in Python: each chunk is turned
    into columns, each column made by ``map`` (cached functions, C on a hit), and zipped
    back into rows. Only the values the columns need are read, plain: times come as
    their stored UTC text (``utc_text``), not as datetimes, and each format writes them
    straight from it.
    """
    query = table.query(scope)
    selected = query.selected_columns
    dialect = session.get_bind().dialect.name
    names = list(dict.fromkeys(source for column in columns for source in column.sources))
    position = {name: index for index, name in enumerate(names)}
    plan = [
        (
            [position[source] for source in column.sources],
            column.compute(ctx) if column.compute else None,
            write.get(column.kind if column.compute else _kind(selected[column.sources[0]])),
        )
        for column in columns
    ]
    plain = query.with_only_columns(*(_plain(selected[name], dialect) for name in names))
    result = session.connection().execute(plain.execution_options(yield_per=STREAM_ROWS))
    for rows in result.partitions(COLUMN_ROWS):
        values = list(zip(*rows, strict=True))
        cells = []
        for sources, compute, written in plan:
            cell = (
                list(map(compute, *(values[i] for i in sources))) if compute else values[sources[0]]
            )
            cells.append(written(cell) if written else cell)
        yield list(zip(*cells, strict=True))


def _kind(column: ColumnElement) -> Kind:
    """A stored column's kind, from its SQL type."""
    if isinstance(column.type, UTCDateTime):
        return Kind.TIME
    if isinstance(column.type, Boolean):
        return Kind.FLAG
    return Kind.TEXT


def _plain(column: ColumnElement, dialect: str) -> ColumnElement:
    """The column as read: a time as its UTC text, else as the column's type reads it."""
    if not isinstance(column.type, UTCDateTime):
        return column
    return utc_text(column, dialect).label(column.key)


def utc_text(column: ColumnElement, dialect: str) -> ColumnElement:
    """A time column as UTC text, ``2026-11-21 13:30:00.000000``, the same on both databases:
    SQLite stores exactly that (``UTCDateTime``), PostgreSQL formats it. Parsing it into a
    datetime per value and formatting it again was a fifth of an export's time (§8)."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24:MI:SS.US")
    return type_coerce(column, String)
