"""The observations the rules can still see, for many cases at once.

Assess and tick evaluate thousands of cases in memory; this reads their
facts in bulk, and only what can matter: per indicator, the observations
since its widest rule window or longest calm spell (``horizon.lookback``),
one index range each on ``ix_observation_indicator_at`` — never the whole
table, never ORM objects. Older observations cannot change an evaluation,
so the engine finds the same with these as with all of a case's.
"""

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, or_
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
    reach: dict[str, timedelta] = {}
    for pack in packs:
        for indicator, back in lookback(pack).items():
            reach[indicator] = max(back, reach.get(indicator, back))
    if not reach:
        return {}
    seen = or_(
        *(
            and_(Observation.indicator == indicator, Observation.occurred_at >= now - back)
            for indicator, back in sorted(reach.items())
        )
    )
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
