"""Subject access (GDPR art. 15, §6.4): everything held about one person, with the
history of who read it, and other people's names redacted; audited; refused
for roles without the right.
"""

import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from home import NOW, Home
from staircase.cases.observe import Entry, log
from staircase.cases.register import NewCase, open_case
from staircase.cases.show import show_case
from staircase.db.models import AuditDetail, AuditEntry

NOTE = "Maria ringede: Jonas Andersen og Lise Holm var uenige, AK noterede <b>vred</b>"
READ_AT = NOW - timedelta(hours=3)
STAFF_NAMES = ("Lise Holm", "Anna Admin", "Karin Kvalitet", "Ole Lund")
"""Staff other than Aisha Khan (AK), case 1's contact person, whose name stays (§6.4)."""


@pytest.fixture
def family(home: Home) -> Home:
    """Case 1 (Maria, daughter of Else) with a note naming others, read by LH;
    case 2 (Jonas, Else's son) with a note of its own."""
    open_case(
        home.as_("ADM"),
        NewCase(resident_ref="SOL-1", relative_name="Jonas Andersen", relation="søn"),
    )
    log(home.as_("AK", NOW - timedelta(hours=5)), Entry(1, ("utilfredshed",), note=NOTE))
    log(home.as_("AK", NOW - timedelta(hours=4)), Entry(2, ("kritik",), note="Jonas' egen sag"))
    show_case(home.as_("LH", READ_AT), 1)
    return home


def export(home: Home, tmp_path: Path, *subject: str, who: str = "KV") -> tuple[dict, str]:
    out = tmp_path / "indsigt"
    result = home("subject-access", *subject, "--out", str(out), who=who)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"subject access for {subject[0][2:]} ")
    return (
        json.loads(out.with_suffix(".json").read_text(encoding="utf-8")),
        out.with_suffix(".html").read_text(encoding="utf-8"),
    )


def test_a_relative_gets_their_notes_and_who_read_them(family: Home, tmp_path: Path) -> None:
    data, html = export(family, tmp_path, "--relative", "1")
    assert data["person"]["name"] == "Maria Andersen"
    [case] = data["cases"]
    assert case["case"]["relative"] == "Maria Andersen"
    assert case["case"]["resident"] == "beboer"
    [observation] = case["observations"]
    assert observation["logged_by"] == "medarbejder"
    assert observation["note"] == (
        "Maria ringede: [pårørende] og [leder] var uenige, AK noterede <b>vred</b>"
    )
    reads = [h for h in case["history"] if h["action"] == "case.read"]
    assert [(h["by"], h["clock"]) for h in reads] == [("leder", "2026-11-23T06:00:00Z")]
    assert "Maria ringede" in html and "[leder]" in html
    assert "&lt;b&gt;vred&lt;/b&gt;" in html and "<b>vred</b>" not in html
    for text in (json.dumps(data, ensure_ascii=False), html):
        for other in (*STAFF_NAMES, "Jonas", "Else", "Lise", "Jonas' egen sag"):
            assert other not in text


def test_a_resident_gets_all_their_cases_with_relatives_redacted(
    family: Home, tmp_path: Path
) -> None:
    data, html = export(family, tmp_path, "--resident", "SOL-1")
    assert data["person"]["name"] == "Else Andersen"
    assert [c["case"]["id"] for c in data["cases"]] == [1, 2]
    assert {c["case"]["relative"] for c in data["cases"]} == {"pårørende"}
    assert {c["case"]["relation"] for c in data["cases"]} == {"datter", "søn"}
    for text in (json.dumps(data, ensure_ascii=False), html):
        assert "Else Andersen" in text
        for other in ("Maria", "Jonas", *STAFF_NAMES):
            assert other not in text


def test_the_export_is_audited_and_private(family: Home, tmp_path: Path) -> None:
    export(family, tmp_path, "--relative", "1")
    for suffix in (".json", ".html"):
        assert stat.S_IMODE((tmp_path / f"indsigt{suffix}").stat().st_mode) == 0o600
    with family.session() as session:
        *reads, last = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()[-2:]
        assert (last.actor, last.action, last.subject) == ("KV", "subject.access", "relative:1")
        assert session.get(AuditDetail, last.id).detail == str(tmp_path / "indsigt.json")
        assert [(r.action, r.case_id, r.subject) for r in reads] == [
            ("case.read", 1, "subject-access")
        ]
    (tmp_path / "again").mkdir()
    again, _ = export(family, tmp_path / "again", "--relative", "1", who="ADM")
    assert "subject.access" in [h["action"] for h in again["history"]]


def test_staff_are_refused_with_exit_3_and_the_refusal_is_audited(
    family: Home, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    out = str(folder / "indsigt.json")
    result = family("subject-access", "--relative", "1", "--out", out, who="AK")
    assert result.exit_code == 3
    assert list(folder.iterdir()) == []
    last = family.rows(AuditEntry)[-1]
    assert (last.actor, last.action, last.outcome) == ("AK", "subject.access", "refused")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--relative", "1", "--resident", "SOL-1"], "name one person"),
        ([], "name one person"),
        (["--relative", "99"], "no relative 99"),
        (["--resident", "SOL-9"], 'no resident "SOL-9"'),
    ],
)
def test_bad_requests_write_nothing(family: Home, tmp_path: Path, args, words) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    before = family.contents()
    result = family("subject-access", *args, "--out", str(folder / "x"), who="KV")
    assert result.exit_code == 1
    assert words in result.stderr
    assert list(folder.iterdir()) == []
    assert family.contents() == before


def test_existing_files_need_force(family: Home, tmp_path: Path) -> None:
    (tmp_path / "indsigt.html").write_text("old")
    out = str(tmp_path / "indsigt.json")
    refused = family("subject-access", "--relative", "1", "--out", out, who="KV")
    assert refused.exit_code == 1 and "--force" in refused.stderr
    assert not (tmp_path / "indsigt.json").exists()
    forced = family("subject-access", "--relative", "1", "--out", out, "--force", who="KV")
    assert forced.exit_code == 0, forced.stderr
    assert (tmp_path / "indsigt.html").read_text().startswith("<!DOCTYPE html>")


def test_an_overview_the_case_appeared_in_is_in_its_history(family: Home, tmp_path: Path) -> None:
    """An assess or a case list is one audit entry for many cases (issue 14); the
    family still learns that their case was read in a leader's overview (§6.2)."""
    assert family("assess", who="LH").exit_code == 0
    assert family("case", "list", who="LH").exit_code == 0
    data, _ = export(family, tmp_path, "--relative", "1")
    [case] = data["cases"]
    listed = [(h["action"], h["by"], h["case_id"]) for h in case["history"]]
    assert ("assess", "leder", 1) in listed
    assert ("case.search", "leder", 1) in listed


def test_an_assess_cut_short_still_tells_the_family_it_was_read(
    family: Home, tmp_path: Path
) -> None:
    """Assess streams its cases (issue 14); when the output breaks off — a closed
    pipe, Ctrl-C — the cases already read are audited all the same (§6.2)."""
    from staircase.cases.assess import assessing

    with pytest.raises(BrokenPipeError), assessing(family.as_("LH")) as live:
        assert next(live.cases)["id"] == 1
        raise BrokenPipeError
    data, _ = export(family, tmp_path, "--relative", "1")
    [case] = data["cases"]
    listed = [(h["action"], h["by"], h["outcome"]) for h in case["history"]]
    assert ("assess", "leder", "cut short") in listed
    assert family("audit", "verify", who="KV").exit_code == 0
