"""The leader's view (§1.2, ``staircase assess``).

Every case of the leader's units with its step and what its observations
indicate now, what changed since this person's previous assess, and what
waits for a decision. Each case's evaluation is stored (``evaluations``)
with the moment time alone can next change it; assess reads those that
hold and evaluates only the rest, in memory, from the observations inside
the rules' own windows (``window``), so a repeated assess costs what
changed, not the size of the municipality.

An assess streams: the cases are read and evaluated a chunk at a time
(``CHUNK`` cases, in id order), written back every ``WRITTEN_TOGETHER``
chunks and handed on as they are written, so memory does not grow with the
number of cases. ``assessing`` gives the
assessment while its transaction is open; ``assess`` collects it whole,
for callers that want a complete ``Assessment``.

"Changed" is decided by what happened since the person's last assess — a
new observation, a move either way, a proposal raised or decided, an
escalation raised — not by comparing two snapshots, which would miss a
case that went up and came back down in between.
"""

from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, NamedTuple, TypeVar

from sqlalchemy import Row, Select, and_, bindparam, delete, func, insert, or_, select, union
from sqlmodel import col

from staircase.cases import consequences, evaluations
from staircase.cases.evaluations import Stored
from staircase.cases.window import Window
from staircase.core import audit
from staircase.core.lookup import unit_packs, visible_units
from staircase.core.work import Request, Work, audit_apart, transaction
from staircase.db.models import (
    Action,
    AssessSeen,
    AuditEntry,
    Case,
    CaseEvaluation,
    Escalation,
    Observation,
    Proposal,
    Relative,
    Resident,
    Transition,
)
from staircase.db.store import begin_writing
from staircase.domain.engine import evaluate
from staircase.domain.pack import Pack
from staircase.errors import NotAllowed
from staircase.i18n import _
from staircase.kinds import ActionStatus, EscalationStatus, ProposalStatus, Role
from staircase.views import (
    AssessedAction,
    AssessedCase,
    AssessedEscalation,
    AssessedProposal,
    Assessment,
    SkippedUnit,
    View,
    list_of,
    plain,
)

CHUNK = 1_000
"""Cases read and evaluated per step."""

WRITTEN_TOGETHER = 10
"""Chunks whose rows are written in one write transaction (and held until then): a
first assess of a municipality writes a seen row for each of its cases, and a
transaction per thousand of them was a fifth of its time."""

V = TypeVar("V", bound=View)
T = TypeVar("T")


class Listed(NamedTuple):
    """A row of the listing query (``_open_cases``), its columns in order. Read by name
    as fast as by position: a SQLAlchemy row's names cost ten times as much, and an
    assess of a municipality reads a million of them."""

    id: int
    unit_id: str
    step: str
    resident: str
    relative: str
    indicated: str | None
    why: str | None
    stale: bool
    seen_step: str | None
    seen_indicated: str | None


Evaluating = NamedTuple(
    "Evaluating",
    [
        *Listed.__annotations__.items(),
        ("step_since", datetime),
        ("due_at", datetime | None),
        ("settled", bool | None),
    ],
)
"""A row of the listing query of a full recompute: also what evaluating a case needs."""

CaseFields = dict[str, Any]
"""A case's ``AssessedCase`` fields as plain, JSON-ready data: what ``Assessing.cases``
gives, so a municipality's ``--json`` is written without making a hundred thousand
objects first (issue 14); ``Assessment`` validates them into views."""


def assess(
    request: Request, *, unit: str | None = None, all_units: bool = False, recompute: bool = False
) -> Assessment:
    """The whole assessment at once (see ``assessing``), for a demo or a test."""
    with assessing(request, unit=unit, all_units=all_units, recompute=recompute) as live:
        cases = list_of(AssessedCase).validate_python(list(live.cases))
        return Assessment(
            units=live.units,
            first=live.first,
            cases=cases,
            proposals=list(live.proposals.views()),
            escalations=list(live.escalations.views()),
            actions_overdue=list(live.actions_overdue.views()),
            steps=live.steps,
            total=live.total,
            skipped_units=live.skipped_units,
            packs=live.packs,
        )


