"""What a quality command covers: units and a period, checked against the role (§6.1)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from staircase.clock import parse_when
from staircase.core.identity import with_descendants
from staircase.core.lookup import visible_units
from staircase.core.work import Work
from staircase.errors import InvalidInput
from staircase.i18n import _

Progress = Callable[[int, int], None]
"""Called with (done, total) as rows are written or read, for a progress bar."""


def no_progress(done: int, total: int) -> None:
    """Off a terminal nobody watches a bar."""


@dataclass(frozen=True)
class Scope:
    """Which rows an export, a report or the statistics cover: units (None: all) and a period."""

    units: list[str] | None
    since: datetime | None
    until: datetime | None


@dataclass(frozen=True)
class Criteria:
    """What to export, as typed: units (none: all one may read), period, names or not."""

    units: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    with_names: bool = False


def resolve_scope(work: Work, criteria: Criteria, action: str) -> Scope:
    """The units asked for with the homes below them (an area means its homes), each
    checked against the role, else all one may read; and the period."""
    units: list[str] | None
    if criteria.units:
        named = frozenset(u for unit in criteria.units for u in visible_units(work, unit, action))
        units = sorted(with_descendants(work.session, named))
    else:
        units = visible_units(work, None, action)
    since = parse_when(criteria.since, clock=work.clock) if criteria.since else None
    until = parse_when(criteria.until, clock=work.clock) if criteria.until else None
    if since is not None and until is not None and since >= until:
        raise InvalidInput(_("--since must lie before --until"))
    return Scope(units=units, since=since, until=until)
