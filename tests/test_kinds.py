"""Typed values over the same schema: enums and id lists in code, plain text in the database."""

from datetime import timedelta

from alembic import command
from sqlalchemy import text
from sqlmodel import select

from home import NOW
from staircase.cases.observe import Entry, log
from staircase.db.migrate import config
from staircase.db.models import Escalation, Proposal
from staircase.db.store import open_engine, session_scope
from staircase.kinds import Addressee, Direction, EscalationStatus, ProposalStatus


def test_the_models_match_the_migrations(home) -> None:
    """``alembic check``: the typed columns are the text columns the migrations made."""
    with open_engine(home.url).begin() as connection:
        settings = config()
        settings.attributes["connection"] = connection
        command.check(settings)


def test_lists_are_tuples_in_code_and_the_same_text_in_the_database(home) -> None:
    log(home.as_("AK", NOW - timedelta(days=2)), Entry(1, ("utilfredshed",)))
    log(home.as_("AK", NOW - timedelta(days=1)), Entry(1, ("uklar",)))
    log(home.as_("AK"), Entry(1, ("vold",)))
    with session_scope(home.url, write=False) as session:
        [escalation] = session.exec(select(Escalation)).all()
        [proposal] = session.exec(select(Proposal)).all()
        stored = session.execute(
            text("select evidence, rules, inform, status, to_role from escalation")
        ).one()
        stored_proposal = session.execute(text("select evidence, direction from proposal")).one()
    assert escalation.evidence == (3,)
    assert escalation.rules == ("signal-kompliceret", "vold-trusler")
    assert escalation.inform == (Addressee.AREA_LEADER,)
    assert escalation.status is EscalationStatus.OPEN
    assert escalation.to_role is Addressee.UNIT_LEADER
    assert tuple(stored) == (
        "3",
        "signal-kompliceret,vold-trusler",
        "area_leader",
        "open",
        "unit_leader",
    )
    assert proposal.direction is Direction.UP and proposal.status is ProposalStatus.OPEN
    assert proposal.evidence == (3,)
    assert tuple(stored_proposal) == ("3", "up")
