"""The options and arguments many commands share, each defined once (§10.1).

Ids are bounded to what the database can hold, so a mistyped 20-digit
number is a usage error, not a traceback from the driver.
"""

from typing import Annotated

import typer

ID_MAX = 2**63 - 1


def _in_range(value: int) -> int:
    if not 1 <= value <= ID_MAX:
        raise typer.BadParameter("must be a number from 1 up, as `list` or `inbox` shows it")
    return value


def _id(what: str) -> typer.models.ArgumentInfo:
    return typer.Argument(
        metavar=what.upper(), help=f"The {what} number.", callback=_in_range, show_default=False
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
