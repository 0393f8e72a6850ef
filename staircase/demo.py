"""``staircase demo``: a believable care home in a database of its own (§10.3).

Two units under one area, staff in every role, about forty relationships
spread over all four steps, and three months of observations logged day by
day through the same library calls staff use — so the proposals,
escalations and actions in it arose exactly as they would in real use. It
never touches the user's own database.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from staircase.admin.directory import NewCase, add_resident, add_staff, add_unit, init, open_case
from staircase.cases.assess import assess
from staircase.cases.decide import accept, reject
from staircase.cases.followup import acknowledge, close_action
from staircase.cases.observe import Entry, log
from staircase.cases.tick import tick
from staircase.clock import Clock
from staircase.core.work import Request
from staircase.views import Assessment, LogResult

AREA, UNITS = "nord", ("solhaven", "egebakken")
LEADERS = {"nord": "OL", "solhaven": "LH", "egebakken": "BK"}
STAFF = {"solhaven": ("AK", "MJ", "SP"), "egebakken": ("TN", "RH", "EL")}
NAMES = {
    "ADM": "Anna Dam (admin)",
    "KVA": "Karin Vestergaard (kvalitet)",
    "OL": "Ole Lund",
    "LH": "Lise Holm",
    "BK": "Bo Kjær",
    "AK": "Aisha Khan",
    "MJ": "Mads Jensen",
    "SP": "Sofie Poulsen",
    "TN": "Thomas Nielsen",
    "RH": "Rikke Hansen",
    "EL": "Emil Larsen",
}
RESIDENTS = (
    "Else Andersen",
    "Poul Christensen",
    "Inger Sørensen",
    "Knud Rasmussen",
    "Grethe Jørgensen",
    "Henning Pedersen",
    "Birthe Madsen",
    "Erik Thomsen",
    "Kirsten Olsen",
    "Jens Møller",
    "Ruth Kristensen",
    "Aage Mortensen",
    "Lis Johansen",
    "Svend Nielsen",
    "Hanne Berg",
    "Bent Laursen",
    "Edith Frederiksen",
    "Arne Holm",
    "Gudrun Bach",
    "Viggo Nygaard",
)
RELATIVES = (
    ("Maria", "datter"),
    ("Peter", "søn"),
    ("Lone", "datter"),
    ("Henrik", "søn"),
    ("Jytte", "ægtefælle"),
    ("Torben", "nabo"),
    ("Mette", "barnebarn"),
    ("Kim", "ven"),
)

# Each story: the indicators logged over three months, in order; spread over
# the days by the generator. They are what brings the cases to their steps.
STORIES = {
    "godt": (("god-dialog",), ("naervaer",), ("nysgerrighed-respekt",), ("god-dialog",)),
    "mindre": (("god-dialog",), ("uklar-dialog",), ("god-dialog",), ("kontaktbehov",)),
    "stoerre": (("utilfredshed",), ("kontaktbehov",), ("uklar-dialog",), ("kritik",)),
    "kompliceret": (("kritik",), ("vanskelig-dialog",), ("manglende-dialog",), ("aftaler-brudt",)),
    "vold": (("utilfredshed",), ("kritik",), ("trusler-vold-chikane",)),
}
MIX = ["godt"] * 16 + ["mindre"] * 10 + ["stoerre"] * 8 + ["kompliceret"] * 4 + ["vold"] * 2


@dataclass(frozen=True)
class Demo:
    """Where the demo lives and the leader's view of it."""

    path: Path
    leader: str
    assessment: Assessment


def default_path() -> Path:
    """``demo.db`` beside the user's database — a separate file, rebuilt on each run."""
    from staircase.db.store import default_path as user_database

    return user_database().with_name("demo.db")


def build(path: Path, *, now: datetime, seed: int = 2026) -> Demo:
    """Build the demo database at ``path`` (replacing an old demo) as of ``now``."""
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    rng = random.Random(seed)
    start = now - timedelta(days=92)

    def as_(who: str, when: datetime) -> Request:
        return Request(url=url, clock=Clock.fixed(when), user=who)

    init(url, admin="ADM", name=NAMES["ADM"], clock=Clock.fixed(start), shared_terminal=True)
    _staff_and_units(as_, start)
    cases = _cases(as_, start, rng)
    _three_months(as_, cases, start, now, rng)
    leader = LEADERS[UNITS[0]]
    return Demo(path, leader, assess(as_(leader, now)))


