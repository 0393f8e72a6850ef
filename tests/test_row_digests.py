"""The audit chain vouches for the data it recorded (issue 11): `audit verify` reports,
one line each, rows changed or deleted outside staircase since their last audited
write — and nothing when the product itself changed or purged them.

The edits are made with plain SQL on the database's engine, as someone with the
database but not the program would, on SQLite and on PostgreSQL alike.
"""

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from home import NOW, Home
from staircase.cases.observe import Entry, log
from staircase.db.digests import row_digest
from staircase.db.models import AuditEntry, Observation, Transition

DAY = timedelta(days=1)


def outside(home: Home, *statements: str) -> None:
    """Run SQL behind staircase's back."""
    with home.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def findings(home: Home) -> list[str]:
    """Run `audit verify`: it must fail; returns its lines, each one a finding."""
    result = home("audit", "verify", who="KV")
    assert result.exit_code == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert all(line.startswith("staircase: data altered: ") for line in lines), lines
    return [line.removeprefix("staircase: data altered: ") for line in lines]


@pytest.fixture
def worked(home: Home) -> Home:
    """A day's work: observations that move case 1 up, a retraction, a staff member's
    role changed by the admin (a later write of the same row), an agreement."""
    log(home.as_("AK"), Entry(1, ("kritik", "utilfredshed"), note="Vred over besøgstiderne"))
    for args, who in (
        (("log", "1", "--retracts", "2", "--note", "Forkert sag"), "AK"),
        (("staff", "edit", "TN", "--role", "leader"), "ADM"),
        (("agreement", "add", "1", "Besøg efter aftale"), "LH"),
    ):
        result = home(*args, who=who)
        assert result.exit_code == 0, f"{args}: {result.stderr}"
    return home


def first_observation(home: Home) -> int:
    return home.rows(Observation)[0].id


def test_an_untouched_database_verifies_and_its_writes_are_vouched_for(worked: Home) -> None:
    result = worked("audit", "verify", who="KV")

    assert result.exit_code == 0, result.stderr
    logged = [e for e in worked.rows(AuditEntry) if e.rows and "observation:" in e.rows]
    assert logged, "the log's entries carry the digests of the observations"
    assert any("staff:TN=" in e.rows for e in worked.rows(AuditEntry))


def test_an_observations_note_edited_outside_is_reported(worked: Home) -> None:
    observation = first_observation(worked)
    outside(worked, f"update observation set note = 'Alt er fint' where id = {observation}")

    assert findings(worked) == [
        f"observation {observation} was changed outside staircase "
        f"(entry {_last_write(worked, 'observation', observation)} recorded its last write)"
    ]


def test_a_move_and_a_role_changed_outside_are_each_reported(worked: Home) -> None:
    [move] = worked.rows(Transition)
    outside(
        worked,
        f"update transition set to_step = 'godt' where id = {move.id}",
        "update staff set role = 'admin' where id = 'AK'",
    )

    lines = findings(worked)

    assert len(lines) == 2
    assert lines[0].startswith("staff AK was changed outside staircase")
    assert lines[1].startswith(f"transition {move.id} was changed outside staircase")


def test_an_observation_deleted_outside_is_reported(worked: Home) -> None:
    retraction = worked.rows(Observation)[-1].id
    outside(worked, f"delete from observation where id = {retraction}")

    [line] = findings(worked)

    assert line.startswith(f"observation {retraction} was deleted outside staircase")


def test_a_later_write_by_the_product_supersedes_the_earlier_digest(worked: Home) -> None:
    """TN was added as staff and made a leader later: the latest write is what counts,
    so changing TN back to staff in SQL is noticed, and the edit itself was not."""
    assert worked("audit", "verify", who="KV").exit_code == 0
    outside(worked, "update staff set role = 'staff' where id = 'TN'")

    [line] = findings(worked)

    assert line.startswith("staff TN was changed outside staircase")


def test_purge_deletes_without_raising_an_alarm(worked: Home) -> None:
    """Purge counts real time (§6.8): the case was closed three days before the tests' day."""
    closed = worked("case", "close", "1", "--reason", "Flyttet", who="LH", now=NOW - 3 * DAY)
    assert closed.exit_code == 0, closed.stderr

    purged = worked.json("purge", "--older-than", "1", who="ADM")

    assert purged["cases"] == [1], purged
    assert worked.count(Observation) == 0
    result = worked("audit", "verify", who="KV")
    assert result.exit_code == 0, result.stderr


def _last_write(home: Home, table: str, row_id: int) -> int:
    """The id of the last audit entry whose digests name the row."""
    with home.session() as session:
        entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    return [e.id for e in entries if f"{table}:{row_id}=" in e.rows][-1]


def test_a_forger_who_rewrites_the_digest_breaks_the_chain(worked: Home) -> None:
    """The digests are chained: fixing one up after the edit, without the key, shows."""
    observation = first_observation(worked)
    entry = _last_write(worked, "observation", observation)
    [before] = worked.rows(Observation, Observation.id == observation)
    outside(worked, f"update observation set note = 'Alt er fint' where id = {observation}")
    [after] = worked.rows(Observation, Observation.id == observation)
    old, new = row_digest(before), row_digest(after)
    outside(worked, f"update audit set rows = replace(rows, '{old}', '{new}') where id = {entry}")

    result = worked("audit", "verify", who="KV")

    assert result.exit_code == 1
    assert result.stderr.strip() == f"staircase: audit log broken: entry {entry} was altered"
