"""``staircase demo``: a believable care home in a database of its own (§10.3).

Two units under one area, staff in every role, forty relationships and three
months of what happens in a care home, all done through the same library
calls staff and leaders use — so every proposal, escalation and action in it
arose exactly as it would in real use. Most relationships stay good; some
come up the staircase and a few come back down when leaders see it calm
again. Everything happens in the daytime (08–20 local time), notes are the
kind staff write, agreements are made, reviewed and now and then broken,
and consent is recorded in every form, one still to be clarified. It never
touches the user's own database.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from staircase.admin.directory import add_resident, add_staff, add_unit, init
from staircase.cases.assess import assess
from staircase.cases.decide import accept, move, reject
from staircase.cases.followup import (
    acknowledge,
    add_agreement,
    break_agreement,
    close_action,
    end_agreement,
    review_agreement,
)
from staircase.cases.observe import Entry, log
from staircase.cases.register import CaseEdit, NewCase, edit_case, open_case
from staircase.cases.tick import tick
from staircase.clock import Clock, resolve_tz
from staircase.core.work import Request
from staircase.kinds import ActionStatus, Role
from staircase.views import Assessment, CaseView, LogResult, ProposalView

ADMIN, AREA, UNITS = "ADM", "nord", ("solhaven", "egebakken")
LEADERS = {"nord": "OL", "solhaven": "LH", "egebakken": "BK"}
STAFF = {"solhaven": ("AK", "MJ", "SP"), "egebakken": ("TN", "RH", "EL")}
NAMES = {
    "ADM": "Anna Dam",
    "KVA": "Karin Vestergaard",
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
OUTSIDE_FAMILY = (
    "Krogh",
    "Dahl",
    "Vinther",
    "Lauridsen",
    "Bech",
    "Skov",
    "Lind",
    "Friis",
    "Kjeldsen",
    "Schmidt",
    "Winther",
    "Mikkelsen",
    "Østergaard",
    "Bruun",
    "Dalsgaard",
    "Iversen",
    "Thorsen",
    "Eskildsen",
    "Brandt",
    "Hvid",
)
"""Surnames for neighbours and friends, who rarely share the resident's."""

NOTES = {
    "god-dialog": (
        "God snak med datteren om julen på afdelingen",
        "Rolig og god samtale over en kop kaffe",
        "Takkede for den gode pleje ved besøget",
    ),
    "naervaer": (
        "Sad længe hos sin mor og hjalp med aftensmaden",
        "Kom forbi med blomster og hilste på alle på gangen",
    ),
    "nysgerrighed-respekt": (
        "Spurgte interesseret til den nye træningsplan",
        "Ville gerne høre, hvordan vi arbejder med ernæring",
    ),
    "uklar-dialog": (
        "Troede, at frisøren var aflyst; misforståelse om datoen",
        "Usikker på, hvem der er kontaktperson",
    ),
    "utilfredshed": (
        "Utilfreds med, at tøjet kom forkert retur fra vaskeriet",
        "Synes, at maden er blevet for kold, når den serveres",
    ),
    "kontaktbehov": (
        "Ringede tre gange i dag om medicinen",
        "Beder om en daglig opringning om, hvordan natten har været",
    ),
    "vanskelig-dialog": (
        "Samtalen gik i hårdknude; afbrød flere gange",
        "Svært at nå til enighed om besøgstiderne",
    ),
    "kritik": (
        "Kritiserede personalet højlydt på gangen",
        "Skrev en klage over manglende hjælp til bad",
    ),
    "manglende-dialog": (
        "Vil ikke længere tale med kontaktpersonen",
        "Har ikke svaret på tre henvendelser",
    ),
    "trusler-vold-chikane": (
        "Råbte og skubbede til en medarbejder i døren",
        "Truede en medarbejder verbalt ved aftenbesøget",
    ),
}

