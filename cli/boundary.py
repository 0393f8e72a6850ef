"""The one error boundary (STYLE.md): library errors become one line and an exit status."""

import sys

import click
from typer.core import TyperGroup

from staircase.errors import StaircaseError


class UserFacingError(click.ClickException):
    """A ``StaircaseError`` on its way out: one line on stderr, the §10.7 status."""

    def __init__(self, error: StaircaseError) -> None:
        super().__init__(str(error))
        self.exit_code = int(error.exit_status)

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        click.echo(f"staircase: {self.format_message()}", file=file or sys.stderr)


class BoundaryGroup(TyperGroup):
    """The root group: catches ``StaircaseError`` from any command exactly here.

    ``--debug`` lets the original exception through for its traceback.
    """

    def invoke(self, ctx: click.Context):  # noqa: ANN201 - click's signature
        try:
            return super().invoke(ctx)
        except StaircaseError as error:
            if ctx.obj is not None and getattr(ctx.obj, "debug", False):
                raise
            raise UserFacingError(error) from error
