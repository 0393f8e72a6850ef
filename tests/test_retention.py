"""Closing cases and retention (§6.6): purge really deletes closed cases past the
period, keeps everything else, leaves the audit chain verifiable, and no
trace of the family's names remains in any table or in the SQLite file.
"""

import json
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import String, cast, event, func, inspect, or_, text
from sqlmodel import select

from home import NOW, Home
from staircase.admin.directory import add_resident
from staircase.cases.assess import assess
from staircase.cases.close import close_case
from staircase.cases.followup import add_agreement
from staircase.cases.observe import Entry, log
from staircase.cases.register import NewCase, list_cases, open_case
from staircase.cases.show import show_case
from staircase.core import audit
from staircase.db.models import (
    AuditDetail,
    AuditEntry,
    Case,
    Escalation,
    Notification,
    Observation,
    Proposal,
    Relative,
    Resident,
    Setting,
)
from staircase.db.store import close_engine, open_engine
from staircase.errors import InvalidInput, NotAllowed
from staircase.privacy.retention import DEFAULT_RETENTION_DAYS, purge
from staircase.privacy.subject_access import Subject, export_subject

DAY = timedelta(days=1)
LATER = NOW + (DEFAULT_RETENTION_DAYS + 1) * DAY
"""When purge runs: just over five years after the old cases were closed."""
SECRETS = ("Maria Andersen", "Kim Berg", "Ib Berg", "Ringede kl. 22 og var vred over maden")
"""Names and a note of the families whose cases are purged."""


@pytest.fixture
def town(home: Home) -> Home:
    """Four cases: 1 and 4 closed long ago, 2 closed recently, 3 open.

    Case 1: Maria Andersen, daughter of Else Andersen (SOL-1), with notes,
    an escalation (and its e-mail), actions, an agreement, a proposal.
    Case 3: Peter Andersen, Else's son — open, so Else stays.
    Case 4: Kim Berg and Ib Berg (SOL-4), who have no other case.
    Case 2: Jonas Jensen and Poul Jensen (SOL-2), closed only recently.
    """
    admin = home.as_("ADM")
    for ref, name in (("SOL-2", "Poul Jensen"), ("SOL-4", "Ib Berg")):
        add_resident(admin, ref=ref, name=name, unit_id="sol")
    for resident, relative, relation in (
        ("SOL-2", "Jonas Jensen", "søn"),
        ("SOL-1", "Peter Andersen", "søn"),
        ("SOL-4", "Kim Berg", "datter"),
    ):
        open_case(admin, NewCase(resident_ref=resident, relative_name=relative, relation=relation))
    log(home.as_("AK", NOW - 2 * DAY), Entry(1, ("kritik",), note=SECRETS[3]))
    add_agreement(home.as_("AK", NOW - DAY), 1, "Besøg aftales dagen før", review=None)
    assess(home.as_("LH"), unit=None)
    log(home.as_("AK"), Entry(3, ("utilfredshed",), note="Peter spurgte til tøjvask"))
    log(home.as_("AK"), Entry(4, ("utilfredshed",), note="Kim ringede om Ib"))
    with home.session() as session:
        session.add(
            Notification(
                escalation_id=1,
                staff_id="LH",
                email="lh@example.org",
                subject="staircase: case 1",
                body="Escalation 1 about case 1",
                created_at=NOW,
            )
        )
    close_case(home.as_("LH"), 1, reason="Else er flyttet til Egebakken")
    close_case(home.as_("ADM"), 4, reason="Ib Berg er død")
    close_case(home.as_("LH", LATER - 10 * DAY), 2, reason="Samarbejdet er afsluttet")
    return home


def test_close_withdraws_proposals_and_leaves_the_daily_views(home: Home) -> None:
    log(home.as_("AK"), Entry(1, ("kritik",)))
    assert home.count(Proposal, Proposal.status == "open") == 1
    view = close_case(home.as_("LH"), 1, reason="Beboeren er flyttet").case
    assert view.closed_at == NOW
    assert [p.status for p in view.proposals] == ["withdrawn"]
    assert home.count(Escalation, Escalation.status == "open") == 0
    assert list_cases(home.as_("LH")) == []
    assert assess(home.as_("LH"), unit=None).cases == []
    with pytest.raises(InvalidInput, match="closed"):
        log(home.as_("AK"), Entry(1, ("kritik",)))
    with pytest.raises(InvalidInput, match="already closed"):
        close_case(home.as_("LH"), 1, reason="Igen")
    with home.session() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "case.close")).one()
        assert (entry.actor, entry.case_id, entry.subject) == ("LH", 1, "")
        assert session.get(AuditDetail, entry.id).detail == "Beboeren er flyttet"


def test_close_needs_a_reason_and_the_right_person(home: Home) -> None:
    with pytest.raises(InvalidInput, match="reason"):
        close_case(home.as_("LH"), 1, reason=" ")
    with pytest.raises(NotAllowed):
        close_case(home.as_("AK"), 1, reason="Flyttet")
    assert show_case(home.as_("LH"), 1).closed_at is None


def test_close_on_the_command_line(home: Home) -> None:
    result = home("case", "close", "1", "--reason", "Flyttet", who="OL")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "case 1 closed"
    assert home.count(Case, Case.closed_at.is_not(None)) == 1


