"""The daily loop against a real database: log, proposals, decisions, moves (§3.3, §10.4)."""

from datetime import timedelta

import pytest

from home import NOW
from staircase.cases.assess import assess
from staircase.cases.decide import accept, move, reject
from staircase.cases.observe import Entry, log
from staircase.cases.show import show_case
from staircase.db.models import Escalation, Observation, Proposal, Transition
from staircase.errors import InvalidInput, NotAllowed, NotFound, RefusedMove


def three_mindre(home) -> None:
    """Three mindre observations on three days within 30 days (the issue's scenario)."""
    for days_ago, indicator in ((20, "uklar-dialog"), (10, "utilfredshed"), (1, "kontaktbehov")):
        log(
            home.as_("AK", NOW - timedelta(days=days_ago)),
            Entry(1, (indicator,), channel="telefon"),
        )


def test_three_mindre_in_30_days_propose_stoerre_and_escalate(home) -> None:
    three_mindre(home)
    case = show_case(home.as_("LH"), 1)
    assert case.step == "mindre"
    assert case.indicated_step == "stoerre"
    assert [w.rule for w in case.why] == ["moenster-mindre"]
    assert [(p.to_step, p.status) for p in case.proposals] == [("stoerre", "open")]
    [escalation] = case.escalations
    assert (escalation.to_role, escalation.to_unit, escalation.status) == (
        "unit_leader",
        "sol",
        "open",
    )
    assert escalation.due - escalation.raised == timedelta(days=3)
    assert [t.to_step for t in case.transitions] == ["mindre"]
    assert case.transitions[0].pack == "aarhus"


def test_leader_accepts_then_staff_cannot_move_down_and_leader_moves_one_step(home) -> None:
    three_mindre(home)
    [proposal] = show_case(home.as_("LH"), 1).proposals
    after = accept(home.as_("LH"), proposal.id, reason="Drøftet på teammødet").case
    assert after.step == "stoerre"
    assert after.proposals[0].status == "accepted"

    with pytest.raises(NotAllowed) as refused:
        move(home.as_("AK"), 1, "mindre", reason="Det går bedre")
    assert refused.value.exit_status == 3
    with pytest.raises(RefusedMove):
        move(home.as_("LH"), 1, "godt", reason="Alt er godt")
    assert show_case(home.as_("LH"), 1).step == "stoerre"

    moved = move(home.as_("LH"), 1, "mindre", reason="Aftaler overholdes igen").case
    assert moved.step == "mindre"
    assert [t.to_step for t in moved.transitions] == ["mindre", "stoerre", "mindre"]
    assert [p.status for p in moved.proposals] == ["accepted"], "undone: not proposed again"


def test_rejected_proposal_is_not_raised_again_for_the_same_evidence(home) -> None:
    three_mindre(home)
    [proposal] = show_case(home.as_("LH"), 1).proposals
    reject(home.as_("LH"), proposal.id, reason="Misforståelse, afklaret")
    log(home.as_("AK"), Entry(1, ("god-dialog",)))
    assert [p.status for p in show_case(home.as_("LH"), 1).proposals] == ["rejected"]
    log(home.as_("AK"), Entry(1, ("utilfredshed",)))
    assert [p.status for p in show_case(home.as_("LH"), 1).proposals] == ["rejected", "open"]


def test_staff_may_not_decide_proposals(home) -> None:
    three_mindre(home)
    [proposal] = show_case(home.as_("LH"), 1).proposals
    with pytest.raises(NotAllowed):
        accept(home.as_("AK"), proposal.id, reason="ok")
    assert home.count(Transition) == 1


def test_violence_raises_same_day_escalation_and_work_environment_actions(home) -> None:
    result = log(home.as_("AK"), Entry(1, ("vold",), note="Slog ud efter en medarbejder"))
    assert result.moved_to == "mindre"
    assert [p.to_step for p in result.proposals] == ["kompliceret"]
    [escalation] = result.escalations
    assert escalation.to_role == "unit_leader"
    assert escalation.inform == ["area_leader"]
    assert escalation.due.date() == NOW.date()
    assert {"registrer-episode", "overvej-politianmeldelse", "informer-amr"} <= {
        a.action for a in result.actions
    }


