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


_USAGE = (
    (re.compile(r"Missing argument (?P<name>.+)\.$"), N_("Missing argument {name}.")),
    (re.compile(r"Missing option (?P<name>.+)\.$"), N_("Missing option {name}.")),
    (
        re.compile(r"No such command (?P<name>'[^']*')\.(?: Did you mean (?P<like>'[^']*')\?)?$"),
        N_("No such command {name}."),
    ),
    (
        re.compile(r"Got unexpected extra argument(?:s|\(s\))? \((?P<args>.*)\)$"),
        N_("Got unexpected extra argument ({args})"),
    ),
    (
        re.compile(r"No such option: (?P<name>\S+)(?: \(Possible options: (?P<options>.*)\))?$"),
        N_("No such option: {name}"),
    ),
    (
        re.compile(r"Invalid value for (?P<name>.+?): (?P<reason>.*)$", re.S),
        N_("Invalid value for {name}: {reason}"),
    ),
)
"""typer's own usage errors, which its vendored click words without gettext, by their
English shape, with the message of the catalogue that says the same (§7.5)."""


class BoundaryGroup(TyperGroup):
    """The root group: every command's errors end exactly here."""

    def main(self, *args, **kwargs):
        from staircase.cli.helptext import polish

        polish(self)
        return super().main(*args, **kwargs)

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except TyperException as error:
            _speak_usage(error)  # a root option typed wrong: `staircase --bogus`
            raise

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except (Exit, Abort):
            raise  # typer's own: --help, a declined prompt
        except BrokenPipeError:
            raise  # the reader left (`| head`): click's main exits quietly, as a pipe expects
        except TyperException as error:
            _speak_usage(error)  # a command typed wrong: `staircase log` with no case
            raise
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


def _speak_usage(error: TyperException) -> None:
    """Let a usage error show itself in the language in use: usage, hint and error line."""
    ctx = getattr(error, "ctx", None)
    format_message = getattr(error, "format_message", None)
    if ctx is None or format_message is None or not hasattr(error, "show"):
        return
    message = _usage_message(format_message())

    def show(file=None) -> None:
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            hint = _("Try '{command} {option}' for help.").format(
                command=ctx.command_path, option=ctx.help_option_names[0]
            )
            hint += "\n"
        typer.echo(f"{ctx.get_usage()}\n{hint}", err=True, color=ctx.color)
        typer.echo(_("Error: {message}").format(message=message), err=True, color=ctx.color)

    error.show = show  # type: ignore[attr-defined]


def _usage_message(english: str) -> str:
    """typer's English usage message in the language in use; unknown ones as they are."""
    for shape, message in _USAGE:
        found = shape.match(english)
        if found:
            parts = found.groupdict()
            options, like = parts.pop("options", None), parts.pop("like", None)
            said = _(message).format(**parts)
            if options:
                said += " " + _("(Possible options: {options})").format(options=options)
            if like:
                said += " " + _("Did you mean {command}?").format(command=like)
            return said
    return english


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
