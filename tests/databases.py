"""Test databases: SQLite files, PostgreSQL schemas, and the standard home in each.

A copy of the standard home is what most tests start from, so it has to be
cheap. On SQLite it is a file copy. On PostgreSQL, ``CREATE DATABASE …
TEMPLATE`` was measured first: fast to create, but ``DROP DATABASE`` forces
a checkpoint of the whole server, about 2 s a test on the shared server
while other runs were writing, and everyone else on the server pays for
those checkpoints too. A schema per test costs its DDL instead (creating
and dropping some 18 tables, 0.4 s a test), whether the home is then built
through Python or by replaying its statements. So the PostgreSQL tests share
one working schema, set up once per run next to a template schema holding
the home, and before each test ``Refill`` deletes the working rows and
copies the template's back, sequences included: no DDL, a few small writes,
and every test still starts from exactly the same database. Nothing is left
behind: the schemas live in a database of the run's own, dropped at its end.

A copy must carry the keys of the database it copies (§6.8): the audit chain
is an HMAC with the audit key, and exports pseudonymise with the pseudonym
key. A SQLite copy takes the ``<file>.key`` and ``<file>.pseudonym-key``
beside the template along; the PostgreSQL working schema is given the
template's keys (``Keys``), written where the program looks for its URL.
"""

import os
import shutil
import stat
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url

from staircase.core import keys
from staircase.db.store import close_engine, open_engine

KEY_SUFFIXES = (f".{keys.AUDIT_KEY}", f".{keys.PSEUDONYM_KEY}")
"""The files beside a SQLite database that hold its keys."""


class Server:
    """A database of this run's own on a PostgreSQL server, for the schemas its tests use."""

    def __init__(self, server_url: str) -> None:
        self.admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        self.name = f"staircase_test_{uuid.uuid4().hex[:12]}"
        self._execute(self.admin, f'create database "{self.name}"')
        self.database: URL = make_url(server_url).set(database=self.name)
        self.owner = create_engine(self.database, isolation_level="AUTOCOMMIT")

    @contextmanager
    def schema(self) -> Iterator[str]:
        """A new empty schema, dropped afterwards; yields the URL that works in it."""
        schema = f"t_{uuid.uuid4().hex[:10]}"
        self._execute(self.owner, f'create schema "{schema}"')
        url = self.database.update_query_dict({"options": f"-csearch_path={schema}"})
        rendered = url.render_as_string(hide_password=False)
        try:
            yield rendered
        finally:
            close_engine(rendered)
            self._execute(self.owner, f'drop schema "{schema}" cascade')

    def drop(self) -> None:
        """Drop the run's database and every schema in it."""
        self.owner.dispose()
        self._execute(self.admin, f'drop database if exists "{self.name}" with (force)')
        self.admin.dispose()

    @staticmethod
    def _execute(engine: Engine, statement: str) -> None:
        with engine.connect() as connection:
            connection.execute(text(statement))


class Refill:
    """One working schema for the PostgreSQL tests of a run, given back the template's
    rows before each test: the same tables, so no DDL per test, only a few small writes."""

    def __init__(self, template: str, working: str) -> None:
        self.working = working
        self.tables = _tables_in_dependency_order(working)
        self.schema = _search_path(template)
        with open_engine(template).connect() as connection:
            self.sequences = (
                connection.execute(
                    text("select sequencename from pg_sequences where schemaname = :schema"),
                    {"schema": self.schema},
                )
                .scalars()
                .all()
            )

    def __call__(self) -> str:
        """Make the working schema hold exactly the template's rows again; its URL."""
        source = f'"{self.schema}"'
        with open_engine(self.working).begin() as connection:
            for table in reversed(self.tables):
                connection.execute(text(f'delete from "{table}"'))
            for table in self.tables:
                connection.execute(text(f'insert into "{table}" select * from {source}."{table}"'))
            for sequence in self.sequences:
                connection.execute(
                    text(
                        f"select setval('\"{sequence}\"', coalesce(last_value, 1), is_called) "
                        f'from {source}."{sequence}"'
                    )
                )
        return self.working


def _search_path(url: str) -> str:
    """The schema a URL made by ``Server.schema`` works in."""
    return make_url(url).query["options"].removeprefix("-csearch_path=")


def _tables_in_dependency_order(url: str) -> list[str]:
    """The schema's tables, each after those it refers to; all of them, or the test fails."""
    from sqlmodel import SQLModel

    import staircase.db.models  # noqa: F401  (the tables' metadata)

    ordered = [table.name for table in SQLModel.metadata.sorted_tables] + ["alembic_version"]
    with open_engine(url).connect() as connection:
        present = set(inspect(connection).get_table_names())
    assert present == set(ordered), f"tables the models do not know: {present - set(ordered)}"
    return ordered


def sqlite_copy(template: Path, path: Path) -> str:
    """A copy of the closed SQLite file ``template`` at ``path``, with its keys; its URL."""
    shutil.copy(template, path)  # the owner-only mode comes along with the bytes
    for suffix in KEY_SUFFIXES:
        key = template.with_name(template.name + suffix)
        if key.exists():
            shutil.copy(key, path.with_name(path.name + suffix))
    return f"sqlite:///{path}"


def _key_paths(url: str) -> tuple[Path, Path]:
    """Where the program keeps the audit key and the pseudonym key of ``url``, as the
    environment (``STAIRCASE_KEY_DIR``, ``XDG_CONFIG_HOME``) says now."""
    return keys.key_path(url, keys.AUDIT_KEY), keys.key_path(url, keys.PSEUDONYM_KEY)


@dataclass(frozen=True)
class Keys:
    """A server database's key files, to be given to a copy of it under its own URL."""

    contents: tuple[bytes, bytes]

    @classmethod
    def of(cls, url: str) -> "Keys":
        audit_key, pseudonym_key = _key_paths(url)
        return cls((audit_key.read_bytes(), pseudonym_key.read_bytes()))

    def give(self, url: str) -> None:
        """Write the keys for ``url`` (owner-only, as the program makes them)."""
        for path, content in zip(_key_paths(url), self.contents, strict=True):
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            path.unlink(missing_ok=True)
            handle = os.open(
                path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR
            )
            with os.fdopen(handle, "wb") as file:
                file.write(content)


@contextmanager
def closing_engine(url: str) -> Iterator[str]:
    """Yield ``url``; afterwards close this process's pooled connections to it."""
    try:
        yield url
    finally:
        close_engine(url)
