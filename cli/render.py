"""How the command line shows things: rich on a terminal, plain JSON for scripts (§7.1).

rich is imported inside the functions: it costs tens of milliseconds, and
``staircase --help`` and shell completion must stay fast (§8). A console is
made per call so that it sees this invocation's streams and ``NO_COLOR``;
rich drops colour itself when ``NO_COLOR`` is set or the output is not a
terminal.
"""

import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import TYPE_CHECKING, Any

import typer

from staircase.errors import ExitStatus
from staircase.i18n import N_, _
from staircase.kinds import Addressee

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType

    from staircase.domain.pack import Escalation, Pack, Rule, Step
    from staircase.views import SkippedUnit

ROLES = {
    Addressee.CONTACT: N_("the contact person"),
    Addressee.UNIT_LEADER: N_("the unit's leader"),
    Addressee.AREA_LEADER: N_("the area leader"),
    Addressee.SAFETY_REP: N_("the safety representative"),
}
"""The pack's roles as a policy names them (the ids stay in ``--json``)."""

_RISE = 4
"""Columns each step stands further right than the one below it, on a terminal wide enough."""
_WIDE = 72


def console() -> "Console":
    """Standard output, for what the command produced."""
    from rich.console import Console

    return Console()


def err_console() -> "Console":
    """Standard error, for progress and status that must not mix with ``--json`` output."""
    from rich.console import Console

    return Console(stderr=True)


def skipped_units(skipped: "Sequence[SkippedUnit]") -> None:
    """Units that tick or assess left out because their rule pack cannot be
    loaded: one line each on stderr, then exit 1 (issue 11). The other units
    were served and their work is kept; the status makes cron (or a script)
    tell someone, since the skipped unit's cases go unwatched until fixed."""
    if not skipped:
        return
    for unit in skipped:
        err_console().print(unit.problem, markup=False, soft_wrap=True)
    raise typer.Exit(ExitStatus.BAD_INPUT)


def print_json(data: Any) -> None:
    """Print data as JSON: UTF-8 as is (``større``), times as ISO 8601 in UTC (§10.2).

    ``json`` escapes C0 controls itself; C1 controls, bidi overrides and
    lone surrogates are escaped too (``\\u009b``), so no stored text acts on
    the terminal and the output stays valid JSON.
    """
    typer.echo(_escaped(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default)))


_UNSAFE_IN_JSON = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_C1 = bytes(range(0x7F, 0xA0))


def _escaped(text: str) -> str:
    """``text`` with what ``_UNSAFE_IN_JSON`` matches written as ``\\u`` escapes.

    Text of Latin-1 letters only (Danish names and notes) is checked with two
    byte operations instead of the pattern: a municipality's ``--json`` is tens
    of megabytes, and scanning it character by character took a tenth of it.
    """
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        pass
    else:
        if len(raw.translate(None, _C1)) == len(raw):
            return text
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match[0]):04x}", text)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        from staircase.clock import iso_utc  # not at the top: --help needs no clock (§8)

        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


IDS_SHOWN = 30
"""Case numbers a one-line summary names before it counts the rest."""


def id_list(ids: Sequence[int]) -> str:
    """Case numbers for a summary line: all of a few, the first of many and a count.

    An import into a municipality touches thousands of cases; one line must
    stay one line. ``--json`` lists them all.
    """
    shown = ", ".join(str(i) for i in ids[:IDS_SHOWN])
    if len(ids) <= IDS_SHOWN:
        return shown
    return _("{shown} and {more:,} more (--json lists them all)").format(
        shown=shown, more=len(ids) - IDS_SHOWN
    )


def local_time(moment: datetime | None) -> str:
    """A stored time as people read it (§7.5): ``i dag 14:30``, ``23. nov. 2026 14:30``,
    local time (Europe/Copenhagen unless configured) named from this invocation's now."""
    if moment is None:
        return ""
    from staircase.cli.context import shown_clock
    from staircase.clock import for_person

    return for_person(moment, shown_clock())


def print_model(model: Any) -> None:
    """A library result as JSON: the model's own serialisation, never a hand-built dict."""
    print_json(model.model_dump(mode="json"))


def print_streamed(schema: Any, result: Any, *, batch: int = 1_000) -> None:
    """``result`` as JSON, exactly as ``print_model`` prints a complete ``schema`` model,
    written as it comes: ``result`` has ``schema``'s fields as attributes, read in
    their order, and a list among them may be an iterator, written ``batch`` items
    at a time. So a listing of a municipality is never held whole, neither as
    objects nor as text; each item is its model's own serialisation (§10.2),
    made for a batch in one call rather than item by item.
    """
    from pydantic import BaseModel

    def write(piece: str) -> None:
        typer.echo(_escaped(piece), nl=False)

    names = list(schema.model_fields)
    write("{")
    for n, name in enumerate(names):
        write(f"\n  {json.dumps(name)}: ")
        value = getattr(result, name)
        if isinstance(value, BaseModel):
            write(value.model_dump_json(indent=2).replace("\n", "\n  "))
        elif not isinstance(value, list | Iterator):
            write(_json_text(value).replace("\n", "\n  "))
        else:
            empty = True
            for items in _batches(value, batch):
                # The batch as a list one level in, its closing bracket cut: the next
                # batch goes on where it ends.
                listed = _json_list(items).replace("\n", "\n  ")[: -len("\n  ]")]
                write(listed if empty else "," + listed[1:])
                empty = False
            write("[]" if empty else "\n  ]")
        write("," if n < len(names) - 1 else "")
    write("\n}\n")


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    rest = iter(items)
    while batch := list(islice(rest, size)):
        yield batch


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=_json_default)


