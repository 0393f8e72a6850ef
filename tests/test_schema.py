"""The schema revisions the program checks against are the migrations it ships (§5.3)."""

from alembic.script import ScriptDirectory

from staircase.db.migrate import config
from staircase.db.schema import HEAD, REVISIONS


def test_known_revisions_are_the_shipped_migrations_in_order() -> None:
    scripts = ScriptDirectory.from_config(config())
    shipped = [s.revision for s in scripts.walk_revisions()][::-1]
    assert list(REVISIONS) == shipped
    assert scripts.get_current_head() == HEAD


def test_the_migrations_build_exactly_the_models(db_url: str) -> None:
    """``alembic check``: nothing in the models that a migration does not make."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    from staircase.db.migrate import upgrade
    from staircase.db.store import open_engine

    upgrade(db_url)
    with open_engine(db_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_an_old_database_upgrades_keeping_consent_and_breaches(tmp_path) -> None:
    """``db upgrade`` from 0001: consent stays as stored, a broken agreement keeps its breach."""
    from alembic import command
    from sqlalchemy import text

    from staircase.db.migrate import upgrade
    from staircase.db.store import close_engine, create_database_file, open_engine

    url = f"sqlite:///{tmp_path / 'old.db'}"
    create_database_file(url)
    with open_engine(url).begin() as connection:
        settings = config()
        settings.attributes["connection"] = connection
        command.upgrade(settings, "0001")
        for statement in (
            "insert into unit (id, name, pack) values ('sol', 'Solhaven', 'aarhus')",
            "insert into staff (id, name, role, active) values ('AK', 'Aisha Khan', 'staff', 1)",
            "insert into resident (ref, name, unit_id) values ('SOL-1', 'Else', 'sol')",
            "insert into relative (name, relation, is_child) values ('Søren Bæk', 'søn', 0)",
            'insert into "case" (resident_id, relative_id, unit_id, step, step_since, consent,'
            " \"primary\", opened_at) values (1, 1, 'sol', 'godt', '2026-01-01', 'guardian', 1,"
            " '2026-01-01')",
            "insert into agreement (case_id, text, agreed_at, agreed_by, status, closed_at)"
            " values (1, 'Ring før besøg', '2026-01-02', 'AK', 'broken', '2026-02-01')",
        ):
            connection.execute(text(statement))
    assert upgrade(url) == ("0001", HEAD)
    with open_engine(url).connect() as connection:
        assert connection.execute(text('select consent from "case"')).scalar() == "guardian"
        assert connection.execute(text("select name_key from relative")).scalar() == "soren-bak"
        assert connection.execute(text("select status from agreement")).scalar() == "active"
        assert connection.execute(text("select broken_by, at from agreement_breach")).one() == (
            "relative",
            "2026-02-01",
        )
    close_engine(url)


def test_an_upgrade_keeps_each_stored_evaluation_with_what_it_rests_on(sqlite_home) -> None:
    """0006 rewrites a stored "why" in its new form, with each observation's kendetegn
    and time, and keeps what tick settled: an upgrade costs no recompute."""
    from datetime import timedelta

    from alembic import command
    from sqlalchemy import text

    from home import NOW
    from staircase.cases.observe import Entry, log
    from staircase.db.migrate import upgrade
    from staircase.db.store import close_engine, open_engine

    log(sqlite_home.as_("AK", NOW - timedelta(days=1)), Entry(1, ("kritik",)))
    with open_engine(sqlite_home.url).connect() as connection:
        new = connection.execute(text("select why, settled from evaluation")).one()
        [observation] = connection.execute(text("select id from observation")).scalars()
    close_engine(sqlite_home.url)
    with open_engine(sqlite_home.url).begin() as connection:
        settings = config()
        settings.attributes["connection"] = connection
        command.downgrade(settings, "0005_evaluations")
        connection.execute(
            text(
                "insert into evaluation (case_id, indicated, why, due_at, settled)"
                " values (1, 'stoerre', :why, '2027-01-01 00:00:00.000000', 1)"
            ),
            {"why": f"signal-stoerre={observation}"},
        )
    close_engine(sqlite_home.url)
    assert upgrade(sqlite_home.url) == ("0005_evaluations", HEAD)
    with open_engine(sqlite_home.url).connect() as connection:
        assert connection.execute(text("select why, settled from evaluation")).one() == new
    close_engine(sqlite_home.url)
