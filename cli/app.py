"""The root of the ``staircase`` command: global options and the command groups."""

import typer

from staircase import __version__
from staircase.cli import (
    audit,
    backup,
    bench,
    daily,
    demo,
    directory,
    followup,
    privacy,
    quality,
)
from staircase.cli.boundary import BoundaryGroup
from staircase.cli.context import Options, begin
from staircase.cli.language import speak_or_refuse
from staircase.cli.options import when_help
from staircase.cli.rules import rules_app
from staircase.i18n import _

app = typer.Typer(
    cls=BoundaryGroup,
    name="staircase",
    help=_("Track the collaboration with residents' relatives on the samarbejdstrappe."),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.command("init")(directory.init)
app.add_typer(directory.unit_app, name="unit")
app.add_typer(directory.staff_app, name="staff")
app.add_typer(directory.resident_app, name="resident")
app.add_typer(directory.relative_app, name="relative")
app.add_typer(directory.case_app, name="case")
app.command("log")(daily.log)
app.command("show")(daily.show)
app.command("assess")(daily.assess)
app.command("accept")(daily.accept)
app.command("reject")(daily.reject)
app.command("move")(daily.move)
app.command("ack")(followup.ack)
app.command("tick")(followup.tick)
app.command("inbox")(followup.inbox)
app.add_typer(followup.action_app, name="action")
app.add_typer(followup.agreement_app, name="agreement")
app.add_typer(rules_app, name="rules")
app.command("demo")(demo.demo)
app.add_typer(directory.db_app, name="db")
app.command("backup")(backup.backup)
app.command("restore")(backup.restore)
app.add_typer(audit.audit_app, name="audit")
app.command("subject-access")(privacy.subject_access)
app.command("purge")(privacy.purge)
app.add_typer(privacy.settings_app, name="settings")
app.command("export")(quality.export)
app.command("import")(quality.import_)
app.command("stats")(quality.stats)
app.command("bench")(bench.bench)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"staircase {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None, "--db", envvar="STAIRCASE_DB", help=_("Database file or SQLAlchemy URL.")
    ),
    user: str | None = typer.Option(
        None, "--as", envvar="STAIRCASE_USER", help=_("Act as this staff member (initials).")
    ),
    now: str | None = typer.Option(
        None,
        "--now",
        envvar="STAIRCASE_NOW",
        help=when_help(_("The clock's now, to replay a day or show a demo.")),
    ),
    lang: str | None = typer.Option(
        None,
        "--lang",
        envvar="STAIRCASE_LANG",
        help=_("Language: da (the default) or en; else an English locale chooses English."),
    ),
    json: bool = typer.Option(False, "--json", help=_("Machine-readable output.")),
    debug: bool = typer.Option(False, "--debug", help=_("Show tracebacks.")),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help=_("Show the version.")
    ),
) -> None:
    """Track the collaboration with residents' relatives on the samarbejdstrappe."""
    speak_or_refuse(lang)
    begin()
    ctx.obj = Options(db=db, user=user, now=now, json=json, debug=debug)
