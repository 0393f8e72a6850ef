"""People's decisions and what they end (§3.3–3.4, issue 10 items 3–6).

The way down sticks, a staff member cannot label a relationship alone,
escalations end when their question is answered or gone, and actions come
with the step the case actually stands on.
"""

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from home import NOW
from staircase.cases.close import close_case
from staircase.cases.decide import accept, move, reject
from staircase.cases.observe import Entry, log
from staircase.cases.register import NewCase, open_case
from staircase.cases.tick import tick
from staircase.db.models import Action, Case, Escalation, Proposal, Transition
from staircase.db.store import session_scope
from staircase.errors import NotAllowed
from staircase.kinds import ActionStatus, EscalationStatus, ProposalStatus

DAY = timedelta(days=1)


def rows(url: str, table: type, case_id: int = 1) -> list:
    with session_scope(url, write=False) as session:
        return list(
            session.exec(select(table).where(table.case_id == case_id).order_by(table.id)).all()
        )


def step_of(url: str, case_id: int = 1) -> str:
    with session_scope(url, write=False) as session:
        return session.get(Case, case_id).step


def actions(url: str, case_id: int = 1) -> dict[str, str]:
    return {a.action: a.status for a in rows(url, Action, case_id)}


# --- 3. The way down sticks -------------------------------------------------


def test_a_leaders_move_down_stays_down(home) -> None:
    log(home.as_("AK", NOW - 20 * DAY), Entry(1, ("utilfredshed",)))
    assert step_of(home.url) == "mindre"
    result = home("move", "1", "godt", "--reason", "Talt med datteren; det går godt", who="LH")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Case 1 moved to Good collaboration.",
        "Still open from a step the case has left (done or drop them):",
        "  Action 1: Quick and outreaching response — AK",
        "  Action 2: Clear plan — AK",
        "  Action 3: Documentation — AK",
    ]
    assert step_of(home.url) == "godt"
    assert [(t.to_step, t.by_staff) for t in rows(home.url, Transition)] == [
        ("mindre", None),
        ("godt", "LH"),
    ]
    assert not tick(home.as_("ADM", NOW + DAY)).moved
    assert step_of(home.url) == "godt"


def test_after_a_move_down_the_case_reads_as_the_leader_left_it(home) -> None:
    """The set-aside evidence indicates nothing: ``show`` must not tell the next
    shift that a case the leader moved to godt is "indicated større"."""
    log(home.as_("AK", NOW - 3 * DAY), Entry(1, ("kritik",)))
    move(home.as_("LH", NOW - DAY), 1, "godt", reason="Afklaret på et møde")
    shown = home.json("show", "1", who="LH")
    assert (shown["step"], shown["indicated_step"], shown["why"]) == ("godt", "godt", [])
    for recompute in ([], ["--recompute"]):
        (listed,) = [c for c in home.json("assess", *recompute, who="LH")["cases"] if c["id"] == 1]
        assert (listed["step"], listed["indicated_step"]) == ("godt", "godt"), recompute


def test_a_new_observation_after_a_move_down_raises_the_case_on_its_own(home) -> None:
    for days_ago, indicator in ((20, "uklar-dialog"), (10, "utilfredshed")):
        log(home.as_("AK", NOW - days_ago * DAY), Entry(1, (indicator,)))
    move(home.as_("LH", NOW - 5 * DAY), 1, "godt", reason="Afklaret på et møde")
    result = log(home.as_("AK"), Entry(1, ("kontaktbehov",)))
    assert result.moved_to == "mindre"
    assert result.proposals == [], "two set-aside observations and a new one are no pattern"


def test_an_accepted_proposal_down_stays_down(home) -> None:
    """The rules propose a step down after the calm days even while a window still
    indicates the step (§3.3); the proposal is stored here as the rules store it."""
    move(home.as_("LH", NOW - 40 * DAY), 1, "stoerre", reason="Gentagen kritik af plejen")
    log(home.as_("AK", NOW - 39 * DAY), Entry(1, ("kritik",)))
    with session_scope(home.url, write=True) as session:
        down = Proposal(
            case_id=1,
            from_step="stoerre",
            to_step="mindre",
            direction="down",
            raised_at=NOW - DAY,
            pack="aarhus",
            pack_version="1.0.0",
        )
        session.add(down)
        session.flush()
    accept(home.as_("LH"), down.id, reason="Roligt i en måned")
    tick(home.as_("ADM", NOW + DAY))
    assert step_of(home.url) == "mindre"
    assert [(p.to_step, p.status) for p in rows(home.url, Proposal)] == [
        ("mindre", ProposalStatus.ACCEPTED)
    ], "the kritik the leader weighed does not propose stoerre again"


# --- 4. Who may label -------------------------------------------------------


