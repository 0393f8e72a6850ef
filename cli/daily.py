"""Daily work (§10.4): log, show, assess, and the decisions that follow."""

import sys
from typing import TYPE_CHECKING

import typer

from staircase.cli import render
from staircase.cli.context import request, wants_json

if TYPE_CHECKING:
    from staircase.views import Assessment, CaseView, LogResult

JSON = typer.Option(False, "--json", help="Machine-readable output.")
REASON = typer.Option(None, "--reason", help="Why (required; recorded with the decision).")


def log(
    ctx: typer.Context,
    case: int = typer.Argument(..., help="The case number."),
    indicators: list[str] = typer.Argument(None, help="Indicator ids, Danish names or aliases."),
    at: str | None = typer.Option(None, "--at", help="When it happened: '-2h', 'i går 14:00' …"),
    channel: str | None = typer.Option(
        None, "--channel", help="telefon, besoeg, mail, moede, andet."
    ),
    note: str | None = typer.Option(None, "--note", help="A short note (no CPR numbers)."),
    retracts: int | None = typer.Option(None, "--retracts", help="Withdraw observation OBS."),
    json: bool = JSON,
) -> None:
    """Log what you observed; with no indicator on a terminal, asks for it."""
    from staircase.cases.observe import Entry
    from staircase.cases.observe import log as run_log

    req = request(ctx)
    given = tuple(indicators or ())
    if not given and retracts is None and sys.stdin.isatty():
        given, channel, note = _ask(req, case, channel, note)
    entry = Entry(case, given, at=at, channel=channel, note=note, retracts=retracts)
    result = run_log(req, entry)
    if wants_json(ctx, json):
        render.print_model(result)
    else:
        print_log(result)


def _ask(req, case: int, channel: str | None, note: str | None):
    """The short interactive prompt: indicators by step, channel, note."""
    from rich.prompt import Prompt

    from staircase.cases.observe import CHANNELS, log_menu

    menu = log_menu(req, case)
    out = render.console()
    numbered: list[str] = []
    for step_name, options in menu:
        out.print(f"[bold]{step_name}[/bold]")
        for indicator_id, name in options:
            numbered.append(indicator_id)
            out.print(f"  {len(numbered):>2}. {name} [dim]({indicator_id})[/dim]")
    picked = Prompt.ask("Kendetegn (numre eller navne, adskilt af komma)")
    chosen = tuple(
        numbered[int(p) - 1] if p.strip().isdigit() and 0 < int(p) <= len(numbered) else p.strip()
        for p in picked.split(",")
        if p.strip()
    )
    channel = channel or Prompt.ask("Kanal", choices=list(CHANNELS), default="andet")
    note = note if note is not None else (Prompt.ask("Note (valgfri)", default="") or None)
    return chosen, channel, note


def print_log(result: "LogResult") -> None:
    """What a log (or a broken agreement) recorded and what followed."""
    out = render.console()
    ids = ", ".join(str(i) for i in result.observations)
    if ids:
        out.print(f"observation {ids} logged on case {result.case.id}")
    if result.moved_to:
        out.print(f"moved by the rules to [bold]{result.moved_to}[/bold]")
    for p in result.proposals:
        out.print(f"proposal {p.id}: {p.from_step} → {p.to_step} waits for a leader")
    for e in result.escalations:
        due = render.local_time(e.due) if e.due else "no deadline"
        out.print(f"escalation {e.id} to {e.to_role} ({e.to_unit}), acknowledge by {due}")
    for a in result.actions:
        out.print(f"action {a.id}: {a.name} — {a.owner}")
    _print_position(result.case)


def show(
    ctx: typer.Context, case: int = typer.Argument(..., help="The case number."), json: bool = JSON
) -> None:
    """Show a case: the staircase with its position, why, what is open, its history."""
    from staircase.cases.show import show_case

    view = show_case(request(ctx), case)
    if wants_json(ctx, json):
        render.print_model(view)
    else:
        _print_case(view)


def _print_position(view: "CaseView") -> None:
    """Who the case is about, where it stands on the staircase, and why."""
    from staircase.domain.pack import load_pack

    out = render.console()
    out.print(
        f"Case {view.id} — {view.relative} ({view.relation}) and "
        f"{view.resident} ({view.resident_ref}), unit {view.unit_id}",
        markup=False,
        style="bold",
    )
    out.print(
        render.staircase_panel(
            load_pack(view.pack), position=view.step, indicated=view.indicated_step
        )
    )
    out.print(f"step {view.step}, indicated {view.indicated_step}", markup=False)
    for why in view.why:
        out.print(f"  why: {why.rule} (observations {', '.join(map(str, why.observations))})")


