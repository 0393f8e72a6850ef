"""Time-based rules with fixed clocks (never sleep): tick, escalations, calm-down (§3.3–3.5)."""

from datetime import timedelta

import pytest

from home import NOW
from staircase.cases.decide import accept, move
from staircase.cases.followup import (
    acknowledge,
    add_agreement,
    break_agreement,
    close_action,
)
from staircase.cases.inbox import inbox
from staircase.cases.observe import Entry, log
from staircase.cases.show import show_case
from staircase.cases.tick import tick
from staircase.db.models import Escalation, Proposal
from staircase.errors import InvalidInput, NotAllowed

DAY = timedelta(days=1)


def kritik(home, when=NOW):
    return log(home.as_("AK", when), Entry(1, ("kritik",)))


def test_unacknowledged_escalation_goes_to_the_area_leader_once(home) -> None:
    kritik(home, NOW - 4 * DAY)
    report = tick(home.as_("ADM"))
    assert [(e.to_role, e.to_unit) for e in report.escalated] == [("area_leader", "nord")]
    first, second = home.rows(Escalation)
    assert (first.status, second.escalated_from_id, second.status) == (
        "escalated",
        first.id,
        "open",
    )
    again = tick(home.as_("ADM"))
    assert not again.changed
    assert len(home.rows(Escalation)) == 2


def test_escalation_beyond_the_top_stays_overdue(home) -> None:
    kritik(home, NOW - 4 * DAY)
    tick(home.as_("ADM"))
    later = tick(home.as_("ADM", NOW + 10 * DAY))
    assert later.escalated == []
    items = inbox(home.as_("OL", NOW + 10 * DAY)).items
    assert [(i.kind, i.overdue) for i in items if i.kind == "escalation"] == [("escalation", True)]


def test_ack_by_the_addressee_closes_the_chain(home) -> None:
    kritik(home, NOW - 4 * DAY)
    tick(home.as_("ADM"))
    with pytest.raises(NotAllowed):
        acknowledge(home.as_("AK"), 2)
    acknowledge(home.as_("LH"), 1, note="Ringer til datteren i dag")
    assert [e.status for e in home.rows(Escalation)] == ["acknowledged", "acknowledged"]
    with pytest.raises(InvalidInput, match="already acknowledged"):
        acknowledge(home.as_("OL"), 2)


def stoerre_case(home, arrived_days_ago: int) -> None:
    """Case 1 moved up to stoerre by its leader, with nothing but good observations since."""
    move(
        home.as_("LH", NOW - arrived_days_ago * DAY),
        1,
        "stoerre",
        reason="Svær samtale om besøgstider",
    )
    log(home.as_("AK", NOW - (arrived_days_ago - 1) * DAY), Entry(1, ("god-dialog",)))


def test_calm_stoerre_case_gets_a_proposal_down_and_stays(home) -> None:
    stoerre_case(home, 31)
    report = tick(home.as_("ADM"))
    assert [(p.from_step, p.to_step, p.direction) for p in report.proposals] == [
        ("stoerre", "mindre", "down")
    ]
    assert show_case(home.as_("LH"), 1).step == "stoerre"
    assert not tick(home.as_("ADM")).changed


def test_ten_quiet_days_are_not_enough(home) -> None:
    stoerre_case(home, 10)
    assert tick(home.as_("ADM")).proposals == []


def test_new_mindre_observation_withdraws_the_down_proposal(home) -> None:
    stoerre_case(home, 31)
    tick(home.as_("ADM"))
    result = log(home.as_("AK"), Entry(1, ("utilfredshed",)))
    assert [p.status for p in result.case.proposals] == ["withdrawn"]


def test_violence_on_a_good_case(home) -> None:
    result = log(home.as_("AK"), Entry(1, ("trusler-vold-chikane",)))
    [escalation] = result.escalations
    assert escalation.due <= NOW.replace(hour=23, minute=0)
    work_environment = [
        a for a in result.actions if a.action in {"registrer-episode", "informer-amr"}
    ]
    assert {a.owner for a in work_environment} == {"unit_leader"}
    assert [p.to_step for p in result.proposals] == ["kompliceret"]
    kinds = [i.kind for i in inbox(home.as_("LH")).items]
    assert kinds.count("escalation") == 1 and "proposal" in kinds and "action" in kinds
    assert "informed" in [i.kind for i in inbox(home.as_("OL")).items]


def test_broken_agreement_indicates_kompliceret(home) -> None:
    agreement = add_agreement(home.as_("AK"), 1, "Besøg aftales dagen før", review="2027-01-15")
    result = break_agreement(home.as_("AK"), agreement.id, note="Kom uanmeldt kl. 22").logged
    assert result.case.indicated_step == "kompliceret"
    assert result.case.observations[-1].indicator == "aftaler-brudt"
    assert result.case.agreements[0].status == "active"


def test_agreement_review_due_appears_in_the_inbox(home) -> None:
    add_agreement(home.as_("AK"), 1, "Ugentlig opringning om trivsel", review="2026-12-01")
    assert inbox(home.as_("AK")).items == []
    due = inbox(home.as_("AK", NOW + 10 * DAY)).items
    assert [i.kind for i in due] == ["agreement"]


def test_actions_done_and_dropped(home) -> None:
    result = kritik(home)
    first, second = result.actions[0], result.actions[1]
    assert close_action(home.as_("LH"), first.id, status="done", note="Plan lagt").status == "done"
    with pytest.raises(InvalidInput, match="reason"):
        close_action(home.as_("LH"), second.id, status="dropped", note=None)
    assert (
        close_action(home.as_("LH"), second.id, status="dropped", note="Ikke relevant").status
        == "dropped"
    )
    with pytest.raises(NotAllowed):
        close_action(home.as_("TN"), result.actions[2].id, status="done", note=None)


def test_overdue_actions_are_in_the_owners_inbox(home) -> None:
    log(home.as_("AK", NOW - 10 * DAY), Entry(1, ("utilfredshed",)))
    overdue = [i for i in inbox(home.as_("AK")).items if i.overdue]
    assert {i.kind for i in overdue} == {"action"}


def test_dry_run_writes_nothing(home) -> None:
    kritik(home, NOW - 4 * DAY)
    before = (home.rows(Escalation), home.rows(Proposal))
    report = tick(home.as_("ADM"), dry_run=True)
    assert report.dry_run and report.escalated
    assert (home.rows(Escalation), home.rows(Proposal)) == before


def test_old_indication_expires_and_withdraws_the_proposal(home) -> None:
    kritik(home, NOW - 59 * DAY)
    report = tick(home.as_("ADM", NOW + 2 * DAY))
    assert [p.to_step for p in report.withdrawn] == ["stoerre"]


def test_accepted_proposal_is_not_withdrawn_by_tick(home) -> None:
    kritik(home)
    accept(home.as_("LH"), 1, reason="Enig")
    assert not tick(home.as_("ADM")).withdrawn
