"""The CPR guard (§6.5): text with a CPR number is refused, and the refusal never repeats it."""

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from staircase.cpr import find_cpr, refuse_cpr
from staircase.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("010203-1234", "010203-1234"),
        ("Datteren ringede, cpr 010203-1234, om medicin", "010203-1234"),
        ("010203 1234", "010203 1234"),
        ("0102031234", "0102031234"),
        ("cpr:0102031234.", "0102031234"),
        ("310199-1234", "310199-1234"),
        ("300487-0001", "300487-0001"),
        ("290200-1234", "290200-1234"),
        ("290296-1234", "290296-1234"),
        ("290204-1234", "290204-1234"),
        ("010203–1234", "010203–1234"),
        ("０１０２０３-１２３４", "010203-1234"),
        ("010203\u00a01234", "010203 1234"),
        ("3213456789 og 010203-1234", "010203-1234"),
        ("tlf 12345678, cpr 0102031234", "0102031234"),
    ],
)
def test_cpr_numbers_are_found(text: str, found: str) -> None:
    assert find_cpr(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Ring til datteren på 12345678",
        "tlf. 12 34 56 78 efter kl 14:00",
        "+45 12345678",
        "Mødet er 2026-11-21 kl. 14:30",
        "3213456789",
        "0113001234",
        "3102991234",
        "3104991234",
        "290201-1234",
        "0000001234",
        "010203-12345",
        "01020312345",
        "9010203-1234",
        "010203-123",
        "01020-31234",
    ],
)
def test_other_numbers_are_not_cpr_numbers(text: str) -> None:
    assert find_cpr(text) is None


def test_refusal_names_the_field_and_the_rule() -> None:
    with pytest.raises(InvalidInput) as refused:
        refuse_cpr("ring 010203-1234", field="the note")
    assert str(refused.value) == (
        "the note looks like it contains a CPR number; staircase must not store "
        "CPR numbers (§6.5) — remove it and try again"
    )


@pytest.mark.parametrize("text", [None, "", "Ring til datteren på 12345678"])
def test_text_without_cpr_passes(text: str | None) -> None:
    assert refuse_cpr(text, field="the note") is None


births = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31))
serials = st.from_regex(r"[0-9]{4}", fullmatch=True)
words = st.text(alphabet="abc æøå,.:;()", max_size=20)


@given(birth=births, serial=serials, before=words, after=words)
def test_any_birth_date_with_a_serial_is_found(
    birth: date, serial: str, before: str, after: str
) -> None:
    number = f"{birth:%d%m%y}-{serial}"
    assert find_cpr(f"{before}{number}{after}") == number


@given(birth=births, serial=serials, field=st.sampled_from(["the note", "the reason", "the name"]))
def test_the_refusal_never_repeats_the_number(birth: date, serial: str, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        refuse_cpr(f"cpr {birth:%d%m%y}-{serial}", field=field)
    message = str(refused.value)
    assert message.startswith(f"{field} looks like it contains a CPR number")
    assert not re.search(r"[0-9]{2}", message)


def is_birth_date(ddmmyy: str) -> bool:
    day, month, year = int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:])
    for century in (1900, 2000):
        try:
            date(century + year, month, day)
        except ValueError:
            continue
        return True
    return False


@given(st.from_regex(r"[0-9]{10}", fullmatch=True))
def test_ten_digits_are_a_cpr_number_exactly_when_they_start_with_a_date(digits: str) -> None:
    assert (find_cpr(digits) is not None) == is_birth_date(digits[:6])


@given(st.from_regex(r"[0-9]{8}", fullmatch=True))
def test_phone_numbers_are_never_cpr_numbers(phone: str) -> None:
    assert find_cpr(f"ring på {phone} i morgen") is None
