"""Matching what people type against ids, names and aliases.

Staff type on Danish and non-Danish keyboards alike, so ``større``,
``storre``, ``stoerre`` and ``Større`` must all find the same step, and a
misspelt id gets a suggestion instead of a bare "unknown".
"""

import difflib
import re
import unicodedata

from staircase.i18n import _

_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})
_DIGRAPHS = (("aa", "a"), ("ae", "a"), ("oe", "o"))


def fold(text: str) -> str:
    """Lower-case, spell æ/ø/å out as Danes do without them, strip other accents.

    ``besøg`` becomes ``besoeg``: the form the ids of channels and day words use.
    """
    lowered = text.strip().lower().translate(_DANISH)
    decomposed = unicodedata.normalize("NFKD", lowered)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


def key(text: str) -> str:
    """The form every spelling of a label shares, for matching what was typed.

    ``større``, ``stoerre`` and ``storre`` all become ``storre``; blanks,
    hyphens and underscores all become one hyphen (``uklar dialog`` finds
    ``uklar-dialog``).
    """
    single = fold(text)
    for digraph, letter in _DIGRAPHS:
        single = single.replace(digraph, letter)
    return re.sub(r"[\s_-]+", "-", single)


def nearest(word: str, known: list[str]) -> str | None:
    """The known id closest to a misspelt one, if any is close enough to suggest."""
    by_key = {key(k): k for k in known}
    matches = difflib.get_close_matches(key(word), list(by_key), n=1, cutoff=0.6)
    return by_key[matches[0]] if matches else None


def did_you_mean(word: str, known: list[str]) -> str:
    """A ``— did you mean "x"?`` tail for an error line, or nothing."""
    guess = nearest(word, known)
    return _(' — did you mean "{guess}"?').format(guess=guess) if guess else ""
