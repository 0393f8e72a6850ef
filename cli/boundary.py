"""The one error boundary (STYLE.md): every error becomes one line and an exit status.

The library raises ``StaircaseError``s that carry their line and status
(§10.7). Below them is a net: no traceback reaches a user (§9), so what
escapes the library anyway — a number too large for the database, a file
the operating system refuses, a database that is not one — is named here
by its kind, and anything else is reported as an internal error to send
in. ``--debug`` lets every exception through for its traceback.

Whatever the line repeats of the user's input is made inert first: control
characters (a terminal escape in a typed value) are shown escaped, never
sent to the terminal.
"""

import re

import typer
from typer.core import TyperGroup
from typer.exceptions import Abort, Exit, TyperException

from staircase.errors import ExitStatus, StaircaseError
from staircase.i18n import N_, _

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
"""C0 and C1 controls (newline included: an error is one line), bidi overrides, lone surrogates."""
_UNPRINTABLE_IN_TEXT = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
"""The same, but newline and tab kept: for notes and names shown in tables."""

_FOREIGN = (
    ("OverflowError", ExitStatus.BAD_INPUT, N_("a number or a date is out of range")),
    ("DataError", ExitStatus.BAD_INPUT, N_("the database refused a value as out of range")),
    ("UnicodeError", ExitStatus.BAD_INPUT, N_("an argument is not valid UTF-8 text")),
    ("DatabaseError", ExitStatus.DATABASE, N_("the database cannot be used")),
    ("InterfaceError", ExitStatus.DATABASE, N_("the database cannot be reached")),
    ("OSError", ExitStatus.BAD_INPUT, N_("a file cannot be used")),
)
"""Exceptions from below the library, by class name (importing SQLAlchemy here would
slow ``--help``, §8), with their exit status and what they mean to a user."""


class BoundaryGroup(TyperGroup):
    """The root group: every command's errors end exactly here."""

    def main(self, *args, **kwargs):
        from staircase.cli.helptext import polish

        polish(self)
        return super().main(*args, **kwargs)

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except (Exit, Abort, TyperException):
            raise  # typer's own: usage errors, --help, a declined prompt
        except StaircaseError as error:
            if _debugging(ctx):
                raise
            # The library's own message may list lines on purpose (every bad row of
            # an import); what it repeats of the input is still made inert.
            _fail(str(error), error.exit_status, one_line=False)
        except Exception as error:  # the net of the module doc: §9 promises no traceback
            if _debugging(ctx):
                raise
            status, meaning = _classify(error)
            _fail(f"{meaning} ({type(error).__name__}: {_first_line(error)})", status)


def _debugging(ctx: typer.Context) -> bool:
    return ctx.obj is not None and getattr(ctx.obj, "debug", False)


def _classify(error: Exception) -> tuple[ExitStatus, str]:
    """The exit status and meaning of an exception the library did not turn into its own."""
    names = {kind.__name__ for kind in type(error).__mro__}
    for name, status, meaning in _FOREIGN:
        if name in names:
            return status, _(meaning)
    return ExitStatus.BAD_INPUT, _("internal error, please report it with the output of --debug")


def _first_line(error: Exception) -> str:
    """The gist of a foreign error: the driver's own message, first line, without the SQL
    and its parameters that SQLAlchemy appends (they may hold personal data)."""
    lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    return lines[0][:200] if lines else _("no message")


def inert(text: str, *, one_line: bool = True) -> str:
    """``text`` safe to print on a terminal: unprintable characters shown escaped (``\\x1b``).

    Storage refuses them (``db/guard.py``), but a database written by an
    older staircase or another program may still hold some.
    """
    pattern = _UNPRINTABLE if one_line else _UNPRINTABLE_IN_TEXT
    return pattern.sub(lambda match: ascii(match[0])[1:-1], text)


def _fail(line: str, status: ExitStatus, *, one_line: bool = True) -> None:
    typer.echo(f"staircase: {inert(line, one_line=one_line)}", err=True)
    raise Exit(int(status))
