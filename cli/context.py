"""The global options (§10.1), handed to every command through click's context."""

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from staircase.clock import Clock


@dataclass
class Options:
    """What the global options and their environment variables said."""

    db: str | None = None
    user: str | None = None
    now: str | None = None
    json: bool = False
    debug: bool = False


def options(ctx: typer.Context) -> Options:
    """The global options of this invocation (the root callback always sets them)."""
    root = ctx.find_root()
    if not isinstance(root.obj, Options):
        root.obj = Options()
    return root.obj


def wants_json(ctx: typer.Context, local: bool) -> bool:
    """``--json`` may stand before the command or after it (§10.1)."""
    return local or options(ctx).json


_shown_by: "Clock | None" = None
"""The clock of the invocation running in this process, for times shown without a context."""


def clock(ctx: typer.Context) -> "Clock":
    """This invocation's clock (``--now`` or the real time), made once, so every time a
    command reads and every time it shows ("i dag 14:30") count from the same now."""
    global _shown_by
    from staircase.clock import Clock

    meta = ctx.find_root().meta
    if "staircase.clock" not in meta:
        given = options(ctx).now
        meta["staircase.clock"] = Clock.at(given) if given else Clock.real()
        _shown_by = meta["staircase.clock"]
    return meta["staircase.clock"]


def begin() -> None:
    """A new invocation: forget the last one's clock (tests run many in one process)."""
    global _shown_by
    _shown_by = None


def shown_clock() -> "Clock":
    """The clock times are shown by: this invocation's, or the real time before it has one."""
    from staircase.clock import Clock

    return _shown_by or Clock.real()


def request(ctx: typer.Context):
    """The library's Request for this invocation: database, clock and acting person.

    Imported here, not at the top, so that ``--help`` never loads the
    database layer (§8).
    """
    from staircase.core.notify import MailSettings
    from staircase.core.work import Request
    from staircase.db.store import database_url

    given = options(ctx)
    mail = MailSettings.parse(
        os.environ.get("STAIRCASE_SMTP"), os.environ.get("STAIRCASE_MAIL_FROM")
    )
    return Request(url=database_url(given.db), clock=clock(ctx), user=given.user, mail=mail)
