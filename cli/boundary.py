"""The one error boundary (STYLE.md): library errors become one line and an exit status."""

import typer
from typer.core import TyperGroup

from staircase.errors import StaircaseError


class BoundaryGroup(TyperGroup):
    """The root group: catches ``StaircaseError`` from any command exactly here.

    Prints its one line on stderr and exits with its §10.7 status; ``--debug``
    lets the original exception through for its traceback.
    """

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except StaircaseError as error:
            if ctx.obj is not None and getattr(ctx.obj, "debug", False):
                raise
            typer.echo(f"staircase: {error}", err=True)
            raise typer.Exit(int(error.exit_status)) from error
