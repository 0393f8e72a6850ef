"""Daily work (§10.4): log, show, assess, and the decisions that follow."""

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import typer

from staircase.cli import render, screens
from staircase.cli.context import request, wants_json
from staircase.cli.options import CaseId, JsonOutput, ProposalId, Reason, helps, when_help
from staircase.i18n import _, pgettext

if TYPE_CHECKING:
    from staircase.errors import AmbiguousIndicator

T = TypeVar("T")


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
    at: str | None = typer.Option(
        None, "--at", help=when_help(_("When it happened (default: now)."))
    ),
    channel: str | None = typer.Option(
        None,
        "--channel",
        help=_("How it came about: telefon, besøg, mail, møde or andet (ø may be typed oe or o)."),
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
    asked = not given and retracts is None and at_terminal
    if asked:
        given, at, channel, note = _ask(req, case, at=at, channel=channel, note=note)
    if given and at_terminal:
        given = _settle(req, case, given, confirm=not yes)
    entry = Entry(case, given, at=at, channel=channel, note=note, retracts=retracts)
    result = run_log(req, entry)
    if wants_json(ctx, json):
        render.print_model(result)
        return
    screens.print_log(result)
    if asked:
        _recap(result)


def _ask(
    req, case: int, *, at: str | None, channel: str | None, note: str | None
) -> tuple[tuple[str, ...], str | None, str | None, str | None]:
    """The short interactive prompt: whose case, the kendetegn by step, when, channel, note.

    Each answer is checked as it is given and only it is asked again when
    refused, so nothing typed before a mistake is lost; options given on the
    command line are not asked for.
    """
    from staircase.cases.observe import CHANNELS, channel_name, log_menu

    menu = log_menu(req, case)
    _show_menu(menu)
    numbered = [indicator for step in menu.steps for indicator, _name in step.indicators]
    chosen = _ask_indicators(req, case, numbered)
    if at is None:
        example = '"i går kl. 14", "for 2 timer siden", "-2h"'
        question = _("When ({examples})").format(examples=example)
        at = _ask_until(question, _when(req), default=pgettext("when", "now"))
    if channel is None:
        choices = ", ".join(f"{n}. {channel_name(c)}" for n, c in enumerate(CHANNELS, start=1))
        question = _("Channel ({choices})").format(choices=choices)
        channel = _ask_until(question, _channel, default=channel_name("andet"))
    if note is None:
        note = _ask_until(_("Note (optional, no CPR numbers)"), _note) or None
    return chosen, at, channel, note


def _show_menu(menu) -> None:
    """The family the log is for, then the kendetegn numbered by step from godt upwards."""
    family = _("Case {case}: {relative} ({relation}), relative of {resident}")
    _say(
        family.format(
            case=menu.case_id,
            relative=menu.relative,
            relation=menu.relation,
            resident=menu.resident,
        )
    )
    out = render.console()
    number = 0
    for step in menu.steps:
        out.print(step.name, style="bold", markup=False, highlight=False)
        for indicator, name in step.indicators:
            number += 1
            out.print(f"  {number:>2}. {name} ({indicator})", markup=False, highlight=False)


def _ask_indicators(req, case: int, numbered: list[str]) -> tuple[str, ...]:
    """The kendetegn, by numbers or names separated by commas, until at least one is known."""
    while True:
        answer = _answer(_("Kendetegn (numbers or names, separated by commas)"))
        parts = [part.strip() for part in answer.split(",") if part.strip()]
        chosen = [_one_indicator(req, case, numbered, part) for part in parts]
        known = tuple(dict.fromkeys(indicator for indicator in chosen if indicator))
        if known:  # each once: "5" and "utilfredshed" are one observation, not two
            return known
        _say(_("name at least one kendetegn, by its number or its name"))


def _one_indicator(req, case: int, numbered: list[str], typed: str) -> str | None:
    """The kendetegn one typed part names, asking again for that part alone while it
    names none; None when the person leaves it out."""
    from staircase.errors import AmbiguousIndicator, InvalidInput

    while typed:
        try:
            return _indicator(req, case, numbered, typed)
        except AmbiguousIndicator as unclear:
            try:
                return _which(unclear)
            except InvalidInput:  # "none of them": the word is asked for again
                pass
        except InvalidInput as refused:
            _say(str(refused))
        typed = _answer(
            _('Instead of "{word}" (number or name; nothing leaves it out)').format(word=typed)
        )
    return None


def _indicator(req, case: int, numbered: list[str], typed: str) -> str:
    """The kendetegn a number on the list or a name, id or alias names."""
    from staircase.cases.observe import identify
    from staircase.errors import InvalidInput

    if not typed.isdigit():
        return identify(req, case, (typed,))[0].id
    if 1 <= int(typed) <= len(numbered):
        return numbered[int(typed) - 1]
    raise InvalidInput(
        _("there is no number {number} on the list: choose from 1 to {last}").format(
            number=typed, last=len(numbered)
        )
    )


def _when(req) -> Callable[[str], str]:
    """A check of a typed time: readable, and not ahead of the clock; nothing means now."""
    from staircase.cases.observe import observed_at

    def check(typed: str) -> str:
        observed_at(typed, req.clock)
        return typed

    return check


def _channel(typed: str) -> str:
    """A channel by its number in the question, or as typed (besøg, besoeg, møde …)."""
    from staircase.cases.observe import CHANNELS, channel_id

    if typed.strip().isdigit() and 1 <= int(typed) <= len(CHANNELS):
        return CHANNELS[int(typed) - 1]
    return channel_id(typed)


def _note(typed: str) -> str:
    """A note, refused on the spot if it holds a CPR number."""
    from staircase.cpr import refuse_cpr

    refuse_cpr(typed, field=_("the note"))
    return typed


def _recap(result) -> None:
    """After a prompt: the channel and the time recorded, in words, so a slip is seen."""
    from staircase.cases.observe import channel_name

    created = set(result.observations)
    logged = [o for o in result.case.observations if o.id in created]
    if logged:
        line = _("Channel: {channel} · time: {when}").format(
            channel=channel_name(logged[0].channel), when=render.local_time(logged[0].occurred_at)
        )
        render.console().print(line, markup=False, highlight=False)


def _settle(req, case: int, words: tuple[str, ...], *, confirm: bool) -> tuple[str, ...]:
    """At a terminal: which kendetegn each word meant, and a yes to the weighty ones (§3.5.0)."""
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
        work_environment = _("work environment")
        labels = ", ".join(
            f"{i.name} ({i.step}{', ' + work_environment if i.work_environment else ''})"
            for i in weighty
        )
        _say(_("{names}: leadership is told at once.").format(names=labels))
        if not _ask_until(_("Log it on case {case}? [y/n]").format(case=case), _yes):
            raise InvalidInput(_("nothing logged: not confirmed"))
    return tuple(i.id for i in named)


_YES = frozenset({"j", "ja", "y", "yes"})
_NO = frozenset({"n", "nej", "no"})


def _yes(typed: str) -> bool:
    """Yes or no, in Danish or English."""
    from staircase.errors import InvalidInput

    answer = typed.strip().lower()
    if answer in _YES | _NO:
        return answer in _YES
    raise InvalidInput(_('answer "ja" or "nej"'))


def _which(unclear: "AmbiguousIndicator") -> str:
    """Ask which of the kendetegn a typed word fits was meant; 0 logs nothing."""
    from staircase.errors import InvalidInput

    several = len(unclear.candidates) > 1
    fits = (
        _('"{word}" fits several kendetegn:')
        if several
        else _('"{word}" is only part of a kendetegn:')
    )
    _say(fits.format(word=unclear.word))
    for number, (indicator_id, name) in enumerate(unclear.candidates, start=1):
        _say(f"  {number}. {name} ({indicator_id})")
    _say("  0. " + _("none of them"))
    last = len(unclear.candidates)

    def number(typed: str) -> int:
        if typed.strip().isdigit() and int(typed) <= last:
            return int(typed)
        raise InvalidInput(_("choose a number from 0 to {last}").format(last=last))

    picked = _ask_until(_("Which one?"), number)
    if not picked:
        nothing = _('nothing logged: "{word}" named no kendetegn')
        raise InvalidInput(nothing.format(word=unclear.word))
    return unclear.candidates[picked - 1][0]


def _ask_until(question: str, read: Callable[[str], T], *, default: str = "") -> T:
    """Ask until ``read`` takes the answer; a refusal is shown as its one line and the
    same question asked again."""
    from staircase.errors import InvalidInput

    while True:
        try:
            return read(_answer(question, default=default))
        except InvalidInput as refused:
            _say(str(refused))


def _answer(question: str, *, default: str = "") -> str:
    """One line typed at the terminal (``default`` if nothing); the end of input logs nothing.

    A question ends in "? ", anything else in ": ", as a person writes them."""
    from rich.text import Text

    from staircase.errors import InvalidInput

    asked = f"{question} [{default}]" if default else question
    shown = Text(f"{asked} " if asked.endswith("?") else f"{asked}: ")
    try:
        return render.console().input(shown).strip() or default
    except EOFError:
        raise InvalidInput(_("nothing logged: the questions were left unanswered")) from None


def _say(line: str) -> None:
    """A line of the prompt's conversation, printed as it is (no rich markup)."""
    render.console().print(line, markup=False, highlight=False)


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
    recompute: bool = typer.Option(
        False, "--recompute", help=_("Evaluate every case afresh instead of reading stored ones.")
    ),
    json: JsonOutput = False,
) -> None:
    from staircase.cases.assess import assessing
    from staircase.views import Assessment

    req = request(ctx)
    with assessing(req, unit=unit, all_units=all_units, recompute=recompute) as result:
        if wants_json(ctx, json):
            render.print_streamed(Assessment, result)
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
