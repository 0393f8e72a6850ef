"""Danish time (issue 12.3, §7.5): the forms staff type, and times written as they read them,
in the library and through the command line.

Every test runs on the Monday 2026-11-23, 10:00 in Copenhagen, and in the
language it names; the language in use is put back afterwards.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from driver import AUDIT_LOG, Staircase
from home import Home
from staircase import i18n
from staircase.clock import Clock, for_person, not_in_future, parse_when
from staircase.db.models import Observation
from staircase.errors import InvalidInput
from staircase.timeforms import FORMS, forms

CPH = ZoneInfo("Europe/Copenhagen")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CLOCK = Clock(NOW, CPH)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Speak ``language`` inside the block, and what was spoken before after it."""
    before = i18n.language()
    i18n.use(language)
    try:
        yield
    finally:
        i18n.use(before)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21.11.2026 14:30", utc(2026, 11, 21, 13, 30)),
        ("21/11 14:30", utc(2026, 11, 21, 13, 30)),
        ("21/11 kl. 14", utc(2026, 11, 21, 13, 0)),
        ("21.11", utc(2026, 11, 20, 23, 0)),
        ("21/11", utc(2026, 11, 20, 23, 0)),
        ("21.11.26", utc(2026, 11, 20, 23, 0)),
        ("21.11.", utc(2026, 11, 20, 23, 0)),
        ("14.30", utc(2026, 11, 23, 13, 30)),
        ("kl. 9", utc(2026, 11, 23, 8, 0)),
        ("i går kl. 14", utc(2026, 11, 22, 13, 0)),
        ("i går kl. 14.30", utc(2026, 11, 22, 13, 30)),
        ("i går, 14:00", utc(2026, 11, 22, 13, 0)),
        ("i gar kl 14", utc(2026, 11, 22, 13, 0)),
        ("i dag", utc(2026, 11, 22, 23, 0)),
        ("i morgen", utc(2026, 11, 23, 23, 0)),
        ("i morgen kl. 9", utc(2026, 11, 24, 8, 0)),
        ("i overmorgen", utc(2026, 11, 24, 23, 0)),
        ("yesterday at 14:00", utc(2026, 11, 22, 13, 0)),
        ("om 2 uger", utc(2026, 12, 7, 9, 0)),
        ("om 3 dage", utc(2026, 11, 26, 9, 0)),
        ("om en uge", utc(2026, 11, 30, 9, 0)),
        ("om 1 time", utc(2026, 11, 23, 10, 0)),
        ("om 30 minutter", utc(2026, 11, 23, 9, 30)),
        ("for 2 timer siden", utc(2026, 11, 23, 7, 0)),
        ("for 3 dage siden", utc(2026, 11, 20, 9, 0)),
        ("For en time siden", utc(2026, 11, 23, 8, 0)),
        ("2 hours ago", utc(2026, 11, 23, 7, 0)),
        ("in 2 weeks", utc(2026, 12, 7, 9, 0)),
        ("+14d", utc(2026, 12, 7, 9, 0)),
        ("23. nov. 2026 14:30", utc(2026, 11, 23, 13, 30)),
        ("5. maj 2026", utc(2026, 5, 4, 22, 0)),
        ("5 May 2026 08:00", utc(2026, 5, 5, 6, 0)),
        ("1. oktober kl. 12", utc(2026, 10, 1, 10, 0)),
        ("24. DEC. 2026 18:00", utc(2026, 12, 24, 17, 0)),
    ],
)
def test_danish_forms_are_read(text: str, expected: datetime) -> None:
    assert parse_when(text, clock=CLOCK) == expected


