"""The library's one family of errors, each carrying what a user should read.

The CLI catches ``StaircaseError`` in exactly one place, prints ``str(err)``
and exits with ``err.exit_status`` (PRODUCT.md §10.7). Nothing else in the
program catches broad exceptions.
"""

from enum import IntEnum


class ExitStatus(IntEnum):
    """Exit statuses that scripts and cron jobs rely on (§10.7)."""

    OK = 0
    BAD_INPUT = 1
    USAGE = 2
    NOT_ALLOWED = 3
    DATABASE = 4


class StaircaseError(Exception):
    """Base of every error a user may see; the message is one line."""

    exit_status: ExitStatus = ExitStatus.BAD_INPUT


class InvalidInput(StaircaseError):
    """Bad input or a request the rules refuse; nothing was written."""


class NotFound(InvalidInput):
    """A case, unit, person or pack that does not exist."""


class AmbiguousIndicator(InvalidInput):
    """A typed word that names no kendetegn by itself but fits one or more (§3.5.0).

    Guessing would be worse than refusing: ``trusler`` fits both a threat to
    call the press and violence against staff, and the second labels a
    family violent. ``candidates`` are ``(id, Danish name)`` pairs, so a
    terminal can ask which one was meant.
    """

    def __init__(self, word: str, candidates: tuple[tuple[str, str], ...]) -> None:
        self.word = word
        self.candidates = candidates
        from staircase.i18n import _

        named = ", ".join(f"{id_} ({name})" for id_, name in candidates)
        if len(candidates) > 1:
            line = _('"{word}" fits more than one kendetegn: {named}; type one of them')
        else:
            line = _('"{word}" is only part of a kendetegn: {named}; type its id or full name')
        super().__init__(line.format(word=word, named=named))


class NotAllowed(StaircaseError):
    """The acting person's role does not permit this, or the state machine refuses."""

    exit_status = ExitStatus.NOT_ALLOWED


class RefusedMove(NotAllowed):
    """A move the staircase's rules refuse (one step down at a time, …).

    It is a ``NotAllowed`` for callers, but §10.7 counts it as "refused by
    the rules" (exit 1), not as a matter of role (exit 3).
    """

    exit_status = ExitStatus.BAD_INPUT


class DatabaseProblem(StaircaseError):
    """Locked past the timeout, a newer schema, an unreachable server."""

    exit_status = ExitStatus.DATABASE


class BenchFailed(StaircaseError):
    """A command the benchmark ran failed: the figures would be meaningless (§8)."""
