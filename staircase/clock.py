"""TEMPORARY stand-in until helper's clock lands."""
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, time
from zoneinfo import ZoneInfo
from staircase.errors import InvalidInput

DEFAULT_TZ = "Europe/Copenhagen"

def _tz(tz=None):
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz or os.environ.get("STAIRCASE_TZ") or DEFAULT_TZ)

@dataclass(frozen=True)
class Clock:
    now: datetime
    tz: ZoneInfo
    shifted: bool = False
    @classmethod
    def real(cls, tz=None):
        return cls(datetime.now(UTC), _tz(tz), False)
    @classmethod
    def at(cls, text, tz=None):
        real = cls.real(tz)
        return cls(parse_when(text, clock=real), real.tz, True)
    @classmethod
    def fixed(cls, when, tz=None):
        return cls(when.astimezone(UTC), _tz(tz), True)

def parse_when(text, *, clock):
    t = text.strip()
    if t.startswith("-") and t[-1] in "hdm":
        n = int(t[1:-1]); unit = {"h": "hours", "d": "days", "m": "minutes"}[t[-1]]
        return clock.now - timedelta(**{unit: n})
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(t, fmt).replace(tzinfo=clock.tz).astimezone(UTC)
        except ValueError:
            pass
    if t.startswith("i går") or t.startswith("yesterday"):
        hh = t.split()[-1]
        h, m = map(int, hh.split(":"))
        if h > 23: raise InvalidInput(f'cannot read the time "{text}"')
        d = clock.now.astimezone(clock.tz).date() - timedelta(days=1)
        return datetime.combine(d, time(h, m), clock.tz).astimezone(UTC)
    raise InvalidInput(f'cannot read the time "{text}": use e.g. "2026-11-21 14:30", "i går 14:00", "-2h"')

def not_in_future(when, *, clock, what="the observation"):
    if when > clock.now + timedelta(minutes=1):
        raise InvalidInput(f"{what} time is in the future; give a past time with --at")
    return when

def due_after(raised, days, tz):
    if days == 0:
        local = raised.astimezone(tz)
        return datetime.combine(local.date(), time(23, 59, 59), tz).astimezone(UTC)
    return raised + timedelta(days=days)
