"""Words, occasions and the way down through the real command line (issue 10: 1–3).

Each test runs ``staircase`` as staff do and then reads the database: what
was recorded, and that nothing was when the word was refused.
"""

import sys

import pexpect
import pytest

from driver import AWAY, NOW
from home import Home
from staircase.db.models import Action, Escalation, Observation, Proposal

DANISH = {"STAIRCASE_LANG": "da"}
"""The words these tests check are Danish: staff read them so (§7.5)."""


def logged(home: Home) -> list[str]:
    """The indicators recorded on case 1, oldest first."""
    return [o.indicator for o in home.rows(Observation, Observation.case_id == 1)]


def nothing_followed(home: Home) -> bool:
    """No proposal, escalation or action exists: a refused log raised nothing."""
    return not any(home.count(model) for model in (Proposal, Escalation, Action))


def proposals(home: Home) -> list[tuple[str, str, str]]:
    return [(p.to_step, p.direction, p.status) for p in home.rows(Proposal)]


# 1. Words.


def test_an_ambiguous_word_is_refused_naming_both_candidates(home: Home) -> None:
    result = home("log", "1", "trusler", "--note", "Vil ringe til Stiften", who="AK")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        'staircase: "trusler" fits more than one kendetegn: '
        "trussel-presse (Trusler om kontakt til presse, politikere o.lign.), "
        "trusler-vold-chikane (Trusler, vold og chikane mod personale); type one of them\n"
    )
    assert logged(home) == []
    assert nothing_followed(home)


@pytest.mark.parametrize(
    ("words", "candidates"),
    [
        (("aftaler",), ["aftaler-brudt"]),
        (("dialog",), ["god-dialog", "uklar-dialog", "vanskelig-dialog", "manglende-dialog"]),
        (("kontakt",), ["kontaktbehov", "trussel-presse"]),
        (("utilfredshed", "trusler"), ["trussel-presse", "trusler-vold-chikane"]),
    ],
)
def test_a_word_that_fits_no_single_kendetegn_writes_nothing(
    home: Home, words: tuple[str, ...], candidates: list[str]
) -> None:
    result = home("log", "1", *words, who="AK")
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert all(f"{c} (" in line for c in candidates)
    assert logged(home) == []
    assert nothing_followed(home)


def test_the_longer_words_log_the_kendetegn_they_name(home: Home) -> None:
    assert home("log", "1", "trusler om presse", who="AK").exit_code == 0
    assert home("log", "1", "trusler mod personale", who="AK").exit_code == 0
    assert logged(home) == ["trussel-presse", "trusler-vold-chikane"]


def test_log_echoes_the_danish_name_of_what_it_recorded(home: Home) -> None:
    result = home("log", "1", "utilfreds", "uklar", who="AK", env=DANISH)
    assert result.exit_code == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first == (
        "Registreret på sag 1: Utilfredshed (mindre udfordringer), "
        "Uklar dialog og misforståelser (mindre udfordringer) — observationer 1, 2"
    )
    assert logged(home) == ["utilfredshed", "uklar-dialog"]


def test_a_script_logs_violence_without_being_asked(home: Home) -> None:
    """Not a terminal: nobody to ask, so the whole word is taken as typed."""
    result = home("log", "1", "vold", "--channel", "besøg", who="AK", env=DANISH)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        "Registreret på sag 1: Trusler, vold og chikane mod personale (kompliceret samarbejde)"
    )
    assert logged(home) == ["trusler-vold-chikane"]


# 2. Pattern by occasion.


def test_three_indicators_on_one_call_are_one_occasion(home: Home) -> None:
    one_call = home(
        "log", "1", "uklar-dialog", "utilfredshed", "kontaktbehov", "--channel", "telefon", who="AK"
    )
    assert one_call.exit_code == 0, one_call.stderr
    assert home.json("show", "1", who="AK")["indicated_step"] == "mindre"
    assert proposals(home) == []


def test_mindre_on_three_different_days_proposes_stoerre(home: Home) -> None:
    for day in ("2026-11-20 10:00", "2026-11-21 10:00", NOW):
        assert home("log", "1", "utilfredshed", now=day, who="AK").exit_code == 0
    assert proposals(home) == [("stoerre", "up", "open")]


# 3. The way down, as the calm days say.


def test_a_step_down_is_proposed_after_exactly_the_calm_days(home: Home) -> None:
    """mindre's 14 calm days, though the 30-day window still indicates mindre."""
    assert home("log", "1", "utilfredshed", who="AK").exit_code == 0
    assert home("tick", who="ADM", now="2026-12-06 10:00").exit_code == 0  # 13 days
    assert proposals(home) == []
    assert home("tick", who="ADM", now="2026-12-08 10:00").exit_code == 0  # 15 days
    assert proposals(home) == [("godt", "down", "open")]


# Asking at a terminal.


def spawn(home: Home, *args: str) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "staircase.cli", *args],
        env={**home.environ(who="AK"), **DANISH},
        cwd=AWAY,
        encoding="utf-8",
        timeout=30,
    )


def finished(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_terminal_asks_which_kendetegn_an_ambiguous_word_meant(home: Home) -> None:
    child = spawn(home, "log", "1", "trusler", "--channel", "telefon", "--note", "Stiften")
    child.expect('"trusler" passer på flere kendetegn')
    child.expect(r"1\. Trusler om kontakt til presse, politikere o\.lign\. \(trussel-presse\)")
    child.expect(r"2\. Trusler, vold og chikane mod personale \(trusler-vold-chikane\)")
    child.expect("Hvilket")
    child.sendline("1")
    child.expect("Registreret på sag 1: Trusler om kontakt til presse")
    assert finished(child) == 0, child.before
    assert logged(home) == ["trussel-presse"]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_terminal_asks_before_logging_violence_and_a_no_writes_nothing(home: Home) -> None:
    child = spawn(home, "log", "1", "trusler", "--channel", "telefon", "--note", "Slog ud")
    child.expect("Hvilket")
    child.sendline("2")
    child.expect(r"Trusler, vold og chikane mod personale \(kompliceret, arbejdsmiljø\)")
    child.expect("Registrér det på sag 1")
    child.sendline("n")
    child.expect("staircase: intet registreret: ikke bekræftet")
    assert finished(child) == 1
    assert logged(home) == []
    assert nothing_followed(home)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_yes_skips_the_confirmation_at_a_terminal(home: Home) -> None:
    child = spawn(home, "log", "1", "manglende-dialog", "--yes", "--channel", "moede", "--note", "")
    child.expect("Registreret på sag 1: Manglende dialog")
    assert finished(child) == 0, child.before
    assert logged(home) == ["manglende-dialog"]
