"""Properties of the engine and the state machine (STYLE.md, Tests), with hypothesis.

Observations are drawn over the default pack's indicator ids, dated 0–400
days before a fixed NOW (whole days as often as fractions, so observations
at the same moment and on a window's last day come up).
"""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from staircase.domain.engine import CaseState, Fact, evaluate
from staircase.domain.machine import machine_for
from staircase.domain.pack import load_pack
from staircase.errors import NotAllowed

PACK = load_pack("aarhus")
MACHINE = machine_for(PACK)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
STEPS = [step.id for step in PACK.ladder]
INDICATORS = [indicator.id for indicator in PACK.indicators]
GODT = [i.id for i in PACK.indicators if i.step == PACK.bottom.id]
NOT_GODT = [i.id for i in PACK.indicators if i.step != PACK.bottom.id]
MINDRE = [i.id for i in PACK.indicators if i.step == "mindre"]

PROPERTY = settings(max_examples=200, deadline=None)

days_ago = st.one_of(
    st.integers(min_value=0, max_value=400).map(float),
    st.floats(min_value=0, max_value=400, allow_nan=False, allow_infinity=False),
)
observation = st.tuples(st.sampled_from(INDICATORS), days_ago, st.booleans())
observations = st.lists(observation, max_size=15)


def as_facts(drawn: list[tuple[str, float, bool]], first: int = 1) -> list[Fact]:
    """Facts numbered from ``first``; the boolean marks a retracted observation."""
    return [
        Fact(n, indicator, NOW - timedelta(days=age), retracted)
        for n, (indicator, age, retracted) in enumerate(drawn, start=first)
    ]


@st.composite
def case_states(draw: st.DrawFn, facts: list[Fact] | None = None) -> CaseState:
    """Any step, an arrival 0–400 days ago (or unknown), some evidence already dismissed."""
    step = draw(st.sampled_from(STEPS))
    arrived = draw(st.none() | days_ago)
    ids = [f.observation for f in facts or []]
    dismissed = draw(st.frozensets(st.sampled_from(ids))) if ids else frozenset()
    return CaseState(
        step=step,
        calm_floor=None if arrived is None else NOW - timedelta(days=arrived),
        dismissed=dismissed,
    )


@PROPERTY
@given(observations, st.sampled_from(NOT_GODT), days_ago, st.sampled_from(STEPS))
def test_a_non_godt_observation_never_lowers_the_indicated_step(
    drawn: list, extra: str, age: float, step: str
) -> None:
    before = as_facts(drawn)
    added = Fact(len(before) + 1, extra, NOW - timedelta(days=age))
    state = CaseState(step=step)
    lower = evaluate(PACK, before, state, NOW).indicated
    higher = evaluate(PACK, [*before, added], state, NOW).indicated
    assert PACK.rank(higher) >= PACK.rank(lower)


@PROPERTY
@given(st.data(), observations, st.randoms(use_true_random=False))
def test_evaluation_does_not_depend_on_the_order_of_the_facts(
    data: st.DataObject, drawn: list, rng
) -> None:
    facts = as_facts(drawn)
    state = data.draw(case_states(facts))
    shuffled = facts[:]
    rng.shuffle(shuffled)
    assert evaluate(PACK, shuffled, state, NOW) == evaluate(PACK, facts, state, NOW)
    assert evaluate(PACK, reversed(facts), state, NOW) == evaluate(PACK, facts, state, NOW)


@PROPERTY
@given(st.lists(st.tuples(st.sampled_from(GODT), days_ago, st.booleans()), max_size=30))
def test_godt_only_observations_always_indicate_the_bottom_step(drawn: list) -> None:
    evaluation = evaluate(PACK, as_facts(drawn), CaseState(step=PACK.bottom.id), NOW)
    assert evaluation.indicated == PACK.bottom.id
    assert (evaluation.auto_to, evaluation.proposal) == (None, None)
    assert (evaluation.why, evaluation.escalations, evaluation.actions) == ((), (), ())


@PROPERTY
@given(st.data(), observations, st.lists(st.tuples(st.sampled_from(INDICATORS), days_ago)))
def test_observations_after_now_change_nothing(
    data: st.DataObject, drawn: list, future: list
) -> None:
    facts = as_facts(drawn)
    state = data.draw(case_states(facts))
    later = [
        Fact(len(facts) + n, indicator, NOW + timedelta(days=age, minutes=1))
        for n, (indicator, age) in enumerate(future, start=1)
    ]
    assert evaluate(PACK, [*facts, *later], state, NOW) == evaluate(PACK, facts, state, NOW)


