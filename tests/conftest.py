"""Shared fixtures: a database URL for every storage test, on SQLite and PostgreSQL.

PostgreSQL runs when ``STAIRCASE_TEST_PG`` names a server (CI sets it); the
run creates a database of its own and drops it afterwards, and each test
gets a schema of its own inside it. Without the variable those tests skip
and say why; with ``STAIRCASE_REQUIRE_PG`` set (CI) a missing server fails.
"""

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from staircase.clock import Clock
from staircase.core.notify import MailSettings
from staircase.core.work import Request
from staircase.db.store import close_engine

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def clock_at(when: datetime = NOW) -> Clock:
    """A fixed clock: tests never read the real time."""
    return Clock.fixed(when)


@pytest.fixture(scope="session", autouse=True)
def _config_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Secrets of server databases live in the user's config folder (core.keyfile):
    the tests keep theirs in a folder of their own, never in the real one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
        yield


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A PostgreSQL database for this test run, dropped at the end."""
    server = os.environ.get("STAIRCASE_TEST_PG")
    if not server:
        if os.environ.get("STAIRCASE_REQUIRE_PG"):
            pytest.fail("STAIRCASE_REQUIRE_PG is set but STAIRCASE_TEST_PG is not")
        pytest.skip(
            "PostgreSQL tests skipped: set STAIRCASE_TEST_PG=postgresql+psycopg://… to run them"
        )
    name = f"staircase_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'create database "{name}"'))
    except Exception as err:
        admin.dispose()
        if os.environ.get("STAIRCASE_REQUIRE_PG"):
            pytest.fail(f"PostgreSQL at {server} is required here but not usable: {err}")
        pytest.skip(f"PostgreSQL tests skipped: {server} is not usable ({err.__class__.__name__})")
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'drop database if exists "{name}" with (force)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """An empty database: a SQLite file, or a PostgreSQL schema of this test's own."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'staircase.db'}"
        yield url
        close_engine(url)
        return
    database = request.getfixturevalue("pg_database")
    # A server database's audit key lives in a folder (§6.8): this test's own.
    request.getfixturevalue("monkeypatch").setenv("STAIRCASE_KEY_DIR", str(tmp_path / "keys"))
    schema = f"t_{uuid.uuid4().hex[:10]}"
    url = make_url(database).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    owner = create_engine(database, isolation_level="AUTOCOMMIT")
    with owner.connect() as connection:
        connection.execute(text(f'create schema "{schema}"'))
    try:
        yield rendered
    finally:
        close_engine(rendered)
        with owner.connect() as connection:
            connection.execute(text(f'drop schema "{schema}" cascade'))
        owner.dispose()


class Home:
    """A small care home in a test database: area nord, units sol and ege, one case.

    People: ADM admin, KV quality, OL leader of the area, LH leader of sol,
    AK staff in sol (contact person of case 1), TN staff in ege.
    """

    def __init__(self, url: str) -> None:
        self.url = url

    def as_(self, who: str, when: datetime = NOW, mail: MailSettings | None = None) -> Request:
        return Request(url=self.url, clock=clock_at(when), user=who, mail=mail)


@pytest.fixture
def home(db_url: str) -> Home:
    return build_home(db_url)


@pytest.fixture
def sqlite_home(tmp_path) -> Iterator[Home]:
    """The same home, always on SQLite: for tests that read the database file itself."""
    url = f"sqlite:///{tmp_path / 'staircase.db'}"
    yield build_home(url)
    close_engine(url)


def build_home(db_url: str) -> Home:
    """Set up the home of ``Home``'s docstring in an empty database."""
    from datetime import timedelta

    from staircase.admin.directory import add_resident, add_staff, add_unit, init
    from staircase.cases.register import NewCase, open_case

    start = NOW - timedelta(days=120)
    init(db_url, admin="ADM", name="Anna Admin", clock=clock_at(start), shared_terminal=True)
    care = Home(db_url)
    admin = care.as_("ADM", start)
    add_unit(admin, unit_id="nord", name="Område Nord", parent=None, pack=None)
    add_unit(admin, unit_id="sol", name="Solhaven", parent="nord", pack=None)
    add_unit(admin, unit_id="ege", name="Egebakken", parent="nord", pack=None)
    add_staff(admin, initials="KV", name="Karin Kvalitet", role="quality", units=[])
    add_staff(admin, initials="OL", name="Ole Lund", role="leader", units=["nord"])
    add_staff(admin, initials="LH", name="Lise Holm", role="leader", units=["sol"])
    add_staff(admin, initials="AK", name="Aisha Khan", role="staff", units=["sol"])
    add_staff(admin, initials="TN", name="Thomas Nielsen", role="staff", units=["ege"])
    add_resident(admin, ref="SOL-1", name="Else Andersen", unit_id="sol")
    open_case(
        admin,
        NewCase(
            resident_ref="SOL-1",
            relative_name="Maria Andersen",
            relation="datter",
            contact="AK",
            consent="named",
        ),
    )
    return care


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Where PostgreSQL is required (CI), a skipped PostgreSQL test is a failure."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and "postgres" in item.keywords and os.environ.get("STAIRCASE_REQUIRE_PG"):
        report.outcome = "failed"
        report.longrepr = f"PostgreSQL test skipped where PostgreSQL is required: {report.longrepr}"
