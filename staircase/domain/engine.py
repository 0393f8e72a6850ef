"""The staircase engine: a case's observations in, what they indicate out.

A pure function (PRODUCT.md §3.2–3.4): no database, no clock of its own, no
side effects. The caller stores what the evaluation says should happen; the
state machine (``machine.py``) remains the only judge of whether a move is
legal.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from staircase.clock import DEFAULT_TZ, as_utc
from staircase.domain.pack import Escalation, Pack, Rule
from staircase.kinds import Addressee, Direction

LOCAL = ZoneInfo(DEFAULT_TZ)
"""Where calendar days are counted unless the caller says otherwise (§5.4)."""


@dataclass(frozen=True)
class Fact:
    """One observation as the engine sees it: one indicator at one time."""

    observation: int
    indicator: str
    at: datetime
    retracted: bool = False


@dataclass(frozen=True)
class Reason:
    """A rule that fired, the step it reaches, and the observations that made it."""

    rule: str
    step: str
    observations: tuple[int, ...]


@dataclass(frozen=True)
class ProposedMove:
    """A move the rules indicate but a person must decide (§3.3)."""

    to_step: str
    direction: Direction
    evidence: frozenset[int]


@dataclass(frozen=True)
class EscalationOrder:
    """An escalation to raise: to whom, how fast, and the rules behind it."""

    step: str
    to: Addressee
    acknowledge_days: int | None
    inform: tuple[Addressee, ...]
    rules: tuple[str, ...]
    evidence: frozenset[int]


@dataclass(frozen=True)
class Evaluation:
    """What a case's observations indicate, and what should follow from it."""

    pack: str
    pack_version: str
    step: str
    indicated: str
    why: tuple[Reason, ...]
    auto_to: str | None = None
    proposal: ProposedMove | None = None
    escalations: tuple[EscalationOrder, ...] = ()
    actions: tuple[str, ...] = ()
    """The actions due now; a proposed step's come when a person accepts it."""
    fired: tuple[Reason, ...] = field(default=(), repr=False)
    basis: frozenset[int] = frozenset()
    """The observations an automatic move or a proposal up rests on."""

    @property
    def evidence(self) -> frozenset[int]:
        """The observations behind the indicated step."""
        return frozenset(o for reason in self.why for o in reason.observations)


@dataclass(frozen=True)
class CaseState:
    """What the engine needs to know about a case besides its observations.

    ``dismissed`` holds the observations a person has already ruled on (a
    rejected proposal up, an automatic move undone): the rules do not raise
    the same evidence again (§3.3, "no nagging"). ``set_aside`` holds the
    observations made up to a person's move down (or an accepted proposal
    down): they raise nothing any more, alone or together with new ones
    (§3.3). ``calm_floor`` is the later of the arrival on the step and the
    last rejection of a down proposal: the calm days before a step down are
    counted from it, or from the last non-godt observation when that is later.
    """

    step: str
    calm_floor: datetime | None = None
    dismissed: frozenset[int] = frozenset()
    set_aside: frozenset[int] = frozenset()


def evaluate(
    pack: Pack, facts: Iterable[Fact], state: CaseState, now: datetime, *, tz: tzinfo = LOCAL
) -> Evaluation:
    """Evaluate one case at ``now``; ``tz`` is where a rule's calendar days are counted.

    Observations after ``now``, retracted ones and those set aside by a move
    down do not count: after a leader's step down to godt the case reads
    godt, not "indicated større" on evidence the leader has weighed. Godt
    indicators never raise a case: no rule of a well-formed pack names them,
    and they count as calm for a step down. A way up the evidence supports
    comes first; only a case the rules do not raise may be proposed down.
    """
    live = sorted(
        (
            f
            for f in facts
            if not f.retracted and f.at <= now and f.observation not in state.set_aside
        ),
        key=lambda f: (f.at, f.observation),
    )
    indicated, why, fired = _indication(pack, live, now, tz)
    auto_to: str | None = None
    proposal: ProposedMove | None = None
    basis: frozenset[int] = frozenset()
    if pack.rank(indicated) > pack.rank(state.step):
        auto_to, proposal, basis = _upward(pack, state, live, now, tz, indicated, _evidence(why))
    if auto_to is None and proposal is None:
        proposal = _downward(pack, state, live, fired, now)
    return Evaluation(
        pack=pack.id,
        pack_version=pack.version,
        step=state.step,
        indicated=indicated,
        why=why,
        auto_to=auto_to,
        proposal=proposal,
        escalations=_escalations(pack, indicated, why, fired),
        actions=_actions(pack, auto_to, fired),
        fired=fired,
        basis=basis,
    )


def _indication(
    pack: Pack, live: list[Fact], now: datetime, tz: tzinfo
) -> tuple[str, tuple[Reason, ...], tuple[Reason, ...]]:
    """The indicated step, the reasons that reach it, and every rule that fired.

    A rule none of whose indicators the case has cannot fire (every rule needs at
    least one observation): most of a municipality's cases have few, or none.
    """
    if not live:
        return pack.bottom.id, (), ()
    present = {f.indicator for f in live}
    fired = tuple(
        reason
        for rule, counted in pack.counting
        if not counted.isdisjoint(present) and (reason := _fire(rule, counted, live, now, tz))
    )
    top = max((pack.rank(r.step) for r in fired), default=pack.bottom.rank)
    indicated = next(s.id for s in pack.ladder if s.rank == top)
    return indicated, tuple(r for r in fired if r.step == indicated), fired


def _evidence(reasons: tuple[Reason, ...]) -> frozenset[int]:
    return frozenset(o for r in reasons for o in r.observations)


