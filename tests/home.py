"""The standard care home most tests start from, and how it is set up.

Area nord with units sol and ege; case 1 is Maria Andersen, daughter of the
resident Else Andersen (SOL-1), named by her as her relative (consent). The
home is a shared terminal, so ``--as``/``STAIRCASE_USER`` is trusted.
People: ADM admin, KV quality, OL leader of the area, LH leader of sol, AK
staff in sol (contact person of case 1), TN staff in ege. It is set up
through the command line, 120 days before ``NOW``, once per test run; each
test gets a copy, its keys included (see ``conftest``).
"""

from datetime import datetime, timedelta

from driver import NOW, Staircase
from staircase.clock import Clock
from staircase.core.notify import MailSettings
from staircase.core.work import Request

BUILT = NOW - timedelta(days=120)
"""When the home was set up: long enough ago that nothing in it is recent."""

MARIAS_CASE = (
    "case",
    "open",
    "--resident",
    "SOL-1",
    "--relative",
    "Maria Andersen",
    "--relation",
    "datter",
    "--contact",
    "AK",
    "--consent",
    "named",
)
"""Case 1: Maria Andersen, Else's daughter, with Aisha Khan as contact person."""

SET_UP = (
    ("init", "--admin", "ADM", "--name", "Anna Admin", "--shared-terminal"),
    ("unit", "add", "nord", "--name", "Område Nord"),
    ("unit", "add", "sol", "--name", "Solhaven", "--parent", "nord"),
    ("unit", "add", "ege", "--name", "Egebakken", "--parent", "nord"),
    ("staff", "add", "KV", "--name", "Karin Kvalitet", "--role", "quality"),
    ("staff", "add", "OL", "--name", "Ole Lund", "--role", "leader", "--unit", "nord"),
    ("staff", "add", "LH", "--name", "Lise Holm", "--role", "leader", "--unit", "sol"),
    ("staff", "add", "AK", "--name", "Aisha Khan", "--role", "staff", "--unit", "sol"),
    ("staff", "add", "TN", "--name", "Thomas Nielsen", "--role", "staff", "--unit", "ege"),
    ("resident", "add", "SOL-1", "--name", "Else Andersen", "--unit", "sol"),
    MARIAS_CASE,
)
"""The administrator's commands that set the home up, in order."""


def clock_at(when: datetime = NOW) -> Clock:
    """A fixed clock: tests never read the real time."""
    return Clock.fixed(when)


class Home(Staircase):
    """The standard care home's database: the command line on it, and library requests."""

    def as_(self, who: str, when: datetime = NOW, mail: MailSettings | None = None) -> Request:
        """What a library call needs to act as ``who`` at ``when``."""
        return Request(url=self.url, clock=clock_at(when), user=who, mail=mail)


def build_home(url: str) -> Home:
    """Set up the standard home in the empty database at ``url``."""
    home = Home(url)
    for args in SET_UP:
        result = home(*args, who="ADM", now=BUILT)
        assert result.exit_code == 0, f"staircase {' '.join(args)}: {result.stderr}"
    return home
