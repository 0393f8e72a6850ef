"""Per-person PostgreSQL roles (§6.8): each person connects as their own role, acts as
the staff member bound to it, and no role can change the audit log.

Roles are cluster-wide, and the server is shared: every role here has a name of its
own test's, and is dropped at the end of it.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from sqlmodel import select

from databases import Server
from driver import Staircase
from home import MARIAS_CASE
from staircase.db.models import AuditEntry, Case, Observation, Staff
from staircase.db.store import INSUFFICIENT_PRIVILEGE, close_engine, session_scope

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("backend", ["postgresql"])]


@dataclass(frozen=True)
class Office:
    """A PostgreSQL database that is not a shared terminal: its owner is the admin ADM;
    AD (a second admin), AK (staff) and LH (leader) connect as roles of their own."""

    url: str
    roles: dict[str, str]

    def as_owner(self) -> Staircase:
        return Staircase(self.url, who=None, now=None)

    def url_of(self, initials: str) -> str:
        return make_url(self.url).set(username=self.roles[initials]).render_as_string()

    def as_role(self, initials: str) -> Staircase:
        """The command line of the person who logged in to PostgreSQL as ``initials``'s role."""
        return Staircase(self.url_of(initials), who=None, now=None)


SET_UP = (
    ("unit", "add", "sol", "--name", "Solhaven"),
    ("staff", "add", "AD", "--name", "Anders Dam", "--role", "admin"),
    ("staff", "add", "AK", "--name", "Aisha Khan", "--role", "staff", "--unit", "sol"),
    ("staff", "add", "LH", "--name", "Lise Holm", "--role", "leader", "--unit", "sol"),
    ("resident", "add", "SOL-1", "--name", "Else Andersen", "--unit", "sol"),
    MARIAS_CASE,
)


@pytest.fixture
def office(pg_server: Server, db_url: str) -> Iterator[Office]:
    run = uuid.uuid4().hex[:8]
    roles = {initials: f"st_{run}_{initials.lower()}" for initials in ("AD", "AK", "LH")}
    office = Office(db_url, roles)
    owner = office.as_owner()
    try:
        assert owner("init", "--admin", "ADM", "--name", "Anna Admin").exit_code == 0
        for args in SET_UP:
            login = ("--login", roles[args[2]]) if args[:2] == ("staff", "add") else ()
            result = owner(*args, *login)
            assert result.exit_code == 0, f"{args}: {result.stderr}"
        granted = owner("--json", "db", "grant").json()
        assert granted["granted"] == ["AD", "AK", "LH"], granted
        yield office
    finally:
        for initials, role in roles.items():
            close_engine(office.url_of(initials))
            with pg_server.owner.connect() as connection:
                connection.execute(text(f'drop owned by "{role}"'))
                connection.execute(text(f'drop role if exists "{role}"'))


def observations(url: str) -> list[Observation]:
    with session_scope(url, write=False) as session:
        return list(session.exec(select(Observation)).all())


def last_entry(url: str) -> AuditEntry:
    with session_scope(url, write=False) as session:
        return session.exec(select(AuditEntry).order_by(AuditEntry.id.desc())).first()


def test_a_person_connected_as_their_own_role_acts_as_themselves(office: Office) -> None:
    result = office.as_role("AK")("log", "1", "kritik")

    assert result.exit_code == 0, result.stderr
    [logged] = observations(office.url)
    assert logged.logged_by == "AK"
    with session_scope(office.url, write=False) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "observation.add")).one()
    assert (entry.actor, entry.shared) == ("AK", False)
    assert office.as_owner()("audit", "verify").exit_code == 0


@pytest.mark.parametrize(
    "statement",
    [
        "update audit set actor = 'XX'",
        "delete from audit",
        "truncate audit cascade",
        "update audit_detail set detail = ''",
        "delete from audit_detail",
        "update staff set role = 'admin'",
        "insert into setting values ('shared_terminal', 'yes')",
        "drop table observation",
    ],
)
@pytest.mark.parametrize("initials", ["AK", "LH"])
def test_a_staff_role_cannot_change_the_log_the_directory_or_the_schema(
    office: Office, initials: str, statement: str
) -> None:
    entries = office.as_owner().count(AuditEntry)
    engine = create_engine(office.url_of(initials))
    try:
        with pytest.raises(ProgrammingError) as refused, engine.begin() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()
    assert refused.value.orig.sqlstate == INSUFFICIENT_PRIVILEGE, refused.value
    assert office.as_owner().count(AuditEntry) == entries
    with session_scope(office.url, write=False) as session:
        assert session.get(Staff, initials).role != "admin"


def test_as_naming_someone_else_under_a_role_is_refused_in_one_line(office: Office) -> None:
    result = office.as_role("AK")("--as", "LH", "log", "1", "kritik")

    assert result.exit_code == 3
    [line] = result.stderr.strip().splitlines()
    assert "--as names someone else" in line and "is AK" in line
    assert observations(office.url) == []
    refusal = last_entry(office.url)
    assert (refusal.actor, refusal.action, refusal.outcome) == ("AK", "log", "refused")


def test_a_deactivated_persons_role_cannot_act(office: Office) -> None:
    owner = office.as_owner()
    left = owner("staff", "deactivate", "AK", "--reason", "Stopped")
    assert left.exit_code == 0, left.stderr

    before_grant = office.as_role("AK")("log", "1", "kritik")
    closed = owner("--json", "db", "grant").json()
    close_engine(office.url_of("AK"))  # a new command is a new connection
    after_grant = office.as_role("AK")("log", "1", "kritik")

    assert before_grant.exit_code == 3 and "deactivated" in before_grant.stderr
    assert closed["closed"] == ["AK"] and closed["granted"] == ["AD", "LH"]
    assert after_grant.exit_code == 4
    [line] = after_grant.stderr.strip().splitlines()
    assert "not permitted to log in" in line
    assert observations(office.url) == []


def test_db_grant_is_an_admins_command_and_is_audited(office: Office) -> None:
    refused = office.as_role("LH")("db", "grant")
    assert refused.exit_code == 3
    assert "db.grant: not allowed for role leader" in refused.stderr

    assert office.as_owner()("db", "grant").exit_code == 0
    entry = last_entry(office.url)
    assert (entry.actor, entry.action, entry.subject) == ("ADM", "db.grant", "granted=3 closed=0")


def test_what_is_the_owners_is_refused_to_an_admins_role_in_one_line(office: Office) -> None:
    """Purge deletes audit details, which no staff role may: it stays the owner's."""
    closed = office.as_owner()("--now", "-3d", "case", "close", "1", "--reason", "Flyttet")
    assert closed.exit_code == 0, closed.stderr

    result = office.as_role("AD")("purge", "--older-than", "1")

    assert result.exit_code == 3
    [line] = result.stderr.strip().splitlines()
    assert "permission denied" in line and "owner" in line
    with session_scope(office.url, write=False) as session:
        assert session.get(Case, 1) is not None, "nothing was deleted"
    assert office.as_owner().json("purge", "--older-than", "1")["cases"] == [1]
