"""The language of this invocation, chosen before any help text is built (§7.5).

typer evaluates the command modules' help strings when they are imported,
so ``main`` settles the language from ``--lang`` and the environment first
and imports the command tree after. The root callback settles it again from
the parsed option, so an in-process run (the tests' ``CliRunner``) speaks
the language it asked for in everything but the help already built.
"""

import gettext
import os
from collections.abc import Sequence

from staircase import i18n
from staircase.errors import InvalidInput
from staircase.i18n import N_

FRAMEWORK = (
    N_("Usage:"),
    N_("Options"),
    N_("Arguments"),
    N_("Commands"),
    N_("Show this message and exit."),
    N_("required"),
    N_("env var: {var}"),
    N_("default: {default}"),
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
)
"""What typer prints around our help: it reads some through gettext's global domain,
which ``speak`` points at this catalogue, and ``helptext`` translates the rest.
(typer's own usage errors, "Error: Missing argument", stay in English: typer
writes them without gettext.)"""


def prescan(argv: Sequence[str]) -> str | None:
    """The value of ``--lang`` in a raw command line, before click has parsed it."""
    for index, word in enumerate(argv):
        if word == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if word.startswith("--lang="):
            return word.split("=", 1)[1]
    return None


def speak(wanted: str | None) -> None:
    """Speak the language ``--lang``/``STAIRCASE_LANG``/the locale chooses, click included.

    click and typer translate their own words ("Usage:", "Options") with
    gettext's global functions, which follow ``LANGUAGE``; pointing their
    domain at this catalogue makes a Danish help page Danish throughout.
    """
    language = i18n.choose(wanted)
    i18n.use(language)
    gettext.bindtextdomain(i18n.DOMAIN, str(i18n.LOCALE_DIR))
    gettext.textdomain(i18n.DOMAIN)
    os.environ["LANGUAGE"] = language


def speak_or_refuse(wanted: str | None) -> None:
    """``speak``, or refuse an unknown ``--lang`` in the language the rest would choose."""
    try:
        speak(wanted)
    except InvalidInput:
        speak_early(())
        i18n.choose(wanted)  # refused again, now worded in the language chosen without it
        raise


def speak_early(argv: Sequence[str]) -> None:
    """The language for the help texts built at import; a bad ``--lang`` is refused
    later, by the root callback, through the one error boundary."""
    for wanted in (prescan(argv), None):
        try:
            speak(wanted)
            return
        except InvalidInput:
            continue
    speak(i18n.DEFAULT)