# A story is what happens in one relationship over the three months: events
# on days after the start (shifted a little per case), in order.
#   ("log", indicator)                  a staff member logs what they saw
#   ("agree", text, review_in_days)     an agreement with the relative
#   ("breach", by, note)                the agreement is not kept
#   ("review", next_in_days, note)      the agreement is gone through
#   ("end",)                            the agreement is no longer needed
#   ("down", step, reason)              the unit's leader moves the case down
STORIES: dict[str, tuple[tuple, ...]] = {
    "godt": (
        (10, "log", "god-dialog"),
        (30, "log", "naervaer"),
        (55, "log", "nysgerrighed-respekt"),
        (80, "log", "god-dialog"),
    ),
    "godt-aftale": (
        (5, "log", "god-dialog"),
        (6, "agree", "Kontaktpersonen ringer hver fredag og fortæller, hvordan ugen er gået", 42),
        (40, "breach", "staff", "Vi glemte at ringe i fredags; undskyldt over for familien"),
        (48, "review", 42, "Gennemgået med familien; fredagsopkaldet fortsætter"),
        (70, "log", "naervaer"),
    ),
    "mindre": (
        (20, "log", "god-dialog"),
        (60, "log", "uklar-dialog"),
        (75, "log", "kontaktbehov"),
        (84, "log", "god-dialog"),
    ),
    "stoerre": (
        (15, "log", "utilfredshed"),
        (30, "log", "kritik"),
        (31, "agree", "Spørgsmål om medicin stilles til sygeplejersken, ikke på gangen", 35),
        (66, "review", 28, "Gennemgået; det går bedre, men aftalen fortsætter"),
        (70, "log", "vanskelig-dialog"),
    ),
    "kompliceret": (
        (10, "log", "kritik"),
        (12, "agree", "Besøg aftales med kontaktpersonen dagen før", 45),
        (40, "log", "vanskelig-dialog"),
        (55, "breach", "relative", "Kom uanmeldt om aftenen og ville ikke gå igen"),
        (58, "review", 30, "Gennemgået efter bruddet; aftalen gælder fortsat"),
        (70, "log", "manglende-dialog"),
    ),
    "vold": (
        (30, "log", "utilfredshed"),
        (50, "log", "kritik"),
        (77, "log", "trusler-vold-chikane"),
    ),
    "bedring": (
        (5, "log", "kritik"),
        (8, "agree", "Klager skrives til afdelingslederen, som svarer inden for en uge", 28),
        (20, "log", "god-dialog"),
        (36, "end"),
        (38, "log", "nysgerrighed-respekt"),
        (42, "down", "mindre", "Roligt i over en måned og god dialog ved besøgene; planen virker"),
        (60, "log", "god-dialog"),
        (70, "down", "godt", "Ingen udfordringer i næsten to måneder; samarbejdet er godt igen"),
    ),
    "bedring-let": (
        (12, "log", "uklar-dialog"),
        (16, "log", "utilfredshed"),
        (35, "log", "god-dialog"),
        (50, "down", "godt", "Misforståelsen om tøjvasken er løst; god dialog ved de sidste besøg"),
        (65, "log", "naervaer"),
    ),
}
MIX = (
    ["godt"] * 17
    + ["godt-aftale"] * 4
    + ["mindre"] * 6
    + ["stoerre"] * 4
    + ["kompliceret"] * 2
    + ["vold"]
    + ["bedring"] * 3
    + ["bedring-let"] * 3
)
DAYS = 92
FOLLOWED_UNTIL = DAYS - 5
"""What happened in the last days waits for the leaders when the demo opens."""

ACCEPTED = {
    (
        "up",
        "stoerre",
    ): "Direkte kritik af personalet; vi lægger en plan for håndtering med familien",
    ("up", "kompliceret"): (
        "Aftaler overholdes ikke, og dialogen er gået i stå; vi sætter klare rammer "
        "og orienterer områdelederen"
    ),
    ("down", "mindre"): "Roligt længe og god dialog ved de seneste besøg",
    ("down", "godt"): "Ingen udfordringer i lang tid; samarbejdet er godt igen",
}
VIOLENCE = "Trusler mod personale; episoden er registreret, og besøg sker efter aftale"
REJECTED = "Enkeltstående; misforståelsen er afklaret med familien i telefonen"


@dataclass(frozen=True)
class Demo:
    """Where the demo lives and the leader's view of it."""

    path: Path
    leader: str
    assessment: Assessment


@dataclass
class _Case:
    """One relationship as the demo plays it."""

    id: int
    unit: str
    story: str
    contact: str
    agreement: int | None = None
    view: CaseView | None = None


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
    tz = resolve_tz()
    first = now.astimezone(tz).date() - timedelta(days=DAYS)

    def at(day: int, hours: tuple[int, int] = (8, 19)) -> datetime:
        """A daytime moment (08–20 local) on the given day of the demo."""
        local = time(rng.randint(*hours), rng.randrange(0, 60, 5))
        return datetime.combine(first + timedelta(days=day), local, tzinfo=tz).astimezone(UTC)

    def as_(who: str, when: datetime) -> Request:
        return Request(url=url, clock=Clock.fixed(when, tz), user=who)

    start = at(0, (8, 8))
    init(url, admin=ADMIN, name=NAMES[ADMIN], clock=Clock.fixed(start, tz), shared_terminal=True)
    _staff_and_units(as_(ADMIN, start))
    cases = _cases(as_, start, rng)
    for case in cases:
        _play(as_, at, case, rng)
    _last_days(as_, at, cases, rng)
    tick(as_(ADMIN, _daytime_before(now, tz)))
    leader = LEADERS[UNITS[0]]
    return Demo(path, leader, assess(as_(leader, now)))


