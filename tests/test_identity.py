"""Identity (§6.8): who acts is established from the account, not claimed with --as;
the shifted clock never writes the future into a live database, nor moves retention.
"""

import os
import pwd
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, update
from sqlalchemy.engine import make_url
from sqlmodel import select

from driver import Staircase
from home import NOW, Home, clock_at
from staircase.admin.directory import add_staff, add_unit, init
from staircase.core.work import Request
from staircase.db.models import AuditEntry, Observation, Staff, Unit
from staircase.db.store import session_scope

ME = pwd.getpwuid(os.getuid()).pw_name


@pytest.fixture
def office(db_url: str) -> str:
    """A database that is not a shared terminal, its admin bound to this test's account."""
    init(db_url, admin="ADM", name="Anna Admin", clock=clock_at(NOW - timedelta(days=2)))
    return db_url


def account(url: str) -> str:
    """The account a command runs from: the OS user on SQLite, the role on PostgreSQL."""
    parsed = make_url(url)
    return ME if parsed.get_backend_name() == "sqlite" else parsed.username


def by_account(url: str) -> Staircase:
    """The command line as the account running it, at the real time: nobody is claimed
    (no ``STAIRCASE_USER``) and no clock is set (no ``STAIRCASE_NOW``)."""
    return Staircase(url, who=None, now=None)


def count(url: str, table) -> int:
    with session_scope(url, write=False) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def last_entry(url: str) -> AuditEntry:
    with session_scope(url, write=False) as session:
        return session.exec(select(AuditEntry).order_by(AuditEntry.id.desc())).first()


def test_init_binds_its_admin_to_the_account_that_ran_it(office: str) -> None:
    with session_scope(office, write=False) as session:
        assert session.get(Staff, "ADM").login == account(office)

    result = by_account(office)("unit", "add", "sol", "--name", "Solhaven")

    assert result.exit_code == 0, result.stderr
    assert last_entry(office).actor == "ADM"
    assert last_entry(office).shared is False


def test_as_naming_someone_else_is_refused_and_audited(office: str) -> None:
    real = Request(url=office, clock=clock_at(NOW))
    add_unit(real, unit_id="sol", name="Solhaven", parent=None, pack=None)
    add_staff(real, initials="LH", name="Lise Holm", role="leader", units=["sol"], login="lise")
    staff = count(office, Staff)

    result = by_account(office)(
        "--as", "LH", "staff", "add", "EVIL", "--name", "E", "--role", "admin"
    )

    assert result.exit_code == 3
    assert "--as names someone else" in result.stderr
    assert count(office, Staff) == staff
    refusal = last_entry(office)
    assert (refusal.actor, refusal.action, refusal.outcome) == ("ADM", "staff.add", "refused")


def test_staircase_user_cannot_claim_another_person_either(office: str) -> None:
    units = count(office, Unit)

    result = by_account(office)("unit", "add", "x", "--name", "X", env={"STAIRCASE_USER": "KV"})

    assert result.exit_code == 3
    assert count(office, Unit) == units


def test_init_on_a_database_with_people_never_adds_an_admin(office: str) -> None:
    result = by_account(office)("init", "--admin", "MAL", "--name", "Mallory")

    assert result.exit_code == 3
    assert "never adds an admin" in result.stderr
    with session_scope(office, write=False) as session:
        assert session.exec(select(Staff.id)).all() == ["ADM"]


def test_init_cannot_turn_a_database_into_a_shared_terminal(office: str) -> None:
    result = by_account(office)("init", "--admin", "ADM", "--name", "Anna", "--shared-terminal")

    assert result.exit_code == 1
    assert by_account(office)("--as", "KV", "unit", "list").exit_code != 0


def test_a_deactivated_person_cannot_act(office: str) -> None:
    with session_scope(office, write=True) as session:
        session.execute(update(Staff).where(Staff.id == "ADM").values(active=False))

    result = by_account(office)("unit", "list")

    assert result.exit_code == 3
    assert "deactivated" in result.stderr


def test_now_later_than_real_time_is_refused_for_writes_on_a_live_database(office: str) -> None:
    ahead = by_account(office)("--now", "+2d", "unit", "add", "sol", "--name", "Solhaven")
    behind = by_account(office)("--now", "-1h", "unit", "add", "ege", "--name", "Egebakken")
    reading = by_account(office)("--now", "+2d", "unit", "list")

    assert ahead.exit_code == 3
    assert "--now is later than the real time" in ahead.stderr
    assert behind.exit_code == 0, behind.stderr
    assert reading.exit_code == 0, reading.stderr
    with session_scope(office, write=False) as session:
        assert session.exec(select(Unit.id)).all() == ["ege"]


def test_on_a_shared_terminal_as_is_trusted_and_every_entry_is_marked(home: Home) -> None:
    result = by_account(home.url)("--as", "LH", "show", "1")

    assert result.exit_code == 0, result.stderr
    entry = last_entry(home.url)
    assert (entry.actor, entry.shared) == ("LH", True)


def test_no_observation_is_stored_as_logged_in_the_future(home: Home) -> None:
    env = {"STAIRCASE_USER": "AK"}
    result = by_account(home.url)("--now", "+3d", "log", "1", "kritik", "--at", "-1d", env=env)
    assert result.exit_code == 0, result.stderr

    with session_scope(home.url, write=False) as session:
        newest = session.exec(select(Observation).order_by(Observation.id.desc())).first()
    assert newest.logged_at <= datetime.now(UTC)
    assert newest.occurred_at > datetime.now(UTC)


def test_db_grant_on_sqlite_says_what_binds_people_there(tmp_path) -> None:
    """SQLite only: PostgreSQL's roles are tested in test_database_roles."""
    office = f"sqlite:///{tmp_path / 'office.db'}"
    init(office, admin="ADM", name="Anna Admin", clock=clock_at(NOW - timedelta(days=2)))
    before = by_account(office).contents()

    result = by_account(office)("db", "grant")

    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert "db grant is for PostgreSQL" in line and "--login" in line
    assert by_account(office).contents() == before
