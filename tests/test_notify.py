"""E-mail about escalations through a real SMTP server on localhost (aiosmtpd)."""

import socket
from collections.abc import Iterator
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from home import NOW, Home
from staircase.cases.observe import Entry, log
from staircase.cases.tick import tick
from staircase.core.notify import MailSettings
from staircase.db.models import Notification, Observation, Staff


class Inbox(Message):
    """Keeps every message the test server receives."""

    def __init__(self) -> None:
        super().__init__()
        self.messages = []

    def handle_message(self, message) -> None:
        self.messages.append(message)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, MailSettings]]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield (
            handler,
            MailSettings(host="127.0.0.1", port=controller.port, sender="staircase@plejehjem.dk"),
        )
    finally:
        controller.stop()


def give_emails(home: Home) -> None:
    with home.session() as session:
        for who in ("LH", "OL", "AK"):
            staff = session.get(Staff, who)
            staff.email = f"{who.lower()}@plejehjem.dk"
            session.add(staff)


def test_escalation_mails_the_leader_without_family_names(home: Home, smtp) -> None:
    server, mail = smtp
    give_emails(home)
    log(home.as_("AK", mail=mail), Entry(1, ("kritik",), note="Maria Andersen råbte"))
    [message] = server.messages
    assert message["To"] == "lh@plejehjem.dk"
    text = message.as_string()
    assert "case 1" in text and "staircase ack 1" in text
    assert "Maria" not in text and "Andersen" not in text and "råbte" not in text


def test_violence_also_informs_the_area_leader(home: Home, smtp) -> None:
    server, mail = smtp
    give_emails(home)
    log(home.as_("AK", mail=mail), Entry(1, ("vold",)))
    assert sorted(m["To"] for m in server.messages) == ["lh@plejehjem.dk", "ol@plejehjem.dk"]


def test_server_down_loses_nothing_and_the_next_tick_retries(home: Home, smtp) -> None:
    server, mail = smtp
    give_emails(home)
    down = MailSettings(host="127.0.0.1", port=free_port())
    result = log(home.as_("AK", NOW - 4 * timedelta(days=1), mail=down), Entry(1, ("kritik",)))
    assert result.escalations
    [pending] = home.rows(Notification)
    assert pending.sent_at is None and pending.attempts == 1 and pending.last_error

    report = tick(home.as_("ADM", mail=down))
    assert report.escalated and report.mail.failed == 2
    assert all(n.sent_at is None for n in home.rows(Notification))

    retried = tick(home.as_("ADM", NOW + timedelta(minutes=15), mail=mail))
    assert retried.mail.sent == 2 and retried.mail.failed == 0
    assert sorted(m["To"] for m in server.messages) == ["lh@plejehjem.dk", "ol@plejehjem.dk"]
    assert tick(home.as_("ADM", NOW + timedelta(minutes=30), mail=mail)).mail.sent == 0


def test_the_command_line_mails_through_staircase_smtp(home: Home, smtp) -> None:
    """STAIRCASE_SMTP and STAIRCASE_MAIL_FROM reach the library from the shell (README)."""
    server, mail = smtp
    give_emails(home)
    env = {
        "STAIRCASE_SMTP": f"{mail.host}:{mail.port}",
        "STAIRCASE_MAIL_FROM": "plejehjem@example.dk",
    }
    result = home("log", "1", "kritik", who="AK", env=env)
    assert result.exit_code == 0, result.output
    [message] = server.messages
    assert message["To"] == "lh@plejehjem.dk"
    assert message["From"] == "plejehjem@example.dk"
    [sent] = home.rows(Notification)
    assert sent.sent_at is not None


def test_a_malformed_staircase_smtp_is_refused_before_anything_is_written(home: Home) -> None:
    before = home.contents()
    result = home("log", "1", "kritik", who="AK", env={"STAIRCASE_SMTP": "mail.example.dk:smtp"})
    assert result.exit_code == 1
    assert "STAIRCASE_SMTP" in result.output and "host:port" in result.output
    assert home.rows(Notification) == [] and home.rows(Observation) == []
    assert home.contents() == before