@pytest.mark.parametrize(
    ("today", "typed", "expected"),
    [
        (utc(2027, 1, 2, 9, 0), "30.12", utc(2026, 12, 29, 23, 0)),
        (utc(2026, 12, 20, 9, 0), "5/1", utc(2027, 1, 4, 23, 0)),
        (utc(2026, 11, 23, 9, 0), "1. maj", utc(2027, 4, 30, 22, 0)),
        (utc(2026, 11, 23, 9, 0), "1. august", utc(2026, 7, 31, 22, 0)),
    ],
)
def test_a_date_without_a_year_is_the_one_nearest_today(
    today: datetime, typed: str, expected: datetime
) -> None:
    """The night shift on the 2nd of January logging "30.12" means three days ago."""
    assert parse_when(typed, clock=Clock(today, CPH)) == expected


def test_a_day_and_a_month_are_a_date_not_a_time() -> None:
    """``11.12`` could be 11:12; written with a dot and no ``kl.`` it is the 11th of December."""
    assert parse_when("11.12", clock=CLOCK) == utc(2026, 12, 10, 23, 0)
    assert parse_when("kl. 11.12", clock=CLOCK) == utc(2026, 11, 23, 10, 12)


@pytest.mark.parametrize(
    "text",
    ["31.11", "30/2 14:00", "21.11 25:00", "om 2 år", "for to timer siden", "32. nov.", "i går 14"],
)
def test_impossible_danish_times_are_refused_in_one_line_listing_the_forms(text: str) -> None:
    with speaking("da"), pytest.raises(InvalidInput) as refused:
        parse_when(text, clock=CLOCK)
    message = str(refused.value)
    assert message.startswith(f'kan ikke læse tidspunktet "{text}": skriv fx ')
    assert all(f'"{form}"' in message for form in FORMS)
    assert "\n" not in message


def test_the_refusal_is_in_english_when_english_is_spoken() -> None:
    with speaking("en"), pytest.raises(InvalidInput, match=r'^cannot read the time "32\.11"'):
        parse_when("32.11", clock=CLOCK)


def test_the_spring_gap_is_refused_in_danish() -> None:
    with speaking("da"), pytest.raises(InvalidInput, match=r'"29\.3\.2026 02:30" findes ikke'):
        parse_when("29.3.2026 02:30", clock=CLOCK)


def test_a_future_observation_is_refused_naming_the_day_in_danish() -> None:
    with speaking("da"), pytest.raises(InvalidInput) as refused:
        not_in_future(parse_when("i morgen kl. 9", clock=CLOCK), clock=CLOCK)
    assert str(refused.value) == (
        "tidspunktet for observationen, i morgen 09:00, ligger i fremtiden "
        "(nu er det i dag 10:00); angiv et tidligere tidspunkt med --at"
    )


@pytest.mark.parametrize(
    ("moment", "danish", "english"),
    [
        (utc(2026, 11, 23, 13, 30), "i dag 14:30", "today 14:30"),
        (utc(2026, 11, 22, 8, 15), "i går 09:15", "yesterday 09:15"),
        (utc(2026, 11, 24, 9, 0), "i morgen 10:00", "tomorrow 10:00"),
        (utc(2026, 11, 21, 13, 30), "21. nov. 2026 14:30", "21 Nov 2026 14:30"),
        (utc(2026, 5, 1, 6, 5), "1. maj 2026 08:05", "1 May 2026 08:05"),
        (utc(2027, 1, 15, 10, 0), "15. jan. 2027 11:00", "15 Jan 2027 11:00"),
    ],
)
def test_times_are_written_as_people_say_them(moment: datetime, danish: str, english: str) -> None:
    with speaking("da"):
        assert for_person(moment, CLOCK) == danish
    with speaking("en"):
        assert for_person(moment, CLOCK) == english


def test_near_days_are_local_days_not_utc_ones() -> None:
    """00:30 on the 24th in Copenhagen is still the 23rd in UTC, and tomorrow here."""
    with speaking("da"):
        assert for_person(utc(2026, 11, 23, 23, 30), CLOCK) == "i morgen 00:30"
        assert for_person(utc(2026, 11, 22, 22, 59), CLOCK) == "i går 23:59"