@PROPERTY
@given(st.data(), observations)
def test_what_the_engine_asks_for_is_a_move_the_machine_allows(
    data: st.DataObject, drawn: list
) -> None:
    """The rules move by themselves only to an auto step; proposals are legal moves (§3.3)."""
    facts = as_facts(drawn)
    state = data.draw(case_states(facts))
    evaluation = evaluate(PACK, facts, state, NOW)
    step = state.step
    if evaluation.auto_to is not None:
        assert PACK.get_step(evaluation.auto_to).auto
        step = MACHINE.move(step, evaluation.auto_to, mover="rules")
    proposal = evaluation.proposal
    if proposal is None:
        return
    if proposal.direction == "up":
        # the indicated step, or less when part of its evidence was already ruled on
        assert PACK.rank(step) < PACK.rank(proposal.to_step) <= PACK.rank(evaluation.indicated)
        assert proposal.evidence == evaluation.basis
        assert MACHINE.allowed(step, proposal.to_step, mover="person")
    else:
        assert evaluation.auto_to is None
        assert proposal.to_step == PACK.below(state.step).id
        assert MACHINE.allowed(state.step, proposal.to_step, mover="person", by_leader=True)


def calm_and_not_held(facts: list[Fact], state: CaseState) -> bool:
    """§3.3 written out for the default pack: the step's calm days have passed since the
    later of the last non-godt observation and the arrival, and no violence in 365 days."""
    step = PACK.get_step(state.step)
    if step.calm_days is None:
        return False
    live = [f for f in facts if not f.retracted and f.at <= NOW]
    calm_since = NOW - timedelta(days=step.calm_days)
    unrest = [f.at for f in live if f.indicator not in GODT]
    if state.calm_floor is not None:
        unrest.append(state.calm_floor)
    violence = [f for f in live if f.indicator == "trusler-vold-chikane"]
    held = any(f.at >= NOW - timedelta(days=365) for f in violence)
    return all(at <= calm_since for at in unrest) and not held


@PROPERTY
@given(st.data(), observations)
def test_a_step_down_is_proposed_exactly_when_the_case_is_calm_and_nothing_holds_it(
    data: st.DataObject, drawn: list
) -> None:
    """Whatever the windows still indicate, unless the rules raise the case instead."""
    facts = as_facts(drawn)
    state = data.draw(case_states(facts))
    evaluation = evaluate(PACK, facts, state, NOW)
    raised = evaluation.auto_to is not None or (
        evaluation.proposal is not None and evaluation.proposal.direction == "up"
    )
    proposed_down = evaluation.proposal is not None and evaluation.proposal.direction == "down"
    assert proposed_down == (not raised and calm_and_not_held(facts, state))


@PROPERTY
@given(st.data(), observations, st.sampled_from(MINDRE), st.sampled_from(STEPS))
def test_another_indicator_on_the_same_occasion_never_makes_a_pattern(
    data: st.DataObject, drawn: list, extra: str, step: str
) -> None:
    """One occasion noted with more mindre indicators is still one occasion (§3.5.2)."""
    facts = as_facts(drawn)
    occasions = [f for f in facts if f.indicator in MINDRE and not f.retracted]
    if not occasions:
        return
    same = data.draw(st.sampled_from(occasions))
    added = Fact(len(facts) + 1, extra, same.at)
    state = CaseState(step=step)
    before = evaluate(PACK, facts, state, NOW)
    after = evaluate(PACK, [*facts, added], state, NOW)
    assert after.indicated == before.indicated
    assert {r.rule for r in after.fired} == {r.rule for r in before.fired}


moves = st.lists(
    st.tuples(st.sampled_from(STEPS), st.sampled_from(["person", "rules"]), st.booleans()),
    max_size=30,
)


@PROPERTY
@given(st.sampled_from(STEPS), moves)
def test_replaying_allowed_moves_ends_where_applying_them_one_by_one_does(
    start: str, candidates: list
) -> None:
    step, kept = start, []
    for target, mover, by_leader in candidates:
        if not MACHINE.allowed(step, target, mover=mover, by_leader=by_leader):
            try:
                MACHINE.move(step, target, mover=mover, by_leader=by_leader)
            except NotAllowed:
                continue
            raise AssertionError(f"allowed() refused {step} -> {target} but move() made it")
        moved = MACHINE.move(step, target, mover=mover, by_leader=by_leader)
        assert moved == target
        if PACK.rank(moved) < PACK.rank(step):
            assert PACK.rank(step) - PACK.rank(moved) == 1
            assert mover == "person"
        if mover == "rules":
            assert PACK.get_step(moved).auto
        kept.append((target, mover, by_leader))
        step = moved
    assert MACHINE.replay(start, kept) == step
