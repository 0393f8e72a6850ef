"""The CPR guard: text with a Danish CPR number is refused (PRODUCT.md §6.5).

Data minimisation: staircase has no lawful need for CPR numbers, and any
text it keeps is copied into exports, backups, subject-access reports and —
for ids, initials, criteria and file names — into the audit chain, which
nothing may ever rewrite. A number typed by mistake would be there for good,
so the guard refuses the whole input and nothing is stored.

A CPR number is ``ddmmyy-xxxx``: six digits forming a date of birth and four
more. People and programs spell it many ways — ``010190 1234``,
``010190 - 1234``, ``01.01.90-1234``, ``010190/1234``, with full-width or
Arabic-Indic digits, with a zero-width space or a soft hyphen pasted in —
so the text is normalised first (``normalise``) and the pattern allows a
short run of separators between the groups. Requiring the first six digits
to be a real calendar date keeps phone numbers, amounts and other ten-digit
references from being refused.
"""

import calendar
import re
import unicodedata

from staircase.errors import InvalidInput
from staircase.i18n import _

_SEPARATORS = r"[\s.\-/\\_‐‑‒–—―−]"
"""What people put between the groups: spaces, dots, slashes, every kind of dash."""

_GAP = f"{_SEPARATORS}{{0,3}}"
"""A short run of separators: ``010190 - 1234`` has three."""

_CPR = re.compile(
    rf"(?<![0-9])(?P<day>[0-9]{{2}}){_GAP}(?P<month>[0-9]{{2}}){_GAP}(?P<year>[0-9]{{2}})"
    rf"{_GAP}[0-9]{{4}}(?![0-9])"
)
"""Day, month and year, then four digits; never part of a longer run of digits.

The four serial digits stand together: allowing a gap inside them would
refuse a date with a time (``21.11.26 14.30``)."""

_DIGITS = 10
"""A CPR number has ten digits; text with fewer holds none."""

_INVISIBLE = frozenset({"Cf", "Mn", "Me"})
"""Unicode categories that show nothing (format characters: zero-width space,
soft hyphen, direction marks; combining marks), dropped before matching."""


def normalise(text: str) -> str:
    """``text`` as the guard reads it: NFKC, invisible characters dropped, every digit ASCII.

    NFKC turns full-width digits and odd spaces into plain ones; Arabic-Indic,
    Devanagari and other decimal digits are not touched by NFKC, so each is
    replaced by its value.
    """
    if text.isascii():  # NFKC leaves ASCII as it is, and ASCII has no invisible marks
        return text
    kept = []
    for char in unicodedata.normalize("NFKC", text):
        if unicodedata.category(char) in _INVISIBLE:
            continue
        value = unicodedata.decimal(char, None)
        kept.append(str(value) if value is not None else char)
    return "".join(kept)


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
    """The first thing in ``text`` that looks like a CPR number (normalised), or ``None``."""
    normalised = normalise(text)
    if sum(map(str.isdigit, normalised)) < _DIGITS:  # most notes: no search at all
        return None
    position = 0
    while (match := _CPR.search(normalised, position)) is not None:
        if _is_birth_date(int(match["day"]), int(match["month"]), int(match["year"])):
            return match[0]
        # Overlapping candidates: "3213 010203-1234" must still find the second number.
        position = match.start() + 1
    return None


def refuse_cpr(text: str | None, *, field: str) -> None:
    """Refuse ``text`` if it holds a CPR number; ``field`` names it (``"the note"``).

    The message never repeats the number: it is printed to terminals and may
    end up in logs, which is exactly where it must not be.
    """
    if text and find_cpr(text) is not None:
        raise InvalidInput(
            _(
                "{field} looks like it contains a CPR number; staircase must not store CPR "
                "numbers (§6.5) — remove it and try again"
            ).format(field=field)
        )
