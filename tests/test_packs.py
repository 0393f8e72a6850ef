"""Loading the shipped packs, running their embedded tests, and registry checks on them (§4)."""

import shutil
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from staircase.domain.pack import Escalation, installed_packs, load_pack, parse_pack
from staircase.domain.packtests import run_pack_tests

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
    assert load_pack(tmp_path / "packs" / "mine.toml").version == "1.1.0"


def test_every_embedded_test_of_the_default_pack_passes() -> None:
    pack = load_pack()
    results = run_pack_tests(pack)
    assert [r.name for r in results] == [t.name for t in pack.tests]
    assert [r for r in results if not r.passed] == []


def _shipped(pack_id: str = "aarhus") -> dict:
    return tomllib.loads(installed_packs()[pack_id].read_text(encoding="utf-8"))


def _with_test(name: str, **expect: object):
    """The default pack with one embedded test's expectations overridden."""
    data = _shipped()
    test = next(t for t in data["tests"] if t["name"] == name)
    test["expect"] = {**test["expect"], **expect}
    return parse_pack(data, source="edited.toml")


def test_a_failing_test_says_what_differs() -> None:
    pack = _with_test(
        "Manglende dialog foreslår kompliceret og informerer områdelederen",
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
    pack = _with_test(
        "Uklar dialog flytter sagen til mindre af sig selv", step="godt", proposal="mindre"
    )
    (failed,) = [r for r in run_pack_tests(pack) if not r.passed]
    assert failed.failures == (
        'step: expected "godt", got "mindre"',
        'proposal: expected "mindre", got "none"',
    )


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # Copenhagen springs forward
        datetime(2026, 10, 25, 1, 0, tzinfo=UTC),  # and falls back
        datetime(2028, 2, 29, 23, 59, tzinfo=UTC),
        datetime(2099, 12, 31, 12, 0, tzinfo=UTC),
    ],
)
def test_tests_run_against_a_fixed_clock(moment: datetime) -> None:
    """A pack's tests date their observations from the clock they are given, so a
    consultant sees the same verdicts whatever day, or night of a DST change, they run."""
    pack = load_pack()
    fixed = run_pack_tests(pack)
    assert [r for r in fixed if not r.passed] == []
    assert run_pack_tests(pack, now=moment) == fixed


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


@pytest.mark.parametrize("pack_id", SHIPPED)
@pytest.mark.parametrize(("part", "flag"), [("when", "distinct_days"), ("", "hold")])
def test_every_distinct_days_and_hold_is_tested_by_an_embedded_test(
    pack_id: str, part: str, flag: str
) -> None:
    """A flag that no embedded test notices could be deleted without anyone seeing (§4.2)."""

    def fields(rule: dict) -> dict:
        return rule[part] if part else rule

    flagged = [r["id"] for r in _shipped(pack_id)["rules"] if fields(r).get(flag)]
    for rule_id in flagged:
        data = _shipped(pack_id)
        del fields(next(r for r in data["rules"] if r["id"] == rule_id))[flag]
        results = run_pack_tests(parse_pack(data, source="edited.toml"))
        assert any(not r.passed for r in results), f"{rule_id} without {flag} passes every test"


def test_the_default_pack_counts_the_pattern_by_day_and_holds_on_violence() -> None:
    pack = load_pack()
    assert [r.id for r in pack.rules if r.when.distinct_days] == ["moenster-mindre"]
    assert [r.id for r in pack.rules if r.hold] == ["vold-trusler"]
    assert [r.id for r in pack.holds("mindre")] == ["vold-trusler"]


def test_pack_test_names_are_danish_with_danish_letters() -> None:
    """§3.5/issue 10.11: names staff and consultants read, not ascii transliterations."""
    names = [t.name for t in load_pack().tests]
    assert [n for n in names if any(w in n.lower() for w in ("oe", "aa", "loefter"))] == []
    assert any("ø" in n for n in names) and any("å" in n for n in names)


@pytest.mark.parametrize("pack_id", SHIPPED)
def test_every_supersede_is_tested_by_an_embedded_test(pack_id: str) -> None:
    """A replaced action that no test notices could come back unseen (§3.4, §4.2)."""
    replacing = [a["id"] for a in _shipped(pack_id)["actions"] if a.get("supersede")]
    for action_id in replacing:
        data = _shipped(pack_id)
        del next(a for a in data["actions"] if a["id"] == action_id)["supersede"]
        results = run_pack_tests(parse_pack(data, source="edited.toml"))
        assert any(not r.passed for r in results), f"{action_id} without supersede passes"


def test_a_step_only_proposed_brings_no_actions_until_accepted() -> None:
    """A pack test claiming større's actions for a case only proposed there now fails,
    and says which actions the case really holds (§3.4: a rejection leaves none behind)."""
    pack = _with_test(
        "Kritik foreslår større og eskalerer til lederen inden 3 dage",
        actions=["plan-haandtering", "konflikthaandtering", "oevrige-fagligheder"],
    )
    (failed,) = [r for r in run_pack_tests(pack) if not r.passed]
    assert failed.failures == (
        "actions: expected {konflikthaandtering, oevrige-fagligheder, plan-haandtering}, "
        "got {dokumentation, hurtig-reaktion, tydelig-plan}",
    )
