"""The default Aarhus pack's rules through the engine, at their boundaries (§3.5)."""

from datetime import UTC, datetime, timedelta

import pytest

from staircase.engine import CaseState, Fact, evaluate
from staircase.errors import NotFound
from staircase.pack import load_pack

PACK = load_pack("aarhus")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def days(n: float) -> datetime:
    return NOW - timedelta(days=n)


def facts(*given: tuple[str, datetime]) -> list[Fact]:
    return [Fact(n, indicator, at) for n, (indicator, at) in enumerate(given, start=1)]


def indicated(*given: tuple[str, datetime], step: str = "godt") -> str:
    return evaluate(PACK, facts(*given), CaseState(step=step), NOW).indicated


@pytest.mark.parametrize(
    ("indicator", "window", "step"),
    [
        ("utilfredshed", 30, "mindre"),
        ("kritik", 60, "stoerre"),
        ("manglende-dialog", 90, "kompliceret"),
    ],
)
def test_window_includes_its_last_day_and_not_a_minute_more(
    indicator: str, window: int, step: str
) -> None:
    assert indicated((indicator, days(window))) == step
    assert indicated((indicator, days(window) - MINUTE)) == "godt"


def test_violence_indicates_kompliceret_for_a_year() -> None:
    assert indicated(("trusler-vold-chikane", days(365))) == "kompliceret"
    assert indicated(("trusler-vold-chikane", days(365) - MINUTE)) == "godt"


def test_three_mindre_within_30_days_is_a_rising_pattern() -> None:
    evaluation = evaluate(
        PACK,
        facts(("uklar-dialog", days(30)), ("utilfredshed", days(15)), ("kontaktbehov", days(0))),
        CaseState(step="godt"),
        NOW,
    )
    assert evaluation.indicated == "stoerre"
    assert [(r.rule, r.observations) for r in evaluation.why] == [("moenster-mindre", (1, 2, 3))]
    spread = (
        ("uklar-dialog", days(30) - MINUTE),
        ("utilfredshed", days(15)),
        ("kontaktbehov", days(0)),
    )
    assert indicated(*spread) == "mindre"


def test_violence_on_a_good_case() -> None:
    evaluation = evaluate(PACK, facts(("trusler-vold-chikane", NOW)), CaseState(step="godt"), NOW)
    assert (evaluation.auto_to, evaluation.proposal.to_step) == ("mindre", "kompliceret")
    [escalation] = evaluation.escalations
    assert (escalation.to, escalation.acknowledge_days, escalation.inform) == (
        "unit_leader",
        0,
        ("area_leader",),
    )
    assert "vold-trusler" in escalation.rules
    assert {"registrer-episode", "overvej-politianmeldelse", "informer-amr"} <= set(
        evaluation.actions
    )


def test_good_indicators_never_raise_and_count_as_calm() -> None:
    good = [("god-dialog", days(n)) for n in range(20)]
    assert indicated(*good) == "godt"
    evaluation = evaluate(PACK, facts(*good), CaseState(step="mindre", calm_floor=days(20)), NOW)
    assert evaluation.proposal.to_step == "godt"


def test_retracted_and_future_observations_do_not_count() -> None:
    retracted = [Fact(1, "kritik", days(1), retracted=True)]
    assert evaluate(PACK, retracted, CaseState(step="godt"), NOW).indicated == "godt"
    assert indicated(("kritik", NOW + MINUTE)) == "godt"


def test_a_case_already_on_the_indicated_step_is_not_moved_or_proposed() -> None:
    evaluation = evaluate(
        PACK, facts(("kritik", days(1))), CaseState(step="stoerre", calm_floor=days(2)), NOW
    )
    assert (evaluation.auto_to, evaluation.proposal) == (None, None)


def test_no_nagging_until_new_evidence() -> None:
    first = evaluate(PACK, facts(("kritik", days(2))), CaseState(step="mindre"), NOW)
    dismissed = CaseState(step="mindre", dismissed=first.evidence)
    assert evaluate(PACK, facts(("kritik", days(2))), dismissed, NOW).proposal is None
    again = evaluate(PACK, facts(("kritik", days(2)), ("kritik", days(1))), dismissed, NOW)
    assert again.proposal.to_step == "stoerre"


@pytest.mark.parametrize(("step", "calm"), [("mindre", 14), ("stoerre", 30), ("kompliceret", 60)])
def test_calm_days_before_a_proposal_one_step_down(step: str, calm: int) -> None:
    arrived = CaseState(step=step, calm_floor=days(calm))
    proposal = evaluate(PACK, [], arrived, NOW).proposal
    assert (proposal.to_step, proposal.direction) == (PACK.below(step).id, "down")
    assert (
        evaluate(PACK, [], CaseState(step=step, calm_floor=days(calm) + MINUTE), NOW).proposal
        is None
    )


def test_calm_counts_from_the_last_unrest_not_only_the_arrival() -> None:
    state = CaseState(step="stoerre", calm_floor=days(100))
    assert (
        evaluate(PACK, facts(("utilfredshed", days(31))), state, NOW).proposal.to_step == "mindre"
    )
    assert evaluate(PACK, facts(("utilfredshed", days(29))), state, NOW).proposal is None


def test_a_year_of_violence_keeps_a_case_from_being_proposed_down() -> None:
    state = CaseState(step="kompliceret", calm_floor=days(200))
    assert evaluate(PACK, facts(("trusler-vold-chikane", days(200))), state, NOW).proposal is None


def test_the_bottom_step_is_never_proposed_down() -> None:
    assert evaluate(PACK, [], CaseState(step="godt", calm_floor=days(999)), NOW).proposal is None


@pytest.mark.parametrize(
    ("typed", "indicator"),
    [
        ("utilfredshed", "utilfredshed"),
        ("Nærvær og imødekommenhed", "naervaer"),
        ("naervaer", "naervaer"),
        ("NÆRVÆR", "naervaer"),
        ("narvar", "naervaer"),
        ("uklar dialog og misforstaaelser", "uklar-dialog"),
        ("Trusler, vold og chikane mod personale", "trusler-vold-chikane"),
        ("vold", "trusler-vold-chikane"),
    ],
)
def test_indicators_are_found_as_typed(typed: str, indicator: str) -> None:
    assert PACK.indicator(typed).id == indicator


@pytest.mark.parametrize(
    "typed", ["større", "storre", "stoerre", "Samarbejde med større udfordringer"]
)
def test_steps_are_found_as_typed(typed: str) -> None:
    assert PACK.step(typed).id == "stoerre"


def test_a_misspelt_indicator_gets_a_suggestion() -> None:
    with pytest.raises(NotFound, match='did you mean "utilfredshed"'):
        PACK.indicator("utilfredhed")