@contextmanager
def assessing(
    request: Request, *, unit: str | None = None, all_units: bool = False, recompute: bool = False
) -> Iterator["Assessing"]:
    """Assess the acting person's units (or one unit, or all for quality/admin).

    Reads each case's stored evaluation and evaluates only those time may
    have changed (or, with ``recompute``, every case). The reading is done
    under read transactions; the write lock is taken per chunk only for
    its few rows. The listing is audited as one entry whose detail
    (outside the chain, purgeable) names the criteria and every case read.
    """
    with transaction(request, "assess", write=False) as work:
        if all_units and work.actor.role not in (Role.QUALITY, Role.ADMIN):
            raise NotAllowed(_("assess --all: only quality and admin read across all units"))
        asked = None if all_units else visible_units(work, unit, "assess")
        packs, skipped = unit_packs(work.session, asked)
        # A unit whose pack cannot be loaded is left out and reported (issue 11).
        units = asked if not skipped else sorted(packs)
        live = Assessing(work, units, packs, skipped, recompute=recompute)
        criteria = "units=" + (",".join(asked) if asked is not None else "*")
        criteria += f" recompute={recompute}"
        try:
            yield live
        except BaseException:
            # The output broke off (a closed pipe, Ctrl-C): what was read is audited all the
            # same, apart, since this transaction rolls back.
            detail = audit.listing_detail(criteria, live.listed)
            audit_apart(
                request, audit.Event(work.actor.id, "assess", outcome="cut short", detail=detail)
            )
            raise
        work.audit("assess", detail=audit.listing_detail(criteria, live.finish()))


