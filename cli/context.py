"""The global options (§10.1), handed to every command through click's context."""

import os
from dataclasses import dataclass

import typer


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


def request(ctx: typer.Context):
    """The library's Request for this invocation: database, clock and acting person.

    Imported here, not at the top, so that ``--help`` never loads the
    database layer (§8).
    """
    from staircase.clock import Clock
    from staircase.core.notify import MailSettings
    from staircase.core.work import Request
    from staircase.db.store import database_url

    given = options(ctx)
    clock = Clock.at(given.now) if given.now else Clock.real()
    mail = MailSettings.parse(
        os.environ.get("STAIRCASE_SMTP"), os.environ.get("STAIRCASE_MAIL_FROM")
    )
    return Request(url=database_url(given.db), clock=clock, user=given.user, mail=mail)
