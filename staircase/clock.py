"""The clock and the acting time zone, and reading the times people type.

Times are stored in UTC and shown in local time, Europe/Copenhagen unless
configured (PRODUCT.md §5.4). The clock is a value passed in, never read
from globals deep inside (STYLE.md), so ``--now`` / ``STAIRCASE_NOW`` can
replay a day and tests run on a fixed moment (§10.1).

A ``WHEN`` (§10.2) is typed by staff at a terminal, in Danish or English:
``2026-11-21 14:30``, ``2026-11-21``, ``14:30``, ``-2h``, ``-3d``,
``i går 14:00``, ``yesterday 14:00``, ``i dag``, ``today``, ``nu``, or an
ISO 8601 time with an offset as scripts write it.
"""

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from staircase.errors import InvalidInput
from staircase.i18n import _
from staircase.text import fold

DEFAULT_TZ = "Europe/Copenhagen"

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
"""The span of times staircase reads (§9: "ids and dates bounded")."""

SKEW = timedelta(minutes=1)
"""How far ahead of the clock a time may be: terminals' clocks differ by seconds."""

_EXAMPLES = (
    '"2026-11-21 14:30", "21.11.2026 14:30", "2026-11-21", "14:30", "i går 14:00", '
    '"yesterday 14:00", "-2h", "-3d"'
)

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
}
"""Day words as ``text.fold`` spells them (``går`` → ``gaar``), as offsets from today."""

_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

_RELATIVE = re.compile(r"(?P<sign>[+-])\s*(?P<count>\d+)\s*(?P<unit>[mhdw])")

_DATE_TIME = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})"
    r"(?:[ t](?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.(?P<frac>\d{1,6}))?)?"
    r"\s*(?P<offset>z|[+-]\d{2}(?::?\d{2})?)?)?"
)

_DANISH_DATE = re.compile(
    r"(?P<d>\d{1,2})[./-](?P<mo>\d{1,2})(?:[./-](?P<y>\d{4}))?"
    r"(?:,?\s*(?:kl\.?\s*)?(?P<h>\d{1,2})[:.](?P<mi>\d{2}))?"
)
"""``21.11.2026 14:30``, ``21-11-2026``, ``21/11 kl. 14.30``: dates as Danes write
them (§7.5) and as Danish Excel saves them; without a year, this year."""

_DAY_TIME = re.compile(r"(?P<day>.*?)\s*(?:(?:kl\.?\s*)?(?P<h>\d{1,2})[:.](?P<mi>\d{2}))?")