def _print_case(view: "CaseView") -> None:
    _print_position(view)
    render.table(
        "Proposals",
        ["id", "from_step", "to_step", "status", "reason"],
        [[p.id, p.from_step, p.to_step, p.status, p.reason] for p in view.proposals],
    )
    render.table(
        "Escalations",
        ["id", "step", "to", "due", "status"],
        [
            [e.id, e.step, f"{e.to_role} ({e.to_unit})", render.local_time(e.due), e.status]
            for e in view.escalations
        ],
    )
    render.table(
        "Actions",
        ["id", "action", "owner", "due", "status"],
        [[a.id, a.name, a.owner, render.local_time(a.due), a.status] for a in view.actions],
    )
    render.table(
        "Observations",
        ["id", "when", "indicator", "channel", "by", "note"],
        [
            [
                o.id,
                render.local_time(o.occurred_at),
                ("retracts " + str(o.retracts))
                if o.retracts
                else (o.indicator + (" (retracted)" if o.retracted else "")),
                o.channel,
                o.logged_by,
                o.note or "",
            ]
            for o in view.observations
        ],
    )
    render.table(
        "Moves",
        ["when", "from", "to", "by", "reason"],
        [
            [render.local_time(t.at), t.from_step, t.to_step, t.by, t.reason]
            for t in view.transitions
        ],
    )


def assess(
    ctx: typer.Context,
    unit: str | None = typer.Option(None, "--unit", help="Only this unit."),
    all_units: bool = typer.Option(False, "--all", help="Every unit (quality and admin)."),
    json: bool = JSON,
) -> None:
    """The leader's view: what waits for a decision, what changed, cases per step."""
    from staircase.cases.assess import assess as run_assess

    result = run_assess(request(ctx), unit=unit, all_units=all_units)
    if wants_json(ctx, json):
        render.print_model(result)
    else:
        print_assessment(result)


def print_assessment(result: "Assessment") -> None:
    """Render an assessment (also the end of ``staircase demo``)."""
    out = render.console()
    out.print(f"[bold]Assess[/bold] — units {', '.join(result.units)}: {result.total} open cases")
    render.table(
        "Proposals waiting for your decision",
        ["id", "case", "move", "rules"],
        [
            [p.id, p.case_id, f"{p.from_step} → {p.to_step}", ", ".join(p.rules)]
            for p in result.proposals
        ],
    )
    render.table(
        "Escalations waiting for acknowledgement",
        ["id", "case", "step", "to", "due"],
        [
            [e.id, e.case_id, e.step, f"{e.to_role} ({e.to_unit})", render.local_time(e.due)]
            for e in result.escalations
        ],
    )
    render.table(
        "Actions overdue",
        ["id", "case", "action", "owner", "due"],
        [
            [a.id, a.case_id, a.name, a.owner, render.local_time(a.due)]
            for a in result.actions_overdue
        ],
    )
    changed = [c for c in result.cases if c.changed]
    render.table(
        "Changed since your last assess",
        ["case", "unit", "relative", "resident", "step", "indicated", "why"],
        [
            [
                c.id,
                c.unit_id,
                c.relative,
                c.resident,
                _was(c.previous_step, c.step),
                _was(c.previous_indicated, c.indicated_step),
                ", ".join(w.rule for w in c.why),
            ]
            for c in changed
        ],
    )
    render.table("Cases per step", ["step", "cases"], [[s, n] for s, n in result.steps.items()])


def _was(before: str | None, now: str) -> str:
    return now if before is None or before == now else f"{before} → {now}"


def accept(
    ctx: typer.Context,
    proposal: int = typer.Argument(..., help="The proposal number."),
    reason: str | None = REASON,
    json: bool = JSON,
) -> None:
    """Accept a proposal (leader of the unit): the case moves as proposed."""
    from staircase.cases.decide import accept as run_accept

    render.outcome(
        wants_json(ctx, json),
        run_accept(request(ctx), proposal, reason=reason),
        f"proposal {proposal} accepted",
    )


def reject(
    ctx: typer.Context,
    proposal: int = typer.Argument(..., help="The proposal number."),
    reason: str | None = REASON,
    json: bool = JSON,
) -> None:
    """Reject a proposal (leader of the unit); the same evidence won't raise it again."""
    from staircase.cases.decide import reject as run_reject

    render.outcome(
        wants_json(ctx, json),
        run_reject(request(ctx), proposal, reason=reason),
        f"proposal {proposal} rejected",
    )


def move(
    ctx: typer.Context,
    case: int = typer.Argument(..., help="The case number."),
    step: str = typer.Argument(..., help="The step to move to (id or name)."),
    reason: str | None = REASON,
    json: bool = JSON,
) -> None:
    """Move a case: up to any step; down one step at a time (from større and up: leaders)."""
    from staircase.cases.decide import move as run_move

    view = run_move(request(ctx), case, step, reason=reason)
    render.outcome(wants_json(ctx, json), view, f"case {case} moved to {view.step}")