def _json_list(items: Sequence[Any]) -> str:
    """Items as one JSON list, in one call of pydantic's writer: models of one kind by
    their own serialisation; plain data (a view's fields, JSON-ready, as assess gives
    its cases) as it is."""
    kinds = {type(item) for item in items}
    if len(kinds) == 1 and hasattr(kind := kinds.pop(), "model_dump_json"):
        from staircase.views import list_of

        return list_of(kind).dump_json(list(items), indent=2).decode()
    if kinds <= {dict}:
        from pydantic_core import to_json

        return to_json(list(items), indent=2).decode()
    return _json_text(list(items))


def capped(items: Iterable[Any]) -> tuple[list[Any], int]:
    """The first ``ROWS_SHOWN`` of ``items`` and how many there are, holding no more."""
    shown: list[Any] = []
    count = 0
    for item in items:
        if count < ROWS_SHOWN:
            shown.append(item)
        count += 1
    return shown, count


def outcome(as_json: bool, model: Any, line: str) -> None:
    """What a command did: the object with ``--json``, else one line (§10.1)."""
    if as_json:
        print_model(model)
    else:
        from staircase.cli.boundary import inert

        console().print(inert(line, one_line=False), markup=False)


@dataclass(frozen=True)
class Column:
    """A table column: ``key`` columns never wrap (the case number, the step), so a
    narrow terminal (80 columns, §7.1) wraps the prose around them instead."""

    heading: str
    key: bool = False


ROWS_SHOWN = 50
"""Rows one table shows on a terminal: a municipality's assess is read with
``--unit`` or as ``--json``, and laying out 100,000 rows would take longer than
the assessment itself (issue 14)."""


def table(
    title: str,
    columns: "Sequence[str | Column]",
    rows: Sequence[Sequence[Any]],
    *,
    more: str | None = None,
    total: int | None = None,
) -> None:
    """A titled table on standard output, or one line saying there is nothing to show.

    Cells are plain text, never rich markup: notes and names are typed by
    people and may contain brackets. A cell may be a rich ``Text`` already
    styled (a step in its colour). Past ``ROWS_SHOWN`` rows the rest are
    counted, with ``more`` saying where to read them all; ``total`` counts the
    rows when the caller passes only those shown (``capped``).
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from staircase.i18n import _, ngettext

    out = console()
    if not rows:
        out.print(Text(_("{title}: none").format(title=title), style="dim"))
        return
    from staircase.cli.boundary import inert

    grid = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    for column in columns:
        spec = column if isinstance(column, Column) else Column(column)
        grid.add_column(spec.heading, no_wrap=spec.key, overflow="fold")
    for row in rows[:ROWS_SHOWN]:
        grid.add_row(*(_cell(cell, Text, inert) for cell in row))
    out.print(grid)
    hidden = (len(rows) if total is None else total) - ROWS_SHOWN
    if hidden > 0:
        line = ngettext("… and {n} more row", "… and {n} more rows", hidden).format(n=hidden)
        out.print(Text(f"{line}{': ' + more if more else ''}", style="dim"))


def _cell(cell: Any, text_type: type, inert: Callable[..., str]) -> Any:
    if isinstance(cell, text_type):
        return cell
    return text_type("" if cell is None else inert(str(cell), one_line=False))


def coloured(text: str, colour: str) -> Any:
    """``text`` in a step's colour for a table cell (``rules show``'s colours, §7.1)."""
    from rich.text import Text

    from staircase.cli.boundary import inert

    return Text(inert(text), style=colour or "")


@contextmanager
def progress(description: str) -> Iterator[Callable[..., None]]:
    """A progress bar on stderr fed by ``advance(done, total)``; silent off a terminal (cron).

    Work in stages passes what it is doing now as a third argument, which
    replaces the description; a total of 0 shows a stage of unknown length.
    """
    from rich.progress import Progress

    err = err_console()
    if not err.is_terminal:
        yield lambda *_: None
        return
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task(description, total=None)

        def advance(done: int, total: int, stage: str | None = None) -> None:
            bar.update(task, completed=done, total=total or None, description=stage or description)

        yield advance


def staircase_panel(
    pack: "Pack",
    position: str | None = None,
    indicated: str | None = None,
    *,
    details: bool = False,
) -> "RenderableType":
    """The staircase drawn top step first, each step further left like a flight of stairs.

    ``position`` marks where a case stands and ``indicated`` where its
    observations point; ``details`` adds each step's indicators, actions and
    escalation policy (``rules show``). Step names are in the pack's colour,
    but the markers and the stair shape carry the meaning without it.
    """
    return _Staircase(pack, position, indicated, details)


@dataclass(frozen=True)
class _Staircase:
    """Laid out when printed, so that a narrow terminal gets narrower stairs (§7.1)."""

    pack: "Pack"
    position: str | None
    indicated: str | None
    details: bool

    def __rich_console__(self, console: "Console", options: "ConsoleOptions") -> Iterator[Any]:
        from rich.console import Group
        from rich.panel import Panel

        rise = _RISE if options.max_width >= _WIDE else 1
        rows = []
        for index, step in reversed(list(enumerate(self.pack.ladder))):
            rows.append(self._tread(step, index * rise, rise))
            if self.details:
                rows.append(_step_details(self.pack, step, index * rise + rise + 3, last=not index))
        from staircase.cli.words import local

        yield Panel(
            Group(*rows),
            title=local(self.pack.name),
            title_align="left",
            subtitle=f"{self.pack.id} {self.pack.version}",
            subtitle_align="right",
        )

    def _tread(self, step: "Step", indent: int, rise: int) -> Any:
        """``▄▄▄▄▄▄ Kompliceret samarbejde (kompliceret)  ◀ her``, in the step's colour."""
        from rich.padding import Padding
        from rich.text import Text

        from staircase.cli.words import local
        from staircase.i18n import _

        line = Text("▄" * (rise + 2), style=step.colour)
        line.append(f" {local(step.name)}", style=f"bold {step.colour}")
        if self.details:
            line.append(f" ({step.id})", style="dim")
        if step.id == self.position:
            line.append("  " + _("◀ here"), style="bold")
        if step.id == self.indicated and self.indicated != self.position:
            line.append("  " + _("◀ indicated"), style="bold")
        return Padding(line, (0, 0, 0, indent))


