"""When time alone can next change an evaluation, and how far back the rules look.

A stored evaluation stays true until something is logged or decided — which
re-evaluates the case there and then — or until time moves an observation
out of a rule's window, brings a dated one into view, or completes a calm
spell (§3.3). ``changes_at`` names that moment, so assess and tick read the
stored evaluation of every case whose moment has not come instead of
recomputing it. ``lookback`` names, per indicator, the oldest observation
that can still matter, so that a recompute reads only the rules' own windows.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from staircase.domain.engine import CaseState, Fact
from staircase.domain.pack import Pack

_JUST_AFTER = timedelta(microseconds=1)
"""An observation exactly ``within_days`` old is inside its window; this much later it is not."""


def changes_at(
    pack: Pack, facts: Iterable[Fact], state: CaseState, now: datetime
) -> datetime | None:
    """The first moment after ``now`` at which the case's evaluation can change by itself.

    Earlier is always safe (the case is merely evaluated again, finding the
    same); so an observation counts here if it matches any rule, whether or
    not that rule fires, and the calm spell is counted from ``calm_floor``
    even where a rejected proposal would have started it later.
    """
    live = [f for f in facts if not f.retracted]
    moments = [f.at for f in live if f.at > now]
    present = {f.indicator for f in live}
    for rule, counted in pack.counting if live else ():
        if counted.isdisjoint(present):  # none of its observations: nothing leaves its window
            continue
        within = timedelta(days=rule.when.within_days)
        since = now - within
        moments += [
            f.at + within + _JUST_AFTER
            for f in live
            if since <= f.at <= now and f.indicator in counted
        ]
    calm_days = pack.get_step(state.step).calm_days
    if calm_days is not None and pack.below(state.step) is not None:
        unrested = [f.at for f in live if f.at <= now and pack.unrest(f.indicator)]
        floors = [*unrested, *([state.calm_floor] if state.calm_floor else [])]
        if floors and (calm := max(floors) + timedelta(days=calm_days)) > now:
            moments.append(calm)
    return min(moments, default=None)


def lookback(pack: Pack) -> dict[str, timedelta]:
    """How far back each indicator can matter: its widest rule window, and for
    an indicator of unrest the longest calm spell. Indicators no rule names
    and that break no calm (the good ones) are not read at all.
    """
    reach: dict[str, timedelta] = {}
    longest_calm = max((s.calm_days or 0 for s in pack.ladder), default=0)
    for indicator in pack.indicators:
        days = [r.when.within_days for r in pack.rules if indicator.id in pack.counted(r)]
        if pack.unrest(indicator.id) and longest_calm:
            days.append(longest_calm)
        if days:
            reach[indicator.id] = timedelta(days=max(days))
    return reach
