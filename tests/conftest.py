"""Databases for the tests, on SQLite and PostgreSQL, and the standard home in them.

Every storage test runs twice, on a SQLite file and in a PostgreSQL schema.
PostgreSQL runs when ``STAIRCASE_TEST_PG`` names a server (CI sets it);
without it those tests skip and say why, and with ``STAIRCASE_REQUIRE_PG``
set (CI) a missing server fails.

The standard home (``tests/home.py``) is set up once per run on each kind of
database, through the command line, and each test starts from an exact copy
of it (``tests/databases.py`` says how, and why that way).
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import Refill, Server, closing_engine, sqlite_copy
from tests.driver import NOW, program_settings
from tests.home import Home, build_home, clock_at

# Still importable from here, as tests written before tests/home.py expect.
__all__ = ["NOW", "Home", "build_home", "clock_at"]


@pytest.fixture(scope="session", autouse=True)
def no_program_settings() -> Iterator[None]:
    """The developer's own ``STAIRCASE_*`` settings (time zone, mail, database) never
    reach a test, whether it calls the library or the command line."""
    with pytest.MonkeyPatch.context() as patch:
        for name in program_settings(os.environ):
            patch.delenv(name)
        yield


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    """This run's database on the server named by ``STAIRCASE_TEST_PG``, dropped at the end."""
    url = os.environ.get("STAIRCASE_TEST_PG")
    required = os.environ.get("STAIRCASE_REQUIRE_PG")
    if not url:
        if required:
            pytest.fail("STAIRCASE_REQUIRE_PG is set but STAIRCASE_TEST_PG is not")
        pytest.skip(
            "PostgreSQL tests skipped: set STAIRCASE_TEST_PG=postgresql+psycopg://… to run them"
        )
    try:
        server = Server(url)
    except Exception as err:
        if required:
            pytest.fail(f"PostgreSQL at {url} is required here but not usable: {err}")
        pytest.skip(f"PostgreSQL tests skipped: {url} is not usable ({err.__class__.__name__})")
    try:
        yield server
    finally:
        server.drop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The standard home in a SQLite file, closed so that the file alone holds it."""
    path = tmp_path_factory.mktemp("template") / "staircase.db"
    with closing_engine(f"sqlite:///{path}") as url:
        build_home(url)
    assert not Path(f"{path}-wal").exists(), "the template's WAL was not checkpointed"
    return path


@pytest.fixture(scope="session")
def pg_home(pg_server: Server) -> Iterator[Refill]:
    """The standard home in a template schema, and a working schema the tests share,
    given back the template's rows before each of them."""
    with pg_server.schema() as template, pg_server.schema() as working:
        build_home(template)
        build_home(working)
        refill = Refill(template, working)
        assert Home(refill()).contents() == Home(template).contents(), "the refill differs"
        yield refill


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """Which database a storage test runs on: each such test runs on both."""
    return request.param


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file not yet created, or an empty PostgreSQL schema."""
    if backend == "sqlite":
        with closing_engine(f"sqlite:///{tmp_path / 'staircase.db'}") as url:
            yield url
    else:
        with request.getfixturevalue("pg_server").schema() as url:
            yield url


@pytest.fixture
def home(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Home]:
    """A copy of the standard home for this test alone, on each database."""
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        with closing_engine(sqlite_copy(template, tmp_path / "staircase.db")) as url:
            yield Home(url)
    else:
        with closing_engine(request.getfixturevalue("pg_home")()) as url:
            yield Home(url)


@pytest.fixture
def sqlite_home(sqlite_template: Path, tmp_path: Path) -> Iterator[Home]:
    """The standard home, always on SQLite: for tests that read the database file itself."""
    with closing_engine(sqlite_copy(sqlite_template, tmp_path / "staircase.db")) as url:
        yield Home(url)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Where PostgreSQL is required (CI), a skipped PostgreSQL test is a failure."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and "postgres" in item.keywords and os.environ.get("STAIRCASE_REQUIRE_PG"):
        report.outcome = "failed"
        report.longrepr = f"PostgreSQL test skipped where PostgreSQL is required: {report.longrepr}"
