"""The observations the rules can still see, for many cases at once.

Assess and tick evaluate thousands of cases in memory; this reads their
facts in bulk, and only what can matter: per indicator, the observations
since its widest rule window or longest calm spell (``horizon.lookback``),
one index range each on ``ix_observation_indicator_at`` — never the whole
table, never ORM objects. Older observations cannot change an evaluation,
so the engine finds the same with these as with all of a case's.
"""

from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from staircase.cases.evaluations import id_chunks
from staircase.db.models import Observation
from staircase.domain.engine import Fact
from staircase.domain.horizon import lookback
from staircase.domain.pack import Pack


def window_facts(
    session: Session, packs: Iterable[Pack], now: datetime, case_ids: Collection[int] | None
) -> dict[int, list[Fact]]:
    """The facts of these cases (of every case, with ``None``) that the packs' rules can see."""
    seen = _seen(packs, now)
    if seen is None:
        return {}
    facts: dict[int, list[Fact]] = defaultdict(list)
    for chunk in id_chunks(case_ids):
        query = select(
            Observation.case_id, Observation.id, Observation.indicator, Observation.occurred_at
        ).where(seen)
        retractions = select(Observation.retracts_id).where(
            col(Observation.retracts_id).is_not(None)
        )
        if chunk is not None:
            query = query.where(col(Observation.case_id).in_(chunk))
            retractions = retractions.where(col(Observation.case_id).in_(chunk))
        retracted = set(session.exec(retractions))
        rows = session.execute(query.execution_options(yield_per=10_000))
        for case_id, observation, indicator, at in rows:
            facts[case_id].append(Fact(observation, indicator, at, observation in retracted))
    return facts


def _seen(packs: Iterable[Pack], now: datetime) -> ColumnElement[bool] | None:
    """The observations the packs' rules can see at ``now`` (None: no rule sees any)."""
    reach: dict[str, timedelta] = {}
    for pack in packs:
        for indicator, back in lookback(pack).items():
            reach[indicator] = max(back, reach.get(indicator, back))
    if not reach:
        return None
    return or_(
        *(
            and_(Observation.indicator == indicator, Observation.occurred_at >= now - back)
            for indicator, back in sorted(reach.items())
        )
    )


class Window:
    """Every case's facts that the rules can see, read in one scan and held as four
    numbers per observation, for an assess that evaluates the cases a chunk at a time.

    ``window_facts`` for each chunk would scan the whole window once per chunk
    (the index is by indicator, not by case); the window itself is small (the
    rules look back weeks, the table holds years), so it is read once, in
    case order, and each chunk takes its cases' facts from it.
    """

    def __init__(self, session: Session, packs: Iterable[Pack], now: datetime) -> None:
        self._cases, self._ids, self._kinds, self._at = (array("q") for _ in range(4))
        self._indicators: list[str] = []
        self._retracted: set[int] = set()
        seen = _seen(packs, now)
        if seen is None:
            return
        kinds: dict[str, int] = {}
        rows = session.execute(
            select(
                Observation.case_id, Observation.id, Observation.indicator, Observation.occurred_at
            )
            .where(seen)
            .order_by(
                Observation.case_id, Observation.indicator, Observation.occurred_at, Observation.id
            )
            .execution_options(yield_per=1_000)
        )
        for case_id, observation, indicator, at in rows:
            if indicator not in kinds:
                kinds[indicator] = len(self._indicators)
                self._indicators.append(indicator)
            self._cases.append(case_id)
            self._ids.append(observation)
            self._kinds.append(kinds[indicator])
            self._at.append((at - _EPOCH) // _MICROSECOND)
        self._retracted = set(
            session.exec(
                select(Observation.retracts_id).where(col(Observation.retracts_id).is_not(None))
            )
        )

    def facts(self, case_ids: Collection[int]) -> dict[int, list[Fact]]:
        """The facts of these cases, as ``window_facts`` gives them."""
        facts: dict[int, list[Fact]] = defaultdict(list)
        if not case_ids:
            return facts
        wanted = set(case_ids)
        start = bisect_left(self._cases, min(wanted))
        end = bisect_right(self._cases, max(wanted))
        for n in range(start, end):
            case_id = self._cases[n]
            if case_id in wanted:
                observation = self._ids[n]
                facts[case_id].append(
                    Fact(
                        observation,
                        self._indicators[self._kinds[n]],
                        _EPOCH + timedelta(microseconds=self._at[n]),
                        observation in self._retracted,
                    )
                )
        return facts


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
