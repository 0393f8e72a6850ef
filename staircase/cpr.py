"""The CPR guard: free text with a Danish CPR number is refused (PRODUCT.md §6.5).

Data minimisation: staircase has no lawful need for CPR numbers, and a note
is copied into exports, backups and subject-access reports, so one typed by
mistake would be hard to get out again. The guard therefore refuses the
whole input and nothing is stored.

A CPR number is ``ddmmyy-xxxx``: six digits forming a date of birth and four
more. Staff also type it with a space or without a separator. Requiring the
first six digits to be a real calendar date keeps phone numbers, amounts and
other ten-digit references from being refused.
"""

import calendar
import re
import unicodedata

from staircase.errors import InvalidInput

_CPR = re.compile(
    r"(?<![0-9])(?P<day>[0-9]{2})(?P<month>[0-9]{2})(?P<year>[0-9]{2})"
    r"[-‐‑‒–—− ]?[0-9]{4}(?![0-9])"
)
"""Ten digits, optionally split after the sixth by a dash (as a word processor may
turn it into an en dash or minus) or a space; never part of a longer run of digits."""


def _is_birth_date(day: int, month: int, year: int) -> bool:
    """Whether ``ddmmyy`` can be a date of birth in the 1900s or the 2000s.

    The century is not in the number, so 29 February counts when either
    19yy or 20yy is a leap year (``000229`` is, through 2000).
    """
    if not 1 <= month <= 12:
        return False
    longest = max(calendar.monthrange(century + year, month)[1] for century in (1900, 2000))
    return 1 <= day <= longest


def find_cpr(text: str) -> str | None:
    """The first thing in ``text`` that looks like a CPR number, or ``None``.

    The text is NFKC-normalised first, so full-width digits and non-breaking
    spaces do not slip past the guard.
    """
    for match in _CPR.finditer(unicodedata.normalize("NFKC", text)):
        if _is_birth_date(int(match["day"]), int(match["month"]), int(match["year"])):
            return match[0]
    return None


def refuse_cpr(text: str | None, *, field: str) -> None:
    """Refuse ``text`` if it holds a CPR number; ``field`` names it (``"the note"``).

    The message never repeats the number: it is printed to terminals and may
    end up in logs, which is exactly where it must not be.
    """
    if text and find_cpr(text) is not None:
        raise InvalidInput(
            f"{field} looks like it contains a CPR number; staircase must not store "
            "CPR numbers (§6.5) — remove it and try again"
        )
