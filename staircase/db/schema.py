"""Which schema revision this program speaks, checked before any read or write.

The revisions are listed here rather than read from alembic's script
directory so that daily commands (``log``) need not import alembic; a test
keeps this list equal to the shipped migrations.
"""

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from staircase.errors import DatabaseProblem, NotAllowed
from staircase.i18n import _

REVISIONS = (
    "0001",
    "0002_people",
    "0003_trust",
    "0004_row_digests",
    "0005_evaluations",
    "0006_evidence",
)
HEAD = REVISIONS[-1]


def current_revision(session: Session) -> str | None:
    """The database's alembic revision, or None for a database never set up.

    The connection is made first, outside the ``try``: an unreachable server
    must surface as such, not as "not set up".
    """
    session.connection()
    try:
        return session.execute(text("select version_num from alembic_version")).scalar()
    except DBAPIError:
        session.rollback()
        return None


def _no_schema_granted(session: Session) -> bool:
    """On PostgreSQL, whether the connected role may use no schema on its search path:
    a role never granted, or closed by ``db grant`` (§6.8), rather than a database
    never set up."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    return session.execute(text("select current_schema()")).scalar() is None


def check_revision(session: Session) -> None:
    """Refuse a database that is not set up, older, or newer than this program (§5.3)."""
    revision = current_revision(session)
    if revision == HEAD:
        return
    if revision is None and _no_schema_granted(session):
        raise NotAllowed(
            _(
                "your database role has no access to this database's tables; an admin grants "
                "it with `staircase db grant` (a person who has left keeps none)"
            )
        )
    if revision is None:
        raise DatabaseProblem(
            _("this database is not set up; run `staircase init --admin INITIALS --name NAME`")
        )
    if revision in REVISIONS:
        raise DatabaseProblem(_("this database needs an upgrade; run `staircase db upgrade`"))
    raise DatabaseProblem(
        _(
            "this database has schema {revision}, newer than this staircase "
            "understands; upgrade staircase (nothing was changed)"
        ).format(revision=revision)
    )
