"""Where the bench's databases live, and how each goes back to the state its build left.

SQLite: files beside ``--db`` (or in the work folder), saved and restored by
a file copy. PostgreSQL: databases of the bench's own on the server ``--db``
names (its database name and that name with ``_tenth``/``_empty``), saved as
a template copy and restored with ``CREATE DATABASE … TEMPLATE``, so every
"first run" on PostgreSQL starts from the built state too. Every database,
copy and key file the bench made is dropped at the end unless ``--keep``.
"""

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from staircase.core import keys
from staircase.db.store import close_engine, database_url
from staircase.errors import InvalidInput
from staircase.i18n import _


@dataclass
class Site:
    """One built database of the project and the floor's twin built from the same draws."""

    url: str
    floor: Path
    server: "Server | None" = None
    snapshot: Path | None = None
    saved: bool = False

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None on PostgreSQL."""
        url = make_url(self.url)
        return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None

    @property
    def name(self) -> str:
        return make_url(self.url).database or ""

    def save(self, snapshot: Path) -> None:
        """Keep a copy of the built state (SQLite: the file, its WAL checkpointed on close)."""
        close_engine(self.url)
        if self.server is not None:
            self.server.copy(self.name, _saved(self.name))
            self.saved = True
        elif self.path is not None:
            shutil.copyfile(self.path, snapshot)
            self.snapshot = snapshot

    def restore(self) -> None:
        """Back to the state the build left."""
        close_engine(self.url)
        if self.server is not None and self.saved:
            self.server.drop(self.name)
            self.server.copy(_saved(self.name), self.name)
        elif self.snapshot is not None and self.path is not None:
            path = self.path
            for suffix in ("-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
            shutil.copyfile(self.snapshot, path)


def _saved(name: str) -> str:
    return f"{name}_built"


@dataclass
class Server:
    """A PostgreSQL server on which the bench creates (and drops) databases of its own."""

    url: URL
    made: list[str] = field(default_factory=list)

    def _run(self, statement: str) -> None:
        admin = create_engine(self.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(statement))
        finally:
            admin.dispose()

    def exists(self, name: str) -> bool:
        admin = create_engine(self.url.set(database="postgres"))
        try:
            with admin.connect() as connection:
                found = connection.execute(
                    text("select 1 from pg_database where datname = :name"), {"name": name}
                )
                return found.first() is not None
        finally:
            admin.dispose()

    def create(self, name: str) -> str:
        """A new empty database ``name``; refused if it exists (the bench builds new ones only)."""
        if self.exists(name):
            raise InvalidInput(
                _("database {name} exists; the bench builds new databases only").format(name=name)
            )
        self._run(f'create database "{name}"')
        self.made.append(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def copy(self, source: str, target: str) -> None:
        self._run(f'create database "{target}" template "{source}"')
        if target not in self.made:
            self.made.append(target)

    def drop(self, name: str) -> None:
        self._run(f'drop database if exists "{name}" with (force)')

    def drop_all(self) -> None:
        """Every database the bench made, and the key files ``init`` wrote for them."""
        for name in reversed(self.made):
            url = self.url.set(database=name).render_as_string(hide_password=False)
            close_engine(url)
            self.drop(name)
            for suffix in (keys.AUDIT_KEY, keys.PSEUDONYM_KEY):
                keys.key_path(url, suffix).unlink(missing_ok=True)
        self.made.clear()


def place(given: str | None, work: Path, name: str, server: Server | None) -> str:
    """The URL of the project's database ``name`` (full, tenth or empty): in the work
    folder, beside the ``--db`` SQLite file, or a new database on the ``--db`` server."""
    if given is None:
        return f"sqlite:///{work / f'{name}.db'}"
    if server is not None:
        base = server.url.database or "staircase_bench"
        return server.create(base if name == "full" else f"{base}_{name}")
    url = make_url(database_url(given))
    path = Path(url.database or "").expanduser().resolve()
    target = path if name == "full" else path.with_name(f"{path.stem}-{name}{path.suffix}")
    if target.exists():
        raise InvalidInput(
            _("{path} exists; the bench builds new databases only").format(path=target)
        )
    return f"sqlite:///{target}"


def server_for(given: str | None) -> Server | None:
    """The PostgreSQL server ``--db`` names, or None for SQLite."""
    if given is None:
        return None
    url = make_url(database_url(given))
    return None if url.get_backend_name() == "sqlite" else Server(url)
