"""Every message has its Danish text, and the shipped catalogue is the one translated (§7.5).

The messages are extracted from the code and the HTML templates as the catalogue's maintainer
does it (``babel.cfg``); each must be in the Danish ``.po``, translated
(not empty, not fuzzy) with the same placeholders, and the compiled ``.mo``
the program reads must say exactly what the ``.po`` says. The English text
is the msgid itself. Help texts are checked where click holds them, so a
command added with an unmarked help text fails here too.
"""

import gettext
import string
from functools import cache
from pathlib import Path

import pytest
import typer
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from staircase import i18n
from staircase.cli.app import app
from staircase.cli.options import when_help

ROOT = Path(__file__).resolve().parents[1]
PO = i18n.LOCALE_DIR / "da" / "LC_MESSAGES" / "staircase.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def _extracted() -> dict[tuple[str, str | None], tuple[str, ...]]:
    """(msgid, context) → every form of the message, as Babel extracts them from the code."""
    found: dict[tuple[str, str | None], tuple[str, ...]] = {}
    for folder in ("staircase", "cli"):
        for _file, _line, message, _comments, context in extract_from_dir(
            ROOT / folder,
            method_map=[("**.py", "python"), ("**/templates/**.j2", "jinja2")],
            options_map={"**/templates/**.j2": {"trim_blocks": "True", "lstrip_blocks": "True"}},
            keywords=KEYWORDS,
        ):
            forms = (message,) if isinstance(message, str) else tuple(message)
            found[(forms[0], context)] = forms
    return found


@cache
def _catalogue():
    with PO.open("rb") as po:
        return read_po(po, locale="da")


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


MESSAGES = _extracted()


def test_there_are_messages_to_translate() -> None:
    assert len(MESSAGES) > 100


@pytest.mark.parametrize("key", sorted(MESSAGES, key=str), ids=lambda k: k[0][:60])
def test_every_message_has_its_danish_text(key: tuple[str, str | None]) -> None:
    msgid, context = key
    entry = _catalogue().get(msgid, context=context)
    assert entry is not None, f"not in the Danish catalogue: {msgid!r}"
    assert not entry.fuzzy, f"fuzzy in the Danish catalogue: {msgid!r}"
    texts = entry.string if isinstance(entry.string, tuple) else (entry.string,)
    assert all(t.strip() for t in texts), f"no Danish text for {msgid!r}"
    wanted = set().union(*(_placeholders(form) for form in MESSAGES[key]))
    for text in texts:
        assert _placeholders(text) <= wanted, f"{text!r} has placeholders {msgid!r} lacks"
        assert _placeholders(text) >= wanted - {"n"}, f"{text!r} drops a placeholder"


def test_the_compiled_catalogue_is_the_translated_one() -> None:
    with MO.open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for message in _catalogue():
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            for n, form in ((1, message.string[0]), (2, message.string[1])):
                if message.context:
                    got = compiled.npgettext(message.context, *message.id, n)
                else:
                    got = compiled.ngettext(*message.id, n)
                assert got == form, f"recompile the .mo: {message.id!r}"
        else:
            got = (
                compiled.pgettext(message.context, message.id)
                if message.context
                else compiled.gettext(message.id)
            )
            assert got == message.string, f"recompile the .mo: {message.id!r}"


def _help_texts():
    """Every help text click holds: commands, groups, options and arguments."""

    def walk(command):
        yield command.help
        yield command.short_help
        for param in command.params:
            yield getattr(param, "help", None)
        for sub in getattr(command, "commands", {}).values():
            yield from walk(sub)

    return sorted({text for text in walk(typer.main.get_command(app)) if text})


def test_every_help_text_is_in_the_catalogue() -> None:
    """The tests build the commands in English: each help text is then a msgid."""
    catalogue = _catalogue()
    # An option taking a WHEN ends its help on the forms (``options.when_help``),
    # itself a message of the catalogue; what comes before is the option's own.
    forms_listed = when_help("")
    missing = [
        text for text in _help_texts() if catalogue.get(text.removesuffix(forms_listed)) is None
    ]
    assert not missing, "help texts not marked for translation:\n" + "\n".join(missing)
