"""What a leader's assess calls new (§1.2, issue 10 item 9): events since their last look."""

from datetime import timedelta

from home import NOW
from staircase.cases.assess import assess
from staircase.cases.decide import move
from staircase.cases.observe import Entry, log

DAY = timedelta(days=1)


def changed(home, who: str = "LH", when=NOW) -> list[int]:
    return [c.id for c in assess(home.as_(who, when)).cases if c.changed]


def test_a_first_assess_is_an_overview(home) -> None:
    log(home.as_("AK", NOW - 2 * DAY), Entry(1, ("utilfredshed",)))
    first = home("assess", who="LH", now="2026-11-23 10:00")
    assert first.exit_code == 0, first.stderr
    assert "Your first assess" in first.stdout
    assert "Overview: cases off the bottom step" in first.stdout
    data = home.json("assess", who="LH", now="2026-11-23 11:00")
    assert data["first"] is False
    assert [c["changed"] for c in data["cases"]] == [False]


def test_a_case_that_went_up_and_down_shows_as_changed(home) -> None:
    assert changed(home, when=NOW - 10 * DAY) == []
    move(home.as_("AK", NOW - 9 * DAY), 1, "mindre", reason="Utilfreds med maden")
    move(home.as_("LH", NOW - 8 * DAY), 1, "godt", reason="Talt igennem; det er godt")
    [case] = assess(home.as_("LH")).cases
    assert (case.step, case.previous_step, case.changed) == ("godt", "godt", True)
    assert changed(home, when=NOW + DAY) == [], "and only once"


def test_a_case_that_came_down_to_godt_shows_as_changed(home) -> None:
    log(home.as_("AK", NOW - 40 * DAY), Entry(1, ("utilfredshed",)))
    assert changed(home, when=NOW - 2 * DAY) == [1], "first assess: the case is off the bottom"
    move(home.as_("LH", NOW - DAY), 1, "godt", reason="Roligt i en måned")
    assert changed(home) == [1]


def test_a_new_observation_or_proposal_is_a_change_for_each_leader(home) -> None:
    changed(home, when=NOW - DAY)
    changed(home, who="OL", when=NOW - DAY)
    log(home.as_("AK"), Entry(1, ("god-dialog",)))
    assert changed(home, when=NOW + DAY) == [1], "even a good observation is news"
    log(home.as_("AK", NOW + 2 * DAY), Entry(1, ("kritik",)))
    assert changed(home, when=NOW + 3 * DAY) == [1]
    assert changed(home, who="OL", when=NOW + 3 * DAY) == [1]
