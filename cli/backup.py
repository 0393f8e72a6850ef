"""Backup and restore (§5.5): files readable by their owner only (§6.7)."""

import sys
from pathlib import Path

import typer

from staircase.cli import render
from staircase.cli.context import request, wants_json
from staircase.cli.options import JsonOutput, helps
from staircase.i18n import _


@helps(
    _(
        "Copy the database to a file while others keep working (admin; PostgreSQL: pg_dump).\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase --as ADM backup backup-2026-11-23.db"
    )
)
def backup(
    ctx: typer.Context,
    path: Path = typer.Argument(
        ..., metavar="PATH", help=_("The backup file to create (mode 0600).")
    ),
    force: bool = typer.Option(False, "--force", help=_("Replace the file if it exists.")),
    json: JsonOutput = False,
) -> None:
    from dataclasses import asdict

    from staircase.admin.backup import backup as run_backup

    result = run_backup(request(ctx), path, force=force)
    if wants_json(ctx, json):
        render.print_json(asdict(result))
        return
    held = (
        ""
        if result.audit_entries is None
        else _(", {n} audit entries").format(n=result.audit_entries)
    )
    render.console().print(
        _("backup written to {path} ({method}, schema {schema}{held}, {bytes} bytes)").format(
            path=result.path,
            method=result.method,
            schema=result.schema,
            held=held,
            bytes=result.bytes,
        ),
        soft_wrap=True,
        markup=False,
    )


@helps(
    _(
        "Replace the SQLite database with a backup; everything since that backup is lost (admin).\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase --as ADM restore backup-2026-11-23.db"
    )
)
def restore(
    ctx: typer.Context,
    path: Path = typer.Argument(
        ..., metavar="PATH", help=_("A backup made by `staircase backup`.")
    ),
    yes: bool = typer.Option(
        False, "--yes", "-y", help=_("Do not ask; needed where there is no terminal to ask on.")
    ),
    json: JsonOutput = False,
) -> None:
    from dataclasses import asdict

    from staircase.admin.backup import restore as run_restore
    from staircase.errors import InvalidInput

    if not yes:
        if not sys.stdin.isatty():
            raise InvalidInput(
                _(
                    "restore replaces the whole database and loses everything recorded since "
                    "the backup; add --yes to confirm (there is no terminal to ask on)"
                )
            )
        typer.confirm(
            _(
                "Replace the database with {path}? Everything recorded since that backup "
                "(observations, decisions, audit entries) will be lost"
            ).format(path=path),
            abort=True,
        )
    result = run_restore(request(ctx), path)
    if wants_json(ctx, json):
        render.print_json(asdict(result))
        return
    render.console().print(
        _("restored {path} (schema {schema}); audit log verified: {n} entries").format(
            path=result.path, schema=result.schema, n=result.audit_entries
        ),
        soft_wrap=True,
        markup=False,
    )
