"""The default Aarhus pack through the engine, rule by rule (PRODUCT.md §3.3, §3.5).

Every test runs on a fixed clock: observations are dated as "so many days
(and minutes) before NOW", so a window's last day can be tested to the minute.
"""

from datetime import UTC, datetime, timedelta

import pytest

from staircase.domain.engine import CaseState, Evaluation, Fact, evaluate
from staircase.domain.pack import installed_packs, load_pack, parse_pack
from staircase.errors import AmbiguousIndicator, ExitStatus, NotFound

PACK = load_pack("aarhus")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)

GODT = ("god-dialog", "naervaer", "nysgerrighed-respekt")
MINDRE = ("uklar-dialog", "utilfredshed", "kontaktbehov")
STOERRE = ("vanskelig-dialog", "kritik", "trussel-presse")
KOMPLICERET = ("manglende-dialog", "aftaler-brudt", "trusler-vold-chikane")
WINDOW = {"mindre": 30, "stoerre": 60, "kompliceret": 90}
VIOLENCE = "trusler-vold-chikane"
WORK_ENVIRONMENT = ("registrer-episode", "overvej-politianmeldelse", "informer-amr")


def ago(days: float = 0, minutes: float = 0) -> datetime:
    return NOW - timedelta(days=days, minutes=minutes)


def facts(*observations: tuple[str, datetime]) -> list[Fact]:
    """Facts numbered 1, 2, 3 … in the order given."""
    return [Fact(n, indicator, at) for n, (indicator, at) in enumerate(observations, start=1)]


def run(
    observations: list[Fact],
    step: str = "godt",
    *,
    calm_floor: datetime | None = None,
    dismissed: frozenset[int] = frozenset(),
) -> Evaluation:
    return evaluate(
        PACK, observations, CaseState(step=step, calm_floor=calm_floor, dismissed=dismissed), NOW
    )


def indicated(*observations: tuple[str, datetime]) -> str:
    return run(facts(*observations)).indicated


# §3.5.0: the indicator ids are stable, scripts and exports use them.


def test_the_default_pack_has_the_indicator_ids_of_the_spec() -> None:
    by_step = {step.id: [] for step in PACK.ladder}
    for indicator in PACK.indicators:
        by_step[indicator.step].append(indicator.id)
    assert {step: set(ids) for step, ids in by_step.items()} == {
        "godt": set(GODT),
        "mindre": set(MINDRE),
        "stoerre": set(STOERRE),
        "kompliceret": set(KOMPLICERET),
    }


# §3.5.1: each indicator signals its step inside that step's window.


WINDOWED = [
    (indicator, step)
    for step, ids in (("mindre", MINDRE), ("stoerre", STOERRE), ("kompliceret", KOMPLICERET))
    for indicator in ids
    if indicator != VIOLENCE
]


@pytest.mark.parametrize(("indicator", "step"), WINDOWED)
def test_an_indicator_signals_its_step_up_to_the_last_minute_of_its_window(
    indicator: str, step: str
) -> None:
    days = WINDOW[step]
    assert indicated((indicator, ago(0))) == step
    assert indicated((indicator, ago(days))) == step
    assert indicated((indicator, ago(days, minutes=1))) == "godt"


def test_violence_indicates_kompliceret_for_365_days_and_not_a_minute_more() -> None:
    assert indicated((VIOLENCE, ago(91))) == "kompliceret"
    assert indicated((VIOLENCE, ago(365))) == "kompliceret"
    assert indicated((VIOLENCE, ago(365, minutes=1))) == "godt"


def test_violence_beyond_90_days_is_indicated_by_its_own_rule_only() -> None:
    evaluation = run(facts((VIOLENCE, ago(200))))
    assert [(r.rule, r.observations) for r in evaluation.why] == [("vold-trusler", (1,))]


