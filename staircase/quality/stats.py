"""``staircase stats``: per unit and month, how the collaboration went (§7.4).

For each unit and calendar month (local time): how many cases stood on each
step at the month's end, replayed from the transitions (a case's history
replays to its step, §3.3); how many moves went up and down; the median
time from an escalation being raised to its acknowledgement; and the median
time a case took from a step only a leader may lower (default: stoerre,
kompliceret) back to the bottom step, counted in the month it came back.

Transitions stream case by case, so the statistics of a large municipality
need no more memory than those of one home.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby
from statistics import median
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from staircase.core.work import Request, transaction
from staircase.db.models import Case, Escalation, Transition
from staircase.quality.scope import Criteria, Scope, resolve_scope
from staircase.quality.tables import STREAM_ROWS, Labels
from staircase.views import Time, View

DEFAULT_MONTHS = 12
"""Months shown when no --since is given: a year, the span quality reports cover."""


class UnitMonth(View):
    """One unit in one month."""

    unit: str
    month: str
    steps: dict[str, int]
    moves_up: int
    moves_down: int
    escalations_acknowledged: int
    median_hours_to_acknowledge: float | None
    returned_to_bottom: int
    median_days_back_to_bottom: float | None


class Statistics(View):
    """The statistics of a period; ``steps`` maps step ids to their Danish names, bottom first."""

    since: Time
    until: Time
    steps: dict[str, str]
    months: list[UnitMonth]


@dataclass(frozen=True)
class CaseTimeline:
    """A case's steps over time: where it started when opened, then every move."""

    case_id: int
    unit_id: str
    relative_id: int
    opened_at: datetime
    closed_at: datetime | None
    points: list[tuple[datetime, str]]

    def step_at(self, moment: datetime) -> str | None:
        """The step at ``moment``, or None when the case was not open then."""
        if moment < self.opened_at or (self.closed_at is not None and self.closed_at <= moment):
            return None
        current = self.points[0][1]
        for at, step in self.points:
            if at > moment:
                break
            current = step
        return current


def statistics(request: Request, criteria: Criteria) -> Statistics:
    """The statistics of the units one may read (or those asked for) over the period."""
    with transaction(request, "stats", write=False) as work:
        scope = period(resolve_scope(work, criteria, "stats"), work.clock.now, work.clock.tz)
        labels = Labels(work.session)
        result = compute(work.session, scope, labels, work.clock.tz)
        work.audit("stats", detail=f"units={','.join(scope.units or ['all'])}")
    return result


def period(scope: Scope, now: datetime, tz: ZoneInfo) -> Scope:
    """The scope with a period: by default the last ``DEFAULT_MONTHS`` months up to now."""
    until = scope.until or now
    since = scope.since
    if since is None:
        first = until.astimezone(tz).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        for _ in range(DEFAULT_MONTHS - 1):
            first = (first - timedelta(days=1)).replace(day=1)
        since = first
    return Scope(units=scope.units, since=since, until=until)


def months(scope: Scope, tz: ZoneInfo) -> list[tuple[str, datetime]]:
    """Each month of the period as ``(YYYY-MM, its end)``; the last ends at ``until``."""
    assert scope.since is not None and scope.until is not None
    local = scope.since.astimezone(tz).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    out = []
    while local < scope.until:
        following = (local + timedelta(days=32)).replace(day=1)
        end = min(following.replace(tzinfo=tz), scope.until)
        out.append((local.strftime("%Y-%m"), end))
        local = following.replace(tzinfo=tz)
    return out