def _daytime_before(now: datetime, tz) -> datetime:
    """``now`` if it is daytime (08–20 local), else the evening before it."""
    local = now.astimezone(tz)
    if 8 <= local.hour < 20:
        return now
    evening = local.replace(hour=19, minute=55, second=0, microsecond=0)
    return (evening if local.hour >= 20 else evening - timedelta(days=1)).astimezone(UTC)


def _staff_and_units(admin: Request) -> None:
    add_unit(admin, unit_id=AREA, name="Område Nord", parent=None, pack=None)
    add_unit(admin, unit_id=UNITS[0], name="Plejehjemmet Solhaven", parent=AREA, pack=None)
    add_unit(admin, unit_id=UNITS[1], name="Plejecentret Egebakken", parent=AREA, pack=None)
    add_staff(admin, initials="KVA", name=NAMES["KVA"], role=Role.QUALITY, units=[])
    add_staff(admin, initials="OL", name=NAMES["OL"], role=Role.LEADER, units=[AREA, *UNITS])
    for unit in UNITS:
        leader = LEADERS[unit]
        add_staff(admin, initials=leader, name=NAMES[leader], role=Role.LEADER, units=[unit])
        for initials in STAFF[unit]:
            add_staff(admin, initials=initials, name=NAMES[initials], role=Role.STAFF, units=[unit])


def _consent(n: int, k: int, relation: str) -> tuple[str, str | None]:
    """Every basis the policies know (§2): mostly named by the resident."""
    if relation in ("nabo", "ven"):
        return "other", "Beboeren har bedt os inddrage dem; ingen familie i nærheden"
    if k == 0 and n % 6 == 2:
        return "guardian", None
    if k == 0 and n % 6 == 4:
        return "attorney", None
    return "named", None


def _cases(as_, start: datetime, rng: random.Random) -> list[_Case]:
    """Forty cases: two relatives for each of twenty residents.

    One relative's consent was not clarified when the case was opened; the
    contact person clarifies it a few days later (a change in the case's
    history).
    """
    admin = as_(ADMIN, start)
    stories = rng.sample(MIX, len(MIX))
    cases = []
    for n, name in enumerate(RESIDENTS):
        unit = UNITS[n % 2]
        ref = f"{unit[:3].upper()}-{n + 1:03d}"
        add_resident(admin, ref=ref, name=name, unit_id=unit)
        for k in range(2):
            first, relation = RELATIVES[(n + 3 * k) % len(RELATIVES)]
            family = relation not in ("nabo", "ven")
            surname = name.split()[-1] if family else OUTSIDE_FAMILY[n]
            consent, note = (None, None) if (n, k) == (1, 1) else _consent(n, k, relation)
            contact = STAFF[unit][(n + k) % 3]
            view = open_case(
                admin,
                NewCase(
                    resident_ref=ref,
                    relative_name=f"{first} {surname}",
                    relation=relation,
                    contact=contact,
                    consent=consent,
                    consent_note=note,
                    primary=k == 0,
                    child=relation == "barnebarn",
                ),
            )
            cases.append(_Case(view.id, unit, stories[(2 * n + k) % len(stories)], contact))
            if consent is None:
                clarified = start + timedelta(days=3, hours=3)
                edit_case(
                    as_(contact, clarified),
                    view.id,
                    CaseEdit(
                        consent="named",
                        reason=f"{name} bekræftede ved besøget, at {first} skal inddrages",
                    ),
                )
    return cases


