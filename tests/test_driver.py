"""The test driver itself: what a test runs is the same on every machine and every day."""

from datetime import timedelta

import pytest

from driver import NOW
from home import Home
from staircase.db.models import AuditEntry, Observation


def test_a_command_without_a_clock_runs_at_the_fixed_now(home: Home) -> None:
    assert home("log", "1", "kritik", who="AK").exit_code == 0
    [observation] = home.rows(Observation)
    assert (observation.occurred_at, observation.logged_at) == (NOW, NOW)
    assert home.rows(AuditEntry)[-1].clock == NOW


def test_a_command_may_run_at_another_moment(home: Home) -> None:
    earlier = NOW - timedelta(days=3)
    assert home("log", "1", "kritik", who="AK", now=earlier).exit_code == 0
    assert home("log", "1", "utilfredshed", who="AK", now="2026-11-22 12:00").exit_code == 0
    assert [o.occurred_at for o in home.rows(Observation)] == [earlier, NOW - timedelta(hours=22)]


def test_the_developers_own_settings_do_not_reach_a_command(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STAIRCASE_NOW", "2020-01-01 12:00")
    monkeypatch.setenv("STAIRCASE_TZ", "America/New_York")
    monkeypatch.setenv("STAIRCASE_SMTP", "mail.example.dk:smtp")
    monkeypatch.setenv("COLUMNS", "20")
    shown = home("log", "1", "kritik", "--at", "09:30", who="AK")
    assert shown.exit_code == 0, shown.stderr
    [observation] = home.rows(Observation)
    assert observation.occurred_at == NOW.replace(hour=8, minute=30)  # 09:30 in Copenhagen
    assert observation.logged_at == NOW
    assert "\x1b" not in home("rules", "show").stdout
    assert max(len(line) for line in home("case", "list").stdout.splitlines()) > 20


def test_json_insists_on_success_and_json(home: Home) -> None:
    with pytest.raises(AssertionError, match="no case 7"):
        home("--json", "show", "7").json()
    with pytest.raises(AssertionError, match="not JSON"):
        home("show", "1").json()
    assert home.json("show", "1")["id"] == 1
