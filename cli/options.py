"""The options and arguments many commands share, each defined once (§10.1).

Ids are bounded to what the database can hold, so a mistyped 20-digit
number is a usage error, not a traceback from the driver.
"""

from collections.abc import Callable
from typing import Annotated, TypeVar

import typer

from staircase.errors import NotFound
from staircase.i18n import N_, _
from staircase.timeforms import forms

ID_MAX = 2**63 - 1

Command = TypeVar("Command", bound=Callable[..., None])


def helps(text: str) -> Callable[[Command], Command]:
    """A command's help in the language in use (§7.5).

    typer shows a callback's docstring as its help; the command modules are
    imported after the language is chosen (``cli.language``), so the text
    given here is already translated. It replaces the docstring rather than
    repeating it.
    """

    def attach(command: Command) -> Command:
        command.__doc__ = text
        return command

    return attach


def _in_range(out_of_range: str) -> Callable[[int], int]:
    """A number no row can have is simply not there (exit 1, one line, §9)."""

    def check(value: int) -> int:
        if not 1 <= value <= ID_MAX:
            raise NotFound(_(out_of_range).format(value=value))
        return value

    return check


def when_help(what: str) -> str:
    """The help of an option that takes a WHEN: what it is for, then every form it reads,
    so nobody has to guess whether ``21.11`` or ``i går kl. 14`` will do (§10.2)."""
    return _("{what} Accepted forms: {forms}.").format(what=what, forms=forms())


def _id(metavar: str, help: str, out_of_range: str) -> typer.models.ArgumentInfo:
    return typer.Argument(
        metavar=metavar,
        help=help,
        callback=_in_range(out_of_range),
        show_default=False,
    )


JsonOutput = Annotated[bool, typer.Option("--json", help=_("Machine-readable output."))]
Reason = Annotated[
    str | None, typer.Option("--reason", help=_("Why (required; kept in the case's history)."))
]
CaseId = Annotated[
    int,
    _id(
        _("CASE"),
        _("The case number."),
        N_("case {value} is out of range: case numbers run from 1 up"),
    ),
]
ProposalId = Annotated[
    int,
    _id(
        _("PROPOSAL"),
        _("The proposal number (assess and inbox list them)."),
        N_("proposal {value} is out of range: proposal numbers run from 1 up"),
    ),
]
EscalationId = Annotated[
    int,
    _id(
        _("ESCALATION"),
        _("The escalation number (assess and inbox list them)."),
        N_("escalation {value} is out of range: escalation numbers run from 1 up"),
    ),
]
ActionId = Annotated[
    int,
    _id(
        _("ACTION"),
        _("The action number (show and inbox list them)."),
        N_("action {value} is out of range: action numbers run from 1 up"),
    ),
]
AgreementId = Annotated[
    int,
    _id(
        _("AGREEMENT"),
        _("The agreement number (show lists them)."),
        N_("agreement {value} is out of range: agreement numbers run from 1 up"),
    ),
]
