"""The clock and the acting time zone, and reading and writing the times people use.

Times are stored in UTC and shown in local time, Europe/Copenhagen unless
configured (PRODUCT.md §5.4). The clock is a value passed in, never read
from globals deep inside (STYLE.md), so ``--now`` / ``STAIRCASE_NOW`` can
replay a day and tests run on a fixed moment (§10.1).

A ``WHEN`` (§10.2, §7.5) is typed by staff at a terminal, in Danish or
English, whatever language the program speaks: ``21.11.2026 14:30``,
``21/11 14:30``, ``21.11``, ``23. nov. 2026 14:30``, ``i går kl. 14``,
``i går 14:00``, ``i dag``, ``i morgen``, ``om 2 uger``, ``for 2 timer
siden``, ``+14d``, ``-2h``, ``2026-11-21 14:30``, ``yesterday 14:00``,
``nu``, or an ISO 8601 time with an offset as scripts write it. Every time
shown to a person (``for_person``) reads back as the same moment.
"""

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from staircase.errors import InvalidInput
from staircase.i18n import _, pgettext
from staircase.text import fold
from staircase.timeforms import forms

DEFAULT_TZ = "Europe/Copenhagen"

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
"""The span of times staircase reads (§9: "ids and dates bounded")."""

SKEW = timedelta(minutes=1)
"""How far ahead of the clock a time may be: terminals' clocks differ by seconds."""

_NOW_WORDS = frozenset({"nu", "now"})

_DAY_WORDS = {
    "i dag": 0,
    "idag": 0,
    "today": 0,
    "i gaar": -1,
    "igaar": -1,
    "i gar": -1,
    "igar": -1,
    "yesterday": -1,
    "i forgaars": -2,
    "iforgaars": -2,
    "i morgen": 1,
    "imorgen": 1,
    "tomorrow": 1,
    "i overmorgen": 2,
}
"""Day words as ``text.fold`` spells them (``går`` → ``gaar``), as offsets from today."""

_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

_SPOKEN_UNITS = {
    **dict.fromkeys(("minut", "minutter", "min", "minute", "minutes"), "minutes"),
    **dict.fromkeys(("time", "timer", "hour", "hours"), "hours"),
    **dict.fromkeys(("dag", "dage", "doegn", "day", "days"), "days"),
    **dict.fromkeys(("uge", "uger", "week", "weeks"), "weeks"),
}
"""Units in words, Danish and English (``time`` is the Danish hour)."""

_ONE = frozenset({"en", "et", "one", "a", "an"})

_SPANS = (
    (re.compile(r"(?P<sign>[+-])\s*(?P<count>\d+)\s*(?P<unit>[mhdw])"), None),
    (re.compile(r"(?:om|in) (?P<count>\d+|[a-z]+) (?P<unit>[a-z]+)"), 1),
    (re.compile(r"(?:for )?(?P<count>\d+|[a-z]+) (?P<unit>[a-z]+) (?:siden|ago)"), -1),
)
"""``+14d``/``-2h``; ``om 2 uger``/``in 2 weeks``; ``for 2 timer siden``/``2 hours ago``:
each with its sign (None: the text's own)."""

_DATE_TIME = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})"
    r"(?:[ t](?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<frac>\d{1,6}))?)?"
    r"\s*(?P<offset>z|[+-]\d{2}(?::?\d{2})?)?)?"
)

_NUMERIC_DATE = re.compile(
    r"(?P<d>\d{1,2})[./-](?P<mo>0?[1-9]|1[0-2])(?:[./-](?P<y>\d{4}|\d{2}))?\.?"
)
"""``21.11.2026``, ``21-11-2026``, ``21/11``, ``21.11.26``: dates as Danes write them
(§7.5) and as Danish Excel saves them. The month must be one, so ``14.30`` is a time."""

