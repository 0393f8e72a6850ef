"""People over time (§2, issue 10 item 7): consent, the primary relative, one person
one relative, case changes with their reasons, staff who change and who leave.

Each test works through the command line, then reads the database: what a
user did is what was stored, and a refused command stored nothing.
"""

import json

from sqlalchemy import inspect, text
from sqlmodel import select

from staircase.db.models import Action, AuditDetail, AuditEntry, Case, CaseChange, Relative, Staff
from staircase.db.store import open_engine, session_scope


def rows(home, table: type) -> list:
    with session_scope(home.url, write=False) as session:
        return list(session.exec(select(table).order_by(table.id)).all())


def snapshot(home) -> dict[str, int]:
    """Row counts of every table but the audit log: what "nothing written" means."""
    engine = open_engine(home.url)
    tables = [t for t in inspect(engine).get_table_names() if t not in ("audit", "audit_detail")]
    with engine.connect() as connection:
        return {t: connection.execute(text(f'select count(*) from "{t}"')).scalar() for t in tables}


def open_case(home, *extra: str, who: str = "AK"):
    return home("--json", "case", "open", "--resident", "SOL-1", *extra, who=who)


def refused(result, *words: str) -> None:
    """One clear line on stderr, exit 1."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    line = result.stderr.strip()
    assert line.startswith("staircase: ") and "\n" not in line
    for word in words:
        assert word in line


def test_consent_is_never_assumed(home) -> None:
    result = open_case(home, "--relative", "Jonas Andersen", "--relation", "barnebarn")
    assert result.exit_code == 0, result.stderr
    case_id = json.loads(result.stdout)["id"]
    with session_scope(home.url, write=False) as session:
        assert session.get(Case, case_id).consent == "pending"
        actions = session.exec(select(Action).where(Action.case_id == case_id)).all()
    assert [(a.action, a.owner_role, a.owner_id, a.status) for a in actions] == [
        ("afklar-samtykke", "unit_leader", None, "open")
    ]
    inbox = json.loads(home("--json", "inbox", who="LH").stdout)["items"]
    assert ("action", actions[0].id, "Afklar samtykkegrundlaget") in {
        (i["kind"], i["id"], i["what"]) for i in inbox
    }

    with_contact = open_case(
        home, "--relative", "Ib Andersen", "--relation", "søn", "--contact", "AK"
    )
    with session_scope(home.url, write=False) as session:
        action = session.exec(
            select(Action).where(Action.case_id == json.loads(with_contact.stdout)["id"])
        ).one()
    assert (action.owner_role, action.owner_id) == ("contact", "AK")

    named = open_case(
        home, "--relative", "Eva Andersen", "--relation", "søster", "--consent", "guardian"
    )
    with session_scope(home.url, write=False) as session:
        case = session.get(Case, json.loads(named.stdout)["id"])
        assert case.consent == "guardian"
        assert not session.exec(select(Action).where(Action.case_id == case.id)).all()


def test_a_bad_consent_writes_nothing(home) -> None:
    before = snapshot(home)
    refused(
        open_case(home, "--relative", "Jonas", "--relation", "søn", "--consent", "nammed"),
        'did you mean "named"',
    )
    refused(
        open_case(home, "--relative", "Jonas", "--relation", "søn", "--consent", "other"),
        "--consent-note",
    )
    assert snapshot(home) == before


def test_a_resident_has_at_most_one_primary_relative(home) -> None:
    home("case", "edit", "1", "--primary", "--reason", "Datteren er den faste kontakt")
    before = snapshot(home)
    second = open_case(
        home, "--relative", "Peter Andersen", "--relation", "søn", "--consent", "named", "--primary"
    )
    refused(second, "Maria Andersen (case 1)", "primary relative of SOL-1", "--no-primary")
    assert snapshot(home) == before

    peter = open_case(
        home, "--relative", "Peter Andersen", "--relation", "søn", "--consent", "named"
    )
    peter_id = json.loads(peter.stdout)["id"]
    refused(
        home("case", "edit", str(peter_id), "--primary", "--reason", "Skift", who="AK"),
        "Maria Andersen (case 1)",
    )
    home("case", "edit", "1", "--no-primary", "--reason", "Maria flytter til Aalborg")
    moved = home("case", "edit", str(peter_id), "--primary", "--reason", "Peter overtager")
    assert moved.exit_code == 0, moved.stderr
    primaries = [(c.id, c.primary) for c in rows(home, Case)]
    assert primaries == [(1, False), (peter_id, True)]


def test_an_existing_relative_name_asks_for_the_relative_id(home) -> None:
    before = snapshot(home)
    again = open_case(home, "--relative", "maria  ANDERSEN", "--relation", "datter")
    refused(again, "relative 1 Maria Andersen (datter, SOL-1)", "--relative-id 1", "--new-relative")
    assert snapshot(home) == before

    home("resident", "add", "SOL-2", "--name", "Poul Andersen", "--unit", "sol")
    same = home(
        "--json",
        "case",
        "open",
        "--resident",
        "SOL-2",
        "--relative-id",
        "1",
        "--consent",
        "named",
        who="AK",
    )
    assert same.exit_code == 0, same.stderr
    other = open_case(home, "--relative", "Maria Andersen", "--relation", "nabo", "--new-relative")
    assert other.exit_code == 0, other.stderr
    relatives = [(r.id, r.name, r.relation) for r in rows(home, Relative)]
    assert relatives == [(1, "Maria Andersen", "datter"), (2, "Maria Andersen", "nabo")]
    assert [c.relative_id for c in rows(home, Case)] == [1, 1, 2]


def test_relatives_are_listed_and_found_and_the_search_is_audited(home) -> None:
    open_case(home, "--relative", "Søren Bæk", "--relation", "søn", "--consent", "named")
    found = json.loads(home("--json", "relative", "find", "soeren", who="AK").stdout)
    assert [(r["name"], r["residents"]) for r in found] == [("Søren Bæk", ["SOL-1"])]
    everyone = json.loads(home("--json", "relative", "list", who="AK").stdout)
    assert [r["name"] for r in everyone] == ["Maria Andersen", "Søren Bæk"]
    assert json.loads(home("--json", "relative", "list", who="TN").stdout) == []
    refused(home("relative", "find", "  ", who="AK"), "part of a name")
    with session_scope(home.url, write=False) as session:
        search = session.exec(
            select(AuditEntry, AuditDetail)
            .join(AuditDetail, AuditDetail.audit_id == AuditEntry.id)
            .where(AuditEntry.action == "relative.search")
        ).first()
    assert (search[0].actor, search[0].subject, search[1].detail) == ("AK", "find", "text=soeren")


def test_case_edit_keeps_the_change_in_the_history(home) -> None:
    home("staff", "add", "SØ", "--name", "Søren Østergaard", "--role", "staff", "--unit", "sol")
    pending = open_case(home, "--relative", "Jonas Andersen", "--relation", "barnebarn")
    case_id = json.loads(pending.stdout)["id"]
    edited = home(
        "--json",
        "case",
        "edit",
        str(case_id),
        "--contact",
        "SØ",
        "--consent",
        "named",
        "--reason",
        "Else bekræftede, at Jonas må inddrages",
        who="LH",
    )
    assert edited.exit_code == 0, edited.stderr
    shown = json.loads(home("--json", "show", str(case_id), who="AK").stdout)
    assert (shown["contact_id"], shown["consent"]) == ("SØ", "named")
    assert [
        (c["field"], c["old_value"], c["new_value"], c["by_staff"]) for c in shown["changes"]
    ] == [
        ("contact", None, "SØ", "LH"),
        ("consent", "pending", "named", "LH"),
    ] and all(c["reason"] == "Else bekræftede, at Jonas må inddrages" for c in shown["changes"])
    clarify = [a for a in shown["actions"] if a["action"] == "afklar-samtykke"]
    assert [a["status"] for a in clarify] == ["done"]
    with session_scope(home.url, write=False) as session:
        audited = session.exec(
            select(AuditEntry.subject).where(
                AuditEntry.action == "case.edit", AuditEntry.case_id == case_id
            )
        ).all()
    assert sorted(audited) == ["consent", "contact"]
    printed = home("show", str(case_id), who="AK").stdout
    assert "Changes" in printed and "Else bekræftede" in printed


def test_case_edit_needs_a_reason_and_a_change(home) -> None:
    before = snapshot(home)
    refused(home("case", "edit", "1", "--contact", "AK", who="LH"), "--reason")
    refused(home("case", "edit", "1", "--reason", "Intet", who="LH"), "nothing to change")
    refused(
        home("case", "edit", "1", "--contact", "AK", "--reason", "Samme", who="LH"),
        "nothing was changed",
    )
    refused(
        home("case", "edit", "1", "--contact", "TN", "--reason", "Ny", who="LH"),
        "does not work in unit sol",
    )
    assert snapshot(home) == before
    assert rows(home, CaseChange) == []


def test_staff_edit_changes_role_units_and_email(home) -> None:
    result = home(
        "--json",
        "staff",
        "edit",
        "TN",
        "--role",
        "leader",
        "--unit",
        "sol",
        "--unit",
        "ege",
        "--email",
        "tn@egebakken.dk",
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["staff"]["units"] == ["ege", "sol"]
    with session_scope(home.url, write=False) as session:
        staff = session.get(Staff, "TN")
        assert (staff.role, staff.email) == ("leader", "tn@egebakken.dk")
    assert home("assess", "--unit", "sol", who="TN").exit_code == 0

    before = snapshot(home)
    refused(home("staff", "edit", "TN", "--role", "boss"), 'unknown role "boss"')
    refused(home("staff", "edit", "ADM", "--role", "quality"), "only admin")
    refused(home("staff", "edit", "TN", "--unit", "nowhere"), 'no unit "nowhere"')
    assert snapshot(home) == before


def test_staff_edit_binds_a_login_once(home) -> None:
    """A person given a new account (§6.8, issue 10 item 7): one account is one person."""
    assert home("staff", "edit", "TN", "--login", "tove").exit_code == 0
    with session_scope(home.url, write=False) as session:
        assert session.get(Staff, "TN").login == "tove"
    before = snapshot(home)
    refused(home("staff", "edit", "AK", "--login", "tove"), 'the account "tove"', "TN")
    refused(home("staff", "edit", "AK", "--login", " "), "--login needs the account's name")
    assert snapshot(home) == before


def test_leaving_a_unit_hands_over_what_was_owned_there(home) -> None:
    home("staff", "edit", "AK", "--unit", "sol", "--unit", "ege")
    home("log", "1", "utilfredshed", who="AK")
    moved = home("--json", "staff", "edit", "AK", "--unit", "ege")
    assert moved.exit_code == 0, moved.stderr
    handed = json.loads(moved.stdout)["handed_over"]
    assert ("contact", 1, "LH") in {(h["kind"], h["id"], h["to"]) for h in handed}
    with session_scope(home.url, write=False) as session:
        assert session.get(Case, 1).contact_id == "LH"
        assert (
            session.exec(
                select(Action).where(Action.owner_id == "AK", Action.status == "open")
            ).all()
            == []
        )
        reasons = session.exec(select(CaseChange.reason)).all()
    assert reasons == ["AK left unit sol"]


def test_initials_may_hold_danish_letters(home) -> None:
    added = home("staff", "add", "ÅB", "--name", "Åse Bøgh", "--role", "staff", "--unit", "sol")
    assert added.exit_code == 0, added.stderr
    logged = home("log", "1", "god-dialog", who="ÅB")
    assert logged.exit_code == 0, logged.stderr


def test_a_deactivated_person_cannot_act_and_owns_nothing_open(home) -> None:
    home("log", "1", "utilfredshed", who="AK")
    with session_scope(home.url, write=False) as session:
        owned = [
            a.id
            for a in session.exec(select(Action).where(Action.owner_id == "AK")).all()
            if a.status == "open"
        ]
    assert owned
    result = home("--json", "staff", "deactivate", "AK", "--reason", "Fratrådt 30. november")
    assert result.exit_code == 0, result.stderr
    handed = json.loads(result.stdout)["handed_over"]
    assert {(h["kind"], h["id"], h["to"]) for h in handed} == {
        *(("action", a, "LH") for a in owned),
        ("contact", 1, "LH"),
    }
    with session_scope(home.url, write=False) as session:
        staff = session.get(Staff, "AK")
        assert (staff.active, staff.left_at is not None) == (False, True)
        assert session.get(Case, 1).contact_id == "LH"
        still_theirs = session.exec(
            select(Action).where(Action.owner_id == "AK", Action.status == "open")
        ).all()
        assert still_theirs == []
        assert session.exec(select(CaseChange.reason)).all() == ["AK left: Fratrådt 30. november"]

    before = snapshot(home)
    refused(home("log", "1", "god-dialog", who="AK"), "AK has left")
    refused(home("staff", "deactivate", "AK", "--reason", "Igen"), "has left")
    refused(
        home("case", "edit", "1", "--contact", "AK", "--reason", "Tilbage", who="LH"),
        "AK has left",
    )
    assert snapshot(home) == before
    listed = json.loads(home("--json", "staff", "list").stdout)
    assert [s["active"] for s in listed if s["id"] == "AK"] == [False]
