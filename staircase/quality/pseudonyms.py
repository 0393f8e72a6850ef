"""Stable keyed pseudonyms for exports (§6.3).

``P-7f3a9c2e`` is the first eight hex digits of HMAC-SHA256 over the kind
and id of a person, keyed with the installation's secret: the same relative
keeps the same pseudonym across exports, and without the key (kept outside
the database, ``core.keys``) nobody can tell whom it stands for, not even
by trying every id. Relatives are ``P`` (pårørende), residents ``B``
(beboer), staff ``M`` (medarbejder).
"""

import hashlib
import hmac
from collections.abc import Callable
from functools import lru_cache, partial

from staircase.core.keys import pseudonym_key

PREFIX = {"relative": "P", "resident": "B", "staff": "M"}


def installation_key(url: str) -> bytes:
    """The pseudonym secret; an installation that predates it gets one on first export."""
    return pseudonym_key(url)


CACHED = 4_096
"""Pseudonyms kept at a time. Staff recur on every row they logged (a municipality of
500 homes has some 2,500), so theirs are worth keeping; a resident or relative comes
once per case, in case order, so keeping theirs only grows memory with the history (§8:
an export's peak memory must not grow with the size of the database)."""


class Pseudonyms:
    """Pseudonyms under one key; the recurring ones are computed once per export.

    ``relative``, ``resident`` and ``staff`` are the cache itself with the kind
    filled in (``partial`` and ``lru_cache`` are C): an export maps them over
    millions of values (§8), and a hit costs no Python frame.
    """

    def __init__(self, key: bytes) -> None:
        self._key = key
        self.of = lru_cache(maxsize=CACHED)(self._compute)
        self.relative: Callable[[int | None], str | None] = partial(self.of, "relative")
        self.resident: Callable[[int | None], str | None] = partial(self.of, "resident")
        self.staff: Callable[[str | None], str | None] = partial(self.of, "staff")

    def _compute(self, kind: str, person: int | str | None) -> str | None:
        if person is None:
            return None
        digest = hmac.new(self._key, f"{kind}:{person}".encode(), hashlib.sha256).hexdigest()
        return f"{PREFIX[kind]}-{digest[:8]}"