def test_the_highest_step_signalled_inside_its_window_is_indicated() -> None:
    both = run(facts(("utilfredshed", ago(1)), ("kritik", ago(59))))
    assert both.indicated == "stoerre"
    assert [r.rule for r in both.why] == ["signal-stoerre"]
    assert indicated(("utilfredshed", ago(1)), ("kritik", ago(61))) == "mindre"


def test_a_mindre_observation_moves_a_good_case_by_itself_and_asks_nobody() -> None:
    evaluation = run(facts(("uklar-dialog", ago(1))))
    assert (evaluation.indicated, evaluation.auto_to, evaluation.proposal) == (
        "mindre",
        "mindre",
        None,
    )
    assert [(r.rule, r.observations) for r in evaluation.why] == [("signal-mindre", (1,))]
    # §3.5.5: the contact person owns mindre; nobody is asked to acknowledge.
    assert evaluation.escalations == ()
    assert evaluation.actions == ("hurtig-reaktion", "tydelig-plan", "dokumentation")


# §3.5.2: three or more mindre observations within 30 days are a rising pattern.


def test_three_mindre_observations_within_30_days_indicate_stoerre() -> None:
    three = [
        Fact(11, "uklar-dialog", ago(30)),
        Fact(12, "utilfredshed", ago(15)),
        Fact(13, "kontaktbehov", ago(0)),
    ]
    evaluation = run(three)
    assert evaluation.indicated == "stoerre"
    assert [(r.rule, r.observations) for r in evaluation.why] == [("moenster-mindre", (11, 12, 13))]
    assert evaluation.evidence == {11, 12, 13}
    assert (evaluation.auto_to, evaluation.proposal.to_step) == ("mindre", "stoerre")


def test_three_of_the_same_mindre_indicator_are_a_pattern_too() -> None:
    assert indicated(*[("utilfredshed", ago(n)) for n in (1, 2, 3)]) == "stoerre"


def test_three_indicators_on_one_call_are_one_occasion() -> None:
    """One phone call noted with all three mindre indicators is no rising pattern (§3.5.2)."""
    evaluation = run(facts(*[(indicator, ago(1)) for indicator in MINDRE]))
    assert evaluation.indicated == "mindre"
    assert (evaluation.auto_to, evaluation.proposal) == ("mindre", None)
    assert [r.rule for r in evaluation.fired] == ["signal-mindre"]


def test_many_observations_on_two_days_are_no_pattern_and_a_third_day_makes_one() -> None:
    two_days = [(indicator, ago(5, minutes=n)) for n, indicator in enumerate(MINDRE)]
    two_days.append(("utilfredshed", ago(1)))
    assert indicated(*two_days) == "mindre"
    assert indicated(*two_days, ("kontaktbehov", ago(0))) == "stoerre"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_the_days_of_a_pattern_are_local_calendar_days() -> None:
    """23:30 and 00:30 in Copenhagen are two days; 00:30 and 01:30 are one, whatever UTC says."""
    now = at("2026-11-22T12:00:00+00:00")
    across_local_midnight = [
        Fact(1, "utilfredshed", at("2026-11-20T22:30:00+00:00")),  # 23:30 on the 20th
        Fact(2, "kontaktbehov", at("2026-11-20T23:30:00+00:00")),  # 00:30 on the 21st
        Fact(3, "uklar-dialog", at("2026-11-22T10:00:00+00:00")),
    ]
    after_local_midnight = [
        Fact(1, "utilfredshed", at("2026-11-20T23:30:00+00:00")),  # 00:30 on the 21st
        Fact(2, "kontaktbehov", at("2026-11-21T00:30:00+00:00")),  # 01:30 on the 21st
        Fact(3, "uklar-dialog", at("2026-11-22T10:00:00+00:00")),
    ]
    godt = CaseState(step="godt")
    assert evaluate(PACK, across_local_midnight, godt, now).indicated == "stoerre"
    assert evaluate(PACK, after_local_midnight, godt, now).indicated == "mindre"
    # Counted in UTC, the answers swap: the time zone given is the one used.
    assert evaluate(PACK, across_local_midnight, godt, now, tz=UTC).indicated == "mindre"
    assert evaluate(PACK, after_local_midnight, godt, now, tz=UTC).indicated == "stoerre"