class Assessing:
    """An assessment being made: the same fields as ``Assessment``, its lists given
    as iterators read while the transaction is open, in the order of the fields;
    the cases as their views' plain fields (``CaseFields``).

    ``steps`` and ``total`` are complete once ``cases`` has been read to its end
    (or ``changed_cases``, its alternative for a screen).
    """

    def __init__(
        self,
        work: Work,
        units: list[str] | None,
        packs: dict[str, Pack],
        skipped: list[SkippedUnit],
        *,
        recompute: bool,
    ) -> None:
        self._work, self._units, self._packs, self._recompute = work, units, packs, recompute
        self._last = _last_assess(work)
        self._happened = _changed_since(work, units, self._last) if self._last else None
        self._window: Window | None = None
        self._bottoms = {unit: pack.bottom.id for unit, pack in packs.items()}
        self._listed = array("q")
        self._stream = self._chunks()
        self.units = sorted(packs) if units is None else units
        self.first = self._last is None
        self.skipped_units = skipped
        self.packs = sorted({pack.id for pack in packs.values()})
        self.steps = {step.id: 0 for pack in packs.values() for step in pack.ladder}
        self.total = 0
        self.changed = 0
        """How many of the cases read so far are marked changed."""
        self.cases: Iterator[CaseFields] = self._cases()
        self.proposals = _open_proposals(work, units)
        self.escalations = _open_escalations(work, units)
        self.actions_overdue = _overdue_actions(work, units, packs)

    @property
    def listed(self) -> array:
        """The ids of the cases read so far."""
        return self._listed

    def finish(self) -> array:
        """Read what the caller left unread, so every case is stored and listed."""
        for _chunk in self._stream:
            pass
        return self._listed

    def changed_cases(self, shown: int) -> tuple[list[AssessedCase], int]:
        """The first ``shown`` changed cases and how many changed: what a screen shows.

        Every case is read, stored, remembered and listed as ``cases`` does, but
        only the cases shown are made into views — a screen shows fifty of a
        municipality's hundred thousand (issue 14).
        """
        views: list[AssessedCase] = []
        for chunk in self._stream:
            if len(views) < shown:
                wanted = [n for n, changed in enumerate(chunk.changed) if changed]
                views.extend(chunk.views(wanted[: shown - len(views)]))
        return views, self.changed

    def _cases(self) -> Iterator[CaseFields]:
        for chunk in self._stream:
            yield from chunk.fields(range(len(chunk.rows)))

    def _chunks(self) -> Iterator["Chunk"]:
        """Every open case, a chunk at a time, each chunk's rows written before it is given.

        The rows of ``WRITTEN_TOGETHER`` chunks are written in one short write
        transaction, which also ends their reading: a log committed meanwhile shows
        in the chunks read after it, as it would in an assess started a moment later.
        """
        waiting: list[tuple[Chunk, Computed, Seen]] = []
        for chunk, computed in self._read_chunks():
            waiting.append((chunk, computed, _seen_changes(self._work, chunk)))
            if len(waiting) == WRITTEN_TOGETHER:
                yield from self._written(waiting)
                waiting = []
        yield from self._written(waiting)
        # Seen rows of cases no longer listed (closed since, or out of these units) go.
        begin_writing(self._work.session)
        _forget_unlisted(self._work, self._units)
        self._work.session.commit()

    def _read_chunks(self) -> Iterator[tuple["Chunk", "Computed"]]:
        after, listing = 0, _open_cases(self._work, self._units, evaluating=self._recompute)
        named = Evaluating._make if self._recompute else Listed._make
        while rows := [
            named(r) for r in self._work.session.connection().execute(listing, {"after": after})
        ]:
            after = rows[-1].id
            yield self._chunk(rows)

    def _written(self, waiting: list[tuple["Chunk", "Computed", "Seen"]]) -> Iterator["Chunk"]:
        """Write what these chunks changed, then give them, counted and listed."""
        computed: Computed = {}
        drop: list[int] = []
        write: list[dict] = []
        for _chunk, chunk_computed, (chunk_drop, chunk_write) in waiting:
            computed.update(chunk_computed)
            drop += chunk_drop
            write += chunk_write
        self._write(computed, (drop, write))
        for chunk, _computed, _seen in waiting:
            for row in chunk.rows:
                self.steps[row.step] = self.steps.get(row.step, 0) + 1
            self.total += len(chunk.rows)
            self.changed += sum(chunk.changed)
            self._listed.extend(row.id for row in chunk.rows)
            yield chunk

    def _chunk(self, rows: Sequence[Listed]) -> tuple["Chunk", "Computed"]:
        """Open cases with what they indicate: stored where it holds, computed where not."""
        if self._recompute:  # the rows carry all that evaluating needs
            computed, fresh = self._evaluate(rows)
        elif stale := [case.id for case in rows if case.stale]:
            computed, fresh = self._evaluate(_stale_cases(self._work, stale))
        else:
            computed, fresh = {}, {}
        indicated, whys, changed = [], [], []
        for case in rows:
            new = fresh.get(case.id)
            indicated.append(new.indicated if new else case.indicated)
            whys.append(new.why if new else case.why)
            bottom = self._bottoms[case.unit_id]
            changed.append(
                _holds(self._happened, case.id)
                if self._happened is not None
                # At a first assess there is no "since": the cases off the bottom
                # step are the overview, not forty quiet cases as news.
                else case.step != bottom or indicated[-1] != bottom
            )
        return Chunk(rows, indicated, whys, changed), computed

    def _evaluate(self, cases: Sequence[Evaluating | Row]) -> tuple["Computed", dict[int, Stored]]:
        """Evaluate these cases (rows of the chunk) afresh: what to store, and every
        case's new evaluation."""
        work, packs, now = self._work, self._packs, self._work.now
        if self._window is None:
            self._window = Window(work.session, packs.values(), now)
        facts = self._window.facts([case.id for case in cases])
        stored = {case.id: _stored(case) for case in cases if case.indicated is not None}
        # What people have ruled on counts here as in tick: after a leader's move
        # down, the evidence set aside must not read as "indicated større".
        states = consequences.case_states(work.session, cases, packs)
        computed: Computed = {}
        fresh: dict[int, Stored] = {}
        for case in cases:
            known, state, pack = facts.get(case.id, []), states[case.id], packs[case.unit_id]
            evaluation = evaluate(pack, known, state, now)
            fresh[case.id] = evaluations.of(
                case.id, pack, evaluation, known, state, now, settled=False
            )
            had = stored.get(case.id)
            if had is None or not had.same(fresh[case.id]) or had.due(now):
                computed[case.id] = (had, fresh[case.id])
        return computed, fresh

    def _write(self, computed: "Computed", seen: "Seen") -> None:
        """The chunks' few rows, in a short write transaction of their own."""
        drop, write = seen
        if not (computed or drop or write):
            return
        session = self._work.session
        begin_writing(session)
        # An assess of the future (``--now`` ahead, which only reads) must not leave
        # evaluations that would be taken for current ones when the real time comes.
        if not self._work.clock.ahead:
            _store(self._work, computed)
        _remember(self._work, drop, write)
        session.commit()