def test_a_staff_move_to_a_leader_only_step_becomes_a_proposal(home) -> None:
    result = home("move", "1", "kompliceret", "--reason", "Truede en kollega", who="AK")
    assert result.exit_code == 0, result.stderr
    assert (
        "Proposal 1: case 1 Good collaboration → Complicated collaboration waits for "
        "the unit's leader"
    ) in result.stdout
    assert step_of(home.url) == "godt"
    assert rows(home.url, Transition) == []
    [proposal] = rows(home.url, Proposal)
    assert (proposal.to_step, proposal.status) == ("kompliceret", ProposalStatus.OPEN)
    [escalation] = rows(home.url, Escalation)
    assert (escalation.step, escalation.to_role, escalation.inform, escalation.status) == (
        "kompliceret",
        "unit_leader",
        ("area_leader",),
        EscalationStatus.OPEN,
    )
    assert rows(home.url, Action) == [], "the step's actions wait for the step"
    inbox = json.loads(home("--json", "inbox", who="LH").stdout)["items"]
    assert {i["kind"]: i["what"] for i in inbox}["proposal"] == (
        "decide: the case stands on godt; proposed kompliceret (proposed by AK: Truede en kollega)"
    )


def test_a_staff_proposal_is_the_leaders_to_decide(home) -> None:
    proposal = move(home.as_("AK"), 1, "stoerre", reason="Kritik hver dag").proposal
    tick(home.as_("ADM"))
    assert rows(home.url, Proposal)[0].status == ProposalStatus.OPEN, "not the rules' to withdraw"
    with pytest.raises(NotAllowed):
        accept(home.as_("AK"), proposal.id, reason="Enig")
    decided = accept(home.as_("LH"), proposal.id, reason="Enig; vi lægger en plan")
    assert decided.case.step == "stoerre"
    assert [e.status for e in decided.case.escalations] == ["acknowledged"]


def test_a_leaders_move_up_applies_the_steps_policy(home) -> None:
    view = move(home.as_("LH"), 1, "stoerre", reason="Truer med at gå til pressen").case
    assert view.step == "stoerre"
    [escalation] = rows(home.url, Escalation)
    assert (escalation.step, escalation.status, escalation.acknowledged_by) == (
        "stoerre",
        EscalationStatus.ACKNOWLEDGED,
        "LH",
    )
    assert actions(home.url) == {
        "plan-haandtering": "open",
        "konflikthaandtering": "open",
        "oevrige-fagligheder": "open",
    }


def test_a_leaders_move_to_the_proposed_step_answers_proposal_and_escalation(home) -> None:
    log(home.as_("AK"), Entry(1, ("kritik",)))
    result = move(home.as_("LH"), 1, "stoerre", reason="Enig med reglerne")
    [proposal] = rows(home.url, Proposal)
    assert (proposal.status, proposal.reason) == (
        ProposalStatus.WITHDRAWN,
        "the case was moved to stoerre",
    )
    [escalation] = rows(home.url, Escalation)
    assert (escalation.status, escalation.acknowledged_by) == (EscalationStatus.ACKNOWLEDGED, "LH")
    assert result.left_open == [], "a move up leaves nothing behind"


# --- 5. Escalations that end ------------------------------------------------


@pytest.mark.parametrize("decide", [accept, reject])
def test_deciding_a_proposal_acknowledges_its_escalation(home, decide) -> None:
    log(home.as_("AK"), Entry(1, ("kritik",)))
    [proposal] = rows(home.url, Proposal)
    result = decide(home.as_("LH"), proposal.id, reason="Drøftet med familien")
    [escalation] = rows(home.url, Escalation)
    assert (escalation.status, escalation.acknowledged_by) == (EscalationStatus.ACKNOWLEDGED, "LH")
    assert [e.id for e in result.acknowledged] == [escalation.id]
    assert not tick(home.as_("ADM", NOW + 5 * DAY)).escalated, "nobody is chased for it"


def test_an_escalation_for_a_step_no_longer_at_issue_is_closed(home) -> None:
    logged = log(home.as_("AK", NOW - DAY), Entry(1, ("kritik",)))
    view = log(home.as_("AK"), Entry(1, ("utilfredshed",), retracts=logged.observations[0])).case
    [escalation] = view.escalations
    assert escalation.status == "closed"
    assert "stands on mindre" in escalation.note and "stoerre" in escalation.note
    assert rows(home.url, Escalation)[0].status == EscalationStatus.CLOSED


def test_an_overdue_escalation_no_longer_at_issue_is_closed_not_passed_on(home) -> None:
    log(home.as_("AK", NOW - 59 * DAY), Entry(1, ("kritik",)))
    report = tick(home.as_("ADM", NOW + 2 * DAY))
    assert report.escalated == []
    assert [e.status for e in report.closed] == ["closed"]
    assert [e.to_role for e in rows(home.url, Escalation)] == ["unit_leader"]


