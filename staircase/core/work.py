"""One unit of work: a transaction, the acting person, the clock, and its audit.

Every library entry point that touches the database runs inside
``transaction``: it resolves who is acting, checks the role (§6.1), and
records what was done in the audit chain in the same transaction as the
change itself. A refusal rolls the work back and is then audited on its
own, so that "nothing written" and "refusal logged" both hold (§6.2).
"""

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from sqlmodel import Session

from staircase.clock import Clock
from staircase.core import audit, notify
from staircase.core.identity import (
    Actor,
    NotYou,
    is_shared_terminal,
    login_name,
    resolve_actor,
)
from staircase.core.notify import Delivery, MailSettings
from staircase.core.permissions import permit
from staircase.db import digests
from staircase.db.store import begin_writing, session_scope
from staircase.errors import NotAllowed, RefusedMove
from staircase.i18n import _


@dataclass(frozen=True)
class Request:
    """Where, when and as whom a command runs (the global options, §10.1)."""

    url: str
    clock: Clock
    user: str | None = None
    mail: MailSettings | None = None


@dataclass
class Work:
    """What a library function gets to do its job with."""

    session: Session
    actor: Actor
    clock: Clock
    mail: MailSettings | None = None
    events: list[audit.Event] = field(default_factory=list)
    send_mail: bool = False
    delivery: Delivery | None = None

    @property
    def now(self) -> datetime:
        return self.clock.now

    def audit(
        self,
        action: str,
        *,
        case_id: int | None = None,
        subject: str = "",
        detail: str | None = None,
    ) -> None:
        """Record this in the audit chain when the work commits."""
        self.events.append(audit.Event(self.actor.id, action, case_id, subject, "ok", detail))


@contextmanager
def transaction(
    request: Request, action: str, *, write: bool = True, dry_run: bool = False
) -> Iterator[Work]:
    """Run ``action`` as the acting person, audited; refusals are audited too.

    ``dry_run`` does all the work and then rolls it back: what would happen
    is computed by the very code that would do it.

    Reads audit as well (§6.2: every read of a case is recorded), so every
    unit of work writes; ``write=False`` only says the work itself writes
    nothing, which lets SQLite readers run without the write lock until the
    audit is appended at the end. Who is acting, and whether they may, is
    read before the write lock is taken, so a writer holds it only for its
    own work (issue 14 item 6).
    """
    actor: Actor | None = None
    try:
        with session_scope(request.url, write=False) as session:
            shared = is_shared_terminal(session)
            actor = resolve_actor(session, request.user)
            permit(actor, action)
            if write and request.clock.ahead and not shared:
                raise NotAllowed(
                    _(
                        "--now is later than the real time; writing the future is allowed "
                        "only on a shared terminal for demos and tests (§6.8)"
                    )
                )
            if write:
                begin_writing(session)
            work = Work(session, actor, request.clock, request.mail)
            yield work
            if dry_run:
                session.rollback()
                return
            session.flush()
            if not work.events and digests.pending(session):
                work.audit(action)  # every write is audited, and vouched for
            if not write and work.events:
                begin_writing(session)
            audit.append(session, work.events, request.clock, shared=shared)
        _freeze_what_lasts()
        if work.send_mail and work.mail is not None:
            work.delivery = _deliver(request, work.mail, actor.id)
    except NotAllowed as refusal:
        if not isinstance(refusal, RefusedMove):
            who = refusal.actor if isinstance(refusal, NotYou) else None
            who = who or (actor.id if actor else login_name(request.user))
            _audit_refusal(request, action, str(refusal), who)
        raise


@cache
def _freeze_what_lasts() -> None:
    """Leave what the first unit of work loaded out of every later garbage collection.

    By the end of its first unit of work a process has imported the
    database layer and read what it keeps (about 100,000 objects for a
    log), and nearly all of it lives until the process ends. Python's full
    collection walks every one of them: 60 ms, due every few commands in a
    process running many, where a writer holding the write turn made nineteen
    others wait for it (issue 14 item 6), and 85 ms more when the process
    exits. Frozen once, they are never walked again; what a later command
    leaves behind is collected as before. Once a process (``cache``).
    """
    gc.freeze()


def _deliver(request: Request, mail: MailSettings, actor: str) -> Delivery:
    """Empty the mail outbox after the work committed, so a slow or dead mail
    server never holds a transaction open or loses what was decided."""
    with session_scope(request.url, write=True) as session:
        delivery = notify.deliver(session, mail, now=request.clock.now)
        if delivery.sent or delivery.failed:
            event = audit.Event(
                actor, "notify", subject=f"sent={delivery.sent} failed={delivery.failed}"
            )
            audit.append(session, [event], request.clock, shared=is_shared_terminal(session))
    return delivery


def _audit_refusal(request: Request, action: str, reason: str, actor: str) -> None:
    """Record a refusal in a transaction of its own, after the work rolled back."""
    audit_apart(request, audit.Event(actor, action, outcome="refused", detail=reason))


def audit_apart(request: Request, event: audit.Event) -> None:
    """Record ``event`` in a transaction of its own: the work it speaks of rolled back,
    but what it did (a refusal, a read cut short) must still be in the chain."""
    with session_scope(request.url, write=True) as session:
        audit.append(session, [event], request.clock, shared=is_shared_terminal(session))