def test_two_mindre_observations_are_no_pattern() -> None:
    evaluation = run(facts(("utilfredshed", ago(10)), ("kontaktbehov", ago(1))))
    assert (evaluation.indicated, evaluation.auto_to, evaluation.proposal) == (
        "mindre",
        "mindre",
        None,
    )


def test_three_mindre_observations_spread_over_31_days_are_no_pattern() -> None:
    assert (
        indicated(("uklar-dialog", ago(31)), ("utilfredshed", ago(15)), ("kontaktbehov", ago(0)))
        == "mindre"
    )
    assert (
        indicated(
            ("uklar-dialog", ago(30, minutes=1)),
            ("utilfredshed", ago(15)),
            ("kontaktbehov", ago(0)),
        )
        == "mindre"
    )


# §3.5.3: threats, violence and harassment reach leadership the same day.


def test_violence_on_a_good_case() -> None:
    evaluation = run([Fact(7, VIOLENCE, ago(0))])
    assert evaluation.indicated == "kompliceret"
    assert evaluation.auto_to == "mindre"
    assert (evaluation.proposal.to_step, evaluation.proposal.direction) == ("kompliceret", "up")
    assert evaluation.proposal.evidence == {7}
    [escalation] = evaluation.escalations
    assert escalation.to == "unit_leader"
    assert escalation.acknowledge_days == 0
    assert escalation.inform == ("area_leader",)
    assert "vold-trusler" in escalation.rules
    assert escalation.evidence == {7}
    assert set(WORK_ENVIRONMENT) <= set(evaluation.actions)


def test_violence_a_year_old_still_escalates_and_asks_for_the_work_environment_actions() -> None:
    evaluation = run(facts((VIOLENCE, ago(365))))
    [escalation] = evaluation.escalations
    assert (escalation.to, escalation.acknowledge_days) == ("unit_leader", 0)
    assert set(WORK_ENVIRONMENT) <= set(evaluation.actions)


@pytest.mark.parametrize("indicator", [i for i in KOMPLICERET if i != VIOLENCE])
def test_other_kompliceret_indicators_give_the_step_policy_without_work_environment_actions(
    indicator: str,
) -> None:
    evaluation = run(facts((indicator, ago(1))))
    [escalation] = evaluation.escalations
    assert (escalation.to, escalation.acknowledge_days, escalation.inform) == (
        "unit_leader",
        1,
        ("area_leader",),
    )
    assert not set(WORK_ENVIRONMENT) & set(evaluation.actions)
    # Due now: mindre's, where the rules move the case; kompliceret's come with a yes.
    assert evaluation.actions == ("hurtig-reaktion", "tydelig-plan", "dokumentation")


# §3.5.4: godt indicators never raise a case; they count as calm.


@pytest.mark.parametrize("count", [1, 3, 10, 50])
def test_godt_indicators_never_raise_a_case_however_many(count: int) -> None:
    evaluation = run(facts(*[(GODT[n % 3], ago(n % 30)) for n in range(count)]))
    assert evaluation.indicated == "godt"
    assert (evaluation.auto_to, evaluation.proposal) == (None, None)
    assert evaluation.why == ()
    assert (evaluation.escalations, evaluation.actions) == ((), ())


def test_godt_observations_count_as_calm() -> None:
    good = facts(*[(GODT[n % 3], ago(n)) for n in range(30)])
    evaluation = run(good, "stoerre", calm_floor=ago(31))
    assert (evaluation.proposal.to_step, evaluation.proposal.direction) == ("mindre", "down")


# Observations that do not count.


def test_retracted_observations_do_not_count() -> None:
    assert run([Fact(1, "kritik", ago(1), retracted=True)]).indicated == "godt"
    pattern = [
        Fact(1, "uklar-dialog", ago(20)),
        Fact(2, "utilfredshed", ago(10), retracted=True),
        Fact(3, "kontaktbehov", ago(1)),
    ]
    evaluation = run(pattern)
    assert evaluation.indicated == "mindre"
    assert evaluation.evidence == {1, 3}


