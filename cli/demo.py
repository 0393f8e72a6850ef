"""``staircase demo``: build the demo care home and show its leader's assess."""

from pathlib import Path

import typer

from staircase.cli import render
from staircase.cli.context import options
from staircase.cli.options import helps
from staircase.i18n import _


@helps(
    _(
        "Build a demo care home in a database of its own and show the leader's assess.\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase demo"
    )
)
def demo(
    ctx: typer.Context,
    path: Path | None = typer.Option(
        None,
        "--path",
        help=_("Where to build the demo database (default: demo.db in the data folder)."),
    ),
) -> None:
    from staircase.cli.screens import print_assessment
    from staircase.clock import Clock
    from staircase.demo import build, default_path

    given = options(ctx)
    clock = Clock.at(given.now) if given.now else Clock.real()
    out = render.console()
    with out.status(_("Building the demo care home …")):
        result = build((path or default_path()).resolve(), now=clock.now)
    print_assessment(result.assessment, clock.now)
    explore = _("Explore it as the leader:")
    command = f"staircase --db {result.path} --as {result.leader}"
    demo = _("Demo database: {path} (your own database is untouched).").format(path=result.path)
    indent = " " * len(explore)
    out.print(
        f"\n{demo}\n{explore} {command} assess\n{indent} {command} show 1",
        markup=False,
        highlight=False,
    )
