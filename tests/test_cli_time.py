"""The follow-up commands on the command line: tick, ack, inbox, actions, agreements,
and the interactive log prompt on a real terminal."""

import json
import os
import sys

import pexpect
import pytest
from typer.testing import CliRunner

from staircase.cli.app import app


def run(home, *args: str, who: str = "ADM", now: str = "2026-11-23 10:00"):
    env = {"STAIRCASE_DB": home.url, "STAIRCASE_USER": who, "STAIRCASE_NOW": now, "NO_COLOR": "1"}
    return CliRunner().invoke(app, list(args), env=env)


def test_tick_twice_changes_nothing_the_second_time(home) -> None:
    assert run(home, "log", "1", "kritik", who="AK", now="2026-11-19 10:00").exit_code == 0
    dry = run(home, "tick", "--dry-run")
    assert dry.exit_code == 0 and "(dry run)" in dry.stdout and "area_leader" in dry.stdout
    first = run(home, "--json", "tick")
    assert first.exit_code == 0, first.stderr
    assert json.loads(first.stdout)["escalated"][0]["to_unit"] == "nord"
    second = run(home, "tick")
    assert "nothing to do" in second.stdout


def test_inbox_ack_and_actions(home) -> None:
    run(home, "log", "1", "kritik", who="AK")
    items = json.loads(run(home, "--json", "inbox", who="LH").stdout)["items"]
    assert {i["kind"] for i in items} == {"escalation", "proposal"}, "stoerre is only proposed"
    mine = json.loads(run(home, "--json", "inbox", who="AK").stdout)["items"]
    escalation = next(i for i in items if i["kind"] == "escalation")
    assert run(home, "ack", str(escalation["id"]), "--note", "Set", who="AK").exit_code == 3
    assert run(home, "ack", str(escalation["id"]), "--note", "Set", who="LH").exit_code == 0
    action = next(i for i in mine if i["kind"] == "action")
    assert run(home, "action", "drop", str(action["id"]), who="AK").exit_code == 1
    assert (
        run(home, "action", "done", str(action["id"]), who="AK").stdout.strip()
        == f"action {action['id']} done"
    )
    after = {
        (i["kind"], i["id"])
        for who in ("LH", "AK")
        for i in json.loads(run(home, "--json", "inbox", who=who).stdout)["items"]
    }
    assert ("escalation", escalation["id"]) not in after and ("action", action["id"]) not in after


def test_agreement_broken_through_the_cli(home) -> None:
    added = json.loads(
        run(home, "--json", "agreement", "add", "1", "Ring før besøg", who="AK").stdout
    )
    broken = run(home, "--json", "agreement", "broken", str(added["id"]), who="AK")
    assert json.loads(broken.stdout)["logged"]["case"]["indicated_step"] == "kompliceret"


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_log_asks_on_a_terminal(home) -> None:
    env = {
        **os.environ,
        "STAIRCASE_DB": home.url,
        "STAIRCASE_USER": "AK",
        "NO_COLOR": "1",
        "COLUMNS": "100",
    }
    child = pexpect.spawn(
        sys.executable, ["-m", "staircase.cli", "log", "1"], env=env, encoding="utf-8", timeout=30
    )
    child.expect("Kendetegn")
    child.sendline("utilfredshed, 1")
    child.expect("Kanal")
    child.sendline("telefon")
    child.expect("Note")
    child.sendline("Ringede om vasketøjet")
    child.expect("Registrér det på sag 1")  # 1 is manglende-dialog: kompliceret asks first
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    shown = json.loads(run(home, "--json", "show", "1", who="AK").stdout)
    logged = [(o["indicator"], o["channel"], o["note"]) for o in shown["observations"]]
    assert ("utilfredshed", "telefon", "Ringede om vasketøjet") in logged
    assert ("manglende-dialog", "telefon", "Ringede om vasketøjet") in logged
