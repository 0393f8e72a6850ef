"""``staircase audit verify|show``: proving the log holds, and reading it (§6.2)."""

from typing import TYPE_CHECKING

import typer

from staircase.cli import render
from staircase.cli.context import request, wants_json
from staircase.cli.options import JsonOutput, helps, when_help
from staircase.i18n import _

if TYPE_CHECKING:
    from datetime import datetime


audit_app = typer.Typer(
    help=_("The audit log: verify its hash chain, show who did what."), no_args_is_help=True
)


@audit_app.command("verify")
@helps(
    _(
        "Check that no audit entry was edited, deleted or reordered, and no audited row "
        "changed since; exit 1 naming the first broken entry, or each altered row.\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase audit verify"
    )
)
def verify(ctx: typer.Context, json: JsonOutput = False) -> None:
    from staircase.admin.audit_review import verify_log

    check = verify_log(request(ctx))
    if wants_json(ctx, json):
        render.print_model(check)
    elif check.ok:
        how = (
            _("checked with the key") if check.with_key else _("plain hashes: this log has no key")
        )
        line = _("audit log intact: {n} entries ({how})").format(n=check.entries, how=how)
        render.console().print(line, markup=False)
    elif check.problem is not None:
        typer.echo(
            _("staircase: audit log broken: {problem}").format(problem=check.problem), err=True
        )
    for altered in check.rows:
        typer.echo(_("staircase: data altered: {row}").format(row=altered), err=True)
    if not check.ok:
        raise typer.Exit(1)


@audit_app.command("show")
@helps(
    _(
        "Show audit entries with their details; the search itself is audited.\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase audit show --case 12 --since -7d"
    )
)
def show(
    ctx: typer.Context,
    case: int | None = typer.Option(None, "--case", help=_("Only entries about this case.")),
    person: str | None = typer.Option(None, "--person", help=_("Only entries by these initials.")),
    since: str | None = typer.Option(
        None, "--since", help=when_help(_("Only entries recorded since then."))
    ),
    json: JsonOutput = False,
) -> None:
    from staircase.admin.audit_review import show_log

    log = show_log(request(ctx), case_id=case, person=person, since=since)
    if wants_json(ctx, json):
        render.print_model(log)
        return
    render.table(
        _("Audit log (* made on a shifted clock, --now)"),
        [
            _("id"),
            _("at"),
            _("actor"),
            _("action"),
            _("case"),
            _("subject"),
            _("outcome"),
            _("detail"),
        ],
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
