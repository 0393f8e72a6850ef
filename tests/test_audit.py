"""The audit log (§6.2): `audit verify` names the first edited, deleted or reordered
entry, and `audit show` reads the log, itself audited as a search.

Tampering uses sqlite3 on the database file directly, as someone with the
file but not the program would; the intact log and `show` run on both
SQLite and PostgreSQL.
"""

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from home import NOW, Home
from staircase.admin.audit_review import show_log, verify_log
from staircase.cases.observe import Entry, log
from staircase.cases.show import show_case
from staircase.core.audit import Chaining, entry_hash
from staircase.core.keys import read_audit_key
from staircase.db.models import AuditDetail, AuditEntry, Setting
from staircase.db.store import close_engine


def tamper(home: Home, *statements: str) -> None:
    """Run SQL on the file behind staircase's back."""
    close_engine(home.url)
    path = Path(home.url.removeprefix("sqlite:///"))
    with closing(sqlite3.connect(path)) as connection:
        for statement in statements:
            connection.execute(statement)
        connection.commit()


def busy(home: Home) -> int:
    """Some daily work on case 1; returns the number of entries in the log."""
    log(home.as_("AK"), Entry(1, ("kritik",), note="Vred over besøgstiderne"))
    show_case(home.as_("LH"), 1)
    return home.count(AuditEntry)


def test_intact_log_verifies_and_the_check_is_logged(home: Home) -> None:
    count = busy(home)
    result = home("audit", "verify", who="KV")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"audit log intact: {count} entries (checked with the key)"
    last = home.rows(AuditEntry)[-1]
    assert (last.actor, last.action, last.subject) == (
        "KV",
        "audit.verify",
        f"entries={count} intact",
    )
    check = verify_log(home.as_("ADM"))
    assert (check.ok, check.entries, check.problem) == (True, count + 1, None)


def broken(home: Home) -> str:
    """Run `audit verify`: it must fail with exactly one line; returns that line."""
    result = home("audit", "verify", who="KV")
    assert result.exit_code == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("staircase: audit log broken: ")
    return lines[0].removeprefix("staircase: audit log broken: ")


def test_an_edited_middle_entry_is_named(sqlite_home: Home) -> None:
    count = busy(sqlite_home)
    middle = count // 2
    tamper(sqlite_home, f"update audit set actor = 'XX' where id = {middle}")
    assert broken(sqlite_home) == f"entry {middle} was altered"


def test_an_edited_entry_with_a_recomputed_hash_breaks_its_successor(sqlite_home: Home) -> None:
    """Someone who edits entry 3 and knows how to hash it (the key too) makes entry 3
    whole again; entry 4 still points at the old hash, so the chain breaks there."""
    assert busy(sqlite_home) > 4
    key = read_audit_key(sqlite_home.url)
    assert key is not None and key.keyed_from <= 3, "the home's log is keyed from its start"
    chain = Chaining(key.secret, key.keyed_from)
    edited = sqlite_home.rows(AuditEntry, AuditEntry.id == 3)[0]
    edited.actor = "XX"
    rehashed = entry_hash(edited.prev_hash, edited, chain)
    tamper(sqlite_home, f"update audit set actor = 'XX', hash = '{rehashed}' where id = 3")
    [stored] = sqlite_home.rows(AuditEntry, AuditEntry.id == 3)
    assert (stored.actor, stored.hash) == ("XX", entry_hash(stored.prev_hash, stored, chain))
    assert broken(sqlite_home) == "entry 4 does not follow entry 3"


def test_a_deleted_middle_entry_is_named(sqlite_home: Home) -> None:
    count = busy(sqlite_home)
    middle = count // 2
    tamper(
        sqlite_home,
        f"delete from audit_detail where audit_id = {middle}",
        f"delete from audit where id = {middle}",
    )
    assert broken(sqlite_home) == f"entry {middle} is missing"


def test_deleted_last_entries_are_named_and_stay_missing(sqlite_home: Home) -> None:
    count = busy(sqlite_home)
    tamper(sqlite_home, f"delete from audit where id >= {count - 1}")
    assert broken(sqlite_home) == f"entry {count - 1} is missing (the last 2 entries were deleted)"
    show_case(sqlite_home.as_("LH"), 1)  # new entries chain on from the recorded head
    assert broken(sqlite_home) == f"entry {count - 1} is missing"