_NAMED_DATE = re.compile(r"(?P<d>\d{1,2})\.? ?(?P<month>[a-z]+)\.?(?: (?P<y>\d{4}))?")
"""``23. nov. 2026``, ``23 Nov 2026``, ``5. maj``: a date with the month's name."""

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "januar", "january"),
            ("feb", "februar", "february"),
            ("mar", "marts", "march"),
            ("apr", "april"),
            ("maj", "may"),
            ("jun", "juni", "june"),
            ("jul", "juli", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("okt", "oct", "oktober", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
"""Month names and their abbreviations, Danish and English, as ``fold`` spells them."""

_TIME_OF_DAY = re.compile(
    r"(?P<day>.*?)(?:^|[\s,]+)"
    r"(?:(?:kl\.?|at) ?(?P<h>\d{1,2})(?:[:.](?P<mi>\d{2}))?|(?P<hh>\d{1,2})[:.](?P<mm>\d{2}))"
)
"""A day followed by a time of day: ``14:30``, ``kl. 14``, ``kl. 14.30``, ``at 9:05``.
An hour alone needs ``kl.``: ``i går 14`` might be anything."""


def resolve_tz(tz: ZoneInfo | str | None = None) -> ZoneInfo:
    """The acting time zone: the one given, else ``STAIRCASE_TZ``, else Copenhagen (§5.4)."""
    if isinstance(tz, ZoneInfo):
        return tz
    name = tz or os.environ.get("STAIRCASE_TZ") or DEFAULT_TZ
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        raise InvalidInput(
            _('unknown time zone "{name}" (STAIRCASE_TZ); use a name such as "{default}"').format(
                name=name, default=DEFAULT_TZ
            )
        ) from None


def as_utc(dt: datetime) -> datetime:
    """``dt`` in UTC; a naive time is taken as UTC, because that is how the database stores it."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


@dataclass(frozen=True)
class Clock:
    """What "now" is for one invocation, and the time zone people read times in.

    ``shifted`` is true when the moment is not the real time (``--now``, a
    replay, a test), so the audit log can mark entries made on it (§10.1).
    ``real_now`` is the real time the clock was made at, which the shifted
    clock never moves (§6.8): retention counts it, and nothing is recorded
    as logged after it. A fixed clock (tests, the demo) stops the whole
    world, so its real time is its ``now``.
    """

    now: datetime
    tz: ZoneInfo
    shifted: bool = False
    real_now: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "now", as_utc(self.now))
        object.__setattr__(self, "real_now", as_utc(self.real_now or self.now))

    @classmethod
    def real(cls, tz: ZoneInfo | str | None = None) -> "Clock":
        """The system's time."""
        return cls(datetime.now(UTC), resolve_tz(tz))

    @classmethod
    def at(cls, text: str, tz: ZoneInfo | str | None = None) -> "Clock":
        """The clock ``--now WHEN`` sets; a relative WHEN counts from the real time."""
        real = cls.real(tz)
        return cls(parse_when(text, clock=real), real.tz, shifted=True, real_now=real.now)

    @classmethod
    def fixed(cls, when: datetime, tz: ZoneInfo | str | None = None) -> "Clock":
        """A clock stopped at ``when`` (a naive ``when`` is UTC): for demos and tests."""
        return cls(when, resolve_tz(tz), shifted=True)

    @property
    def ahead(self) -> bool:
        """Whether the clock was set later than the real time (beyond ``SKEW``)."""
        return self.now > (self.real_now or self.now) + SKEW

    def logged_at(self) -> datetime:
        """When something is recorded as logged: the clock, but never after the real time."""
        return min(self.now, self.real_now or self.now)


def parse_when(text: str, *, clock: Clock) -> datetime:
    """The moment a typed WHEN (§10.2) names, as an aware UTC datetime.

    Spans (``-2h``, ``+14d``, ``om 2 uger``, ``for 2 timer siden``) are
    elapsed time from ``clock.now``, so ``-1d`` and ``-24h`` agree even
    across a DST change. Wall-clock forms are read in ``clock.tz``. Refuses
    with one line naming the text and the forms it understands.
    """
    typed = " ".join(fold(text).split())
    readers: tuple[Callable[[str, Clock], datetime | None], ...] = (
        _read_now,
        _read_span,
        _read_date_time,
        _read_day_and_time,
    )
    for reader in readers:
        try:
            when = reader(typed, clock)
        except OverflowError:  # year 1 or 9999 moved by a time zone leaves the calendar
            raise _out_of_bounds(text) from None
        except ValueError:  # a form it knows, naming a day or an hour that is not there
            raise _unreadable(text) from None
        except _SkippedHour:
            raise _skipped_hour(text, clock.tz) from None
        if when is not None:
            return _within_bounds(when, text)
    raise _unreadable(text)


def _within_bounds(when: datetime, text: str) -> datetime:
    """Refuse a time outside ``EARLIEST``–``LATEST``: no care-home event is there, and
    arithmetic on year 1 or 9999 (a deadline, a retention cut-off) overflows."""
    if not EARLIEST <= when < LATEST:
        raise _out_of_bounds(text)
    return when


def _out_of_bounds(text: str) -> InvalidInput:
    return InvalidInput(
        _('the time "{text}" is outside {first}–{last}; give a time in that span').format(
            text=text, first=EARLIEST.year, last=LATEST.year - 1
        )
    )


def _unreadable(text: str) -> InvalidInput:
    return InvalidInput(
        _('cannot read the time "{text}": use e.g. {forms}').format(text=text, forms=forms())
    )


class _SkippedHour(Exception):
    """A local time in the hour the clocks skip in spring."""


def _skipped_hour(text: str, tz: ZoneInfo) -> InvalidInput:
    return InvalidInput(
        _(
            'the time "{text}" does not exist in {zone}: the clocks skip that hour '
            "when summer time begins; give a time before or after it"
        ).format(text=text, zone=tz.key)
    )


def _read_now(typed: str, clock: Clock) -> datetime | None:
    return clock.now if typed in _NOW_WORDS else None


def _read_span(typed: str, clock: Clock) -> datetime | None:
    """``+14d``, ``-2h``, ``om 2 uger``, ``for 2 timer siden``: elapsed time from now."""
    for pattern, direction in _SPANS:
        match = pattern.fullmatch(typed)
        if match is None:
            continue
        unit = _UNITS.get(match["unit"]) or _SPOKEN_UNITS.get(match["unit"])
        count = match["count"]
        if unit is None or not (count.isdigit() or count in _ONE):
            return None
        sign = direction or (1 if match["sign"] == "+" else -1)
        return clock.now + sign * timedelta(**{unit: int(count) if count.isdigit() else 1})
    return None


def _read_date_time(typed: str, clock: Clock) -> datetime | None:
    """ISO 8601, as scripts and ``show`` before §7.5 wrote times."""
    match = _DATE_TIME.fullmatch(typed)
    if match is None:
        return None
    year, month, day, hour, minute, second = (
        int(match[key] or 0) for key in ("y", "mo", "d", "h", "mi", "s")
    )
    micro = int((match["frac"] or "0").ljust(6, "0"))
    naive = datetime(year, month, day, hour, minute, second, micro)
    zone = _offset(match["offset"])
    if zone is None:
        return _from_local(naive, clock.tz)
    return naive.replace(tzinfo=zone).astimezone(UTC)


def _offset(typed: str | None) -> tzinfo | None:
    """``z``, ``+01:00``, ``+0100`` or ``+01`` as a fixed zone; no offset means local time."""
    if typed is None:
        return None
    if typed == "z":
        return UTC
    digits = typed[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if minutes >= 60:
        raise ValueError(f"no such offset {typed}")
    span = timedelta(hours=hours, minutes=minutes)
    return timezone(span if typed[0] == "+" else -span)


def _read_day_and_time(typed: str, clock: Clock) -> datetime | None:
    """A day (``21.11``, ``i går``, ``23. nov. 2026``), a time of day, or both.

    The whole text is tried as a day first, so ``21.11`` is the 21st of
    November, not 21:11; a day alone starts at midnight.
    """
    if not typed:
        return None
    today = clock.now.astimezone(clock.tz).date()
    day, moment = _read_day(typed, today), time()
    if day is None:
        match = _TIME_OF_DAY.fullmatch(typed)
        if match is None:
            return None
        day = _read_day(match["day"], today)
        moment = time(int(match["h"] or match["hh"]), int(match["mi"] or match["mm"] or 0))
    return None if day is None else _from_local(datetime.combine(day, moment), clock.tz)


def _read_day(typed: str, today: date) -> date | None:
    """The calendar day ``typed`` names, if it names one; ``ValueError`` if none such exists."""
    if typed in _DAY_WORDS or not typed:
        return today + timedelta(days=_DAY_WORDS.get(typed, 0))
    numeric, named = _NUMERIC_DATE.fullmatch(typed), _NAMED_DATE.fullmatch(typed)
    if numeric:
        return _date(today, numeric["y"], int(numeric["mo"]), int(numeric["d"]))
    if named and named["month"] in _MONTHS:
        return _date(today, named["y"], _MONTHS[named["month"]], int(named["d"]))
    return None


def _date(today: date, year: str | None, month: int, day: int) -> date:
    """The date, a two-digit year in this century; without a year, the one nearest today.

    Nearest, not this year's: "30.12" typed on the 2nd of January is the
    night shift a few days ago, not a date eleven months ahead.
    """
    if year:
        return date(int(year) + (2000 if len(year) == 2 else 0), month, day)
    candidates = []
    for near in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(near, month, day))
        except ValueError:  # the 29th of February, in a year without one
            continue
    if not candidates:
        raise ValueError(f"no {day}.{month} near {today}")
    return min(candidates, key=lambda candidate: abs(candidate - today))


def _from_local(naive: datetime, tz: ZoneInfo) -> datetime:
    """A local wall-clock time in UTC, minding the two DST changes a year.

    In the spring gap (Copenhagen: 02:00–03:00 on the last Sunday of March)
    the time never happened, so it is refused rather than guessed. In the
    autumn overlap the hour happens twice; the first occurrence (``fold=0``,
    still summer time) is taken, as a person logging "02:30" most likely
    means the first one.
    """
    aware = naive.replace(tzinfo=tz, fold=0)
    utc = aware.astimezone(UTC)
    if utc.astimezone(tz).replace(tzinfo=None) != naive:
        raise _SkippedHour()
    return utc


def format_local(dt: datetime, tz: ZoneInfo) -> str:
    """``2026-11-21 14:30``: a local time the same in every language, for files and e-mail."""
    return as_utc(dt).astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _month(number: int) -> str:
    """The month's short name in the language in use: ``nov.``, ``maj``; ``Nov``, ``May``."""
    months = (
        pgettext("month", "Jan"),
        pgettext("month", "Feb"),
        pgettext("month", "Mar"),
        pgettext("month", "Apr"),
        pgettext("month", "May"),
        pgettext("month", "Jun"),
        pgettext("month", "Jul"),
        pgettext("month", "Aug"),
        pgettext("month", "Sep"),
        pgettext("month", "Oct"),
        pgettext("month", "Nov"),
        pgettext("month", "Dec"),
    )
    return months[number - 1]


def for_person(dt: datetime, clock: Clock) -> str:
    """A time as a person reads it, near days by name (§7.5): ``i dag 14:30``,
    ``i går 09:15``, ``23. nov. 2026 14:30``; ``today 14:30``, ``23 Nov 2026 14:30``.

    Near days are named relative to ``clock`` (so a replay with ``--now``
    reads as that day did), in ``clock.tz``; a naive ``dt`` is UTC. Whatever
    it writes, ``parse_when`` reads back as the same minute.
    """
    local = as_utc(dt).astimezone(clock.tz)
    hour = local.strftime("%H:%M")
    days = (local.date() - clock.now.astimezone(clock.tz).date()).days
    near = {
        -1: pgettext("when", "yesterday"),
        0: pgettext("when", "today"),
        1: pgettext("when", "tomorrow"),
    }
    if days in near:
        return f"{near[days]} {hour}"
    return _("{day} {month} {year} {time}").format(
        day=local.day, month=_month(local.month), year=local.year, time=hour
    )


def iso_utc(dt: datetime) -> str:
    """``2026-11-21T13:30:00Z``: how JSON shows a time (§10.2); a naive ``dt`` is UTC.

    Called for every time a large ``--json`` prints, so a time already in UTC
    (as the database gives it) is formatted as it is.
    """
    if dt.tzinfo is not UTC:
        dt = as_utc(dt)
    return dt.isoformat(timespec="seconds").removesuffix("+00:00") + "Z"


def not_in_future(when: datetime, *, clock: Clock, what: str | None = None) -> datetime:
    """``when`` in UTC, refused if it lies ahead of the clock (§9: "date in the future").

    Up to ``SKEW`` ahead is allowed, so "14:30" typed at 14:29:40 on a
    terminal whose clock runs slow is not refused. ``what`` names the time
    refused (default: the observation's).
    """
    when = as_utc(when)
    if when > clock.now + SKEW:
        raise InvalidInput(
            _(
                "{what} time {when} is in the future (now is {now}); give a past time with --at"
            ).format(
                what=what or _("the observation"),
                when=for_person(when, clock),
                now=for_person(clock.now, clock),
            )
        )
    return when


def due_after(raised: datetime, days: int, tz: ZoneInfo) -> datetime:
    """The UTC deadline of something that must happen within ``days`` days of ``raised``.

    ``days == 0`` means "the same day" in the rule packs: the end of the
    local calendar day on which it was raised (23:59:59 local), not 24 hours,
    so an escalation raised at 23:30 is due half an hour later.
    """
    if days < 0:
        raise ValueError(f"a deadline cannot be {days} days before it is raised")
    raised = as_utc(raised)
    if days:
        return raised + timedelta(days=days)
    end_of_day = datetime.combine(raised.astimezone(tz).date(), time(23, 59, 59), tz)
    return end_of_day.astimezone(UTC)
