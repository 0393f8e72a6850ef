"""One unit whose rule pack can no longer be loaded never stops the others
(issue 11): ``tick`` and ``assess --all`` serve every other unit, report the
bad one with what to fix, and exit 1 so cron tells someone.
"""

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from home import NOW, Home
from staircase.admin.directory import add_resident
from staircase.cases.assess import assess
from staircase.cases.observe import Entry, log
from staircase.cases.register import NewCase, open_case
from staircase.cases.tick import tick
from staircase.db.models import AuditEntry, Unit
from staircase.db.store import session_scope


@pytest.fixture(params=["broken", "removed"])
def bad_pack(
    home: Home, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Home:
    """Case 1 in sol and case 2 in ege, both with a recent observation; then
    ege's pack becomes a file (named relative to the working folder, as the
    column holds at most 60 characters) that is not a rule pack, or is gone."""
    monkeypatch.chdir(tmp_path)
    admin = home.as_("ADM")
    add_resident(admin, ref="EGE-1", name="Karen Jensen", unit_id="ege")
    open_case(admin, NewCase(resident_ref="EGE-1", relative_name="Peter Jensen", relation="søn"))
    earlier = NOW - timedelta(days=2)
    log(home.as_("AK", earlier), Entry(1, ("utilfredshed",)))
    log(home.as_("TN", earlier), Entry(2, ("utilfredshed",)))
    pack = tmp_path / "egebakken.toml"
    if request.param == "broken":
        pack.write_text('id = "egebakken"\n[[steps]\nname = ', encoding="utf-8")
    with session_scope(home.url, write=True) as session:
        session.get(Unit, "ege").pack = pack.name
        session.commit()
    return home


def test_tick_serves_the_other_units_and_reports_the_bad_one(bad_pack: Home) -> None:
    report = tick(bad_pack.as_("ADM"))
    assert report.cases_checked == 1
    assert [s.unit_id for s in report.skipped_units] == ["ege"]
    assert "egebakken.toml" in report.skipped_units[0].problem
    with session_scope(bad_pack.url, write=False) as session:
        last = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
        assert (last.action, last.outcome) == ("tick", "ok")

    result = bad_pack("tick", who="ADM")
    assert result.exit_code == 1
    assert "tick checked 1 case" in result.stdout
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("unit ege skipped: its rule pack ")
    assert "staircase rules check" in line
    assert "Traceback" not in result.output

    as_json = bad_pack("tick", "--json", who="ADM")
    assert as_json.exit_code == 1
    assert [s["unit_id"] for s in json.loads(as_json.stdout)["skipped_units"]] == ["ege"]


def test_assess_all_serves_the_other_units_and_reports_the_bad_one(bad_pack: Home) -> None:
    assessment = assess(bad_pack.as_("KV"), all_units=True)
    assert [c.id for c in assessment.cases] == [1]
    assert "ege" not in assessment.units
    assert [s.unit_id for s in assessment.skipped_units] == ["ege"]

    result = bad_pack("assess", "--all", "--json", who="KV")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [c["id"] for c in data["cases"]] == [1]
    assert [s["unit_id"] for s in data["skipped_units"]] == ["ege"]
    assert result.stderr.startswith("unit ege skipped: ")


def test_a_leader_of_a_good_unit_is_not_troubled(bad_pack: Home) -> None:
    result = bad_pack("assess", who="LH")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
