"""Logging what staff observe (§10.4 ``staircase log``): the shift's few seconds.

Observations are append-only: a correction retracts an earlier one with a
new entry and, if it amends, logs the right indicators alongside. Every log
re-evaluates the case at once, so a move, a proposal or an escalation is
never waiting for a cron job.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, insert
from sqlmodel import Session, select

from staircase.cases import consequences
from staircase.cases.show import action_view, case_view, escalation_view, proposal_view
from staircase.clock import Clock, not_in_future, parse_when
from staircase.core.lookup import get_case, get_open_case, pack_for
from staircase.core.permissions import permit_unit
from staircase.core.work import Request, Work, transaction
from staircase.cpr import refuse_cpr
from staircase.db import digests
from staircase.db.guard import guard_bulk
from staircase.db.models import Case, Observation, Relative, Resident
from staircase.domain.pack import Indicator, Pack
from staircase.errors import InvalidInput, NotFound
from staircase.i18n import _, pgettext
from staircase.text import did_you_mean, key
from staircase.views import IndicatorView, LogMenu, LogResult, MenuStep

CHANNELS = ("telefon", "besoeg", "mail", "moede", "andet")
"""How the observation came about (§2); typed with or without ø (besøg, møde)."""

_CHANNEL_WORDS = {
    "telefon": ("phone", "tlf"),
    "besoeg": ("visit",),
    "mail": ("e-mail", "email"),
    "moede": ("meeting",),
    "andet": ("other",),
}
"""What else staff type for a channel: the English word, the usual abbreviation."""


@dataclass(frozen=True)
class Entry:
    """What a staff member typed for one log."""

    case_id: int
    indicators: tuple[str, ...] = ()
    at: str | None = None
    channel: str | None = None
    note: str | None = None
    retracts: int | None = None


def channel_id(text: str | None) -> str:
    """A channel as typed (``besøg``, ``Møde``, ``moede``, ``visit``) to its id."""
    if text is None:
        return "andet"
    by_key = {
        key(word): channel
        for channel, words in _CHANNEL_WORDS.items()
        for word in (channel, *words)
    }
    if key(text) in by_key:
        return by_key[key(text)]
    raise InvalidInput(
        _('unknown channel "{text}"{did_you_mean} (one of {join})').format(
            text=text, did_you_mean=did_you_mean(text, list(CHANNELS)), join=", ".join(CHANNELS)
        )
    )


def channel_name(channel: str) -> str:
    """A channel's id as a person reads it, in the language in use: ``besøg``, ``visit``."""
    names = {
        "telefon": pgettext("channel", "phone"),
        "besoeg": pgettext("channel", "visit"),
        "mail": pgettext("channel", "mail"),
        "moede": pgettext("channel", "meeting"),
        "andet": pgettext("channel", "other"),
    }
    return names.get(channel, channel)


def observed_at(text: str | None, clock: Clock) -> datetime:
    """When a typed WHEN says something was observed: now if nothing was typed, never
    ahead of the clock. The prompt checks an answer with it before anything is written."""
    return not_in_future(parse_when(text, clock=clock), clock=clock) if text else clock.now


def log(request: Request, entry: Entry) -> LogResult:
    """Record the observations, re-evaluate the case, and say what followed."""
    refuse_cpr(entry.note, field=_("the note"))
    channel = channel_id(entry.channel)
    if not entry.indicators and entry.retracts is None:
        raise InvalidInput(
            _("name at least one indicator (see `staircase rules show`), or --retracts OBS")
        )
    occurred = observed_at(entry.at, request.clock)
    with transaction(request, "log") as work:
        case = get_open_case(work.session, entry.case_id)
        permit_unit(work.actor, case.unit_id, "log")
        pack = pack_for(work.session, case)
        indicators = tuple(pack.indicator(text).id for text in entry.indicators)
        if entry.retracts is not None:
            _retract(work, case, entry.retracts, note=entry.note)
        return record(work, case, indicators, occurred=occurred, channel=channel, note=entry.note)


@dataclass(frozen=True)
class Observed:
    """One observation to store: a known indicator id on a case, when and how."""

    case_id: int
    indicator: str
    occurred: datetime
    channel: str
    note: str | None


def record(
    work: Work,
    case: Case,
    indicators: tuple[str, ...],
    *,
    occurred: datetime,
    channel: str,
    note: str | None,
) -> LogResult:
    """Store observations of known indicator ids and carry out what follows.

    The one path every observation takes — typed by staff, or logged by a
    broken agreement — so the consequences never differ by where it came from.
    """
    created = store(work, [Observed(case.id, i, occurred, channel, note) for i in indicators])
    result = consequences.reevaluate(work, case)
    pack = pack_for(work.session, case)
    return LogResult(
        observations=created,
        moved_to=result.moved.to_step if result.moved else None,
        proposals=[proposal_view(p) for p in result.proposals],
        escalations=[escalation_view(e) for e in result.escalations],
        actions=[action_view(pack, a) for a in result.actions],
        case=case_view(work, case, result.evaluation),
    )


