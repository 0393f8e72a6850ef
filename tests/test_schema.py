"""The schema revisions the program checks against are the migrations it ships (§5.3)."""

from alembic.script import ScriptDirectory

from staircase.db.migrate import config
from staircase.db.schema import HEAD, REVISIONS


def test_known_revisions_are_the_shipped_migrations_in_order() -> None:
    scripts = ScriptDirectory.from_config(config())
    shipped = [s.revision for s in scripts.walk_revisions()][::-1]
    assert list(REVISIONS) == shipped
    assert scripts.get_current_head() == HEAD
