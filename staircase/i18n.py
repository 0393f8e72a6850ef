"""The one catalogue every message a person reads comes from (§7.5).

The users are Danish care staff, so Danish is the default; English is chosen
with ``--lang en``, ``STAIRCASE_LANG=en`` or an English locale. Messages are
written in English in the code (gettext's convention: the msgid is the
English text) and translated by the Danish catalogue,
``locale/da/LC_MESSAGES/staircase.po``, compiled to ``.mo`` beside it.

Only words a person reads go through here. ``--json`` output and every id
(steps, indicators, roles, channels) are the same in both languages.
"""

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "staircase"
LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("da", "en")
DEFAULT = "da"
_LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def choose(explicit: str | None = None, environ: Mapping[str, str] = os.environ) -> str:
    """The language to speak: ``--lang``, then ``STAIRCASE_LANG``, then the locale.

    Only an English locale turns Danish off: a care home's PC set to ``C`` or
    ``POSIX`` (a server default, not a person's choice) still speaks Danish.
    """
    for wanted in (explicit, environ.get("STAIRCASE_LANG")):
        if wanted:
            return _known(wanted)
    for variable in _LOCALE_VARIABLES:
        value = environ.get(variable, "")
        if value:
            return "en" if value.lower().startswith("en") else DEFAULT
    return DEFAULT


def _known(wanted: str) -> str:
    """``da``/``en`` (also ``da_DK.UTF-8``, ``en-GB``); anything else is refused."""
    code = wanted.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    if code not in LANGUAGES:
        from staircase.errors import InvalidInput

        raise InvalidInput(
            _(
                "unknown language {wanted!r}: use one of {languages} (--lang or STAIRCASE_LANG)"
            ).format(wanted=wanted, languages=", ".join(LANGUAGES))
        )
    return code


def use(language: str) -> None:
    """Speak ``language`` from now on in this process."""
    global _translations, _language
    _language = _known(language)
    if _language == "en":
        _translations = gettext.NullTranslations()
    else:
        _translations = gettext.translation(DOMAIN, LOCALE_DIR, languages=[_language])


def language() -> str:
    """The language in use: ``da`` or ``en``."""
    return _language


def _(message: str) -> str:
    """``message`` in the language in use."""
    return _translations.gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it yet: for texts
    defined once at import (tables of meanings) and translated where they are shown."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of a message in the language in use, for ``n``."""
    return _translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the language in use, told apart by ``context``.

    For short words that translate differently by where they stand: a step's
    name in a table heading and in a sentence.
    """
    return _translations.pgettext(context, message)
