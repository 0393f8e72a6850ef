"""Properties of the engine and the state machine (STYLE.md), with hypothesis."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from staircase.engine import CaseState, Fact, evaluate
from staircase.machine import machine_for
from staircase.pack import load_pack

PACK = load_pack("aarhus")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
STEPS = [s.id for s in PACK.ladder]
GOOD = [i.id for i in PACK.indicators if i.step == PACK.bottom.id]
NOT_GOOD = [i.id for i in PACK.indicators if i.step != PACK.bottom.id]

ages = st.floats(min_value=0, max_value=400, allow_nan=False)
observations = st.lists(
    st.tuples(st.sampled_from([i.id for i in PACK.indicators]), ages), max_size=12
)


def as_facts(given_observations: list[tuple[str, float]]) -> list[Fact]:
    return [
        Fact(n, i, NOW - timedelta(days=d)) for n, (i, d) in enumerate(given_observations, start=1)
    ]


def rank(step: str) -> int:
    return PACK.rank(step)


@settings(max_examples=200, deadline=None)
@given(observations, st.sampled_from(NOT_GOOD), ages, st.sampled_from(STEPS))
def test_a_non_good_observation_never_lowers_the_indication(obs, extra, age, step) -> None:
    before = evaluate(PACK, as_facts(obs), CaseState(step=step), NOW).indicated
    after = evaluate(PACK, as_facts([*obs, (extra, age)]), CaseState(step=step), NOW).indicated
    assert rank(after) >= rank(before)


@settings(max_examples=200, deadline=None)
@given(observations, st.randoms(use_true_random=False))
def test_evaluation_does_not_depend_on_insertion_order(obs, rng) -> None:
    facts = as_facts(obs)
    shuffled = facts[:]
    rng.shuffle(shuffled)
    first = evaluate(PACK, facts, CaseState(step="mindre"), NOW)
    second = evaluate(PACK, shuffled, CaseState(step="mindre"), NOW)
    assert (first.indicated, first.proposal, set(first.why)) == (
        second.indicated,
        second.proposal,
        set(second.why),
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(GOOD), ages), max_size=20))
def test_good_observations_always_indicate_the_bottom_step(obs) -> None:
    assert evaluate(PACK, as_facts(obs), CaseState(step="godt"), NOW).indicated == PACK.bottom.id


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(STEPS), st.booleans()), max_size=15))
def test_replaying_allowed_moves_gives_the_step_reached(attempts) -> None:
    machine = machine_for(PACK)
    step, history = PACK.bottom.id, []
    for target, by_leader in attempts:
        if machine.allowed(step, target, by_leader=by_leader):
            if rank(target) < rank(step):
                assert rank(step) - rank(target) == 1
            history.append((target, "person", by_leader))
            step = target
    assert machine.replay(PACK.bottom.id, history) == step


@settings(max_examples=100, deadline=None)
@given(observations, st.sampled_from(STEPS))
def test_the_rules_only_ever_move_a_case_up_to_an_auto_step(obs, step) -> None:
    evaluation = evaluate(PACK, as_facts(obs), CaseState(step=step), NOW)
    if evaluation.auto_to is not None:
        assert PACK.get_step(evaluation.auto_to).auto
        assert rank(evaluation.auto_to) > rank(step)
    if evaluation.proposal is not None and evaluation.proposal.direction == "down":
        assert rank(step) - rank(evaluation.proposal.to_step) == 1