@dataclass(frozen=True)
class Chunk:
    """A chunk of the listing: its rows and, per row, what the case indicates, why
    (stored form) and whether it is marked changed."""

    rows: Sequence[Listed]
    indicated: list[str]
    whys: list[str]
    changed: list[bool]

    def views(self, wanted: Iterable[int]) -> list[AssessedCase]:
        """The views of the rows at these positions, made in one validation."""
        return list_of(AssessedCase).validate_python(self.fields(wanted))

    def fields(self, wanted: Iterable[int]) -> list[CaseFields]:
        """The rows at these positions as their views' fields, in the view's order and
        JSON-ready. What each "why" rests on is kept with the evaluation (§7.5: what
        was seen, when), so no observation is read."""
        fields = []
        for n in wanted:
            case = self.rows[n]
            evidence = evaluations.evidence(self.whys[n])
            fields.append(
                {
                    "id": case.id,
                    "unit_id": case.unit_id,
                    "resident": case.resident,
                    "relative": case.relative,
                    "step": case.step,
                    "indicated_step": self.indicated[n],
                    "why": evidence["why"],
                    "seen": evidence["seen"],
                    "previous_step": case.seen_step,
                    "previous_indicated": case.seen_indicated,
                    "changed": self.changed[n],
                }
            )
        return fields


def _in_units(query, column, units: list[str] | None):
    return query if units is None else query.where(col(column).in_(units))


def _open_cases(work: Work, units: list[str] | None, *, evaluating: bool) -> Select:
    """The query for the next chunk of open cases after id ``:after``, built once per
    assess (building it cost as much as running it): each case with the family's
    names, its stored evaluation, whether time may have changed that (``stale``: none
    stored, or its ``due_at`` has come — decided by the database, so the rows carry
    no times to convert), and what this person saw of it at their last assess.
    ``evaluating`` (a full recompute): also what evaluating every case needs, as
    ``_stale_cases`` reads it for the few that are stale otherwise."""
    seen = and_(AssessSeen.case_id == Case.id, AssessSeen.staff_id == work.actor.id)
    stale = or_(
        col(CaseEvaluation.indicated).is_(None), col(CaseEvaluation.due_at) <= work.now
    ).label("stale")
    query = (
        select(
            Case.id,
            Case.unit_id,
            Case.step,
            Resident.name.label("resident"),
            Relative.name.label("relative"),
            CaseEvaluation.indicated,
            CaseEvaluation.why,
            stale,
            AssessSeen.step.label("seen_step"),
            AssessSeen.indicated.label("seen_indicated"),
        )
        .join(Resident, Resident.id == Case.resident_id)
        .join(Relative, Relative.id == Case.relative_id)
        .outerjoin(CaseEvaluation, CaseEvaluation.case_id == Case.id)
        .outerjoin(AssessSeen, seen)
        .where(col(Case.closed_at).is_(None), Case.id > bindparam("after"))
    )
    if evaluating:
        query = query.add_columns(Case.step_since, CaseEvaluation.due_at, CaseEvaluation.settled)
    return _in_units(query, Case.unit_id, units).order_by(Case.id).limit(CHUNK)


def _stale_cases(work: Work, ids: list[int]) -> Sequence[Row]:
    """What evaluating these cases afresh needs: each case's ``step_since`` (for its
    state) and its stored evaluation in full, to tell whether the new one differs."""
    query = (
        select(
            Case.id,
            Case.unit_id,
            Case.step,
            Case.step_since,
            CaseEvaluation.indicated,
            CaseEvaluation.why,
            CaseEvaluation.due_at,
            CaseEvaluation.settled,
        )
        .outerjoin(CaseEvaluation, CaseEvaluation.case_id == Case.id)
        .where(col(Case.id).in_(ids))
    )
    return work.session.connection().execute(query.order_by(Case.id)).all()


def _stored(case: Row) -> Stored:
    """The stored evaluation a stale case's row carries (its case has one)."""
    return Stored(case.id, case.indicated, case.why, case.due_at, case.settled)


def _validated(view: type[V]) -> Callable[[Sequence[Row]], list[V]]:
    """Rows to views by their columns' names, in one validation."""

    def views(rows: Sequence[Row]) -> list[V]:
        return list_of(view).validate_python([row._asdict() for row in rows])

    return views