def store(work: Work, observed: list[Observed]) -> list[int]:
    """Store and audit observations without re-evaluating their cases; their ids.

    ``record`` re-evaluates at once; an import stores a whole file first and
    settles the cases it touched once at the end (§7.3), set-wise, through
    the same ``consequences.settle``. No ORM object is built, tracked and
    refreshed per row: a file repeats the same indicator, channel and note
    thousands of times, so each distinct text is checked once; the rows go in
    as one Core statement a batch that returns only their ids, and their
    digests are taken from the values just written (``row_digest``
    normalises them as they read back).
    """
    if not observed:
        return []
    table = Observation.__table__
    rows = [
        {
            "case_id": o.case_id,
            "indicator": o.indicator,
            "occurred_at": o.occurred,
            "logged_at": work.clock.logged_at(),
            "logged_by": work.actor.id,
            "channel": o.channel,
            "note": o.note,
            "retracts_id": None,
        }
        for o in observed
    ]
    guard_bulk(table, _distinct_texts(rows))
    ids = _inserted_ids(work.session, table, rows)
    written = [Observation.model_construct(id=i, **row) for i, row in zip(ids, rows, strict=True)]
    digests.wrote(work.session, written)
    for row_id, o in zip(ids, observed, strict=True):
        work.audit("observation.add", case_id=o.case_id, subject=f"{row_id}:{o.indicator}")
    return ids


def _inserted_ids(session: Session, table: Table, rows: list[dict]) -> list[int]:
    """Insert the rows, a few hundred to a statement; their new ids, in the rows' order.

    Asked to return the ids in the rows' order, SQLAlchemy sends SQLite one
    statement per row, for SQLite cannot say which row got which id (its
    documentation, "Correlating RETURNING rows with parameter sets"): 20,000
    round trips for a file. But under the write lock every unit of work
    holds (``BEGIN IMMEDIATE``), an ``AUTOINCREMENT`` table gives each row
    one more than the largest id yet, in the order the rows go in, so the
    returned ids sorted are the rows' ids in order. PostgreSQL keeps the
    order in its batches by itself.
    """
    if session.get_bind().dialect.name == "sqlite":
        return sorted(session.scalars(insert(table).returning(table.c.id), rows))
    ordered = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(session.scalars(ordered, rows))


def _distinct_texts(rows: list[dict]) -> list[dict[str, str]]:
    """Each distinct combination of the rows' text values once, in order of appearance:
    the guard's verdict on a text depends on the text and its column alone."""
    texts = (tuple((k, v) for k, v in row.items() if isinstance(v, str)) for row in rows)
    return [dict(pairs) for pairs in dict.fromkeys(texts)]


def _retract(work: Work, case: Case, observation_id: int, *, note: str | None) -> None:
    """Withdraw an earlier observation of the same case with a new entry."""
    target = work.session.get(Observation, observation_id)
    if target is None or target.case_id != case.id:
        raise NotFound(
            _("case {id} has no observation {observation_id}").format(
                id=case.id, observation_id=observation_id
            )
        )
    if target.indicator is None:
        raise InvalidInput(
            _("observation {observation_id} is itself a retraction").format(
                observation_id=observation_id
            )
        )
    already = work.session.exec(
        select(Observation.id).where(Observation.retracts_id == observation_id)
    ).first()
    if already is not None:
        raise InvalidInput(
            _("observation {observation_id} was already retracted by {already}").format(
                observation_id=observation_id, already=already
            )
        )
    retraction = Observation(
        case_id=case.id,
        indicator=None,
        occurred_at=work.now,
        logged_at=work.clock.logged_at(),
        logged_by=work.actor.id,
        channel="andet",
        note=note,
        retracts_id=observation_id,
    )
    work.session.add(retraction)
    work.session.flush()
    work.audit("observation.retract", case_id=case.id, subject=f"{retraction.id}->{observation_id}")


def _pack_to_log_on(request: Request, case_id: int) -> Pack:
    """The pack of a case the acting person may log on, for a prompt before the log."""
    with transaction(request, "log", write=False) as work:
        case = get_case(work.session, case_id)
        permit_unit(work.actor, case.unit_id, "log")
        return pack_for(work.session, case)


def identify(request: Request, case_id: int, words: tuple[str, ...]) -> list[IndicatorView]:
    """What each typed word names on the case's pack, before anything is logged.

    A terminal asks about the answer: which kendetegn a word that fits
    several meant (``AmbiguousIndicator`` for the first such word), and
    whether a kendetegn that reaches leadership at once is really meant.
    """
    pack = _pack_to_log_on(request, case_id)
    return [_indicator_view(pack, pack.indicator(word)) for word in words]


def _indicator_view(pack: Pack, indicator: Indicator) -> IndicatorView:
    return IndicatorView(
        id=indicator.id,
        name=indicator.name.da,
        step=indicator.step,
        work_environment=indicator.work_environment,
        confirm=pack.asks_confirmation(indicator),
    )


def log_menu(request: Request, case_id: int) -> LogMenu:
    """Whose case it is and its kendetegn by step, godt upwards, for the prompt.

    Refused (closed, unknown, not the person's unit) before anything is
    asked, so nobody answers questions for a log that cannot be written.
    """
    with transaction(request, "log", write=False) as work:
        case = get_open_case(work.session, case_id)
        permit_unit(work.actor, case.unit_id, "log")
        pack = pack_for(work.session, case)
        resident = work.session.get(Resident, case.resident_id)
        relative = work.session.get(Relative, case.relative_id)
        steps = [
            MenuStep(
                id=step.id,
                name=step.name.spoken(),
                indicators=[(i.id, i.name.spoken()) for i in pack.indicators if i.step == step.id],
            )
            for step in pack.ladder
        ]
        return LogMenu(
            case_id=case.id,
            resident=resident.name,
            relative=relative.name,
            relation=relative.relation,
            steps=steps,
        )
