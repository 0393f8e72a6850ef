"""Agreements over time (§2, issue 10 item 8): listed by show, broken more than once
by either side, reviewed, ended after a breach.

Through the command line, then the database.
"""

import json

from sqlmodel import select

from staircase.db.models import Agreement, AgreementBreach, AgreementReview, Observation
from staircase.db.store import session_scope


def agree(home, text: str = "Besøg aftales dagen før", review: str = "2026-12-15") -> int:
    result = home("--json", "agreement", "add", "1", text, "--review", review, who="AK")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["id"]


def indicators(home) -> list[str]:
    with session_scope(home.url, write=False) as session:
        return list(session.exec(select(Observation.indicator).order_by(Observation.id)).all())


def test_show_lists_the_agreements(home) -> None:
    agreement = agree(home)
    shown = json.loads(home("--json", "show", "1", who="AK").stdout)
    assert [
        (a["id"], a["text"], a["review_at"], a["status"], a["breaches"])
        for a in shown["agreements"]
    ] == [(agreement, "Besøg aftales dagen før", "2026-12-14T23:00:00Z", "active", [])]
    printed = home("show", "1", who="AK").stdout
    assert "Agreements" in printed and "Besøg aftales dagen før" in printed


def test_each_breach_is_recorded_and_only_the_relatives_logs_aftaler_brudt(home) -> None:
    agreement = agree(home)
    by_staff = home(
        "--json",
        "agreement",
        "broken",
        str(agreement),
        "--by",
        "staff",
        "--note",
        "Glemte",
        who="AK",
    )
    assert by_staff.exit_code == 0, by_staff.stderr
    assert json.loads(by_staff.stdout)["logged"] is None
    assert indicators(home) == []

    by_relative = home(
        "--json", "agreement", "broken", str(agreement), "--note", "Uanmeldt", who="AK"
    )
    assert by_relative.exit_code == 0, by_relative.stderr
    logged = json.loads(by_relative.stdout)["logged"]
    assert logged["case"]["indicated_step"] == "kompliceret"
    by_both = home(
        "agreement", "broken", str(agreement), "--by", "both", now="2026-11-24 10:00", who="AK"
    )
    assert by_both.exit_code == 0, by_both.stderr
    assert "breach by both recorded (3 in all)" in by_both.stdout
    assert indicators(home) == ["aftaler-brudt", "aftaler-brudt"]

    with session_scope(home.url, write=False) as session:
        breaches = session.exec(select(AgreementBreach).order_by(AgreementBreach.id)).all()
        observations = session.exec(select(Observation.id).order_by(Observation.id)).all()
        assert session.get(Agreement, agreement).status == "active"
    assert [(b.broken_by, b.note, b.observation_id) for b in breaches] == [
        ("staff", "Glemte", None),
        ("relative", "Uanmeldt", observations[0]),
        ("both", None, observations[1]),
    ]
    shown = json.loads(home("--json", "show", "1", who="AK").stdout)
    assert [b["broken_by"] for b in shown["agreements"][0]["breaches"]] == [
        "staff",
        "relative",
        "both",
    ]


def test_a_breach_by_nobody_known_writes_nothing(home) -> None:
    agreement = agree(home)
    result = home("agreement", "broken", str(agreement), "--by", "relativ", who="AK")
    assert result.exit_code == 1
    assert 'did you mean "relative"' in result.stderr
    with session_scope(home.url, write=False) as session:
        assert session.exec(select(AgreementBreach)).all() == []
    assert indicators(home) == []


def test_an_agreement_can_be_ended_after_a_breach(home) -> None:
    agreement = agree(home)
    assert home("agreement", "broken", str(agreement), who="AK").exit_code == 0
    ended = home("--json", "agreement", "end", str(agreement), now="2026-11-25 10:00", who="AK")
    assert ended.exit_code == 0, ended.stderr
    assert json.loads(ended.stdout)["status"] == "ended"
    with session_scope(home.url, write=False) as session:
        assert session.get(Agreement, agreement).status == "ended"
    again = home("agreement", "broken", str(agreement), now="2026-11-26 10:00", who="AK")
    assert again.exit_code == 1 and "already ended" in again.stderr


def test_a_review_records_it_and_sets_the_next_date(home) -> None:
    agreement = agree(home, review="2026-12-01")
    due = json.loads(home("--json", "inbox", now="2026-12-02 09:00", who="AK").stdout)["items"]
    assert [(i["kind"], i["id"]) for i in due] == [("agreement", agreement)]

    reviewed = home(
        "--json",
        "agreement",
        "review",
        str(agreement),
        "--next",
        "2027-03-01",
        "--note",
        "Gennemgået med Maria; aftalen holder",
        who="LH",
        now="2026-12-02 10:00",
    )
    assert reviewed.exit_code == 0, reviewed.stderr
    with session_scope(home.url, write=False) as session:
        review = session.exec(select(AgreementReview)).one()
        assert session.get(Agreement, agreement).review_at == review.next_review_at
    assert (review.by_staff, review.note) == ("LH", "Gennemgået med Maria; aftalen holder")
    assert review.next_review_at.isoformat() == "2027-02-28T23:00:00+00:00"
    assert (
        json.loads(home("--json", "inbox", now="2026-12-03 09:00", who="AK").stdout)["items"] == []
    )

    past = home("agreement", "review", str(agreement), "--next", "2026-11-01", who="AK")
    assert past.exit_code == 1 and "in the future" in past.stderr
    with session_scope(home.url, write=False) as session:
        assert len(session.exec(select(AgreementReview)).all()) == 1
