"""Daily work (§10.4): log, show, assess, and the decisions that follow."""

import sys
from typing import TYPE_CHECKING

import typer

from staircase.cli import render, screens
from staircase.cli.context import request, wants_json
from staircase.cli.options import CaseId, JsonOutput, ProposalId, Reason

if TYPE_CHECKING:
    from staircase.errors import AmbiguousIndicator


def log(
    ctx: typer.Context,
    case: CaseId,
    indicators: list[str] = typer.Argument(None, help="Indicator ids, Danish names or aliases."),
    at: str | None = typer.Option(None, "--at", help="When it happened: '-2h', 'i går 14:00' …"),
    channel: str | None = typer.Option(
        None, "--channel", help="telefon, besoeg, mail, moede, andet."
    ),
    note: str | None = typer.Option(None, "--note", help="A short note (no CPR numbers)."),
    retracts: int | None = typer.Option(None, "--retracts", help="Withdraw observation OBS."),
    yes: bool = typer.Option(
        False, "--yes", "-y", help="Log a kompliceret or work-environment one without asking."
    ),
    json: JsonOutput = False,
) -> None:
    """Log what you observed; with no indicator on a terminal, asks for it.

    On a terminal it also asks which kendetegn a word that fits several
    meant, and to confirm one of the top step or of the work environment.
    """
    from staircase.cases.observe import Entry
    from staircase.cases.observe import log as run_log

    req = request(ctx)
    given = tuple(indicators or ())
    at_terminal = sys.stdin.isatty()
    if not given and retracts is None and at_terminal:
        given, channel, note = _ask(req, case, channel, note)
    if given and at_terminal:
        given = _settle(req, case, given, confirm=not yes)
    entry = Entry(case, given, at=at, channel=channel, note=note, retracts=retracts)
    result = run_log(req, entry)
    if wants_json(ctx, json):
        render.print_model(result)
    else:
        screens.print_log(result)


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


def _settle(req, case: int, words: tuple[str, ...], *, confirm: bool) -> tuple[str, ...]:
    """At a terminal: which kendetegn each word meant, and a yes to the weighty ones (§3.5.0)."""
    from rich.prompt import Confirm

    from staircase.cases.observe import identify
    from staircase.errors import AmbiguousIndicator, InvalidInput

    settled = list(words)
    while True:
        try:
            named = identify(req, case, tuple(settled))
            break
        except AmbiguousIndicator as unclear:
            settled[settled.index(unclear.word)] = _which(unclear)
    weighty = [i for i in named if i.confirm]
    if confirm and weighty:
        labels = ", ".join(
            f"{i.name} ({i.step}{', arbejdsmiljø' if i.work_environment else ''})" for i in weighty
        )
        render.console().print(
            f"{labels}: ledelsen får besked med det samme.", markup=False, highlight=False
        )
        if not Confirm.ask(f"Registrér det på sag {case}?"):
            raise InvalidInput("nothing logged: not confirmed")
    return tuple(i.id for i in named)


def _which(unclear: "AmbiguousIndicator") -> str:
    """Ask which of the kendetegn a typed word fits was meant; 0 logs nothing."""
    from rich.prompt import Prompt

    from staircase.errors import InvalidInput

    out = render.console()
    several = len(unclear.candidates) > 1
    fits = "passer på flere kendetegn" if several else "er kun en del af et kendetegn"
    out.print(f'"{unclear.word}" {fits}:', markup=False, highlight=False)
    for number, (indicator_id, name) in enumerate(unclear.candidates, start=1):
        out.print(f"  {number}. {name} ({indicator_id})", markup=False, highlight=False)
    out.print("  0. ingen af dem", markup=False, highlight=False)
    numbers = [str(n) for n in range(len(unclear.candidates) + 1)]
    picked = int(Prompt.ask("Hvilket?", choices=numbers, show_choices=False))
    if not picked:
        raise InvalidInput(f'nothing logged: "{unclear.word}" named no kendetegn')
    return unclear.candidates[picked - 1][0]


def show(ctx: typer.Context, case: CaseId, json: JsonOutput = False) -> None:
    """Show a case: the staircase with its position, why, what is open, its history."""
    from staircase.cases.show import show_case

    view = show_case(request(ctx), case)
    if wants_json(ctx, json):
        render.print_model(view)
    else:
        screens.print_case(view)


def assess(
    ctx: typer.Context,
    unit: str | None = typer.Option(None, "--unit", help="Only this unit."),
    all_units: bool = typer.Option(False, "--all", help="Every unit (quality and admin)."),
    recompute: bool = typer.Option(
        False, "--recompute", help="Evaluate every case afresh instead of reading stored ones."
    ),
    json: JsonOutput = False,
) -> None:
    """The leader's view: what waits for a decision, what changed, cases per step."""
    from staircase.cases.assess import assess as run_assess

    result = run_assess(request(ctx), unit=unit, all_units=all_units, recompute=recompute)
    if wants_json(ctx, json):
        render.print_model(result)
    else:
        screens.print_assessment(result)
    render.skipped_units(result.skipped_units)


def accept(
    ctx: typer.Context,
    proposal: ProposalId,
    reason: Reason = None,
    json: JsonOutput = False,
) -> None:
    """Accept a proposal (leader of the unit): the case moves as proposed."""
    from staircase.cases.decide import accept as run_accept

    result = run_accept(request(ctx), proposal, reason=reason)
    if wants_json(ctx, json):
        render.print_model(result)
    else:
        screens.print_decision(
            result,
            f"proposal {proposal} accepted: case {result.case.id} moved to {result.case.step}",
        )


def reject(
    ctx: typer.Context,
    proposal: ProposalId,
    reason: Reason = None,
    json: JsonOutput = False,
) -> None:
    """Reject a proposal (leader of the unit); the same evidence won't raise it again."""
    from staircase.cases.decide import reject as run_reject

    result = run_reject(request(ctx), proposal, reason=reason)
    if wants_json(ctx, json):
        render.print_model(result)
    else:
        screens.print_decision(result, f"proposal {proposal} rejected")


def move(
    ctx: typer.Context,
    case: CaseId,
    step: str = typer.Argument(..., help="The step to move to (id or name)."),
    reason: Reason = None,
    json: JsonOutput = False,
) -> None:
    """Move a case: up to any step; down one step at a time (from større and up: leaders)."""
    from staircase.cases.decide import move as run_move

    result = run_move(request(ctx), case, step, reason=reason)
    if wants_json(ctx, json):
        render.print_model(result)
    else:
        screens.print_decision(result, f"case {case} moved to {result.case.step}")
