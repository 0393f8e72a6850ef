"""Words, occasions and the way down through the real command line (issue 10: 1–3).

Each test runs ``staircase`` as staff do and then reads the database: what
was recorded, and that nothing was when the word was refused.
"""

import os
import sys

import pexpect
import pytest
from sqlmodel import select
from typer.testing import CliRunner, Result

from staircase.cli.app import app
from staircase.db.models import Action, Escalation, Observation, Proposal
from staircase.db.store import session_scope

NOW = "2026-11-23 10:00"


def run(home, *args: str, who: str = "AK", now: str = NOW) -> Result:
    env = {
        "STAIRCASE_DB": home.url,
        "STAIRCASE_USER": who,
        "STAIRCASE_NOW": now,
        "NO_COLOR": "1",
        "COLUMNS": "200",
    }
    return CliRunner().invoke(app, list(args), env=env)


def logged(home) -> list[str]:
    """The indicators recorded on case 1, oldest first."""
    with session_scope(home.url, write=False) as session:
        rows = session.exec(
            select(Observation.indicator).where(Observation.case_id == 1).order_by(Observation.id)
        ).all()
    return list(rows)


def nothing_followed(home) -> bool:
    """No proposal, escalation or action exists: a refused log raised nothing."""
    with session_scope(home.url, write=False) as session:
        return not any(
            session.exec(select(model)).first() for model in (Proposal, Escalation, Action)
        )


def proposals(home) -> list[tuple[str, str, str]]:
    with session_scope(home.url, write=False) as session:
        rows = session.exec(select(Proposal).order_by(Proposal.id)).all()
        return [(p.to_step, p.direction, p.status) for p in rows]


# 1. Words.


def test_an_ambiguous_word_is_refused_naming_both_candidates(home) -> None:
    result = run(home, "log", "1", "trusler", "--note", "Vil ringe til Stiften")
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
    home, words: tuple[str, ...], candidates: list[str]
) -> None:
    result = run(home, "log", "1", *words)
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert all(f"{c} (" in line for c in candidates)
    assert logged(home) == []
    assert nothing_followed(home)


def test_the_longer_words_log_the_kendetegn_they_name(home) -> None:
    assert run(home, "log", "1", "trusler om presse").exit_code == 0
    assert run(home, "log", "1", "trusler mod personale").exit_code == 0
    assert logged(home) == ["trussel-presse", "trusler-vold-chikane"]


def test_log_echoes_the_danish_name_of_what_it_recorded(home) -> None:
    result = run(home, "log", "1", "utilfreds", "uklar")
    assert result.exit_code == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first == (
        "Registreret på sag 1: Utilfredshed (mindre), "
        "Uklar dialog og misforståelser (mindre) — observation 1, 2"
    )
    assert logged(home) == ["utilfredshed", "uklar-dialog"]


def test_a_script_logs_violence_without_being_asked(home) -> None:
    """Not a terminal: nobody to ask, so the whole word is taken as typed."""
    result = run(home, "log", "1", "vold", "--channel", "besøg")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(
        "Registreret på sag 1: Trusler, vold og chikane mod personale (kompliceret)"
    )
    assert logged(home) == ["trusler-vold-chikane"]


# 2. Pattern by occasion.


def test_three_indicators_on_one_call_are_one_occasion(home) -> None:
    one_call = run(
        home, "log", "1", "uklar-dialog", "utilfredshed", "kontaktbehov", "--channel", "telefon"
    )
    assert one_call.exit_code == 0, one_call.stderr
    shown = run(home, "--json", "show", "1")
    assert '"indicated_step":"mindre"' in shown.stdout.replace(" ", "")
    assert proposals(home) == []


def test_mindre_on_three_different_days_proposes_stoerre(home) -> None:
    for day in ("2026-11-20 10:00", "2026-11-21 10:00", NOW):
        assert run(home, "log", "1", "utilfredshed", now=day).exit_code == 0
    assert proposals(home) == [("stoerre", "up", "open")]


# 3. The way down, as the calm days say.


def test_a_step_down_is_proposed_after_exactly_the_calm_days(home) -> None:
    """mindre's 14 calm days, though the 30-day window still indicates mindre."""
    assert run(home, "log", "1", "utilfredshed").exit_code == 0
    assert run(home, "tick", who="ADM", now="2026-12-06 10:00").exit_code == 0  # 13 days
    assert proposals(home) == []
    assert run(home, "tick", who="ADM", now="2026-12-08 10:00").exit_code == 0  # 15 days
    assert proposals(home) == [("godt", "down", "open")]


# Asking at a terminal.


def spawn(home, *args: str) -> pexpect.spawn:
    env = {
        **os.environ,
        "STAIRCASE_DB": home.url,
        "STAIRCASE_USER": "AK",
        "NO_COLOR": "1",
        "COLUMNS": "100",
    }
    return pexpect.spawn(
        sys.executable, ["-m", "staircase.cli", *args], env=env, encoding="utf-8", timeout=30
    )


def finished(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_a_terminal_asks_which_kendetegn_an_ambiguous_word_meant(home) -> None:
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
def test_a_terminal_asks_before_logging_violence_and_a_no_writes_nothing(home) -> None:
    child = spawn(home, "log", "1", "trusler", "--channel", "telefon", "--note", "Slog ud")
    child.expect("Hvilket")
    child.sendline("2")
    child.expect(r"Trusler, vold og chikane mod personale \(kompliceret, arbejdsmiljø\)")
    child.expect("Registrér det på sag 1")
    child.sendline("n")
    child.expect("staircase: nothing logged: not confirmed")
    assert finished(child) == 1
    assert logged(home) == []
    assert nothing_followed(home)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_yes_skips_the_confirmation_at_a_terminal(home) -> None:
    child = spawn(home, "log", "1", "manglende-dialog", "--yes", "--channel", "moede", "--note", "")
    child.expect("Registreret på sag 1: Manglende dialog")
    assert finished(child) == 0, child.before
    assert logged(home) == ["manglende-dialog"]