def test_a_retracted_observation_does_not_restart_the_calm_count() -> None:
    retracted = [Fact(1, "kritik", ago(1), retracted=True)]
    assert run(retracted, "stoerre", calm_floor=ago(31)).proposal.to_step == "mindre"


def test_observations_after_now_do_not_count() -> None:
    assert indicated(("kritik", NOW + MINUTE)) == "godt"
    assert indicated(("trusler-vold-chikane", NOW + timedelta(days=1))) == "godt"
    later = [Fact(1, "kritik", NOW + MINUTE)]
    assert run(later, "stoerre", calm_floor=ago(31)).proposal.to_step == "mindre"


def test_an_observation_at_now_counts() -> None:
    assert indicated(("kritik", NOW)) == "stoerre"


# §3.3 up: automatic to the highest auto step, a proposal above it.


def test_criticism_moves_a_good_case_to_mindre_and_proposes_stoerre() -> None:
    evaluation = run(facts(("kritik", ago(1))))
    assert evaluation.indicated == "stoerre"
    assert evaluation.auto_to == "mindre"
    assert (evaluation.proposal.to_step, evaluation.proposal.direction) == ("stoerre", "up")
    [escalation] = evaluation.escalations
    assert (escalation.to, escalation.acknowledge_days, escalation.inform) == (
        "unit_leader",
        3,
        (),
    )
    assert escalation.rules == ("signal-stoerre",)
    assert evaluation.actions == ("hurtig-reaktion", "tydelig-plan", "dokumentation")


def test_a_case_only_proposed_up_is_given_no_actions_of_the_proposed_step() -> None:
    """§3.4: actions come when the case arrives on a step, so a rejection leaves none."""
    evaluation = run(facts(("kritik", ago(1))), "mindre", calm_floor=ago(5))
    assert evaluation.proposal.to_step == "stoerre"
    assert evaluation.actions == ()


def test_criticism_on_a_mindre_case_is_only_a_proposal() -> None:
    evaluation = run(facts(("kritik", ago(1))), "mindre", calm_floor=ago(5))
    assert (evaluation.auto_to, evaluation.proposal.to_step) == (None, "stoerre")


def test_criticism_on_a_case_already_on_stoerre_changes_nothing() -> None:
    evaluation = run(facts(("kritik", ago(1))), "stoerre", calm_floor=ago(5))
    assert evaluation.indicated == "stoerre"
    assert (evaluation.auto_to, evaluation.proposal) == (None, None)


def test_recent_unrest_keeps_a_case_above_its_indication_where_it_is() -> None:
    evaluation = run(facts(("kritik", ago(1))), "kompliceret", calm_floor=ago(100))
    assert (evaluation.auto_to, evaluation.proposal) == (None, None)


# §3.3 no nagging.


def test_a_dismissed_proposal_is_not_raised_again_for_the_same_evidence() -> None:
    first = run(facts(("kritik", ago(2))), "mindre", calm_floor=ago(2))
    assert first.proposal is not None
    dismissed = first.proposal.evidence
    again = run(facts(("kritik", ago(2))), "mindre", calm_floor=ago(2), dismissed=dismissed)
    assert again.indicated == "stoerre"
    assert (again.auto_to, again.proposal) == (None, None)


def test_a_calm_observation_does_not_raise_a_dismissed_proposal_again() -> None:
    observations = facts(("kritik", ago(2)), ("god-dialog", ago(1)))
    evaluation = run(observations, "mindre", calm_floor=ago(2), dismissed=frozenset({1}))
    assert evaluation.proposal is None


def test_a_new_observation_that_adds_to_the_indication_raises_it_again() -> None:
    observations = facts(("kritik", ago(2)), ("vanskelig-dialog", ago(1)))
    evaluation = run(observations, "mindre", calm_floor=ago(2), dismissed=frozenset({1}))
    assert evaluation.proposal.to_step == "stoerre"
    assert evaluation.proposal.evidence == {1, 2}