def _staff_and_units(as_, start: datetime) -> None:
    admin = as_("ADM", start)
    add_unit(admin, unit_id=AREA, name="Område Nord", parent=None, pack=None)
    add_unit(admin, unit_id=UNITS[0], name="Plejehjemmet Solhaven", parent=AREA, pack=None)
    add_unit(admin, unit_id=UNITS[1], name="Plejecentret Egebakken", parent=AREA, pack=None)
    add_staff(admin, initials="KVA", name=NAMES["KVA"], role="quality", units=[])
    add_staff(admin, initials="OL", name=NAMES["OL"], role="leader", units=[AREA, *UNITS])
    for unit in UNITS:
        add_staff(
            admin, initials=LEADERS[unit], name=NAMES[LEADERS[unit]], role="leader", units=[unit]
        )
        for initials in STAFF[unit]:
            add_staff(admin, initials=initials, name=NAMES[initials], role="staff", units=[unit])


def _cases(as_, start: datetime, rng: random.Random) -> list[tuple[int, str, str]]:
    """About forty cases: one or two relatives for each of twenty residents."""
    admin = as_("ADM", start)
    stories = rng.sample(MIX, len(MIX))
    cases = []
    for n, name in enumerate(RESIDENTS):
        unit = UNITS[n % 2]
        ref = f"{unit[:3].upper()}-{n + 1:03d}"
        add_resident(admin, ref=ref, name=name, unit_id=unit)
        surname = name.split()[-1]
        for k in range(2):
            first, relation = RELATIVES[(n + 3 * k) % len(RELATIVES)]
            contact = STAFF[unit][(n + k) % 3]
            case = open_case(
                admin,
                NewCase(
                    resident_ref=ref,
                    relative_name=f"{first} {surname}",
                    relation=relation,
                    contact=contact,
                    primary=k == 0,
                    child=relation == "barnebarn",
                ),
            )
            cases.append((case.id, unit, stories[(2 * n + k) % len(stories)]))
    return cases


def _three_months(as_, cases, start: datetime, now: datetime, rng: random.Random) -> None:
    """Log each case's story over the period, and let people follow up along the way.

    Leaders decide proposals and acknowledge escalations the next day, and
    actions get done — except for what happened in the last few days, which
    is what the demo's leader finds waiting. A final tick applies the
    time-based rules at the demo's now.
    """
    for case_id, unit, story in cases:
        steps = STORIES[story]
        days = sorted(rng.sample(range(3, 90), len(steps)))
        for day, indicators in zip(days, steps, strict=True):
            when = start + timedelta(days=day, hours=rng.randint(8, 15))
            who = rng.choice(STAFF[unit])
            channel = rng.choice(("telefon", "besoeg", "mail", "moede"))
            result = log(as_(who, when), Entry(case_id, indicators, channel=channel))
            later = when + timedelta(days=1)
            if later < now - timedelta(days=4):
                _follow_up(as_, LEADERS[unit], result, story, later)
    _last_day(as_, cases, now)
    tick(as_("ADM", now))


def _last_day(as_, cases, now: datetime) -> None:
    """What happened in the last day, waiting for the leaders when the demo opens:
    criticism on a good case in each unit, and threats against staff on one."""
    for unit in UNITS:
        calm = [case_id for case_id, at, story in cases if at == unit and story == "godt"]
        log(
            as_(STAFF[unit][0], now - timedelta(hours=20)),
            Entry(calm[0], ("kritik",), channel="telefon"),
        )
    minor = next(case_id for case_id, at, story in cases if at == UNITS[0] and story == "mindre")
    log(
        as_(STAFF[UNITS[0]][1], now - timedelta(hours=3)),
        Entry(minor, ("trusler-vold-chikane",), channel="besoeg"),
    )


def _follow_up(as_, leader_id: str, result: LogResult, story: str, when: datetime) -> None:
    """The next day: the leader decides and acknowledges, actions get done."""
    leader = as_(leader_id, when)
    for escalation in result.escalations:
        acknowledge(leader, escalation.id, note="Set; tages op på teammødet")
    for proposal in result.proposals:
        if story == "mindre":
            reject(leader, proposal.id, reason="Talt med familien; misforståelsen er afklaret")
        else:
            accept(leader, proposal.id, reason="Drøftet på teammødet; vi lægger en plan")
    for action in result.actions:
        doer = leader if action.owner == "unit_leader" else as_(action.owner, when)
        close_action(doer, action.id, status="done", note="Gjort")