def test_the_last_entry_deleted_alone(sqlite_home: Home) -> None:
    count = busy(sqlite_home)
    tamper(sqlite_home, f"delete from audit where id = {count}")
    assert broken(sqlite_home) == f"entry {count} is missing (the last entry was deleted)"


def test_swapped_entries_are_named_at_the_first(sqlite_home: Home) -> None:
    busy(sqlite_home)
    tamper(
        sqlite_home,
        "update audit set id = -4 where id = 4",
        "update audit set id = 4 where id = 6",
        "update audit set id = 6 where id = -4",
    )
    assert broken(sqlite_home) == "entry 4 does not follow entry 3"


def test_a_missing_head_is_reported(sqlite_home: Home) -> None:
    count = busy(sqlite_home)
    tamper(sqlite_home, "delete from setting where key = 'audit_head'")
    assert broken(sqlite_home) == (
        f"the record of the log's end is missing; entry {count} may not be last"
    )


def test_the_head_moves_with_every_append(home: Home) -> None:
    count = busy(home)
    with home.session() as session:
        head = session.get(Setting, "audit_head").value
    assert head == f"{count} {home.rows(AuditEntry)[-1].hash}"


def test_show_filters_and_is_audited_as_a_search(home: Home) -> None:
    busy(home)
    shown = show_log(home.as_("KV"), case_id=1)
    assert {e.case_id for e in shown.entries} == {1}
    opened = next(e for e in shown.entries if e.action == "case.open")
    assert opened.detail == "Maria Andersen"
    assert [e.action for e in shown.entries if e.actor == "LH"] == ["case.read"]

    by_lh = show_log(home.as_("ADM"), person="lh")
    assert {e.actor for e in by_lh.entries} == {"LH"}
    last = home.rows(AuditEntry)[-1]
    assert (last.actor, last.action, last.case_id, last.subject) == (
        "ADM",
        "audit.search",
        None,
        "",
    )
    previous = home.rows(AuditEntry)[-2]
    assert (previous.action, previous.case_id, previous.subject) == ("audit.search", 1, "")
    assert show_log(home.as_("ADM"), case_id=None).entries[-1].detail == (
        "case=* person=lh since=*"
    )


def test_show_since_counts_real_time(home: Home) -> None:
    busy(home)
    assert show_log(home.as_("KV"), since="2000-01-01").entries
    assert show_log(home.as_("KV", NOW.replace(year=2099)), since="-1d").entries == []


def test_show_json_and_table(home: Home) -> None:
    busy(home)
    shown = home("audit", "show", "--case", "1", "--person", "AK", "--json", who="KV").json()
    assert shown["case_id"] == 1 and shown["person"] == "AK"
    assert {e["actor"] for e in shown["entries"]} == {"AK"}
    assert shown["entries"][0]["at"].endswith("Z")
    table = home("audit", "show", "--since", "-1h", who="KV")
    assert table.exit_code == 0, table.stderr
    assert "Audit log" in table.stdout


@pytest.mark.parametrize("who", ["AK", "LH"])
def test_staff_and_leaders_may_not_read_the_log(home: Home, who: str) -> None:
    before = home.count(AuditEntry)
    result = home("audit", "show", who=who)
    assert result.exit_code == 3
    after = home.rows(AuditEntry)
    assert len(after) == before + 1
    assert (after[-1].actor, after[-1].action, after[-1].outcome) == (who, "audit.show", "refused")


SEARCHES = (
    (("case", "list", "--unit", "sol", "--step", "godt"), "case.search", "LH"),
    (("assess", "--unit", "sol"), "assess", "LH"),
    (("stats", "--unit", "sol", "--since", "2026-01-01"), "stats", "KV"),
)


@pytest.mark.parametrize(("args", "action", "who"), SEARCHES, ids=lambda v: str(v))
def test_search_criteria_stay_out_of_the_chain(home: Home, args: tuple, action: str, who: str):
    """Criteria can name people and places; the chain can never be rewritten, so they
    go in the detail, which retention deletes with the rest of a case (§6.2, §6.6)."""
    result = home(*args, who=who)

    assert result.exit_code == 0, result.stderr
    entry = next(e for e in reversed(home.rows(AuditEntry)) if e.action == action)
    assert "sol" not in entry.subject and "unit" not in entry.subject
    with home.session() as session:
        assert "sol" in session.get(AuditDetail, entry.id).detail