def test_an_undone_automatic_move_is_not_repeated_until_new_evidence() -> None:
    first = run(facts(("utilfredshed", ago(2))))
    assert first.auto_to == "mindre"
    undone = run(facts(("utilfredshed", ago(2))), dismissed=first.evidence)
    assert (undone.indicated, undone.auto_to, undone.proposal) == ("mindre", None, None)
    new = run(facts(("utilfredshed", ago(2)), ("kontaktbehov", ago(1))), dismissed=first.evidence)
    assert new.auto_to == "mindre"


# §3.3 down: calm days, counted from the later of the last unrest and the arrival.


@pytest.mark.parametrize(
    ("step", "calm_days", "below"),
    [("mindre", 14, "godt"), ("stoerre", 30, "mindre"), ("kompliceret", 60, "stoerre")],
)
def test_a_calm_case_is_proposed_one_step_down_after_its_calm_days(
    step: str, calm_days: int, below: str
) -> None:
    calm = run([], step, calm_floor=ago(calm_days + 1)).proposal
    assert (calm.to_step, calm.direction) == (below, "down")
    assert run([], step, calm_floor=ago(calm_days - 1)).proposal is None


def test_stoerre_arrived_31_days_ago_is_proposed_down_to_mindre() -> None:
    evaluation = run(facts(("god-dialog", ago(5))), "stoerre", calm_floor=ago(31))
    assert evaluation.indicated == "godt"
    assert (evaluation.proposal.to_step, evaluation.proposal.direction) == ("mindre", "down")
    assert evaluation.auto_to is None


def test_stoerre_arrived_10_days_ago_is_not_proposed_down() -> None:
    evaluation = run(facts(("god-dialog", ago(5))), "stoerre", calm_floor=ago(10))
    assert evaluation.indicated == "godt"
    assert evaluation.proposal is None


def test_the_calm_count_starts_at_the_last_unrest_when_that_is_later() -> None:
    # Arrived 40 days ago, but dissatisfaction 29 days ago: not calm for 30 days yet.
    recent = run(facts(("utilfredshed", ago(29))), "stoerre", calm_floor=ago(40))
    assert recent.indicated == "mindre"
    assert recent.proposal is None
    older = run(facts(("utilfredshed", ago(31))), "stoerre", calm_floor=ago(40))
    assert older.proposal.to_step == "mindre"


def test_the_calm_count_starts_at_the_arrival_when_that_is_later() -> None:
    # Criticism long ago, but the case only arrived on stoerre 20 days ago.
    evaluation = run(facts(("kritik", ago(90))), "stoerre", calm_floor=ago(20))
    assert evaluation.indicated == "godt"
    assert evaluation.proposal is None
    assert run(facts(("kritik", ago(90))), "stoerre", calm_floor=ago(31)).proposal is not None


def test_a_year_of_violence_keeps_a_kompliceret_case_from_being_proposed_down() -> None:
    evaluation = run(facts((VIOLENCE, ago(200))), "kompliceret", calm_floor=ago(200))
    assert evaluation.indicated == "kompliceret"
    assert evaluation.proposal is None
    assert evaluation.auto_to is None


def test_after_a_year_without_violence_the_case_is_proposed_one_step_down() -> None:
    evaluation = run(facts((VIOLENCE, ago(366))), "kompliceret", calm_floor=ago(366))
    assert evaluation.indicated == "godt"
    assert (evaluation.proposal.to_step, evaluation.proposal.direction) == ("stoerre", "down")


CALM = [
    ("mindre", "utilfredshed", 14, "godt"),
    ("stoerre", "kritik", 30, "mindre"),
    ("kompliceret", "manglende-dialog", 60, "stoerre"),
]


