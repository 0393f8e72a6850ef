"""Loading the shipped packs, running their embedded tests, and registry checks on them (§4)."""

import shutil
import tomllib
from pathlib import Path

import pytest

from staircase.domain.engine import CaseState, evaluate
from staircase.domain.pack import Escalation, installed_packs, load_pack, parse_pack
from staircase.domain.packtests import NOW, run_pack_tests

SHIPPED = sorted(installed_packs())


def test_the_default_pack_loads_by_id_from_any_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_pack().id == "aarhus"
    assert load_pack("aarhus") is load_pack()


def test_a_pack_loads_by_path_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "packs").mkdir()
    shutil.copy(installed_packs()["aarhus"], tmp_path / "packs" / "mine.toml")
    monkeypatch.chdir(tmp_path)
    assert load_pack("packs/mine.toml") == load_pack("aarhus")
    assert load_pack(tmp_path / "packs" / "mine.toml").version == "1.0.0"


def test_every_embedded_test_of_the_default_pack_passes() -> None:
    pack = load_pack()
    results = run_pack_tests(pack)
    assert [r.name for r in results] == [t.name for t in pack.tests]
    assert [r for r in results if not r.passed] == []


def _with_test(name: str, **expect: object):
    """The default pack with one embedded test's expectations overridden."""
    data = tomllib.loads(installed_packs()["aarhus"].read_text(encoding="utf-8"))
    test = next(t for t in data["tests"] if t["name"] == name)
    test["expect"] = {**test["expect"], **expect}
    return parse_pack(data, source="edited.toml")


def test_a_failing_test_says_what_differs() -> None:
    pack = _with_test(
        "manglende dialog foreslaar kompliceret og informerer omraadelederen",
        indicated="stoerre",
        escalations=["unit_leader"],
        escalation_due_days=3,
    )
    failed = [r for r in run_pack_tests(pack) if not r.passed]
    assert len(failed) == 1
    assert failed[0].failures == (
        'indicated: expected "stoerre", got "kompliceret"',
        "escalations: expected {unit_leader}, got {area_leader, unit_leader}",
        "escalation_due_days: expected 3, got 1",
    )


def test_no_proposal_and_the_automatic_move_are_checked() -> None:
    pack = _with_test("uklar dialog flytter automatisk til mindre", step="godt", proposal="mindre")
    (failed,) = [r for r in run_pack_tests(pack) if not r.passed]
    assert failed.failures == (
        'step: expected "godt", got "mindre"',
        'proposal: expected "mindre", got "none"',
    )


def test_tests_run_against_a_fixed_clock() -> None:
    pack = load_pack()
    assert run_pack_tests(pack, now=NOW) == run_pack_tests(pack)
    assert evaluate(pack, [], CaseState(step=pack.bottom.id), NOW).indicated == pack.bottom.id


@pytest.mark.parametrize("pack_id", SHIPPED)
def test_every_indicator_is_used_by_an_embedded_test(pack_id: str) -> None:
    pack = load_pack(pack_id)
    tested = {o.indicator for test in pack.tests for o in test.observations}
    assert [i.id for i in pack.indicators if i.id not in tested] == []


@pytest.mark.parametrize("pack_id", SHIPPED)
def test_every_step_above_the_bottom_has_calm_days(pack_id: str) -> None:
    """Without calm days a case could never be proposed down from the step (§3.3)."""
    pack = load_pack(pack_id)
    assert [s.id for s in pack.ladder[1:] if s.calm_days is None] == []


@pytest.mark.parametrize("pack_id", SHIPPED)
def test_every_step_has_an_escalation_policy(pack_id: str) -> None:
    """Every step says who is told (§3.4); above the bottom it tells someone."""
    pack = load_pack(pack_id)
    assert all(isinstance(s.escalation, Escalation) for s in pack.steps)
    assert [s.id for s in pack.ladder[1:] if s.escalation.to == "none"] == []
