"""Roles on every command (§6.1): a role that must not use a command is refused
with exit 3, nothing changes, and the refusal is in the audit log.

A registry test: a command added without an entry in ``permissions.COMMANDS``
(and a sample invocation here) fails, so no command ships unguarded.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
import typer.main

from driver import AUDIT_LOG
from home import NOW, Home
from staircase.cases.followup import add_agreement
from staircase.cases.observe import Entry, log
from staircase.cli.app import app
from staircase.core.permissions import COMMANDS, PERMISSIONS
from staircase.db.models import AuditEntry

PEOPLE = {"admin": "ADM", "quality": "KV", "leader": "LH", "staff": "AK"}
"""One person per role in the ``home`` fixture; LH and AK work in unit sol."""

SAMPLES: dict[str, list[str]] = {
    "unit add": ["unit", "add", "vest", "--name", "Område Vest"],
    "unit list": ["unit", "list"],
    "staff add": [
        "staff",
        "add",
        "NY",
        "--name",
        "Ny Medarbejder",
        "--role",
        "staff",
        "--unit",
        "sol",
    ],
    "staff list": ["staff", "list"],
    "staff edit": ["staff", "edit", "AK", "--role", "leader"],
    "staff deactivate": ["staff", "deactivate", "AK", "--reason", "Fratrådt"],
    "relative list": ["relative", "list"],
    "relative find": ["relative", "find", "Maria"],
    "resident add": ["resident", "add", "SOL-9", "--name", "Poul Jensen", "--unit", "sol"],
    "case open": [
        "case",
        "open",
        "--resident",
        "SOL-1",
        "--relative",
        "Jonas",
        "--relation",
        "søn",
    ],
    "case list": ["case", "list"],
    "case edit": ["case", "edit", "1", "--no-primary", "--reason", "Datteren har ønsket det"],
    "log": ["log", "1", "utilfredshed", "--note", "Klage over maden"],
    "show": ["show", "1"],
    "assess": ["assess", "--unit", "sol"],
    "accept": ["accept", "1", "--reason", "Enig"],
    "reject": ["reject", "1", "--reason", "Uenig"],
    "move": ["move", "1", "kompliceret", "--reason", "Trusler i telefonen"],
    "ack": ["ack", "1", "--note", "Set"],
    "tick": ["tick"],
    "inbox": ["inbox"],
    "action done": ["action", "done", "1"],
    "action drop": ["action", "drop", "1", "--reason", "Ikke relevant"],
    "agreement add": ["agreement", "add", "1", "Ugentlig opringning"],
    "agreement broken": ["agreement", "broken", "1"],
    "agreement review": ["agreement", "review", "1", "--next", "2027-01-15"],
    "agreement end": ["agreement", "end", "1"],
    "backup": ["backup", "staircase-backup.db"],
    "restore": ["restore", "--yes", "staircase-backup.db"],
    "case close": ["case", "close", "1", "--reason", "Flyttet til andet plejehjem"],
    "audit verify": ["audit", "verify"],
    "audit show": ["audit", "show", "--case", "1"],
    "subject-access": ["subject-access", "--relative", "1", "--out", "indsigt"],
    "purge": ["purge", "--dry-run"],
    "settings set": ["settings", "set", "controller", "Aarhus Kommune"],
    "settings show": ["settings", "show"],
    "db grant": ["db", "grant"],
    "export": ["export", "--format", "jsonl", "--out", "export.jsonl"],
    "import": ["import", "observationer.csv", "--dry-run"],
    "stats": ["stats", "--unit", "sol"],
}


def command_paths() -> list[str]:
    """Every command the CLI offers, as typed (``case open``)."""

    def walk(command, prefix: tuple[str, ...] = ()):
        subcommands = getattr(command, "commands", None)
        if not subcommands:
            yield " ".join(prefix)
            return
        for name, sub in subcommands.items():
            yield from walk(sub, (*prefix, name))

    return list(walk(typer.main.get_command(app)))


def test_every_command_has_a_role_entry() -> None:
    assert sorted(command_paths()) == sorted(COMMANDS)
    assert all(action is None or action in PERMISSIONS for action in COMMANDS.values())


def test_every_guarded_command_has_a_sample() -> None:
    guarded = {path for path, action in COMMANDS.items() if action is not None}
    assert guarded == set(SAMPLES)


REFUSABLE = [
    (path, role)
    for path, action in COMMANDS.items()
    if action is not None
    for role in PEOPLE
    if role not in PERMISSIONS[action]
]


@pytest.fixture
def busy_home(home: Home) -> Home:
    """The home with a proposal, an escalation, actions and an agreement to act on."""
    log(home.as_("AK", NOW - timedelta(hours=2)), Entry(1, ("kritik",)))
    add_agreement(
        home.as_("AK", NOW - timedelta(hours=1)), 1, "Besøg aftales dagen før", review=None
    )
    return home


@pytest.mark.parametrize(("path", "role"), REFUSABLE)
def test_role_without_the_right_is_refused_and_audited(
    busy_home: Home, path: str, role: str
) -> None:
    before = busy_home.contents(leave_out=AUDIT_LOG)
    result = busy_home(*SAMPLES[path], who=PEOPLE[role])
    assert result.exit_code == 3, (result.stdout, result.stderr)
    assert result.stderr.startswith("staircase: ")
    assert busy_home.contents(leave_out=AUDIT_LOG) == before
    last = busy_home.rows(AuditEntry)[-1]
    assert (last.actor, last.action, last.outcome) == (PEOPLE[role], COMMANDS[path], "refused")


def test_a_role_with_the_right_gets_past_the_check(busy_home: Home) -> None:
    result = busy_home(*SAMPLES["log"], who="AK")
    assert result.exit_code == 0, result.stderr
    assert busy_home.count(AuditEntry, AuditEntry.outcome == "refused") == 0


def test_every_command_is_in_the_readme() -> None:
    """Registry: a command nobody can find in the README does not exist for users."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    missing = [
        path
        for path in command_paths()
        if not re.search(r"(staircase|`)[^\n`]*?\b" + re.escape(path) + r"\b", readme)
    ]
    assert missing == []