@pytest.mark.parametrize(("step", "indicator", "calm_days", "below"), CALM)
def test_a_step_down_is_proposed_after_exactly_the_calm_days(
    step: str, indicator: str, calm_days: int, below: str
) -> None:
    """§3.3: calm days as `rules show` states them, though the window still indicates the step."""
    for days, minutes, proposed in (
        (calm_days - 1, 0, None),
        (calm_days, -1, None),
        (calm_days, 0, below),
        (calm_days + 1, 0, below),
    ):
        evaluation = run(facts((indicator, ago(days, minutes))), step, calm_floor=ago(100))
        assert evaluation.indicated == step, (days, minutes)
        got = evaluation.proposal.to_step if evaluation.proposal else None
        assert got == proposed, (days, minutes)


@pytest.mark.parametrize(("step", "indicator", "calm_days", "below"), CALM)
def test_the_calm_days_count_from_the_arrival_when_the_case_arrived_later(
    step: str, indicator: str, calm_days: int, below: str
) -> None:
    unrest = facts((indicator, ago(calm_days + 5)))
    assert run(unrest, step, calm_floor=ago(calm_days - 1)).proposal is None
    assert run(unrest, step, calm_floor=ago(calm_days + 1)).proposal.to_step == below


@pytest.mark.parametrize("step", ["mindre", "stoerre", "kompliceret"])
def test_the_violence_rule_holds_the_way_down(step: str) -> None:
    """Violence holds a case on any step for its 365 days, however calm (§3.3, §3.5.3).

    On a step below kompliceret the violence was ruled on (a leader moved the
    case down), so it no longer raises the case, but it still holds it.
    """
    for days, held in ((200, True), (365, True), (365.001, False)):
        evaluation = run(
            [Fact(1, VIOLENCE, ago(days))], step, calm_floor=ago(400), dismissed=frozenset({1})
        )
        assert evaluation.auto_to is None
        proposal = evaluation.proposal
        assert (proposal is None) is held, days
        if proposal is not None:
            assert (proposal.to_step, proposal.direction) == (PACK.below(step).id, "down")


def test_other_kompliceret_indicators_do_not_hold_the_way_down() -> None:
    for indicator in ("manglende-dialog", "aftaler-brudt"):
        evaluation = run(facts((indicator, ago(61))), "kompliceret", calm_floor=ago(100))
        assert evaluation.indicated == "kompliceret"
        assert evaluation.proposal.to_step == "stoerre"


def _pack_with(rule_id: str, **changes: object):
    """The default pack with one rule's fields changed, as a consultant's edit would."""
    import tomllib

    data = tomllib.loads(installed_packs()["aarhus"].read_text(encoding="utf-8"))
    rule = next(r for r in data["rules"] if r["id"] == rule_id)
    for field, value in changes.items():
        part, _, name = field.rpartition("__")
        (rule[part] if part else rule)[name] = value
    return parse_pack(data, source="edited.toml")


def test_a_hold_rule_holds_the_steps_it_reaches_and_not_those_above() -> None:
    pack = _pack_with("signal-mindre", hold=True, when__within_days=100)
    unrest = [Fact(1, "utilfredshed", ago(40))]

    def down(step: str):
        state = CaseState(step=step, calm_floor=ago(100))
        proposal = evaluate(pack, unrest, state, NOW).proposal
        return proposal.to_step if proposal else None

    assert down("mindre") is None
    assert down("stoerre") == "mindre"


@pytest.mark.parametrize("step", ["mindre", "stoerre", "kompliceret"])
def test_a_down_proposal_is_always_exactly_one_step(step: str) -> None:
    evaluation = run(facts(("god-dialog", ago(1))), step, calm_floor=ago(1000))
    assert evaluation.indicated == "godt"
    assert evaluation.proposal.to_step == PACK.below(step).id
    assert PACK.rank(step) - PACK.rank(evaluation.proposal.to_step) == 1


def test_the_bottom_step_is_never_proposed_down() -> None:
    assert run([], "godt", calm_floor=ago(1000)).proposal is None
    assert run([], "godt").proposal is None
    assert run(facts(("god-dialog", ago(1))), "godt", calm_floor=ago(1000)).proposal is None


