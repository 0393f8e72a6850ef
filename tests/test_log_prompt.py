"""The log prompt (issue 12.4): ``staircase log CASE`` on a real terminal, in Danish and English.

Each test answers as a social- og sundhedsassistent would, mistakes
included, through a pseudo-terminal, and then reads what was recorded. The
clock is the driver's NOW: Monday 2026-11-23, 10:00 in Copenhagen.
"""

import sys
from datetime import UTC, datetime

import pexpect
import pytest

from driver import AWAY
from home import Home
from staircase.cases.observe import channel_id
from staircase.db.models import Observation

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")


def prompt(home: Home, *args: str, lang: str = "da") -> pexpect.spawn:
    """``staircase log 1 ARGS`` as AK on a terminal, speaking ``lang``."""
    return pexpect.spawn(
        sys.executable,
        ["-m", "staircase.cli", "log", "1", *args],
        env={**home.environ(who="AK"), "STAIRCASE_LANG": lang},
        cwd=AWAY,
        encoding="utf-8",
        timeout=30,
    )


def finished(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def recorded(home: Home) -> list[tuple[str | None, str, datetime, str | None]]:
    """What case 1 holds: indicator, channel, when (UTC) and note, oldest first."""
    return [
        (o.indicator, o.channel, o.occurred_at.replace(tzinfo=UTC), o.note)
        for o in home.rows(Observation, Observation.case_id == 1)
    ]


def test_it_names_the_family_and_lists_the_kendetegn_by_step_from_godt_up(home: Home) -> None:
    child = prompt(home)
    child.expect(r"Kendetegn \(numre eller navne")
    shown = child.before
    assert "Sag 1: Maria Andersen (datter), pårørende til Else Andersen" in shown
    steps = [
        "Godt samarbejde",
        " 1. God dialog (god-dialog)",
        " 3. Nysgerrighed og respekt (nysgerrighed-respekt)",
        "Samarbejde med mindre udfordringer",
        " 5. Utilfredshed (utilfredshed)",
        "Samarbejde med større udfordringer",
        " 8. Direkte/indirekte kritik (kritik)",
        "Kompliceret samarbejde",
        "12. Trusler, vold og chikane mod personale (trusler-vold-chikane)",
    ]
    places = [shown.find(line) for line in steps]
    assert -1 not in places, shown
    assert places == sorted(places), "godt first, kompliceret last"
    child.sendeof()
    child.expect("intet registreret: spørgsmålene blev ikke besvaret")
    assert finished(child) == 1
    assert recorded(home) == []


def test_a_wrong_answer_is_asked_again_and_nothing_typed_is_lost(home: Home) -> None:
    child = prompt(home)
    child.expect("Kendetegn")
    child.sendline("utilfredshed, 99, uklr dialog, 5")  # 5 is utilfredshed again
    child.expect("der er intet nummer 99 på listen: vælg fra 1 til 12")
    child.expect('I stedet for "99"')
    child.sendline("6")
    child.expect('I stedet for "uklr dialog"')
    child.sendline("uklar dialog")
    child.expect(r"Hvornår \(.*\) \[nu\]")
    child.sendline("i morgen kl. 9")
    child.expect("i morgen 09:00, ligger i fremtiden")
    child.expect("Hvornår")
    child.sendline("i går kl. 14")
    child.expect(r"Kanal \(1\. telefon, 2\. besøg, 3\. mail, 4\. møde, 5\. andet\) \[andet\]")
    child.sendline("besg")
    child.expect("Kanal")
    child.sendline("besøg")
    child.expect("Note")
    child.sendline("Datteren ringede om vasketøjet")
    child.expect("Registreret på sag 1: Utilfredshed")
    child.expect("Kanal: besøg · tidspunkt: i går 14:00")
    assert finished(child) == 0, child.before
    yesterday_14 = datetime(2026, 11, 22, 13, 0, tzinfo=UTC)
    note = "Datteren ringede om vasketøjet"
    assert recorded(home) == [
        ("utilfredshed", "besoeg", yesterday_14, note),
        ("kontaktbehov", "besoeg", yesterday_14, note),
        ("uklar-dialog", "besoeg", yesterday_14, note),
    ]


def test_an_ambiguous_word_asks_which_and_none_of_them_asks_for_the_word_again(
    home: Home,
) -> None:
    child = prompt(home, "--channel", "moede", "--note", "")
    child.expect("Kendetegn")
    child.sendline("trusler")
    child.expect('"trusler" passer på flere kendetegn:')
    child.expect("0. ingen af dem")
    child.expect("Hvilket")
    child.sendline("7")
    child.expect("vælg et tal fra 0 til 2")
    child.sendline("0")
    child.expect('I stedet for "trusler"')
    child.sendline("trusler om presse")
    child.expect("Hvornår")
    child.sendline("")
    child.expect("Kanal: møde · tidspunkt: i dag 10:00")
    assert finished(child) == 0, child.before
    assert [(i, c) for i, c, _when, _note in recorded(home)] == [("trussel-presse", "moede")]


def test_the_top_step_asks_first_and_nej_writes_nothing(home: Home) -> None:
    child = prompt(home, "--at", "-2h", "--channel", "telefon", "--note", "")
    child.expect("Kendetegn")
    child.sendline("10")
    child.expect(r"Manglende dialog \(kompliceret\): ledelsen får besked med det samme")
    child.expect(r"Registrér det på sag 1\? \[j/n\]")
    child.sendline("måske")
    child.expect('svar "ja" eller "nej"')
    child.sendline("nej")
    child.expect("staircase: intet registreret: ikke bekræftet")
    assert finished(child) == 1
    assert recorded(home) == []


def test_the_prompt_speaks_english_when_asked_to(home: Home) -> None:
    child = prompt(home, lang="en")
    child.expect(r"Kendetegn \(numbers or names")
    assert "Case 1: Maria Andersen (datter), relative of Else Andersen" in child.before
    assert " 1. Good dialogue (god-dialog)" in child.before
    assert "Collaboration with minor challenges" in child.before
    child.sendline("2")
    child.expect(r"When \(.*\) \[now\]")
    child.sendline("for 2 timer siden")
    child.expect(r"Channel \(1\. phone, 2\. visit, 3\. mail, 4\. meeting, 5\. other\) \[other\]")
    child.sendline("visit")
    child.expect("Note")
    child.sendline("")
    child.expect("Channel: visit · time: today 08:00")
    assert finished(child) == 0, child.before
    assert recorded(home) == [
        ("naervaer", "besoeg", datetime(2026, 11, 23, 7, 0, tzinfo=UTC), None)
    ]


@pytest.mark.parametrize(
    ("typed", "channel"),
    [
        ("besøg", "besoeg"),
        ("Besoeg", "besoeg"),
        ("besog", "besoeg"),
        ("møde", "moede"),
        ("MODE", "moede"),
        ("telefon", "telefon"),
        ("tlf", "telefon"),
        ("visit", "besoeg"),
        ("meeting", "moede"),
        ("e-mail", "mail"),
        ("andet", "andet"),
    ],
)
def test_channels_are_read_in_every_spelling(typed: str, channel: str) -> None:
    assert channel_id(typed) == channel