def _plain(view: type[View]) -> Callable[[Sequence[Row]], list[dict]]:
    """Rows to their view's plain data by their columns' names (``views.plain``)."""

    def fields(rows: Sequence[Row]) -> list[dict]:
        return plain(view, rows[0]._fields if rows else (), rows)

    return fields


class Listing(Iterator[dict], Generic[V]):
    """One of the view's open lists (proposals, escalations, actions overdue).

    Iterated, it reads the list a chunk at a time and gives every item as its
    view's plain data, as ``--json`` writes it; ``views`` gives them as views; a
    screen asks for the ``first`` few and a count instead, and the thousands it
    does not show are never made into views (issue 14).
    """

    def __init__(
        self,
        work: Work,
        query: Select,
        views: Callable[[Sequence[Row]], list[V]],
        plain: Callable[[Sequence[Row]], list[dict]],
    ) -> None:
        self._work, self._query, self._views, self._plain = work, query, views, plain
        self._items: Iterator[dict] | None = None

    def __next__(self) -> dict:
        if self._items is None:
            self._items = self._read(self._plain)
        return next(self._items)

    def views(self) -> Iterator[V]:
        """Every item as a view."""
        return self._read(self._views)

    def _read(self, made: Callable[[Sequence[Row]], list[T]]) -> Iterator[T]:
        rows = self._work.session.connection().execute(self._query)
        for chunk in rows.partitions(CHUNK):
            yield from made(chunk)

    def first(self, shown: int) -> tuple[list[V], int]:
        """The first ``shown`` items as views, and how many there are."""
        connection = self._work.session.connection()
        head = connection.execute(self._query.limit(shown)).all()
        counted = select(func.count()).select_from(self._query.order_by(None).subquery())
        return self._views(head), connection.execute(counted).scalar_one()


def _last_assess(work: Work) -> datetime | None:
    """When this person last assessed, on the clock they assessed by (None: never)."""
    return work.session.execute(
        select(func.max(func.coalesce(AuditEntry.clock, AuditEntry.at))).where(
            AuditEntry.actor == work.actor.id,
            AuditEntry.action == "assess",
            AuditEntry.outcome == "ok",
        )
    ).scalar_one()


def _changed_since(work: Work, units: list[str] | None, since: datetime) -> array:
    """The cases something happened to after ``since``, in id order: one query over
    the event tables' time indexes, held as an array of ids (8 bytes a case)."""
    events = [
        select(Observation.case_id).where(Observation.logged_at > since),
        select(Transition.case_id).where(Transition.at > since),
        select(Proposal.case_id).where(
            (Proposal.raised_at > since) | (Proposal.decided_at > since)
        ),
        select(Escalation.case_id).where(Escalation.raised_at > since),
    ]
    happened = union(*events).subquery()
    query = select(Case.id).where(col(Case.id).in_(select(happened.c.case_id)))
    ids = work.session.execute(_in_units(query, Case.unit_id, units).order_by(Case.id))
    return array("q", ids.scalars())


def _holds(ids: array, case_id: int) -> bool:
    """Whether the sorted ``ids`` hold ``case_id``."""
    at = bisect_left(ids, case_id)
    return at < len(ids) and ids[at] == case_id


Computed = dict[int, tuple[Stored | None, Stored]]
"""Evaluations assess had to compute: per case, what was stored when it read, and the new one."""


def _store(work: Work, computed: Computed) -> None:
    """Store what assess computed, unless the case was evaluated again meanwhile.

    Between the read and this write a log may have stored a newer
    evaluation; that one stands. What assess stores is not settled: it
    carried out nothing, so tick still looks at the case.
    """
    if not computed:
        return
    current = evaluations.read(work.session, list(computed))
    evaluations.save(
        work.session,
        [fresh for case_id, (read, fresh) in computed.items() if current.get(case_id) == read],
    )


Seen = tuple[list[int], list[dict]]
"""The seen rows to drop and those to write."""


def _seen_changes(work: Work, chunk: Chunk) -> Seen:
    """What this person's seen rows of the chunk's cases must become: only the rows
    that differ are replaced (a first assess, which has none, only inserts)."""
    differ = [
        (row, indicated)
        for row, indicated in zip(chunk.rows, chunk.indicated, strict=True)
        if (row.seen_step, row.seen_indicated) != (row.step, indicated)
    ]
    return [row.id for row, _ in differ if row.seen_step is not None], [
        {"staff_id": work.actor.id, "case_id": row.id, "step": row.step, "indicated": indicated}
        for row, indicated in differ
    ]


