"""Daily work (§10.4): log, show, assess, and the decisions that follow."""

import sys
from typing import TYPE_CHECKING

import typer

from staircase.cli import render, screens
from staircase.cli.context import request, wants_json
from staircase.cli.options import CaseId, JsonOutput, ProposalId, Reason, helps
from staircase.i18n import _

if TYPE_CHECKING:
    from staircase.errors import AmbiguousIndicator


@helps(
    _(
        "Log what you observed on a case, then see where it stands.\n"
        "\n"
        "Name one or more kendetegn by id, Danish name or alias. With none, on a "
        "terminal, it lists them by step and asks. It asks which kendetegn a word that "
        "fits several meant, and to confirm one of the top step or of the work "
        "environment (leadership is told at once).\n"
        "\n"
        "\b\n"
        "Examples:\n"
        "  staircase log 12 utilfredshed --channel telefon\n"
        '  staircase log 12 kritik "uklar dialog" --at "i går 14:00" --note "Vred over maden"\n'
        "\n"
        "\b\n"
        "Kendetegn (aarhus):\n"
        "  godt: god-dialog, naervaer, nysgerrighed-respekt\n"
        "  mindre: uklar-dialog, utilfredshed, kontaktbehov\n"
        "  større: vanskelig-dialog, kritik, trussel-presse\n"
        "  kompliceret: manglende-dialog, aftaler-brudt, trusler-vold-chikane\n"
        "Times (--at): -2h, -3d, i går 14:00, i dag, 2026-11-21 14:30"
    )
)
def log(
    ctx: typer.Context,
    case: CaseId,
    indicators: list[str] = typer.Argument(None, help=_("Indicator ids, Danish names or aliases.")),
    at: str | None = typer.Option(None, "--at", help=_("When it happened: '-2h', 'i går 14:00' …")),
    channel: str | None = typer.Option(
        None, "--channel", help=_("telefon, besoeg, mail, moede, andet.")
    ),
    note: str | None = typer.Option(None, "--note", help=_("A short note (no CPR numbers).")),
    retracts: int | None = typer.Option(None, "--retracts", help=_("Withdraw observation OBS.")),
    yes: bool = typer.Option(
        False, "--yes", "-y", help=_("Log a kompliceret or work-environment one without asking.")
    ),
    json: JsonOutput = False,
) -> None:
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
            raise InvalidInput(_("nothing logged: not confirmed"))
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
        raise InvalidInput(
            _('nothing logged: "{word}" named no kendetegn').format(word=unclear.word)
        )
    return unclear.candidates[picked - 1][0]


@helps(
    _(
        "Show a case: where it stands on the staircase and why, what is open, its history.\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase show 12"
    )
)
def show(ctx: typer.Context, case: CaseId, json: JsonOutput = False) -> None:
    from staircase.cases.show import show_case

    view = show_case(request(ctx), case)
    if wants_json(ctx, json):
        render.print_model(view)
    else:
        screens.print_case(view)


@helps(
    _(
        "The leader's view: what waits for a decision, what changed, cases per step.\n"
        "\n"
        "Every row names the relative and the resident; what is overdue says so. A long "
        "table shows its first rows and says how many more there are.\n"
        "\n"
        "\b\n"
        "Examples:\n"
        "  staircase assess\n"
        "  staircase assess --unit solhaven\n"
        "  staircase assess --json > overblik.json"
    )
)
def assess(
    ctx: typer.Context,
    unit: str | None = typer.Option(None, "--unit", help=_("Only this unit.")),
    all_units: bool = typer.Option(False, "--all", help=_("Every unit (quality and admin).")),
    json: JsonOutput = False,
) -> None:
    from staircase.cases.assess import assess as run_assess

    req = request(ctx)
    result = run_assess(req, unit=unit, all_units=all_units)
    if wants_json(ctx, json):
        render.print_model(result)
    else:
        screens.print_assessment(result, req.clock.now)
    render.skipped_units(result.skipped_units)


@helps(
    _(
        "Accept a proposal (leader of the unit): the case moves as proposed.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  staircase accept 3 --reason "Talt med datteren; planen er lagt"'
    )
)
def accept(
    ctx: typer.Context,
    proposal: ProposalId,
    reason: Reason = None,
    json: JsonOutput = False,
) -> None:
    from staircase.cases.decide import accept as run_accept

    result = run_accept(request(ctx), proposal, reason=reason)
    if wants_json(ctx, json):
        render.print_model(result)
    else:
        screens.print_decision(
            result,
            _("Proposal {id} accepted: case {case} moved to {step}.").format(
                id=proposal, case=result.case.id, step=_step(result)
            ),
        )


@helps(
    _(
        "Reject a proposal (leader of the unit); the same evidence won't raise it again.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  staircase reject 3 --reason "Misforståelse, afklaret ved besøget"'
    )
)
def reject(
    ctx: typer.Context,
    proposal: ProposalId,
    reason: Reason = None,
    json: JsonOutput = False,
) -> None:
    from staircase.cases.decide import reject as run_reject

    result = run_reject(request(ctx), proposal, reason=reason)
    if wants_json(ctx, json):
        render.print_model(result)
    else:
        screens.print_decision(result, _("Proposal {id} rejected.").format(id=proposal))


@helps(
    _(
        "Move a case: up to any step; down one step at a time (from større and up: leaders).\n"
        "\n"
        "The step is its id or name: godt, mindre, større (stoerre), kompliceret.\n"
        "\n"
        "\b\n"
        "Example:\n"
        '  staircase move 12 mindre --reason "Roligt i en måned"'
    )
)
def move(
    ctx: typer.Context,
    case: CaseId,
    step: str = typer.Argument(..., help=_("The step to move to (id or name).")),
    reason: Reason = None,
    json: JsonOutput = False,
) -> None:
    from staircase.cases.decide import move as run_move

    result = run_move(request(ctx), case, step, reason=reason)
    if wants_json(ctx, json):
        render.print_model(result)
    else:
        screens.print_decision(
            result, _("Case {case} moved to {step}.").format(case=case, step=_step(result))
        )


def _step(result) -> str:
    """The step a decision left the case on, by name."""
    from staircase.cli.words import Words

    return Words.of([result.case.pack]).step(result.case.step)
