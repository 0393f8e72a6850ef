"""Who may do what (§6.1): one table, not ``if``s spread through the commands.

Staff log and read the cases of their own units; leaders also decide moves,
acknowledge and manage actions there; quality reads and exports across
units; admin manages the set-up. A refusal is audited by ``work.py``.
"""

from staircase.core.identity import Actor
from staircase.errors import NotAllowed
from staircase.i18n import _
from staircase.kinds import Role

STAFF, LEADER, QUALITY, ADMIN = Role.STAFF, Role.LEADER, Role.QUALITY, Role.ADMIN
EVERYONE = frozenset({STAFF, LEADER, QUALITY, ADMIN})

PERMISSIONS: dict[str, frozenset[Role]] = {
    "unit.add": frozenset({ADMIN}),
    "unit.list": EVERYONE,
    "staff.add": frozenset({ADMIN}),
    "staff.list": frozenset({LEADER, ADMIN, QUALITY}),
    "staff.edit": frozenset({ADMIN}),
    "staff.deactivate": frozenset({ADMIN}),
    "resident.add": frozenset({LEADER, ADMIN}),
    "case.open": frozenset({STAFF, LEADER, ADMIN}),
    "case.list": EVERYONE,
    "case.edit": frozenset({STAFF, LEADER, ADMIN}),
    "relative.list": EVERYONE,
    "case.show": frozenset({STAFF, LEADER, QUALITY, ADMIN}),
    "log": frozenset({STAFF, LEADER}),
    "move": frozenset({STAFF, LEADER}),
    "assess": frozenset({LEADER, QUALITY, ADMIN}),
    "proposal.decide": frozenset({LEADER}),
    "tick": frozenset({LEADER, ADMIN}),
    "escalation.ack": frozenset({STAFF, LEADER}),
    "action.close": frozenset({STAFF, LEADER}),
    "agreement": frozenset({STAFF, LEADER}),
    "inbox": EVERYONE,
    "backup": frozenset({ADMIN}),
    "restore": frozenset({ADMIN}),
    "case.close": frozenset({LEADER, ADMIN}),
    "audit.verify": frozenset({QUALITY, ADMIN}),
    "audit.show": frozenset({QUALITY, ADMIN}),
    "subject.access": frozenset({QUALITY, ADMIN}),
    "purge": frozenset({ADMIN}),
    "settings.set": frozenset({ADMIN}),
    "db.grant": frozenset({ADMIN}),
    "settings.show": frozenset({QUALITY, ADMIN}),
    "export": frozenset({LEADER, QUALITY, ADMIN}),
    "export.names": frozenset({QUALITY, ADMIN}),
    "stats": frozenset({LEADER, QUALITY, ADMIN}),
    "import": frozenset({LEADER, ADMIN}),
}

_READS = frozenset(
    {
        "case.show",
        "case.list",
        "assess",
        "unit.list",
        "relative.list",
        "export",
        "export.names",
        "stats",
    }
)
ANY_UNIT: dict[Role, frozenset[str]] = {
    QUALITY: _READS,
    ADMIN: _READS | {"resident.add", "case.open", "case.edit", "case.close", "import"},
}
"""What a role may do in units it does not belong to: quality reads across
units (§1.3); admin also sets up residents and cases anywhere (§1.4), and
imports a unit's history from its spreadsheets (§7.3)."""


def permit(actor: Actor, action: str) -> None:
    """Raise ``NotAllowed`` unless the actor's role may do ``action``."""
    allowed = PERMISSIONS[action]
    if actor.role not in allowed:
        roles = _(" or ").join(sorted(allowed))
        raise NotAllowed(
            _("{action}: not allowed for role {role} (needs {roles})").format(
                action=action, role=actor.role, roles=roles
            )
        )


def permit_unit(actor: Actor, unit_id: str, action: str) -> None:
    """Raise ``NotAllowed`` unless the actor may do ``action`` in ``unit_id``."""
    permit(actor, action)
    if unit_id not in actor.units and action not in ANY_UNIT.get(actor.role, frozenset()):
        raise NotAllowed(
            _("{action}: {id} does not belong to unit {unit_id}").format(
                action=action, id=actor.id, unit_id=unit_id
            )
        )


COMMANDS: dict[str, str | None] = {
    "init": None,
    "db upgrade": None,
    "db grant": "db.grant",
    "demo": None,
    "rules check": None,
    "rules test": None,
    "rules show": None,
    "rules graph": None,
    "unit add": "unit.add",
    "unit list": "unit.list",
    "staff add": "staff.add",
    "staff list": "staff.list",
    "staff edit": "staff.edit",
    "staff deactivate": "staff.deactivate",
    "relative list": "relative.list",
    "relative find": "relative.list",
    "resident add": "resident.add",
    "case open": "case.open",
    "case list": "case.list",
    "case edit": "case.edit",
    "log": "log",
    "show": "case.show",
    "assess": "assess",
    "accept": "proposal.decide",
    "reject": "proposal.decide",
    "move": "move",
    "ack": "escalation.ack",
    "tick": "tick",
    "inbox": "inbox",
    "action done": "action.close",
    "action drop": "action.close",
    "agreement add": "agreement",
    "agreement broken": "agreement",
    "agreement review": "agreement",
    "agreement end": "agreement",
    "backup": "backup",
    "restore": "restore",
    "case close": "case.close",
    "audit verify": "audit.verify",
    "audit show": "audit.show",
    "subject-access": "subject.access",
    "purge": "purge",
    "settings set": "settings.set",
    "settings show": "settings.show",
    "export": "export",
    "import": "import",
    "stats": "stats",
    "bench": None,
}
"""Every command and the action its role is checked for; None where no
personal data is touched (rule packs, the demo's and the bench's own
databases) or where the command sets the database up before anyone exists
(init, db upgrade, which need the database's own credentials). A test fails
when a command is added without an entry here."""