def _forget_unlisted(work: Work, units: list[str] | None) -> None:
    """Drop this person's seen rows of the cases an assess of these units no longer
    lists, in one statement: the seen rows are what the last assess showed."""
    listed = _in_units(select(Case.id).where(col(Case.closed_at).is_(None)), Case.unit_id, units)
    work.session.execute(
        delete(AssessSeen).where(
            AssessSeen.staff_id == work.actor.id, col(AssessSeen.case_id).not_in(listed)
        )
    )


def _remember(work: Work, drop: list[int], write: list[dict]) -> None:
    """What this person saw, so their next assess shows what changed.

    Bulk statements, and only for the cases whose step or indication this
    person had not seen: a repeated assess over a municipality writes little.
    """
    if drop:
        work.session.execute(
            delete(AssessSeen).where(
                AssessSeen.staff_id == work.actor.id, col(AssessSeen.case_id).in_(drop)
            )
        )
    if write:
        work.session.connection().execute(insert(AssessSeen.__table__), write)


def _named(query, units: list[str] | None):
    """The query joined to its case's family, limited to these units."""
    query = (
        query.add_columns(Resident.name.label("resident"), Relative.name.label("relative"))
        .join(Resident, Resident.id == Case.resident_id)
        .join(Relative, Relative.id == Case.relative_id)
    )
    return _in_units(query, Case.unit_id, units)


def _columns(table, view: type[View]) -> list:
    """The columns of ``table`` that ``view`` shows, by name or by alias, each labelled
    with the field it fills: a row is then read by the field's own name (an alias
    looked up on a row that lacks it costs an exception per row)."""
    fields = {
        name: field_name
        for field_name, field in view.model_fields.items()
        for name in (field_name, *getattr(field.validation_alias, "choices", ()))
    }
    return [
        column.label(fields[column.name])
        for column in table.__table__.columns
        if column.name in fields
    ]


def _open_proposals(work: Work, units: list[str] | None) -> "Listing[AssessedProposal]":
    query = (
        select(*_columns(Proposal, AssessedProposal))
        .join(Case, Case.id == Proposal.case_id)
        .where(Proposal.status == ProposalStatus.OPEN)
    )
    ordered = _named(query, units).order_by(Proposal.id)
    return Listing(work, ordered, _validated(AssessedProposal), _plain(AssessedProposal))


def _open_escalations(work: Work, units: list[str] | None) -> "Listing[AssessedEscalation]":
    """Escalations not yet acknowledged, addressed to these units or raised in them."""
    query = _named(
        select(*_columns(Escalation, AssessedEscalation), Case.step.label("case_step"))
        .join(Case, Case.id == Escalation.case_id)
        .where(Escalation.status == EscalationStatus.OPEN, col(Case.closed_at).is_(None)),
        None,
    )
    if units is not None:
        query = query.where(col(Case.unit_id).in_(units) | col(Escalation.to_unit).in_(units))
    ordered = query.order_by(Escalation.due_at, Escalation.id)
    return Listing(work, ordered, _validated(AssessedEscalation), _plain(AssessedEscalation))


def _overdue_actions(
    work: Work, units: list[str] | None, packs: dict[str, Pack]
) -> "Listing[AssessedAction]":
    query = (
        select(Action.__table__, Case.unit_id)
        .join(Case, Case.id == Action.case_id)
        .where(Action.status == ActionStatus.OPEN, Action.due_at < work.now)
    )

    def views(rows: Sequence[Row]) -> list[AssessedAction]:
        return [
            AssessedAction(
                id=row.id,
                case_id=row.case_id,
                action=row.action,
                name=packs[row.unit_id].action_name(row.action),
                owner=row.owner_id or row.owner_role,
                due=row.due_at,
                status=row.status,
                note=row.note,
                resident=row.resident,
                relative=row.relative,
            )
            for row in rows
        ]

    def fields(rows: Sequence[Row]) -> list[dict]:
        return list_of(AssessedAction).dump_python(views(rows), mode="json")

    return Listing(work, _named(query, units).order_by(Action.due_at, Action.id), views, fields)
