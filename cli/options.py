"""The options and arguments many commands share, each defined once (§10.1).

Ids are bounded to what the database can hold, so a mistyped 20-digit
number is a usage error, not a traceback from the driver.
"""

from collections.abc import Callable
from typing import Annotated

import typer

from staircase.errors import NotFound
from staircase.i18n import _
from staircase.timeforms import forms

ID_MAX = 2**63 - 1


def _in_range(what: str) -> Callable[[int], int]:
    """A number no row can have is simply not there (exit 1, one line, §9)."""

    def check(value: int) -> int:
        if not 1 <= value <= ID_MAX:
            raise NotFound(f"{what} {value} is out of range: {what} numbers run from 1 up")
        return value

    return check


def when_help(what: str) -> str:
    """The help of an option that takes a WHEN: what it is for, then every form it reads,
    so nobody has to guess whether ``21.11`` or ``i går kl. 14`` will do (§10.2)."""
    return _("{what} Accepted forms: {forms}.").format(what=what, forms=forms())


def _id(what: str) -> typer.models.ArgumentInfo:
    return typer.Argument(
        metavar=what.upper(),
        help=f"The {what} number.",
        callback=_in_range(what),
        show_default=False,
    )


JsonOutput = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
Reason = Annotated[
    str | None, typer.Option("--reason", help="Why (required; kept in the case's history).")
]
CaseId = Annotated[int, _id("case")]
ProposalId = Annotated[int, _id("proposal")]
EscalationId = Annotated[int, _id("escalation")]
ActionId = Annotated[int, _id("action")]
AgreementId = Annotated[int, _id("agreement")]
