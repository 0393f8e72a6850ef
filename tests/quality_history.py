"""A few months of history in the ``home`` fixture, shared by the quality tests.

Case 1 (sol, Maria Andersen, daughter of Else Andersen): "utilfredshed" in
August moves it to mindre; "kritik" in September is proposed as stoerre,
accepted and acknowledged; it comes back down to mindre in October and to
godt in November. Case 2 (ege, Jens Berg, son of Poul Berg) stays on godt
with one note. An agreement on case 1 has a text only names may show.
"""

import os
import shutil
from datetime import timedelta
from typing import Any

import pytest

from home import NOW, Home
from staircase.admin.directory import add_resident
from staircase.cases.decide import accept, move
from staircase.cases.followup import acknowledge, add_agreement
from staircase.cases.observe import Entry, log
from staircase.cases.register import NewCase, open_case

NOTE = "Datteren ringede om maden"
AGREEMENT = "Maria ringer kun mellem 10 og 12"
NAMES = ("Maria Andersen", "Else Andersen", "Jens Berg", "Poul Berg", "Aisha Khan")


def days_ago(days: float) -> Any:
    return NOW - timedelta(days=days)


def build_history(home: Home) -> None:
    admin = home.as_("ADM", days_ago(110))
    add_resident(admin, ref="EGE-1", name="Poul Berg", unit_id="ege")
    open_case(admin, NewCase(resident_ref="EGE-1", relative_name="Jens Berg", relation="søn"))
    at = days_ago(100)
    log(home.as_("AK", at), Entry(1, ("utilfredshed",), channel="telefon", note=NOTE))
    log(home.as_("TN", at), Entry(2, ("god-dialog",), channel="besøg", note="Godt besøg"))
    at = days_ago(70)
    result = log(home.as_("AK", at), Entry(1, ("kritik",), channel="møde"))
    acknowledge(home.as_("LH", at + timedelta(hours=30)), result.escalations[0].id)
    accept(home.as_("LH", at + timedelta(hours=30.5)), result.proposals[0].id, reason="Kritik")
    add_agreement(home.as_("LH", at + timedelta(hours=31)), 1, AGREEMENT, review="+30d")
    move(home.as_("LH", days_ago(40)), 1, "mindre", reason="Roligere")
    move(home.as_("LH", days_ago(10)), 1, "godt", reason="Godt igen")


def program(name: str) -> str:
    """The path of an outside program a test drives (chromium, pdftotext, soffice).

    Where the full suite is required (CI sets STAIRCASE_REQUIRE_PG, and
    ``.ci/run`` installs them) a missing program fails the test; elsewhere
    the test is skipped, saying what to install.
    """
    found = shutil.which(name)
    if found is None:
        message = (
            f"{name} is not installed "
            "(apt-get install chromium poppler-utils libreoffice-calc-nogui)"
        )
        if os.environ.get("STAIRCASE_REQUIRE_PG"):
            pytest.fail(message)
        pytest.skip(message)
    return found
