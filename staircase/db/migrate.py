"""Schema migrations with alembic (§5.3): ``init`` and ``db upgrade`` call ``upgrade``.

Migrations are reviewed files shipped in the package; nothing calls
``create_all`` on a real database.
"""

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.exc import OperationalError

from staircase.db.schema import HEAD, REVISIONS
from staircase.db.store import create_database_file, explain, open_engine
from staircase.errors import DatabaseProblem
from staircase.i18n import _


def config() -> Config:
    """Alembic's configuration, pointing at the migrations inside the package."""
    settings = Config()
    settings.set_main_option("script_location", "staircase.db:migrations")
    return settings


def upgrade(url: str) -> tuple[str | None, str]:
    """Bring the database to the newest schema; return (before, after) revisions.

    A database newer than this program is refused untouched.
    """
    create_database_file(url)
    try:
        with open_engine(url).begin() as connection:
            before = MigrationContext.configure(connection).get_current_revision()
            if before is not None and before not in REVISIONS:
                raise DatabaseProblem(
                    _(
                        "this database has schema {before}, newer than this staircase understands; "
                        "upgrade staircase (nothing was changed)"
                    ).format(before=before)
                )
            settings = config()
            settings.attributes["connection"] = connection
            command.upgrade(settings, "head")
    except OperationalError as err:
        raise DatabaseProblem(explain(err, url)) from err
    return before, HEAD
