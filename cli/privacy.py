"""The data-protection commands: subject access (§6.4) and retention (§6.6)."""

from pathlib import Path

import typer

from staircase.cli import render
from staircase.cli.context import request, wants_json
from staircase.cli.options import JsonOutput, helps
from staircase.i18n import _

settings_app = typer.Typer(
    help=_(
        "The installation's settings: the controller named in subject-access "
        "letters, the retention period."
    ),
    no_args_is_help=True,
)


@helps(
    _(
        "Everything held about one relative or resident (GDPR art. 15), others' names redacted.\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase subject-access --relative 3 --out indsigt-maria"
    )
)
def subject_access(
    ctx: typer.Context,
    relative: int | None = typer.Option(None, "--relative", help=_("The relative's id.")),
    resident: str | None = typer.Option(None, "--resident", help=_("The resident's reference.")),
    out: Path = typer.Option(
        ..., "--out", help=_("Where to write: PATH.json and PATH.html next to it (mode 0600).")
    ),
    force: bool = typer.Option(False, "--force", help=_("Replace the files if they exist.")),
    json: JsonOutput = False,
) -> None:
    from staircase.privacy.subject_access import Subject, export_subject

    report = export_subject(
        request(ctx), Subject(relative_id=relative, resident_ref=resident), out=out, force=force
    )
    if wants_json(ctx, json):
        render.print_model(report)
        return
    render.console().print(
        _(
            "subject access for {subject} written to {json_path} and {html_path} "
            "(cases: {cases}, observations: {observations}, audit entries: {reads})"
        ).format(
            subject=report.subject,
            json_path=report.json_path,
            html_path=report.html_path,
            cases=report.cases,
            observations=report.observations,
            reads=report.reads,
        ),
        soft_wrap=True,
        markup=False,
    )


@helps(
    _(
        "Delete closed cases past the retention period, for good (admin); the audit chain stays.\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase --as ADM purge --dry-run"
    )
)
def purge(
    ctx: typer.Context,
    dry_run: bool = typer.Option(
        False, "--dry-run", help=_("Count what would go; delete nothing.")
    ),
    older_than: int | None = typer.Option(
        None,
        "--older-than",
        metavar="DAYS",
        help=_("Closed longer ago than this (default: the setting retention_days, else 1826)."),
    ),
    json: JsonOutput = False,
) -> None:
    from staircase.privacy.retention import purge as run_purge

    report = run_purge(request(ctx), dry_run=dry_run, older_than=older_than)
    if wants_json(ctx, json):
        render.print_model(report)
        return
    out = render.console()
    heading = (
        _("purge (dry run): cases closed before {cutoff} ({days} days)")
        if dry_run
        else _("purge: cases closed before {cutoff} ({days} days)")
    )
    cutoff = render.local_time(report.cutoff)
    out.print(heading.format(cutoff=cutoff, days=report.retention_days), markup=False)
    if not report.cases:
        out.print(_("nothing to delete"), markup=False)
        return
    counts = ", ".join(f"{table} {n}" for table, n in report.deleted.items() if n)
    line = _("would delete rows: {counts}") if dry_run else _("deleted rows: {counts}")
    out.print(line.format(counts=counts), soft_wrap=True, markup=False)


@settings_app.command("set")
@helps(
    _(
        'Set one setting (admin), e.g. settings set controller "Aarhus Kommune, …"; audited.\n'
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase --as ADM settings set retention_days 1826"
    )
)
def settings_set(
    ctx: typer.Context,
    key: str = typer.Argument(
        ..., help=_("controller, controller_contact, dpo_contact or retention_days.")
    ),
    value: str = typer.Argument(..., help=_('The value; "" removes the setting.')),
    json: JsonOutput = False,
) -> None:
    from staircase.admin.settings import set_setting

    _print_settings(ctx, json, set_setting(request(ctx), key=key, value=value))


@settings_app.command("show")
@helps(
    _("The settings that are set, and what each is for.\n\n\b\nExample:\n  staircase settings show")
)
def settings_show(ctx: typer.Context, json: JsonOutput = False) -> None:
    from staircase.admin.settings import show_settings

    _print_settings(ctx, json, show_settings(request(ctx)))


def _print_settings(ctx: typer.Context, json: bool, settings: dict[str, str]) -> None:
    from staircase.core.settings import PUBLIC

    if wants_json(ctx, json):
        render.print_json(settings)
        return
    rows = [[key, settings.get(key, _("(not set)")), _(about)] for key, about in PUBLIC.items()]
    render.table(_("settings"), [_("setting"), _("value"), _("what for")], rows)
