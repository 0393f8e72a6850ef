"""The follow-up commands on the command line: tick, ack, inbox, actions, agreements,
and the interactive log prompt on a real terminal."""

import sys

import pexpect
import pytest

from driver import AUDIT_LOG, AWAY
from home import Home
from staircase.db.models import Escalation, Observation


def test_tick_twice_changes_nothing_the_second_time(home: Home) -> None:
    assert home("log", "1", "kritik", who="AK", now="2026-11-19 10:00").exit_code == 0
    dry = home("tick", "--dry-run")
    assert dry.exit_code == 0 and "(dry run)" in dry.stdout and "area leader" in dry.stdout
    assert home.count(Escalation, Escalation.to_role == "area_leader") == 0
    assert home.json("tick")["escalated"][0]["to_unit"] == "nord"
    after_first = home.contents(leave_out=AUDIT_LOG)
    second = home("tick")
    assert "nothing to do" in second.stdout
    assert home.contents(leave_out=AUDIT_LOG) == after_first


def test_inbox_ack_and_actions(home: Home) -> None:
    home("log", "1", "kritik", who="AK")
    items = home.json("inbox", who="LH")["items"]
    assert {i["kind"] for i in items} == {"escalation", "proposal"}, "stoerre is only proposed"
    mine = home.json("inbox", who="AK")["items"]
    escalation = next(i for i in items if i["kind"] == "escalation")
    assert home("ack", str(escalation["id"]), "--note", "Set", who="AK").exit_code == 3
    assert home("ack", str(escalation["id"]), "--note", "Set", who="LH").exit_code == 0
    action = next(i for i in mine if i["kind"] == "action")
    assert home("action", "drop", str(action["id"]), who="AK").exit_code == 1
    assert (
        home("action", "done", str(action["id"]), who="AK").stdout.strip()
        == f"action {action['id']} done"
    )
    after = {
        (i["kind"], i["id"]) for who in ("LH", "AK") for i in home.json("inbox", who=who)["items"]
    }
    assert ("escalation", escalation["id"]) not in after and ("action", action["id"]) not in after


def test_agreement_broken_through_the_cli(home: Home) -> None:
    added = home.json("agreement", "add", "1", "Ring før besøg", who="AK")
    broken = home.json("agreement", "broken", str(added["id"]), who="AK")
    assert broken["logged"]["case"]["indicated_step"] == "kompliceret"


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_log_asks_on_a_terminal(home: Home) -> None:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "staircase.cli", "log", "1"],
        env={**home.environ(who="AK"), "STAIRCASE_LANG": "da"},
        cwd=AWAY,
        encoding="utf-8",
        timeout=30,
    )
    child.expect("Kendetegn")
    child.sendline("utilfredshed, 10")
    child.expect("Hvornår")
    child.sendline("")
    child.expect("Kanal")
    child.sendline("telefon")
    child.expect("Note")
    child.sendline("Ringede om vasketøjet")
    child.expect("Registrér det på sag 1")  # 10 is manglende-dialog: kompliceret asks first
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    logged = [(o.indicator, o.channel, o.note) for o in home.rows(Observation)]
    assert ("utilfredshed", "telefon", "Ringede om vasketøjet") in logged
    assert ("manglende-dialog", "telefon", "Ringede om vasketøjet") in logged