def month_of(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m")


def timelines(session: Session, scope: Scope) -> Iterator[CaseTimeline]:
    """Every case of the scope's units opened before its end, with its moves, streamed."""
    query = (
        select(
            Case.id,
            Case.unit_id,
            Case.relative_id,
            Case.step,
            Case.opened_at,
            Case.closed_at,
            Transition.from_step,
            Transition.to_step,
            Transition.at,
        )
        .outerjoin(Transition, col(Transition.case_id) == Case.id)
        .order_by(Case.id, Transition.at, Transition.id)
    )
    if scope.units is not None:
        query = query.where(col(Case.unit_id).in_(scope.units))
    if scope.until is not None:
        query = query.where(col(Case.opened_at) < scope.until)
    rows = session.exec(query.execution_options(yield_per=STREAM_ROWS))
    for _, group in groupby(rows, key=lambda row: row.id):
        moves = list(group)
        first = moves[0]
        start = first.from_step if first.at is not None else first.step
        points = [(first.opened_at, start)]
        points += [(m.at, m.to_step) for m in moves if m.at is not None]
        yield CaseTimeline(
            first.id, first.unit_id, first.relative_id, first.opened_at, first.closed_at, points
        )


@dataclass
class _Tally:
    steps: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    up: int = 0
    down: int = 0
    acknowledge_hours: list[float] = field(default_factory=list)
    back_days: list[float] = field(default_factory=list)


def compute(session: Session, scope: Scope, labels: Labels, tz: ZoneInfo) -> Statistics:
    """Replay every case's timeline into per-unit, per-month tallies."""
    ends = months(scope, tz)
    wanted = {month for month, _ in ends}
    tally: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    for timeline in timelines(session, scope):
        _count_steps(timeline, ends, tally)
        _count_moves(timeline, labels, wanted, tally, tz)
    for unit, raised, acknowledged in _acknowledged(session, scope):
        hours = (acknowledged - raised).total_seconds() / 3600
        tally[(unit, month_of(raised, tz))].acknowledge_hours.append(hours)
    units = sorted({unit for unit, _ in tally} | set(scope.units or ()))
    steps = _step_names(labels, units)
    return Statistics(
        since=scope.since,
        until=scope.until,
        steps=steps,
        months=[
            _month(unit, month, tally[(unit, month)], list(steps))
            for unit in units
            for month, _ in ends
        ],
    )


def _count_steps(
    timeline: CaseTimeline, ends: list[tuple[str, datetime]], tally: dict[tuple[str, str], _Tally]
) -> None:
    for month, end in ends:
        step = timeline.step_at(end - timedelta(microseconds=1))
        if step is not None:
            tally[(timeline.unit_id, month)].steps[step] += 1


def _count_moves(
    timeline: CaseTimeline,
    labels: Labels,
    wanted: set[str],
    tally: dict[tuple[str, str], _Tally],
    tz: ZoneInfo,
) -> None:
    """Moves up and down, and each way back to the bottom from a leader-only step."""
    pack = labels.packs[timeline.unit_id]
    high_since: datetime | None = None
    for (_, before), (at, after) in zip(timeline.points, timeline.points[1:], strict=False):
        month = month_of(at, tz)
        counts = tally[(timeline.unit_id, month)] if month in wanted else None
        if counts is not None:
            if pack.rank(after) > pack.rank(before):
                counts.up += 1
            else:
                counts.down += 1
        if pack.get_step(after).leader_only and high_since is None:
            high_since = at
        if after == pack.bottom.id and high_since is not None:
            if counts is not None:
                counts.back_days.append((at - high_since).total_seconds() / 86_400)
            high_since = None


def _acknowledged(session: Session, scope: Scope) -> Iterator[tuple[str, datetime, datetime]]:
    """Acknowledged escalations raised in the period: unit, raised, acknowledged."""
    query = (
        select(Case.unit_id, Escalation.raised_at, Escalation.acknowledged_at)
        .join(Case, col(Case.id) == Escalation.case_id)
        .where(col(Escalation.acknowledged_at).is_not(None))
        .where(col(Escalation.raised_at) >= scope.since, col(Escalation.raised_at) < scope.until)
    )
    if scope.units is not None:
        query = query.where(col(Case.unit_id).in_(scope.units))
    yield from session.exec(query.execution_options(yield_per=STREAM_ROWS))


def _step_names(labels: Labels, units: list[str]) -> dict[str, str]:
    """The steps of the units' packs, bottom first, by their Danish names."""
    names: dict[str, tuple[int, str]] = {}
    for unit in units:
        for step in labels.packs[unit].ladder:
            names.setdefault(step.id, (step.rank, step.name.da))
    return {step: name for step, (_, name) in sorted(names.items(), key=lambda kv: kv[1][0])}


def _month(unit: str, month: str, counts: _Tally, steps: list[str]) -> UnitMonth:
    def middle(values: list[float]) -> float | None:
        return round(median(values), 1) if values else None

    return UnitMonth(
        unit=unit,
        month=month,
        steps={step: counts.steps.get(step, 0) for step in steps},
        moves_up=counts.up,
        moves_down=counts.down,
        escalations_acknowledged=len(counts.acknowledge_hours),
        median_hours_to_acknowledge=middle(counts.acknowledge_hours),
        returned_to_bottom=len(counts.back_days),
        median_days_back_to_bottom=middle(counts.back_days),
    )