def test_purge_deletes_exactly_the_old_closed_cases(town: Home) -> None:
    report = purge(town.as_("ADM", LATER))
    assert report.cases == [1, 4]
    assert report.retention_days == DEFAULT_RETENTION_DAYS
    assert report.deleted["case"] == 2 and report.deleted["notification"] == 1
    assert (report.deleted["relative"], report.deleted["resident"]) == (2, 1)

    with town.session() as session:
        assert session.exec(select(Case.id).order_by(Case.id)).all() == [2, 3]
        assert sorted(session.exec(select(Relative.name)).all()) == [
            "Jonas Jensen",
            "Peter Andersen",
        ]
        assert sorted(session.exec(select(Resident.ref)).all()) == ["SOL-1", "SOL-2"]
        assert set(session.exec(select(Observation.case_id)).all()) == {3}
        assert session.exec(select(Notification)).all() == []
        assert audit.verify(session).ok
        purged = session.exec(
            select(AuditEntry).where(AuditEntry.action.in_(["case.purge", "purge"]))
        ).all()
    assert [(e.action, e.case_id) for e in purged] == [
        ("case.purge", 1),
        ("case.purge", 4),
        ("purge", None),
    ]
    assert purged[-1].subject.startswith(f"older_than={DEFAULT_RETENTION_DAYS}d case=2 ")
    for name in SECRETS:
        assert name not in purged[-1].subject


def holding(url: str, secrets: tuple[str, ...]) -> list[str]:
    """The tables with a text value containing any of ``secrets``."""
    engine = open_engine(url)
    found = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            columns = [c["name"] for c in inspect(engine).get_columns(table)]
            matches = or_(
                *(cast(text(f'"{c}"'), String).contains(s) for c in columns for s in secrets)
            )
            query = select(func.count()).select_from(text(f'"{table}"')).where(matches)
            if connection.execute(query).scalar():
                found.append(table)
    return found


def without_secure_delete(url: str) -> None:
    """Behave like the many SQLite builds (python.org's, macOS's) that leave deleted
    rows' bytes in free pages; Debian's zeroes them and would hide a missing vacuum."""
    close_engine(url)
    engine = open_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", lambda dbapi, _: dbapi.execute("pragma secure_delete=0"))


def test_no_trace_of_the_purged_families_remains(town: Home) -> None:
    without_secure_delete(town.url)
    assert {"relative", "resident", "observation", "audit_detail"} <= set(
        holding(town.url, SECRETS)
    )
    purge(town.as_("ADM", LATER))
    assert holding(town.url, SECRETS) == []
    if town.url.startswith("sqlite"):
        close_engine(town.url)
        path = Path(town.url.removeprefix("sqlite:///"))
        with closing(sqlite3.connect(path)) as connection:
            connection.execute("pragma wal_checkpoint(truncate)")
        for file in path.parent.glob(path.name + "*"):
            data = file.read_bytes()
            for secret in SECRETS:
                assert secret.encode() not in data, (file.name, secret)


def test_dry_run_counts_what_a_real_run_deletes(town: Home) -> None:
    before = town.contents()
    dry = purge(town.as_("ADM", LATER), dry_run=True)
    assert dry.dry_run and dry.cases == [1, 4]
    assert town.contents() == before
    real = purge(town.as_("ADM", LATER))
    assert real.deleted == dry.deleted


def test_older_than_and_the_setting_choose_the_period(town: Home) -> None:
    assert purge(town.as_("ADM", NOW + 10 * DAY), dry_run=True).cases == []
    assert purge(town.as_("ADM", NOW + 10 * DAY), dry_run=True, older_than=5).cases == [1, 4]
    with town.session() as session:
        session.add(Setting(key="retention_days", value="30"))
    assert purge(town.as_("ADM", NOW + 31 * DAY), dry_run=True).retention_days == 30
    assert purge(town.as_("ADM", NOW + 31 * DAY), dry_run=True).cases == [1, 4]
    with pytest.raises(InvalidInput, match="--older-than"):
        purge(town.as_("ADM"), older_than=0)


def test_a_purged_case_number_is_never_given_again(town: Home, tmp_path: Path) -> None:
    purge(town.as_("ADM", LATER))
    admin = town.as_("ADM", LATER)
    add_resident(admin, ref="SOL-5", name="Bent Olsen", unit_id="sol")
    new = NewCase(resident_ref="SOL-5", relative_name="Lone Olsen", relation="datter")
    case = open_case(admin, new)
    assert case.id == 5  # case 4, purged, was the highest number: not reused
    export_subject(town.as_("KV", LATER), Subject(relative_id=case.relative_id), out=tmp_path / "x")
    exported = json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
    [history] = [c["history"] for c in exported["cases"]]
    assert history[0]["action"] == "case.open"
    assert "case.close" not in [h["action"] for h in history]


def test_purge_on_the_command_line_counts_real_time_not_now(town: Home) -> None:
    """§6.8: --now five years ahead must not age yesterday's closed cases into deletion."""
    later = "2031-11-25 10:00"
    cases = [c.id for c in town.rows(Case)]
    dry = town("purge", "--dry-run", now=later)
    assert dry.exit_code == 0, dry.stderr
    assert "purge (dry run)" in dry.stdout and "nothing to delete" in dry.stdout
    assert town.json("purge", now=later)["cases"] == []
    assert [c.id for c in town.rows(Case)] == cases
    verify = town("audit", "verify", now=later)
    assert verify.exit_code == 0 and verify.stdout.startswith("audit log intact: ")
