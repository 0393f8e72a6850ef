"""Test databases: SQLite files, PostgreSQL schemas, and copies of a template in each.

A copy of the standard home is what most tests start from, so it has to be
cheap. On SQLite it is a file copy. On PostgreSQL the obvious tool, ``CREATE
DATABASE … TEMPLATE``, is fast to create but ``DROP DATABASE`` forces a
checkpoint of the whole server: measured on the shared CI server while
other runs were writing, about 2 s a test, and every other user of the
server pays for those checkpoints too. So each test gets a schema of its own
in one database per run instead, and the home is copied into it by sending
the statements that built the template once (``Recording``), verified once
per run to give exactly the template's rows. Each schema is dropped after
its test, and the run's database at the end of the run.
"""

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url

from staircase.db.store import close_engine, open_engine


class Server:
    """A database of this run's own on a PostgreSQL server, holding a schema per test."""

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


@dataclass
class Recording:
    """Every statement sent to the database at ``url`` while recording, to send again
    to another empty schema: a copy without the cost of setting it up through Python."""

    url: str
    statements: list[tuple[str, Any, bool, bool]] = field(default_factory=list)

    @contextmanager
    def recording(self) -> Iterator[None]:
        event.listen(Engine, "after_cursor_execute", self._record)
        try:
            yield
        finally:
            event.remove(Engine, "after_cursor_execute", self._record)

    def _record(self, connection, _cursor, statement, parameters, context, executemany) -> None:
        if connection.engine.url == make_url(self.url):
            bare = not parameters and context is not None and context.no_parameters
            self.statements.append((statement, parameters, executemany, bare))

    def replay(self, url: str) -> None:
        """Send the recorded statements to ``url``, in one transaction, as the driver got them."""
        raw = open_engine(url).raw_connection()
        try:
            cursor = raw.cursor()
            for statement, parameters, executemany, bare in self.statements:
                if executemany:
                    cursor.executemany(statement, parameters)
                elif bare:
                    cursor.execute(statement)
                else:
                    cursor.execute(statement, parameters)
            raw.commit()
        finally:
            raw.close()


def sqlite_copy(template: Path, path: Path) -> str:
    """A copy of the closed SQLite file ``template`` at ``path``; its URL."""
    shutil.copy(template, path)  # the owner-only mode comes along with the bytes
    return f"sqlite:///{path}"


@contextmanager
def closing_engine(url: str) -> Iterator[str]:
    """Yield ``url``; afterwards close this process's pooled connections to it."""
    try:
        yield url
    finally:
        close_engine(url)
