"""The closed sets of values the product speaks in: statuses, roles, directions.

Each is a ``StrEnum``, so a member is the very string stored in the database
and shown in ``--json`` (§10.4 fixes those words), while the code names a
status instead of spelling it: a misspelt ``"acknowledgd"`` compares false
forever, a misspelt ``EscalationStatus.ACKNOWLEDGD`` does not import.

A base module: it imports nothing of the product, so the tables, the engine
and the returned views can all use it.
"""

from enum import StrEnum


class Role(StrEnum):
    """What a staff member may do (§2, §6.1)."""

    STAFF = "staff"
    LEADER = "leader"
    QUALITY = "quality"
    ADMIN = "admin"


class Addressee(StrEnum):
    """Whom a step's or rule's policy addresses (§3.4): who is told, who owns an action.

    The case's contact person, the unit's leader, the parent unit's (area)
    leader, the work-environment (safety) representative.
    """

    CONTACT = "contact"
    UNIT_LEADER = "unit_leader"
    AREA_LEADER = "area_leader"
    SAFETY_REP = "safety_rep"


class Direction(StrEnum):
    """Which way a proposal would move a case."""

    UP = "up"
    DOWN = "down"


class ProposalStatus(StrEnum):
    """A proposal waits (open) until a leader decides it or the rules withdraw it."""

    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class EscalationStatus(StrEnum):
    """An escalation is open until acknowledged, passed a level up when overdue
    (escalated), or closed with a reason when its step is no longer at issue."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    ESCALATED = "escalated"
    CLOSED = "closed"


class ActionStatus(StrEnum):
    """An action is open until done, dropped with a reason, or replaced by a
    higher step's action that supersedes it (§3.4)."""

    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"
    REPLACED = "replaced"


class AgreementStatus(StrEnum):
    """An agreement is active until it is broken or has run its course (ended)."""

    ACTIVE = "active"
    ENDED = "ended"
