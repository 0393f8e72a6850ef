"""Matching what people type against ids, names and aliases.

Staff type on Danish and non-Danish keyboards alike, so ``større``,
``storre`` and ``Større`` must all find the same step, and a misspelt id
gets a suggestion instead of a bare "unknown".
"""

import difflib
import unicodedata

_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})


def fold(text: str) -> str:
    """Lower-case, spell æ/ø/å out, strip other accents and collapse blanks.

    ``ø`` folds to ``oe`` as Danes write it without the letter; a typed
    ``o`` (``storre``) is accepted by also comparing with the single-letter
    spelling, see ``spellings``.
    """
    lowered = text.strip().lower().translate(_DANISH)
    decomposed = unicodedata.normalize("NFKD", lowered)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("_", "-").split())


def spellings(text: str) -> set[str]:
    """The folded forms a label can be typed as: ``ø`` as ``oe`` or ``o`` and so on."""
    lowered = text.strip().lower()
    single = lowered.translate(str.maketrans({"æ": "a", "ø": "o", "å": "a"}))
    return {fold(lowered), fold(single), fold(lowered).replace(" ", "-")}


def nearest(word: str, known: list[str]) -> str | None:
    """The closest known id to a misspelt one, if any is close enough to suggest."""
    matches = difflib.get_close_matches(fold(word), known, n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(word: str, known: list[str]) -> str:
    """A ``— did you mean "x"?`` tail for an error line, or nothing."""
    guess = nearest(word, known)
    return f' — did you mean "{guess}"?' if guess else ""
