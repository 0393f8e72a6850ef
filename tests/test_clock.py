"""Reading typed times, the clock and deadlines (§5.4, §10.1, §10.2), on fixed clocks."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from staircase.clock import (
    DEFAULT_TZ,
    Clock,
    as_utc,
    due_after,
    format_local,
    iso_utc,
    not_in_future,
    parse_when,
    resolve_tz,
)
from staircase.errors import InvalidInput

CPH = ZoneInfo("Europe/Copenhagen")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
"""Monday 2026-11-23, 10:00 in Copenhagen (winter time, UTC+1)."""

CLOCK = Clock(NOW, CPH)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-21 14:30", utc(2026, 11, 21, 13, 30)),
        ("2026-11-21T14:30", utc(2026, 11, 21, 13, 30)),
        ("2026-11-21 14:30:15", utc(2026, 11, 21, 13, 30, 15)),
        ("  2026-11-21   14:30 ", utc(2026, 11, 21, 13, 30)),
        ("2026-11-21", utc(2026, 11, 20, 23, 0)),
        ("2026-07-01 14:30", utc(2026, 7, 1, 12, 30)),
        ("14:30", utc(2026, 11, 23, 13, 30)),
        ("9:05", utc(2026, 11, 23, 8, 5)),
        ("kl. 14.30", utc(2026, 11, 23, 13, 30)),
        ("-2h", utc(2026, 11, 23, 7, 0)),
        ("-3d", utc(2026, 11, 20, 9, 0)),
        ("-30m", utc(2026, 11, 23, 8, 30)),
        ("-1w", utc(2026, 11, 16, 9, 0)),
        ("- 2 h", utc(2026, 11, 23, 7, 0)),
        ("+2w", utc(2026, 12, 7, 9, 0)),
        ("i går 14:00", utc(2026, 11, 22, 13, 0)),
        ("i gaar 14:00", utc(2026, 11, 22, 13, 0)),
        ("I GÅR 14:00", utc(2026, 11, 22, 13, 0)),
        ("igår 14:00", utc(2026, 11, 22, 13, 0)),
        ("i går kl. 14:00", utc(2026, 11, 22, 13, 0)),
        ("igår", utc(2026, 11, 21, 23, 0)),
        ("yesterday 14:00", utc(2026, 11, 22, 13, 0)),
        ("Yesterday", utc(2026, 11, 21, 23, 0)),
        ("i forgårs 08:00", utc(2026, 11, 21, 7, 0)),
        ("i dag", utc(2026, 11, 22, 23, 0)),
        ("idag", utc(2026, 11, 22, 23, 0)),
        ("i dag 09:15", utc(2026, 11, 23, 8, 15)),
        ("today", utc(2026, 11, 22, 23, 0)),
        ("today 09:15", utc(2026, 11, 23, 8, 15)),
        ("i morgen", utc(2026, 11, 23, 23, 0)),
        ("tomorrow 08:00", utc(2026, 11, 24, 7, 0)),
        ("nu", NOW),
        ("now", NOW),
        ("NU", NOW),
        ("2026-11-21T13:30:00Z", utc(2026, 11, 21, 13, 30)),
        ("2026-11-21t13:30:00z", utc(2026, 11, 21, 13, 30)),
        ("2026-11-21T14:30:00+01:00", utc(2026, 11, 21, 13, 30)),
        ("2026-11-21T14:30+0100", utc(2026, 11, 21, 13, 30)),
        ("2026-11-21T08:30-05", utc(2026, 11, 21, 13, 30)),
        ("2026-11-21T13:30:00.5Z", utc(2026, 11, 21, 13, 30, 0, 500000)),
    ],
)
def test_every_accepted_form(text: str, expected: datetime) -> None:
    when = parse_when(text, clock=CLOCK)
    assert when == expected
    assert when.utcoffset() == timedelta(0)


def test_yesterday_is_the_local_day_before_not_the_utc_one() -> None:
    just_after_midnight = Clock(utc(2026, 11, 22, 23, 30), CPH)  # 2026-11-23 00:30 local
    assert parse_when("i går 14:00", clock=just_after_midnight) == utc(2026, 11, 22, 13, 0)
    assert parse_when("i dag", clock=just_after_midnight) == utc(2026, 11, 22, 23, 0)


def test_the_spring_gap_is_refused() -> None:
    with pytest.raises(
        InvalidInput, match=r'"2026-03-29 02:30" does not exist in Europe/Copenhagen'
    ):
        parse_when("2026-03-29 02:30", clock=CLOCK)
    with pytest.raises(InvalidInput, match="does not exist"):
        parse_when("i går 02:30", clock=Clock(utc(2026, 3, 30, 9, 0), CPH))


def test_around_the_spring_gap() -> None:
    assert parse_when("2026-03-29 01:59", clock=CLOCK) == utc(2026, 3, 29, 0, 59)
    assert parse_when("2026-03-29 03:00", clock=CLOCK) == utc(2026, 3, 29, 1, 0)


def test_the_autumn_overlap_takes_the_first_occurrence() -> None:
    assert parse_when("2026-10-25 02:30", clock=CLOCK) == utc(2026, 10, 25, 0, 30)
    assert parse_when("2026-10-25 03:30", clock=CLOCK) == utc(2026, 10, 25, 2, 30)


def test_relative_days_are_elapsed_time_across_dst() -> None:
    after_the_change = Clock(utc(2026, 3, 29, 12, 0), CPH)
    assert parse_when("-1d", clock=after_the_change) == utc(2026, 3, 28, 12, 0)
    assert parse_when("-1d", clock=after_the_change) == parse_when("-24h", clock=after_the_change)


def test_wall_times_follow_the_clock_time_zone() -> None:
    in_utc = Clock(NOW, ZoneInfo("UTC"))
    assert parse_when("2026-11-21 14:30", clock=in_utc) == utc(2026, 11, 21, 14, 30)


@pytest.mark.parametrize(
    "text",
    [
        "igår 25:00",
        "14:61",
        "2026-13-01",
        "2026-02-30",
        "2026-11-21 1430",
        "31.11.2026",
        "2026-11-21T14:30+25:00",
        "2026-11-21T14:30+01:75",
        "tomorow",
        "i går 14",
        "-2x",
        "2h",
        "",
        "   ",
    ],
)
def test_unreadable_times_are_refused_naming_the_text(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_when(text, clock=CLOCK)
    message = str(refused.value)
    assert message.startswith(f'cannot read the time "{text}": use e.g. ')
    assert '"i går 14:00"' in message
    assert '"-2h"' in message
    assert "\n" not in message


@given(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2099, 12, 30)))
def test_a_shown_time_reads_back_as_itself(moment: datetime) -> None:
    shown = moment.replace(second=0, microsecond=0, tzinfo=UTC)
    assume(shown.astimezone(CPH).fold == 0)
    assert parse_when(format_local(shown, CPH), clock=CLOCK) == shown


@given(st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2099, 12, 30)))
def test_json_times_read_back_as_themselves(moment: datetime) -> None:
    exact = moment.replace(microsecond=0, tzinfo=UTC)
    assert parse_when(iso_utc(exact), clock=CLOCK) == exact


def test_real_clock_is_aware_utc_and_not_shifted() -> None:
    before = datetime.now(UTC)
    clock = Clock.real()
    assert before <= clock.now <= datetime.now(UTC)
    assert clock.now.tzinfo is UTC
    assert clock.tz == ZoneInfo(DEFAULT_TZ)
    assert not clock.shifted


def test_time_zone_from_argument_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAIRCASE_TZ", "Atlantic/Faroe")
    assert Clock.real().tz == ZoneInfo("Atlantic/Faroe")
    assert Clock.real("America/Nuuk").tz == ZoneInfo("America/Nuuk")
    assert Clock.real(CPH).tz is CPH
    assert resolve_tz() == ZoneInfo("Atlantic/Faroe")


@pytest.mark.parametrize("name", ["Europe/Kobenhavn", "../etc/passwd"])
def test_unknown_time_zone_is_refused(name: str) -> None:
    with pytest.raises(InvalidInput, match=f'unknown time zone "{name}"'):
        resolve_tz(name)


def test_shifted_clock_from_when() -> None:
    clock = Clock.at("2026-11-21 14:30")
    assert (clock.now, clock.tz, clock.shifted) == (utc(2026, 11, 21, 13, 30), CPH, True)


def test_shifted_clock_counts_relative_times_from_the_real_now() -> None:
    before = datetime.now(UTC)
    clock = Clock.at("-2h", tz="UTC")
    assert before - timedelta(hours=2) <= clock.now <= datetime.now(UTC) - timedelta(hours=2)
    assert clock.shifted


def test_shifted_clock_refuses_an_unreadable_when() -> None:
    with pytest.raises(InvalidInput, match='cannot read the time "next week"'):
        Clock.at("next week")


def test_clock_keeps_now_in_utc() -> None:
    assert Clock(datetime(2026, 11, 23, 9, 0), CPH).now == NOW
    assert Clock(datetime(2026, 11, 23, 10, 0, tzinfo=CPH), CPH).now == NOW
    assert Clock(datetime(2026, 11, 23, 10, 0, tzinfo=CPH), CPH).now.tzinfo is UTC
    assert Clock.fixed(NOW, "UTC") == Clock(NOW, ZoneInfo("UTC"), shifted=True)


def test_past_and_present_times_pass_the_future_check() -> None:
    assert not_in_future(NOW - timedelta(days=2), clock=CLOCK) == NOW - timedelta(days=2)
    assert not_in_future(NOW, clock=CLOCK) == NOW
    assert not_in_future(NOW + timedelta(seconds=59), clock=CLOCK) == NOW + timedelta(seconds=59)
    assert not_in_future(NOW + timedelta(minutes=1), clock=CLOCK) == NOW + timedelta(minutes=1)


def test_a_future_time_is_refused_in_local_time() -> None:
    with pytest.raises(InvalidInput) as refused:
        not_in_future(utc(2026, 11, 24, 9, 0), clock=CLOCK)
    assert str(refused.value) == (
        "the observation time tomorrow 10:00 is in the future "
        "(now is today 10:00); give a past time with --at"
    )


def test_just_past_the_skew_is_refused_and_names_what() -> None:
    with pytest.raises(InvalidInput, match=r"^the correction time .* is in the future"):
        not_in_future(NOW + timedelta(minutes=1, seconds=1), clock=CLOCK, what="the correction")


def test_a_naive_time_is_checked_as_utc() -> None:
    assert not_in_future(datetime(2026, 11, 23, 9, 0), clock=CLOCK) == NOW
    with pytest.raises(InvalidInput):
        not_in_future(datetime(2026, 11, 23, 9, 2), clock=CLOCK)


def test_as_utc() -> None:
    assert as_utc(datetime(2026, 11, 21, 13, 30)) == utc(2026, 11, 21, 13, 30)
    assert as_utc(datetime(2026, 11, 21, 13, 30)).tzinfo is UTC
    assert as_utc(datetime(2026, 11, 21, 14, 30, tzinfo=CPH)).tzinfo is UTC
    assert as_utc(datetime(2026, 11, 21, 14, 30, tzinfo=CPH)) == utc(2026, 11, 21, 13, 30)


def test_showing_times() -> None:
    assert format_local(utc(2026, 11, 21, 13, 30), CPH) == "2026-11-21 14:30"
    assert format_local(datetime(2026, 7, 1, 12, 30), CPH) == "2026-07-01 14:30"


def test_json_times_are_utc_to_the_second() -> None:
    assert iso_utc(utc(2026, 11, 21, 13, 30)) == "2026-11-21T13:30:00Z"
    assert iso_utc(utc(2026, 11, 21, 13, 30, 5, 999999)) == "2026-11-21T13:30:05Z"
    assert iso_utc(datetime(2026, 11, 21, 13, 30)) == "2026-11-21T13:30:00Z"
    assert iso_utc(datetime(2026, 11, 21, 14, 30, tzinfo=CPH)) == "2026-11-21T13:30:00Z"


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (utc(2026, 11, 23, 9, 0), utc(2026, 11, 23, 22, 59, 59)),
        (utc(2026, 11, 23, 22, 30), utc(2026, 11, 23, 22, 59, 59)),
        (utc(2026, 11, 23, 23, 30), utc(2026, 11, 24, 22, 59, 59)),
        (utc(2026, 7, 1, 10, 0), utc(2026, 7, 1, 21, 59, 59)),
        (datetime(2026, 11, 23, 22, 30), utc(2026, 11, 23, 22, 59, 59)),
    ],
)
def test_same_day_means_the_end_of_the_local_day(raised: datetime, expected: datetime) -> None:
    due = due_after(raised, 0, CPH)
    assert due == expected
    assert due.tzinfo is UTC


def test_days_are_counted_from_the_moment_raised() -> None:
    assert due_after(utc(2026, 11, 23, 22, 30), 1, CPH) == utc(2026, 11, 24, 22, 30)
    assert due_after(datetime(2026, 11, 23, 9, 0), 3, CPH) == utc(2026, 11, 26, 9, 0)
    assert due_after(datetime(2026, 11, 23, 9, 0), 3, CPH).tzinfo is UTC


def test_a_negative_deadline_is_a_bug() -> None:
    with pytest.raises(ValueError, match="-1 days"):
        due_after(NOW, -1, CPH)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21.11.2026 14:30", utc(2026, 11, 21, 13, 30)),
        ("21-11-2026 14:30", utc(2026, 11, 21, 13, 30)),
        ("21/11 14:30", utc(2026, 11, 21, 13, 30)),
        ("21.11.2026 kl. 14.30", utc(2026, 11, 21, 13, 30)),
        ("21.11.2026", utc(2026, 11, 20, 23, 0)),
    ],
)
def test_danish_dates_are_read_as_danes_and_danish_excel_write_them(
    text: str, expected: datetime
) -> None:
    assert parse_when(text, clock=Clock(NOW, ZoneInfo("Europe/Copenhagen"))) == expected