def _step_details(pack: "Pack", step: "Step", indent: int, *, last: bool) -> Any:
    """Indicators, actions and policy in two columns, indented under the step's name."""
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    from staircase.cli.words import Words, local
    from staircase.i18n import _

    words = Words([pack])
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    for n, indicator in enumerate(i for i in pack.indicators if i.step == step.id):
        label = Text(local(indicator.name))
        label.append(f" ({indicator.id})", style="dim")
        if indicator.work_environment:
            label.append("  " + _("(work environment)"))
        grid.add_row("" if n else _("kendetegn"), label)
    actions = ", ".join(words.action(a) for a in step.actions)
    grid.add_row(_("actions"), Text(actions or "—"))
    grid.add_row(_("escalation"), Text(_policy(step.escalation)))
    moves = _moves(pack, step)
    if moves:
        grid.add_row(_("moves"), Text(moves))
    return Padding(grid, (0, 0, 0 if last else 1, indent))


def _policy(policy: "Escalation") -> str:
    """``enhedens leder kvitterer inden 1 dag; områdelederen informeres``."""
    from staircase.i18n import _, ngettext

    if policy.to == "none":
        parts = [_("none")]
    elif policy.acknowledge_days is None:
        parts = [_("{who} owns the actions, no acknowledgement").format(who=_(ROLES[policy.to]))]
    else:
        days = policy.acknowledge_days
        if days == 0:
            line = _("{who} acknowledges the same day")
        else:
            line = ngettext(
                "{who} acknowledges within {n} day", "{who} acknowledges within {n} days", days
            )
        parts = [line.format(who=_(ROLES[policy.to]), n=days)]
    parts += [_("{who} is informed").format(who=_(ROLES[role])) for role in policy.inform]
    return "; ".join(parts)


def _moves(pack: "Pack", step: "Step") -> str:
    """How a case gets onto and off this step (§3.3), as the engine applies it.

    The calm days are counted as the engine counts them, and a ``hold`` rule
    that keeps the case up is named with how long it holds.
    """
    from staircase.i18n import _

    parts = []
    if step.auto:
        parts.append(_("the rules move a case up here by themselves"))
    elif step != pack.bottom:
        parts.append(_("up by a person's decision"))
    if step.calm_days is not None:
        parts.append(
            _(
                "a step down is proposed after {days} calm days, counted from the last "
                "kendetegn above {bottom} or the arrival here"
            ).format(days=step.calm_days, bottom=pack.bottom.id)
        )
        parts += [
            _("not within {days} days after {condition} ({rule})").format(
                days=rule.when.within_days, condition=_condition(pack, rule), rule=rule.id
            )
            for rule in pack.holds(step.id)
        ]
    if step.leader_only:
        parts.append(_("only a leader moves it down"))
    return "; ".join(parts)


def _condition(pack: "Pack", rule: "Rule") -> str:
    """What a rule watches, by name: ``Trusler, vold og chikane mod personale``."""
    from staircase.cli.words import local
    from staircase.i18n import _

    names = [local(pack.get_indicator(i).name) for i in rule.when.indicators]
    names += [
        _("a kendetegn of {step}").format(step=local(pack.get_step(s).name).lower())
        for s in rule.when.steps
    ]
    return _(" or ").join(names)