def resolve_tz(tz: ZoneInfo | str | None = None) -> ZoneInfo:
    """The acting time zone: the one given, else ``STAIRCASE_TZ``, else Copenhagen (§5.4)."""
    if isinstance(tz, ZoneInfo):
        return tz
    name = tz or os.environ.get("STAIRCASE_TZ") or DEFAULT_TZ
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        raise InvalidInput(
            _(
                'unknown time zone "{name}" (STAIRCASE_TZ); use a name such as "{DEFAULT_TZ}"'
            ).format(name=name, DEFAULT_TZ=DEFAULT_TZ)
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

    Relative forms (``-2h``, ``-3d``, ``+1w``) are spans of elapsed time from
    ``clock.now``, so ``-1d`` and ``-24h`` agree even across a DST change.
    Wall-clock forms are read in ``clock.tz``. Refuses with one line naming
    the text and the forms it understands.
    """
    typed = " ".join(fold(text).split())
    for reader in (_read_now, _read_relative, _read_date_time, _read_danish_date, _read_day_time):
        try:
            when = reader(typed, text, clock)
        except OverflowError:  # year 1 or 9999 moved by a time zone leaves the calendar
            raise _out_of_bounds(text) from None
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
        _('the time "{text}" is outside {year}–{value}; give a time in that span').format(
            text=text, year=EARLIEST.year, value=LATEST.year - 1
        )
    )


def _unreadable(text: str) -> InvalidInput:
    return InvalidInput(
        _('cannot read the time "{text}": use e.g. {EXAMPLES}').format(
            text=text, EXAMPLES=_EXAMPLES
        )
    )


def _read_now(typed: str, text: str, clock: Clock) -> datetime | None:
    return clock.now if typed in _NOW_WORDS else None


def _read_relative(typed: str, text: str, clock: Clock) -> datetime | None:
    match = _RELATIVE.fullmatch(typed)
    if match is None:
        return None
    sign = 1 if match["sign"] == "+" else -1
    try:
        return clock.now + sign * timedelta(**{_UNITS[match["unit"]]: int(match["count"])})
    except OverflowError:
        raise _unreadable(text) from None


def _read_date_time(typed: str, text: str, clock: Clock) -> datetime | None:
    match = _DATE_TIME.fullmatch(typed)
    if match is None:
        return None
    year, month, day, hour, minute, second = (
        int(match[key] or 0) for key in ("y", "mo", "d", "h", "mi", "s")
    )
    micro = int((match["frac"] or "0").ljust(6, "0"))
    try:
        naive = datetime(year, month, day, hour, minute, second, micro)
        zone = _offset(match["offset"])
    except ValueError:
        raise _unreadable(text) from None
    if zone is None:
        return _from_local(naive, clock.tz, text)
    return naive.replace(tzinfo=zone).astimezone(UTC)


def _read_danish_date(typed: str, text: str, clock: Clock) -> datetime | None:
    match = _DANISH_DATE.fullmatch(typed)
    if match is None:
        return None
    year = int(match["y"]) if match["y"] else clock.now.astimezone(clock.tz).year
    try:
        naive = datetime(year, int(match["mo"]), int(match["d"]), int(match["h"] or 0))
        naive = naive.replace(minute=int(match["mi"] or 0))
    except ValueError:
        raise _unreadable(text) from None
    return _from_local(naive, clock.tz, text)


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


def _read_day_time(typed: str, text: str, clock: Clock) -> datetime | None:
    match = _DAY_TIME.fullmatch(typed)
    if match is None or (not match["day"] and match["h"] is None):
        return None
    shift = _DAY_WORDS.get(match["day"], 0 if not match["day"] else None)
    if shift is None:
        return None
    try:
        moment = time(int(match["h"] or 0), int(match["mi"] or 0))
    except ValueError:
        raise _unreadable(text) from None
    day = clock.now.astimezone(clock.tz).date() + timedelta(days=shift)
    return _from_local(datetime.combine(day, moment), clock.tz, text)


def _from_local(naive: datetime, tz: ZoneInfo, text: str) -> datetime:
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
        raise InvalidInput(
            _(
                'the time "{text}" does not exist in {key}: the clocks skip that hour when '
                "summer time begins; give a time before or after it"
            ).format(text=text, key=tz.key)
        )
    return utc


def format_local(dt: datetime, tz: ZoneInfo) -> str:
    """``2026-11-21 14:30``: how a time is shown to people (§5.4); a naive ``dt`` is UTC."""
    return as_utc(dt).astimezone(tz).strftime("%Y-%m-%d %H:%M")


def iso_utc(dt: datetime) -> str:
    """``2026-11-21T13:30:00Z``: how JSON shows a time (§10.2); a naive ``dt`` is UTC."""
    return as_utc(dt).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def not_in_future(when: datetime, *, clock: Clock, what: str = "the observation") -> datetime:
    """``when`` in UTC, refused if it lies ahead of the clock (§9: "date in the future").

    Up to ``SKEW`` ahead is allowed, so "14:30" typed at 14:29:40 on a
    terminal whose clock runs slow is not refused.
    """
    when = as_utc(when)
    if when > clock.now + SKEW:
        raise InvalidInput(
            _(
                "{what} time {format_local} is in the future (now is {format_local2}); give "
                "a past time with --at"
            ).format(
                what=what,
                format_local=format_local(when, clock.tz),
                format_local2=format_local(clock.now, clock.tz),
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
