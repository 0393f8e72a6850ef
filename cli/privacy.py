"""The data-protection commands: subject access (§6.4) and retention (§6.6)."""

from pathlib import Path

import typer

from staircase.cli import render
from staircase.cli.context import request, wants_json
from staircase.cli.options import JsonOutput


def subject_access(
    ctx: typer.Context,
    relative: int | None = typer.Option(None, "--relative", help="The relative's id."),
    resident: str | None = typer.Option(None, "--resident", help="The resident's reference."),
    out: Path = typer.Option(
        ..., "--out", help="Where to write: PATH.json and PATH.html next to it (mode 0600)."
    ),
    force: bool = typer.Option(False, "--force", help="Replace the files if they exist."),
    json: JsonOutput = False,
) -> None:
    """Everything held about one relative or resident (GDPR art. 15), others' names redacted."""
    from staircase.privacy.subject_access import Subject, export_subject

    report = export_subject(
        request(ctx), Subject(relative_id=relative, resident_ref=resident), out=out, force=force
    )
    if wants_json(ctx, json):
        render.print_model(report)
        return
    render.console().print(
        f"subject access for {report.subject} written to {report.json_path} and "
        f"{report.html_path} (cases: {report.cases}, observations: {report.observations}, "
        f"audit entries: {report.reads})",
        soft_wrap=True,
        markup=False,
    )


def purge(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would go; delete nothing."),
    older_than: int | None = typer.Option(
        None,
        "--older-than",
        metavar="DAYS",
        help="Closed longer ago than this (default: the setting retention_days, else 1826).",
    ),
    json: JsonOutput = False,
) -> None:
    """Delete closed cases past the retention period, for good (admin); the audit chain stays."""
    from staircase.privacy.retention import purge as run_purge

    report = run_purge(request(ctx), dry_run=dry_run, older_than=older_than)
    if wants_json(ctx, json):
        render.print_model(report)
        return
    out = render.console()
    verb = "would delete" if dry_run else "deleted"
    out.print(
        f"purge{' (dry run)' if dry_run else ''}: cases closed before "
        f"{render.local_time(report.cutoff)} ({report.retention_days} days)",
        markup=False,
    )
    if not report.cases:
        out.print("nothing to delete", markup=False)
        return
    counts = ", ".join(f"{table} {n}" for table, n in report.deleted.items() if n)
    out.print(f"{verb} rows: {counts}", soft_wrap=True, markup=False)