def _fire(
    rule: Rule, counted: frozenset[str], live: list[Fact], now: datetime, tz: tzinfo
) -> Reason | None:
    """The rule's reason if enough observations of the kendetegn it ``counted`` lie
    inside its window.

    An observation exactly ``within_days`` old is inside; a minute more is not.
    A ``distinct_days`` rule counts the days the observations occurred on.
    """
    since = now - timedelta(days=rule.when.within_days)
    matching = [f for f in live if f.at >= since and f.indicator in counted]
    count = len({_day(f.at, tz) for f in matching}) if rule.when.distinct_days else len(matching)
    if count < rule.when.count_at_least:
        return None
    return Reason(rule.id, rule.then.step_at_least, tuple(f.observation for f in matching))


def _day(at: datetime, tz: tzinfo) -> date:
    """The local calendar day of a moment: 23:30 and 00:30 are two days, as staff count them."""
    return as_utc(at).astimezone(tz).date()


def _upward(
    pack: Pack,
    state: CaseState,
    live: list[Fact],
    now: datetime,
    tz: tzinfo,
    indicated: str,
    evidence: frozenset[int],
) -> tuple[str | None, ProposedMove | None, frozenset[int]]:
    """Move up by itself to the highest ``auto`` step; propose anything higher.

    Evidence a person already ruled on does not raise the case again (§3.3):
    a new observation that adds to it does, and what the other observations
    indicate on their own still counts — an undone kritik must not keep a
    later utilfredshed from moving the case to mindre.
    """
    if evidence <= state.dismissed:
        fresh = [f for f in live if f.observation not in state.dismissed]
        indicated, why, _ = _indication(pack, fresh, now, tz)
        evidence = _evidence(why)
        if pack.rank(indicated) <= pack.rank(state.step):
            return None, None, frozenset()
    current, target = pack.rank(state.step), pack.rank(indicated)
    autos = [s for s in pack.ladder if s.auto and current < s.rank <= target]
    auto_to = autos[-1].id if autos else None
    reached = pack.rank(auto_to) if auto_to else current
    proposal = ProposedMove(indicated, Direction.UP, evidence) if reached < target else None
    return auto_to, proposal, evidence


def _downward(
    pack: Pack, state: CaseState, live: list[Fact], fired: tuple[Reason, ...], now: datetime
) -> ProposedMove | None:
    """Propose one step down once the case has been calm for the step's calm days (§3.3).

    Calm is counted from the later of the last non-godt observation and the
    arrival on the step, whatever the rule windows still indicate: the
    windows decide the indication, the calm days the way down, exactly as
    ``rules show`` states them. Only a ``hold`` rule still firing at or
    above the step keeps the case where it is.
    """
    step = pack.get_step(state.step)
    below = pack.below(step.id)
    if below is None or step.calm_days is None:
        return None
    holding = {rule.id for rule in pack.holds(step.id)}
    if any(reason.rule in holding for reason in fired):
        return None
    unrested = [f.at for f in live if pack.unrest(f.indicator)]
    since = max([*unrested, *([state.calm_floor] if state.calm_floor else [])], default=None)
    if since is not None and now - since < timedelta(days=step.calm_days):
        return None
    return ProposedMove(below.id, Direction.DOWN, frozenset())


def _escalations(
    pack: Pack, indicated: str, why: tuple[Reason, ...], fired: tuple[Reason, ...]
) -> tuple[EscalationOrder, ...]:
    """The indicated step's policy and every fired rule's own, merged per addressee.

    Violence on a good case gives one escalation to the unit leader due the
    same day (the rule's) that also informs the area leader (the step's).
    """
    policies: list[tuple[Escalation, str, tuple[Reason, ...]]] = []
    step = pack.get_step(indicated)
    if step.escalation.acknowledge_days is not None or step.escalation.inform:
        policies.append((step.escalation, indicated, why))
    for reason in fired:
        rule = pack.get_rule(reason.rule)
        if rule.then.escalate is not None:
            policies.append((rule.then.escalate, reason.step, (reason,)))

    merged: dict[Addressee, EscalationOrder] = {}
    for policy, at_step, reasons in policies:
        if policy.to == "none":
            continue
        order = EscalationOrder(
            step=at_step,
            to=policy.to,
            acknowledge_days=policy.acknowledge_days,
            inform=policy.inform,
            rules=tuple(r.rule for r in reasons),
            evidence=frozenset(o for r in reasons for o in r.observations),
        )
        merged[policy.to] = _merge(merged[policy.to], order) if policy.to in merged else order
    return tuple(merged.values())


def _merge(a: EscalationOrder, b: EscalationOrder) -> EscalationOrder:
    """One escalation per addressee: the sooner deadline and everyone's reasons."""
    days = [d for d in (a.acknowledge_days, b.acknowledge_days) if d is not None]
    return EscalationOrder(
        step=a.step,
        to=a.to,
        acknowledge_days=min(days) if days else None,
        inform=tuple(dict.fromkeys(a.inform + b.inform)),
        rules=tuple(dict.fromkeys(a.rules + b.rules)),
        evidence=a.evidence | b.evidence,
    )


def _actions(pack: Pack, auto_to: str | None, fired: tuple[Reason, ...]) -> tuple[str, ...]:
    """The actions due now: the responses of the step the rules move the case up to, and
    every fired rule's (work environment at once, §3.4).

    A step only proposed brings its responses when a person accepts it: a
    rejected proposal must leave no actions behind.
    """
    wanted = list(pack.get_step(auto_to).actions) if auto_to else []
    for reason in fired:
        rule = pack.get_rule(reason.rule)
        wanted.extend(rule.then.actions)
    return tuple(dict.fromkeys(wanted))
