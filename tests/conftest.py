"""Databases for the tests, on SQLite and PostgreSQL, and the standard home in them.

Every storage test runs twice, on a SQLite file and in a PostgreSQL schema.
PostgreSQL runs when ``STAIRCASE_TEST_PG`` names a server (CI sets it);
without it those tests skip and say why, and with ``STAIRCASE_REQUIRE_PG``
set (CI) a missing server fails.

The standard home (``tests/home.py``) is set up once per run on each kind of
database, through the command line, and each test starts from an exact copy
of it, its keys included (``tests/databases.py`` says how, and why that way).
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from databases import Keys, Refill, Server, closing_engine, sqlite_copy
from driver import program_settings
from home import Home, build_home
from staircase import i18n


@pytest.fixture(scope="session", autouse=True)
def no_program_settings() -> Iterator[None]:
    """The developer's own ``STAIRCASE_*`` settings (time zone, mail, database, key
    folder) never reach a test, whether it calls the library or the command line."""
    with pytest.MonkeyPatch.context() as patch:
        for name in program_settings(os.environ):
            patch.delenv(name)
        yield


@pytest.fixture(scope="session", autouse=True)
def _config_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Secrets of server databases live in the user's config folder (core.keys):
    the tests keep theirs in a folder of their own, never in the real one."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
        yield


@pytest.fixture(autouse=True)
def _language_as_before() -> Iterator[None]:
    """A command run in-process sets the language for the whole process (``--lang``):
    each test starts in the language the one before it started in, whatever it ran."""
    before = i18n.language()
    yield
    i18n.use(before)


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
    """The standard home in a SQLite file, closed so that the file alone holds it
    (with its keys beside it, as ``<file>.key`` and ``<file>.pseudonym-key``)."""
    path = tmp_path_factory.mktemp("template") / "staircase.db"
    with closing_engine(f"sqlite:///{path}") as url:
        build_home(url)
    assert not Path(f"{path}-wal").exists(), "the template's WAL was not checkpointed"
    return path


@pytest.fixture(scope="session")
def pg_home(
    pg_server: Server, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Refill, Keys]]:
    """The standard home in a template schema, a working schema the tests share (given
    back the template's rows before each of them), and the keys the template was built
    with, which each test gets for the working schema."""
    with pg_server.schema() as template, pg_server.schema() as working:
        with pytest.MonkeyPatch.context() as patch:
            config = tmp_path_factory.mktemp("pg-config")
            patch.setenv("XDG_CONFIG_HOME", str(config))
            patch.setenv("STAIRCASE_KEY_DIR", str(config / "keys"))
            build_home(template)
            keys = Keys.of(template)
            build_home(working)
            refill = Refill(template, working)
            keys.give(working)
            assert Home(refill()).contents() == Home(template).contents(), "the refill differs"
            verified = Home(working)("audit", "verify")
            assert verified.exit_code == 0, f"the working schema's key does not fit: {verified}"
        yield refill, keys


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """Which database a storage test runs on: each such test runs on both."""
    return request.param


def own_key_folders(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A server database's keys live in folders (§6.8): this test's own."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("STAIRCASE_KEY_DIR", str(tmp_path / "keys"))


@pytest.fixture
def db_url(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """An empty database: a SQLite file not yet created, or an empty PostgreSQL schema."""
    if backend == "sqlite":
        with closing_engine(f"sqlite:///{tmp_path / 'staircase.db'}") as url:
            yield url
    else:
        own_key_folders(monkeypatch, tmp_path)
        with request.getfixturevalue("pg_server").schema() as url:
            yield url


@pytest.fixture
def home(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Home]:
    """A copy of the standard home for this test alone, on each database, with its keys."""
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        with closing_engine(sqlite_copy(template, tmp_path / "staircase.db")) as url:
            yield Home(url)
    else:
        refill, keys = request.getfixturevalue("pg_home")
        own_key_folders(monkeypatch, tmp_path)
        url = refill()
        keys.give(url)
        with closing_engine(url):
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