# Finding indicators and steps as staff type them (§3.5.0, §10.4).


@pytest.mark.parametrize("indicator", [i.id for i in PACK.indicators])
def test_every_indicator_is_found_by_id_names_and_aliases(indicator: str) -> None:
    found = PACK.indicator(indicator)
    assert found.id == indicator
    for label in (found.name.da, found.name.en, *found.aliases):
        assert PACK.indicator(label).id == indicator, label
        assert PACK.indicator(label.upper()).id == indicator, label.upper()


def _danish_labels() -> list[tuple[str, str]]:
    return [
        (label, indicator.id)
        for indicator in PACK.indicators
        for label in (indicator.name.da, *indicator.aliases)
        if set(label.lower()) & set("æøå")
    ]


@pytest.mark.parametrize(("label", "indicator"), _danish_labels())
def test_danish_letters_may_be_typed_as_two_letters_or_one(label: str, indicator: str) -> None:
    lowered = label.lower()
    digraphs = lowered.replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    single = lowered.replace("æ", "a").replace("ø", "o").replace("å", "a")
    assert PACK.indicator(digraphs).id == indicator
    assert PACK.indicator(single).id == indicator


@pytest.mark.parametrize(
    ("typed", "indicator"),
    [
        ("Nærvær og imødekommenhed", "naervaer"),
        ("nærvær og imødekommenhed", "naervaer"),
        ("NÆRVÆR OG IMØDEKOMMENHED", "naervaer"),
        ("naervaer og imoedekommenhed", "naervaer"),
        ("narvar og imodekommenhed", "naervaer"),
        ("nærvær", "naervaer"),
        ("naervaer", "naervaer"),
        ("narvar", "naervaer"),
        ("imodekommenhed", "naervaer"),
        ("misforståelser", "uklar-dialog"),
        ("misforstaaelser", "uklar-dialog"),
        ("misforstaelser", "uklar-dialog"),
        ("svær dialog", "vanskelig-dialog"),
        ("svaer dialog", "vanskelig-dialog"),
        ("  Utilfredshed  ", "utilfredshed"),
        ("uklar dialog", "uklar-dialog"),
        ("vold", "trusler-vold-chikane"),
    ],
)
def test_indicators_are_found_as_typed(typed: str, indicator: str) -> None:
    assert PACK.indicator(typed).id == indicator


@pytest.mark.parametrize(
    "typed",
    [
        "stoerre",
        "større",
        "storre",
        "Større",
        "STØRRE",
        "STOERRE",
        "Samarbejde med større udfordringer",
    ],
)
def test_steps_are_found_with_or_without_danish_letters(typed: str) -> None:
    assert PACK.step(typed).id == "stoerre"


@pytest.mark.parametrize("step", ["godt", "mindre", "stoerre", "kompliceret"])
def test_every_step_is_found_by_id_and_names(step: str) -> None:
    found = PACK.get_step(step)
    for label in (found.id, found.name.da, found.name.en):
        assert PACK.step(label).id == step


@pytest.mark.parametrize(
    ("typed", "suggestion"),
    [("kritk", "kritik"), ("utilfredhed", "utilfredshed"), ("vanskelig-dialg", "vanskelig-dialog")],
)
def test_a_misspelt_indicator_is_not_found_and_the_nearest_is_suggested(
    typed: str, suggestion: str
) -> None:
    with pytest.raises(NotFound) as refused:
        PACK.indicator(typed)
    message = str(refused.value)
    assert f'"{typed}"' in message
    assert f'did you mean "{suggestion}"' in message
    assert "\n" not in message
    assert refused.value.exit_status == ExitStatus.BAD_INPUT


def test_an_unknown_indicator_with_nothing_near_gets_no_suggestion() -> None:
    with pytest.raises(NotFound) as refused:
        PACK.indicator("xyzzy")
    assert "did you mean" not in str(refused.value)