@given(
    moment=st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2099, 12, 30)),
    now=st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2099, 12, 30)),
    near=st.integers(min_value=-3, max_value=3),
    language=st.sampled_from(i18n.LANGUAGES),
)
def test_every_written_time_reads_back_as_itself(
    moment: datetime, now: datetime, near: int, language: str
) -> None:
    """Also near the clock (``near`` days off), where the day is written as a word."""
    clock = Clock(now.replace(tzinfo=UTC), CPH)
    for shown in (moment, now + timedelta(days=near, minutes=near * 7)):
        exact = shown.replace(second=0, microsecond=0, tzinfo=UTC)
        assume(exact.astimezone(CPH).fold == 0)
        with speaking(language):
            written = for_person(exact, clock)
        assert parse_when(written, clock=clock) == exact, written


# Through the command line, as staff type it (the driver's clock is NOW).


def test_log_reads_a_danish_time_and_show_writes_it_back(home: Home) -> None:
    logged = home("log", "1", "utilfredshed", "--at", "i går kl. 14", who="AK")
    assert logged.exit_code == 0, logged.stderr
    [observation] = home.rows(Observation)
    assert observation.occurred_at.replace(tzinfo=UTC) == utc(2026, 11, 22, 13, 0)
    danish = home("show", "1", who="AK", env={"STAIRCASE_LANG": "da"})
    english = home("show", "1", who="AK", env={"STAIRCASE_LANG": "en"})
    assert "i går 14:00" in danish.stdout
    assert "yesterday 14:00" in english.stdout
    assert home.json("show", "1", who="AK")["observations"][0]["occurred_at"] == (
        "2026-11-22T13:00:00Z"
    )


def test_an_agreement_reviewed_om_2_uger_is_due_then(home: Home) -> None:
    added = home.json("agreement", "add", "1", "Ring før besøg", "--review", "om 2 uger", who="AK")
    assert added["review_at"] == "2026-12-07T09:00:00Z"


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("da", 'staircase: kan ikke læse tidspunktet "31.11 14:00": skriv fx "21.11.2026 14:30"'),
        ("en", 'staircase: cannot read the time "31.11 14:00": use e.g. "21.11.2026 14:30"'),
    ],
)
def test_an_impossible_time_is_one_line_in_the_language_spoken_and_writes_nothing(
    home: Home, lang: str, line: str
) -> None:
    before = home.contents(leave_out=AUDIT_LOG)
    result = home(
        "log", "1", "kritik", "--at", "31.11 14:00", who="AK", env={"STAIRCASE_LANG": lang}
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    [refusal] = result.stderr.splitlines()
    assert refusal.startswith(line)
    assert home.contents(leave_out=AUDIT_LOG) == before


def test_an_observation_tomorrow_is_refused_in_danish(home: Home) -> None:
    result = home("log", "1", "kritik", "--at", "i morgen", who="AK", env={"STAIRCASE_LANG": "da"})
    assert result.exit_code == 1
    assert result.stderr == (
        "staircase: tidspunktet for observationen, i morgen 00:00, ligger i fremtiden "
        "(nu er det i dag 10:00); angiv et tidligere tidspunkt med --at\n"
    )
    assert home.rows(Observation) == []


@pytest.mark.parametrize(
    "command",
    [
        ("--help",),
        ("log", "--help"),
        ("export", "--help"),
        ("stats", "--help"),
        ("audit", "show", "--help"),
        ("agreement", "add", "--help"),
        ("agreement", "review", "--help"),
    ],
)
def test_every_when_option_lists_the_forms_in_its_help(command: tuple[str, ...]) -> None:
    shown = Staircase()(*command, env={"STAIRCASE_LANG": "en"})
    assert shown.exit_code == 0, shown.output
    assert f"Accepted forms: {forms()}." in " ".join(shown.stdout.split())