def _play(as_, at: Callable[..., datetime], case: _Case, rng: random.Random) -> None:
    """Play one case's story, with the leader and staff following up the next morning.

    Story events happen from 11 to 20, follow-ups from 8 to 11, so a
    follow-up never comes after the next day's event in time.
    """
    shift = rng.randint(-3, 3)
    leader = LEADERS[case.unit]
    for day, kind, *args in STORIES[case.story]:
        day = min(max(day + shift, 1), FOLLOWED_UNTIL)
        when = at(day, (11, 19))
        who = as_(rng.choice(STAFF[case.unit]), when)
        contact = as_(case.contact, when)
        result = None
        if kind == "log":
            indicator = args[0]
            note = rng.choice(NOTES[indicator])
            channel = rng.choice(("telefon", "besoeg", "mail", "moede"))
            result = log(who, Entry(case.id, (indicator,), channel=channel, note=note))
        elif kind == "agree":
            text, review_days = args
            review = (when + timedelta(days=review_days)).date().isoformat()
            case.agreement = add_agreement(contact, case.id, text, review=review).id
        elif kind == "breach":
            by, note = args
            result = break_agreement(who, case.agreement, by=by, note=note).logged
        elif kind == "review":
            next_days, note = args
            nxt = (when + timedelta(days=next_days)).date().isoformat()
            review_agreement(contact, case.agreement, next_review=nxt, note=note)
        elif kind == "end":
            end_agreement(contact, case.agreement)
        elif kind == "down":
            case.view = _step_down(as_(leader, when), case, *args)
        if result is not None:
            case.view = result.case
            if day + 1 <= FOLLOWED_UNTIL:
                _follow_up(as_, leader, result, case, at(day + 1, (8, 10)))


def _step_down(leader: Request, case: _Case, step: str, reason: str) -> CaseView:
    """The leader takes the case down: accepting the rules' proposal if one waits."""
    waiting = [
        p
        for p in case.view.proposals
        if p.status == "open" and p.direction == "down" and p.to_step == step
    ]
    if waiting:
        return accept(leader, waiting[0].id, reason=reason).case
    return move(leader, case.id, step, reason=reason).case


def _follow_up(as_, leader_id: str, result: LogResult, case: _Case, when: datetime) -> None:
    """The next morning: the leader acknowledges and decides; the actions get done.

    Decisions go by the state the case is in after each step (the view each
    call returns), so nothing is decided or closed twice.
    """
    leader = as_(leader_id, when)
    for escalation in result.escalations:
        if _status(case.view.escalations, escalation.id) == "open":
            acknowledge(leader, escalation.id, note="Set; tages op på teammødet torsdag")
    leaves_it_to_the_leader = any(event[1] == "down" for event in STORIES[case.story])
    for proposal in result.proposals:
        if _status(case.view.proposals, proposal.id) != "open":
            continue
        if proposal.direction == "down" and leaves_it_to_the_leader:
            continue
        if case.story in ("mindre", "godt"):
            case.view = reject(leader, proposal.id, reason=REJECTED).case
        else:
            case.view = accept(leader, proposal.id, reason=_reason(case.story, proposal)).case
    for action in case.view.actions:
        if action.status == ActionStatus.OPEN:
            doer = leader if action.owner in ("unit_leader", leader_id) else as_(action.owner, when)
            close_action(doer, action.id, status="done", note="Udført og noteret i journalen")


def _reason(story: str, proposal: ProposalView) -> str:
    """A leader's reason that fits the decision and what the family did."""
    if story == "vold" and proposal.to_step == "kompliceret":
        return VIOLENCE
    return ACCEPTED[(proposal.direction, proposal.to_step)]


def _status(views: list, row_id: int) -> str | None:
    return next((v.status for v in views if v.id == row_id), None)


def _last_days(as_, at: Callable[..., datetime], cases: list[_Case], rng: random.Random) -> None:
    """What happened in the last days, waiting for the leaders when the demo opens:
    criticism on a good case in each unit, threats against staff on one, and a
    new relative whose consent is not yet clarified."""
    for unit in UNITS:
        calm = next(c for c in cases if c.unit == unit and c.story == "godt")
        log(
            as_(STAFF[unit][0], at(DAYS - 2)),
            Entry(calm.id, ("kritik",), channel="telefon", note=NOTES["kritik"][1]),
        )
    minor = next(c for c in cases if c.unit == UNITS[0] and c.story == "mindre")
    log(
        as_(STAFF[UNITS[0]][1], at(DAYS - 1, (14, 17))),
        Entry(
            minor.id,
            ("trusler-vold-chikane",),
            channel="besoeg",
            note=NOTES["trusler-vold-chikane"][1],
        ),
    )
    newcomer = STAFF[UNITS[0]][2]
    open_case(
        as_(newcomer, at(DAYS - 3)),
        NewCase(
            resident_ref=f"{UNITS[0][:3].upper()}-001",
            relative_name="Lars Krogh",
            relation="nevø",
            contact=newcomer,
        ),
    )