def test_a_misspelt_step_is_not_found_and_the_nearest_is_suggested() -> None:
    with pytest.raises(NotFound, match='did you mean "stoerre"'):
        PACK.step("stoere")


def test_undone_evidence_does_not_block_what_other_observations_indicate() -> None:
    """An undone kritik must not keep a later utilfredshed from moving the case to mindre."""
    from datetime import UTC, datetime, timedelta

    from staircase.domain.engine import CaseState, Fact, evaluate
    from staircase.domain.pack import load_pack

    pack, now = load_pack("aarhus"), datetime(2026, 11, 23, 12, tzinfo=UTC)
    facts = [Fact(1, "kritik", now - timedelta(days=3)), Fact(2, "utilfredshed", now)]
    evaluation = evaluate(pack, facts, CaseState(step="godt", dismissed=frozenset({1})), now)
    assert evaluation.indicated == "stoerre"
    assert (evaluation.auto_to, evaluation.proposal) == ("mindre", None)
    assert evaluation.basis == frozenset({2})


# §3.5.0: a word names one kendetegn, or it is refused naming the ones it fits.


def test_an_ambiguous_word_is_refused_naming_both_candidates() -> None:
    with pytest.raises(AmbiguousIndicator) as refused:
        PACK.indicator("trusler")
    assert str(refused.value) == (
        '"trusler" fits more than one kendetegn: '
        "trussel-presse (Trusler om kontakt til presse, politikere o.lign.), "
        "trusler-vold-chikane (Trusler, vold og chikane mod personale); type one of them"
    )
    assert refused.value.word == "trusler"
    assert [c for c, _ in refused.value.candidates] == ["trussel-presse", "trusler-vold-chikane"]
    assert refused.value.exit_status == ExitStatus.BAD_INPUT


@pytest.mark.parametrize(
    ("typed", "candidates"),
    [
        ("trusler", ["trussel-presse", "trusler-vold-chikane"]),
        ("Trusler", ["trussel-presse", "trusler-vold-chikane"]),
        ("dialog", ["god-dialog", "uklar-dialog", "vanskelig-dialog", "manglende-dialog"]),
        ("kontakt", ["kontaktbehov", "trussel-presse"]),
        ("aftaler", ["aftaler-brudt"]),
        ("manglende", ["manglende-dialog"]),
        ("kompliceret", []),
    ],
)
def test_a_word_that_is_only_part_of_a_kendetegn_is_never_guessed(
    typed: str, candidates: list[str]
) -> None:
    """Even a word that fits one kendetegn only is refused: ``aftaler`` may mean kept ones."""
    with pytest.raises(NotFound if not candidates else AmbiguousIndicator) as refused:
        PACK.indicator(typed)
    if candidates:
        assert [c for c, _ in refused.value.candidates] == candidates
        assert all(f"{c} (" in str(refused.value) for c in candidates)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    ("typed", "indicator"),
    [
        ("trusler mod personale", "trusler-vold-chikane"),
        ("trusler om presse", "trussel-presse"),
        ("vold", "trusler-vold-chikane"),
        ("aftale brudt", "aftaler-brudt"),
        ("Aftaler overholdes ikke", "aftaler-brudt"),
        ("god", "god-dialog"),
        ("stort kontaktbehov", "kontaktbehov"),
    ],
)
def test_the_longer_words_name_one_kendetegn(typed: str, indicator: str) -> None:
    assert PACK.indicator(typed).id == indicator


@pytest.mark.parametrize("indicator", [i.id for i in PACK.indicators])
def test_no_label_of_the_default_pack_fits_another_kendetegn(indicator: str) -> None:
    found = PACK.get_indicator(indicator)
    for label in (found.id, found.name.da, found.name.en, *found.aliases):
        assert [i.id for i in PACK.fitting(label)] == [indicator], label


def test_violence_and_the_top_step_ask_for_confirmation_and_nothing_else() -> None:
    asking = [i.id for i in PACK.indicators if PACK.asks_confirmation(i)]
    assert asking == list(KOMPLICERET)