def test_retraction_stops_an_observation_counting(home) -> None:
    result = log(home.as_("AK", NOW - timedelta(days=1)), Entry(1, ("kritik",)))
    assert result.case.indicated_step == "stoerre"
    corrected = log(home.as_("AK"), Entry(1, ("utilfredshed",), retracts=result.observations[0]))
    assert corrected.case.indicated_step == "mindre"
    assert [p.status for p in corrected.case.proposals] == ["withdrawn"]
    assert home.count(Observation) == 3


def test_assess_shows_what_waits_and_what_changed(home) -> None:
    three_mindre(home)
    first = assess(home.as_("LH"))
    assert first.units == ["sol"]
    assert [(c.id, c.step, c.indicated_step, c.changed) for c in first.cases] == [
        (1, "mindre", "stoerre", True)
    ]
    assert [p.to_step for p in first.proposals] == ["stoerre"]
    assert [e.to_role for e in first.escalations] == ["unit_leader"]
    assert first.steps == {"godt": 0, "mindre": 1, "stoerre": 0, "kompliceret": 0}
    second = assess(home.as_("LH"))
    assert [c.changed for c in second.cases] == [False]


def test_assess_across_units_is_for_quality_and_admin(home) -> None:
    assert assess(home.as_("KV"), all_units=True).total == 1
    with pytest.raises(NotAllowed):
        assess(home.as_("LH"), all_units=True)
    with pytest.raises(NotAllowed):
        assess(home.as_("LH"), unit="ege")


@pytest.mark.parametrize(
    ("who", "entry", "error"),
    [
        ("AK", Entry(99, ("kritik",)), NotFound),
        ("AK", Entry(1, ("kritk",)), NotFound),
        ("AK", Entry(1, ("kritik",), at="2026-11-24 10:00"), InvalidInput),
        ("AK", Entry(1, ("kritik",), at="igår 25:00"), InvalidInput),
        ("AK", Entry(1, ("kritik",), channel="brevdue"), InvalidInput),
        ("AK", Entry(1, ("kritik",), note="CPR 010203-1234"), InvalidInput),
        ("TN", Entry(1, ("kritik",)), NotAllowed),
        ("KV", Entry(1, ("kritik",)), NotAllowed),
        ("XX", Entry(1, ("kritik",)), InvalidInput),
    ],
)
def test_bad_log_writes_nothing(home, who, entry, error) -> None:
    before = [home.count(t) for t in (Observation, Transition, Proposal, Escalation)]
    with pytest.raises(error):
        log(home.as_(who), entry)
    assert [home.count(t) for t in (Observation, Transition, Proposal, Escalation)] == before


def test_misspelt_indicator_suggests_the_nearest(home) -> None:
    with pytest.raises(NotFound, match='did you mean "utilfredshed"'):
        log(home.as_("AK"), Entry(1, ("utilfredhed",)))


def test_decision_without_reason_is_refused(home) -> None:
    with pytest.raises(InvalidInput, match="reason"):
        move(home.as_("LH"), 1, "mindre", reason=" ")
    assert home.count(Transition) == 0


def test_area_leader_reads_the_homes_of_the_area(home) -> None:
    log(home.as_("AK"), Entry(1, ("kritik",)))
    assert show_case(home.as_("OL"), 1).step == "mindre"
    assert [c.id for c in assess(home.as_("OL")).cases] == [1]
    with pytest.raises(NotAllowed):
        show_case(home.as_("TN"), 1)


def test_a_closed_case_is_history(home) -> None:
    from staircase.cases.close import close_case
    from staircase.cases.followup import add_agreement

    log(home.as_("AK", NOW - timedelta(days=1)), Entry(1, ("kritik",)))
    close_case(home.as_("LH"), 1, reason="Beboeren er flyttet")
    for attempt in (
        lambda: log(home.as_("AK"), Entry(1, ("kritik",))),
        lambda: move(home.as_("LH"), 1, "stoerre", reason="Kritik"),
        lambda: accept(home.as_("LH"), 1, reason="Enig"),
        lambda: add_agreement(home.as_("AK"), 1, "Ring hver uge", review=None),
    ):
        with pytest.raises(InvalidInput):
            attempt()