def test_closing_a_case_closes_its_escalations(home) -> None:
    log(home.as_("AK"), Entry(1, ("vold",)))
    result = close_case(home.as_("LH"), 1, reason="Beboeren er flyttet")
    assert {e.status for e in rows(home.url, Escalation)} == {EscalationStatus.CLOSED}
    assert {p.status for p in rows(home.url, Proposal)} == {ProposalStatus.WITHDRAWN}
    assert {a.action for a in result.left_open} == {
        "registrer-episode",
        "overvej-politianmeldelse",
        "informer-amr",
        "hurtig-reaktion",
        "tydelig-plan",
        "dokumentation",
    }


def test_tick_never_touches_a_closed_case(home) -> None:
    log(home.as_("AK", NOW - 4 * DAY), Entry(1, ("kritik",)))
    close_case(home.as_("LH", NOW - 3 * DAY), 1, reason="Beboeren er død")
    before = [rows(home.url, t) for t in (Escalation, Proposal, Transition, Action)]
    report = tick(home.as_("ADM", NOW + 100 * DAY))
    assert (report.cases_checked, report.changed) == (0, False)
    assert [rows(home.url, t) for t in (Escalation, Proposal, Transition, Action)] == before


def test_inbox_and_assess_name_the_step_the_case_stands_on_and_the_one_proposed(home) -> None:
    log(home.as_("AK"), Entry(1, ("kritik",)))
    inbox = json.loads(home("--json", "inbox", who="LH").stdout)["items"]
    texts = {i["kind"]: i["what"] for i in inbox}
    assert texts["escalation"].startswith(
        "acknowledge: stoerre proposed; the case stands on mindre"
    )
    assert texts["proposal"] == "decide: the case stands on mindre; proposed stoerre"
    assessed = json.loads(home("--json", "assess", who="LH").stdout)
    [escalation] = assessed["escalations"]
    assert (escalation["step"], escalation["case_step"]) == ("stoerre", "mindre")


# --- 6. Actions -------------------------------------------------------------


def test_step_actions_wait_for_the_step(home) -> None:
    log(home.as_("AK", NOW - DAY), Entry(1, ("kritik",)))
    assert actions(home.url) == {
        "hurtig-reaktion": "open",
        "tydelig-plan": "open",
        "dokumentation": "open",
    }
    [proposal] = rows(home.url, Proposal)
    accept(home.as_("LH"), proposal.id, reason="Enig")
    assert actions(home.url) == {
        "hurtig-reaktion": "open",
        "tydelig-plan": ActionStatus.REPLACED,
        "dokumentation": "open",
        "plan-haandtering": "open",
        "konflikthaandtering": "open",
        "oevrige-fagligheder": "open",
    }
    replaced = next(a for a in rows(home.url, Action) if a.action == "tydelig-plan")
    assert "plan-haandtering" in replaced.note


def test_a_rejected_proposal_leaves_no_actions_behind(home) -> None:
    log(home.as_("AK"), Entry(1, ("manglende-dialog",)))
    [proposal] = rows(home.url, Proposal)
    reject(home.as_("LH"), proposal.id, reason="Misforståelse")
    assert set(actions(home.url)) == {"hurtig-reaktion", "tydelig-plan", "dokumentation"}


def test_a_rules_own_actions_come_at_once(home) -> None:
    result = log(home.as_("AK"), Entry(1, ("vold",)))
    created = {a.action for a in result.actions}
    assert {"registrer-episode", "overvej-politianmeldelse", "informer-amr"} <= created
    assert not created & {"tydelig-rollefordeling", "klare-rammer", "eksterne-parter"}


def test_an_action_without_a_contact_person_goes_to_the_leader(home) -> None:
    opened = open_case(
        home.as_("ADM"),
        NewCase(
            resident_ref="SOL-1", relative_name="Jens Andersen", relation="søn", consent="named"
        ),
    )
    log(home.as_("AK"), Entry(opened.id, ("utilfredshed",)))
    owners = {(a.owner_role, a.owner_id) for a in rows(home.url, Action, opened.id)}
    assert owners == {("unit_leader", None)}
    inbox = json.loads(home("--json", "inbox", who="LH").stdout)["items"]
    assert len([i for i in inbox if i["kind"] == "action"]) == 3


def test_a_move_down_lists_the_open_higher_step_actions(home) -> None:
    move(home.as_("LH", NOW - DAY), 1, "stoerre", reason="Kritik af plejen")
    result = home("move", "1", "mindre", "--reason", "Aftaler holder igen", who="LH")
    assert result.exit_code == 0, result.stderr
    assert "Still open from a step the case has left" in result.stdout
    assert "Plan for handling" in result.stdout
    data = json.loads(home("--json", "move", "1", "godt", "--reason", "Godt igen", who="LH").stdout)
    assert {a["action"] for a in data["left_open"]} == {
        "plan-haandtering",
        "konflikthaandtering",
        "oevrige-fagligheder",
    }
