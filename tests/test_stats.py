"""``staircase stats`` (§7.4): per unit and month, replayed from the history."""

import json

import pytest

from home import Home
from quality_history import build_history


@pytest.fixture
def history(home: Home) -> Home:
    build_history(home)
    return home


def stats(home: Home, *args: str, who: str = "KV") -> dict:
    result = home("--json", "stats", *args, who=who, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def by_month(data: dict, unit: str) -> dict[str, dict]:
    return {m["month"]: m for m in data["months"] if m["unit"] == unit}


def test_cases_per_step_at_month_end_are_replayed_from_the_moves(history: Home) -> None:
    sol = by_month(stats(history), "sol")
    assert list(sol)[-5:] == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    at_end = {month: [s for s, n in m["steps"].items() if n] for month, m in sol.items()}
    assert [at_end[m] for m in ("2026-07", "2026-08", "2026-09", "2026-10", "2026-11")] == [
        ["godt"], ["mindre"], ["stoerre"], ["mindre"], ["godt"],
    ]  # fmt: skip
    assert len(sol) == 12 and sum(sol["2026-06"]["steps"].values()) == 0


def test_moves_acknowledgement_and_way_back_are_counted_in_their_month(history: Home) -> None:
    sol = by_month(stats(history), "sol")
    months = ("2026-08", "2026-09", "2026-10", "2026-11")
    moves = [(sol[m]["moves_up"], sol[m]["moves_down"]) for m in months]
    assert moves == [(1, 0), (1, 0), (0, 1), (0, 1)]
    assert sol["2026-09"]["median_hours_to_acknowledge"] == 30.0
    assert sol["2026-09"]["escalations_acknowledged"] == 1
    assert sol["2026-11"]["returned_to_bottom"] == 1
    assert sol["2026-11"]["median_days_back_to_bottom"] == 58.7
    ege = by_month(stats(history), "ege")
    assert ege["2026-11"]["steps"]["godt"] == 1 and ege["2026-11"]["moves_up"] == 0


def test_a_leader_sees_their_units_and_the_period_asked_for(history: Home) -> None:
    data = stats(history, "--since", "2026-09-01", "--until", "2026-11-01", who="LH")
    assert {m["unit"] for m in data["months"]} == {"sol"}
    assert [m["month"] for m in data["months"]] == ["2026-09", "2026-10"]
    assert data["since"] == "2026-08-31T22:00:00Z"
    refused = history("stats", "--unit", "ege", who="LH", env={"COLUMNS": "80"})
    assert refused.exit_code == 3


def test_the_table_speaks_danish(history: Home) -> None:
    result = history(
        "stats", "--unit", "sol", "--since", "2026-09-01", who="KV", env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.stderr
    assert "Samarbejde med større udfordringer" in result.stdout
    assert "0 / 0 / 1 / 0" in result.stdout
    assert "2026-09" in result.stdout and "30,0" in result.stdout and "58,7" in result.stdout
