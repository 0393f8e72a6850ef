"""``staircase audit verify|show``: proving the log holds, and reading it (§6.2)."""

from typing import TYPE_CHECKING

import typer

from staircase.cli import render
from staircase.cli.context import request, wants_json
from staircase.cli.options import JsonOutput, when_help
from staircase.i18n import _

if TYPE_CHECKING:
    from datetime import datetime


audit_app = typer.Typer(
    help="The audit log: verify its hash chain, show who did what.", no_args_is_help=True
)


@audit_app.command("verify")
def verify(ctx: typer.Context, json: JsonOutput = False) -> None:
    """Check that no audit entry was edited, deleted or reordered, and no audited row changed
    since; exit 1 naming the first broken entry, or each altered row."""
    from staircase.admin.audit_review import verify_log

    check = verify_log(request(ctx))
    if wants_json(ctx, json):
        render.print_model(check)
    elif check.ok:
        how = "checked with the key" if check.with_key else "plain hashes: this log has no key"
        render.console().print(f"audit log intact: {check.entries} entries ({how})", markup=False)
    elif check.problem is not None:
        typer.echo(f"staircase: audit log broken: {check.problem}", err=True)
    for line in check.rows:
        typer.echo(f"staircase: data altered: {line}", err=True)
    if not check.ok:
        raise typer.Exit(1)


@audit_app.command("show")
def show(
    ctx: typer.Context,
    case: int | None = typer.Option(None, "--case", help="Only entries about this case."),
    person: str | None = typer.Option(None, "--person", help="Only entries by these initials."),
    since: str | None = typer.Option(
        None, "--since", metavar="WHEN", help=when_help(_("Only entries recorded since then."))
    ),
    json: JsonOutput = False,
) -> None:
    """Show audit entries with their details; the search itself is audited."""
    from staircase.admin.audit_review import show_log

    log = show_log(request(ctx), case_id=case, person=person, since=since)
    if wants_json(ctx, json):
        render.print_model(log)
        return
    render.table(
        "Audit log (* made on a shifted clock, --now)",
        ["id", "at", "actor", "action", "case", "subject", "outcome", "detail"],
        [
            [
                e.id,
                _when(e.at, e.clock),
                e.actor,
                e.action,
                e.case_id,
                e.subject,
                e.outcome,
                e.detail,
            ]
            for e in log.entries
        ],
    )


def _when(at: "datetime", clock: "datetime | None") -> str:
    """The real time of an entry, starred when it was made on a shifted clock (§10.1)."""
    return render.local_time(at) + (" *" if clock else "")
