"""E-mail about escalations, optional per installation (issue 5, §3.4).

Set ``STAIRCASE_SMTP=host:port`` (and ``STAIRCASE_MAIL_FROM``) to turn it on.
Messages are written to an outbox in the same transaction as the
escalation, and sent after it commits; a server that is down costs nothing
but a retry on the next tick. The text says what and where — a case number,
a step, a deadline and the command to run — never a family's names or notes.
"""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from staircase.clock import format_local
from staircase.db.models import Case, Escalation, Membership, Notification, Staff, Unit
from staircase.errors import InvalidInput
from staircase.i18n import _
from staircase.kinds import Addressee, Role

SEND_TIMEOUT_S = 10


@dataclass(frozen=True)
class MailSettings:
    """Where to send e-mail from and through."""

    host: str
    port: int = 25
    sender: str = "staircase@localhost"

    @classmethod
    def parse(cls, server: str | None, sender: str | None = None) -> "MailSettings | None":
        """``host[:port]`` turns mail on; nothing given, staircase sends none.

        The command line hands over what ``STAIRCASE_SMTP`` and
        ``STAIRCASE_MAIL_FROM`` say; a malformed value is refused before any
        work starts, so a typo never means an escalation silently unsent.
        """
        given = (server or "").strip()
        if not given:
            return None
        host, _colon, port = given.rpartition(":") if ":" in given else (given, "", "25")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise InvalidInput(
                _(
                    'STAIRCASE_SMTP "{given}" is not host:port; e.g. '
                    "STAIRCASE_SMTP=mail.example.dk:25"
                ).format(given=given)
            )
        return cls(host=host, port=int(port), sender=sender or "staircase@localhost")


@dataclass
class Delivery:
    """What one attempt to empty the outbox achieved."""

    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def recipients(session: Session, escalation: Escalation) -> list[Staff]:
    """The people an escalation is addressed to or informs, who have an e-mail address."""
    case = session.get(Case, escalation.case_id)
    if escalation.to_role == Addressee.CONTACT:
        people = [session.get(Staff, case.contact_id)] if case.contact_id else []
    else:
        people = _leaders(session, escalation.to_unit)
    if Addressee.AREA_LEADER in escalation.inform:
        unit = session.get(Unit, case.unit_id)
        people += _leaders(session, unit.parent_id) if unit and unit.parent_id else []
    unique = {p.id: p for p in people if p is not None and p.email and p.active}
    return list(unique.values())


def _leaders(session: Session, unit_id: str) -> list[Staff]:
    return list(
        session.exec(
            select(Staff)
            .join(Membership, col(Membership.staff_id) == Staff.id)
            .where(Membership.unit_id == unit_id, Staff.role == Role.LEADER)
        ).all()
    )


def _step_name(session: Session, escalation: Escalation) -> str:
    """The step by its name in the language in use; the id if the pack no longer has it."""
    from staircase.core.lookup import pack_for
    from staircase.i18n import language

    case = session.get(Case, escalation.case_id)
    steps = {step.id: step for step in pack_for(session, case).steps}
    found = steps.get(escalation.step)
    return getattr(found.name, language()) if found else escalation.step


def enqueue(session: Session, escalation: Escalation, *, tz, now) -> int:
    """Queue one message per recipient; returns how many were queued."""
    # In the language of the person whose work raised it: the one in use (§7.5).
    due = (
        _("acknowledge by {due}").format(due=format_local(escalation.due_at, tz))
        if escalation.due_at
        else _("for your information")
    )
    step = _step_name(session, escalation)
    subject = _("staircase: case {case}, escalation about {step} — {due}").format(
        case=escalation.case_id, step=step, due=due
    )
    body = _(
        "Escalation {id} about case {case} (unit {unit}), step {step}: {due}.\n\n"
        "See it with:   staircase show {case}\n"
        'Acknowledge:   staircase ack {id} --note "…"\n'
    ).format(id=escalation.id, case=escalation.case_id, unit=escalation.to_unit, step=step, due=due)
    people = recipients(session, escalation)
    session.add_all(
        Notification(
            escalation_id=escalation.id,
            staff_id=p.id,
            email=p.email,
            subject=subject,
            body=body,
            created_at=now,
        )
        for p in people
    )
    return len(people)


def deliver(session: Session, settings: MailSettings, *, now) -> Delivery:
    """Send every unsent message; record failures for the next attempt."""
    import smtplib  # here, not at the top: only a mail delivery needs it, not every log (§8)

    result = Delivery()
    pending = session.exec(
        select(Notification).where(col(Notification.sent_at).is_(None)).order_by(Notification.id)
    ).all()
    for message in pending:
        try:
            _send(settings, message)
        except (OSError, smtplib.SMTPException) as err:
            message.attempts += 1
            message.last_error = f"{err.__class__.__name__}: {err}"[:500]
            result.failed += 1
            result.errors.append(f"to {message.staff_id}: {message.last_error}")
        else:
            message.attempts += 1
            message.sent_at = now
            result.sent += 1
        session.add(message)
    return result


def _send(settings: MailSettings, message: Notification) -> None:
    import smtplib
    from email.message import EmailMessage

    mail = EmailMessage()
    mail["From"] = settings.sender
    mail["To"] = message.email
    mail["Subject"] = message.subject
    mail.set_content(message.body)
    with smtplib.SMTP(settings.host, settings.port, timeout=SEND_TIMEOUT_S) as server:
        server.send_message(mail)
