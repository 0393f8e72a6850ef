"""Help pages that read as a person writes them (issue 12, item 5).

typer shows a value's Python type as its placeholder (``--at <str>``,
``CASE <int>``) and cuts a command's summary in the command list at 45
characters. Once the command tree is built, each option gets a placeholder
that says what to type, in the language in use (``--at NÅR``), an argument
shows its name alone, and each command's summary is its help's first
sentence whole.
"""

import re
from collections.abc import Iterator
from typing import Any

from staircase.cli.language import FRAMEWORK
from staircase.i18n import N_, _

PLACEHOLDERS = {
    "--admin": N_("INITIALS"),
    "--as": N_("INITIALS"),
    "--contact": N_("INITIALS"),
    "--person": N_("INITIALS"),
    "--at": N_("WHEN"),
    "--now": N_("WHEN"),
    "--next": N_("WHEN"),
    "--review": N_("WHEN"),
    "--since": N_("WHEN"),
    "--until": N_("WHEN"),
    "--by": N_("WHO"),
    "--case": N_("CASE"),
    "--cases": N_("NUMBER"),
    "--observations": N_("NUMBER"),
    "--repeats": N_("NUMBER"),
    "--relative-id": N_("NUMBER"),
    "--retracts": N_("OBSERVATION"),
    "--channel": N_("CHANNEL"),
    "--consent": N_("BASIS"),
    "--consent-note": N_("TEXT"),
    "--note": N_("TEXT"),
    "--reason": N_("TEXT"),
    "--name": N_("NAME"),
    "--relative": N_("NAME"),
    "--relation": N_("RELATION"),
    "--resident": N_("REF"),
    "--db": N_("PATH|URL"),
    "--out": N_("PATH"),
    "--path": N_("PATH"),
    "--keep": N_("PATH"),
    "--email": N_("ADDRESS"),
    "--format": N_("FORMAT"),
    "--lang": "da|en",
    "--login": N_("ACCOUNT"),
    "--older-than": N_("YEARS"),
    "--pack": N_("PACK"),
    "--parent": N_("UNIT"),
    "--unit": N_("UNIT"),
    "--role": N_("ROLE"),
    "--step": N_("STEP"),
}
"""What to type for each option that takes a value, by its long name."""

ARGUMENTS = {
    "indicators": N_("KENDETEGN"),
    "initials": N_("INITIALS"),
    "key": N_("SETTING"),
    "value": N_("VALUE"),
    "ref": N_("REF"),
    "step": N_("STEP"),
    "text": N_("TEXT"),
}
"""Arguments typer would show by their Python names."""


def polish(root: Any) -> None:
    """Placeholders and whole summaries for every command under ``root``."""
    for command in _commands(root):
        if command.help and not command.short_help:
            command.short_help = _first_sentence(command.help)
        command.get_help_option = _translating(command.get_help_option)
        command.format_usage = _usage(command)
        for param in command.params:
            if param.help in FRAMEWORK:
                param.help = _(param.help)
            if param.param_type_name == "option" and not getattr(param, "is_flag", False):
                if param.metavar is None:
                    wanted = PLACEHOLDERS.get(param.opts[-1])
                    param.metavar = _(wanted) if wanted else _("VALUE")
            elif param.param_type_name == "argument":
                if param.name in ARGUMENTS and param.metavar is None:
                    param.metavar = _(ARGUMENTS[param.name])
                # The name says what to type; typer's "<int>" beside it says nothing more.
                param.display_type_rich = _no_type


def _translating(make: Any) -> Any:
    """typer writes the ``--help`` option's own help in English; say it in ours."""

    def get_help_option(ctx: Any) -> Any:
        option = make(ctx)
        if option is not None and option.help in FRAMEWORK:
            option.help = _(option.help)
        return option

    return get_help_option


def _usage(command: Any) -> Any:
    """The usage line with its "Usage:" in our language (typer hard-codes it in English)."""

    def format_usage(ctx: Any, formatter: Any) -> None:
        pieces = " ".join(command.collect_usage_pieces(ctx))
        formatter.write_usage(ctx.command_path, pieces, prefix=_("Usage:") + " ")

    return format_usage


def _no_type(ctx: Any = None) -> None:
    return None


def _commands(command: Any) -> Iterator[Any]:
    yield command
    for sub in getattr(command, "commands", {}).values():
        yield from _commands(sub)


def _first_sentence(text: str) -> str:
    """The help's first paragraph, up to its first full stop: never cut mid-sentence."""
    paragraph = " ".join(text.strip().split("\n\n")[0].split())
    end = _SENTENCE_END.search(paragraph)
    return paragraph if end is None else paragraph[: end.start() + 1]


_SENTENCE_END = re.compile(r"\.\s+(?=[A-ZÆØÅ])")
"""A full stop that ends a sentence, not an abbreviation's ("GDPR art. 15")."""
