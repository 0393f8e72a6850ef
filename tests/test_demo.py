"""The demo (§10.3, issue 10 item 10): a care home a leader would believe.

Built once, at a night-time "now", and read straight from its database.
"""

import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from staircase.db.store import close_engine
from staircase.demo import NAMES, Demo, build

NIGHT = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)
"""03:30 in Copenhagen: nothing the demo stores may happen at this hour."""
LOCAL = ZoneInfo("Europe/Copenhagen")
TIMES = {
    '"case"': ("opened_at",),
    "observation": ("occurred_at", "logged_at"),
    "transition": ("at",),
    "proposal": ("raised_at", "decided_at"),
    "escalation": ("raised_at", "acknowledged_at"),
    "action": ("created_at", "closed_at"),
    "agreement": ("agreed_at", "closed_at"),
    "agreement_breach": ("at",),
    "agreement_review": ("at",),
    "case_change": ("at",),
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    built = build(path, now=NIGHT)
    yield built
    close_engine(f"sqlite:///{path}")


def query(path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(sql).fetchall()


def test_the_demo_happens_in_daytime(demo: Demo) -> None:
    hours = Counter()
    for table, columns in TIMES.items():
        for column in columns:
            for (stored,) in query(demo.path, f"select {column} from {table}"):
                if stored is not None:
                    moment = datetime.fromisoformat(stored).replace(tzinfo=UTC)
                    hours[moment.astimezone(LOCAL).hour] += 1
    assert hours and all(8 <= hour < 20 for hour in hours), sorted(hours)


def test_most_relationships_are_good_and_every_step_is_used(demo: Demo) -> None:
    steps = dict(query(demo.path, 'select step, count(*) from "case" group by step'))
    assert set(steps) == {"godt", "mindre", "stoerre", "kompliceret"}
    assert steps["godt"] > sum(steps.values()) / 2
    assert 38 <= sum(steps.values()) <= 45


def test_some_come_down_the_staircase_by_leaders_with_their_reasons(demo: Demo) -> None:
    leaders = {"LH", "BK", "OL"}
    down = query(
        demo.path,
        "select t.from_step, t.to_step, t.by_staff, t.reason from transition t "
        "where (t.from_step, t.to_step) in (values ('stoerre', 'mindre'), ('mindre', 'godt'))",
    )
    assert len(down) >= 4
    assert {by for _, _, by, _ in down} <= leaders
    assert all("Roligt" in reason or "god" in reason for *_, reason in down)
    decided = query(demo.path, "select reason from proposal where status = 'accepted'")
    kompliceret = query(
        demo.path,
        "select reason from proposal where status = 'accepted' and to_step = 'kompliceret'",
    )
    assert decided and all(r for (r,) in decided)
    assert all("Aftaler" in r or "Trusler" in r for (r,) in kompliceret)


def test_consent_of_every_kind_with_one_still_to_clarify(demo: Demo) -> None:
    kinds = dict(query(demo.path, 'select consent, count(*) from "case" group by consent'))
    assert set(kinds) == {"named", "guardian", "attorney", "other", "pending"}
    assert kinds["named"] > kinds["other"]
    pending = query(
        demo.path,
        'select a.status, a.owner_id from action a join "case" c on c.id = a.case_id '
        "where a.action = 'afklar-samtykke' and c.consent = 'pending'",
    )
    assert pending == [("open", "SP")]
    assert query(demo.path, "select field, old_value, new_value from case_change") == [
        ("consent", "pending", "named")
    ]


def test_agreements_are_reviewed_and_sometimes_broken(demo: Demo) -> None:
    breaches = dict(
        query(demo.path, "select broken_by, count(*) from agreement_breach group by broken_by")
    )
    assert breaches.get("relative", 0) >= 1 and breaches.get("staff", 0) >= 1
    assert query(demo.path, "select count(*) from agreement_review")[0][0] >= 2
    statuses = {s for (s,) in query(demo.path, "select status from agreement")}
    assert statuses == {"active", "ended"}


def test_the_notes_are_danish_and_fit_what_was_logged(demo: Demo) -> None:
    notes = query(demo.path, "select indicator, note from observation where indicator is not null")
    assert notes and all(note for _, note in notes)
    by_indicator = {indicator: note for indicator, note in notes}
    assert "kritik" in by_indicator["kritik"].lower() or "klage" in by_indicator["kritik"]
    assert "medarbejder" in by_indicator["trusler-vold-chikane"]


def test_staff_names_say_nothing_of_their_roles(demo: Demo) -> None:
    roles = ("admin", "leder", "kvalitet", "quality", "leader", "(")
    assert not [name for name in NAMES.values() if any(r in name.lower() for r in roles)]


def test_the_demo_ends_on_the_leaders_assess(demo: Demo) -> None:
    assert demo.leader == "LH"
    assert demo.assessment.units == ["solhaven"]
    assert demo.assessment.proposals and demo.assessment.escalations
