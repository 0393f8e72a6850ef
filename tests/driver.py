"""The one way tests run ``staircase``: in-process, in a clean environment, on a fixed clock.

``Staircase(url)`` is the command line as one care home's staff would use it
against one database: ``run("log", "1", "kritik", who="AK")`` invokes the
real typer app through its ``CliRunner`` and returns what a user would see
(exit status, stdout, stderr). It is also the test's handle on that same
database (``session``, ``rows``, ``count``, ``tables``), so a test checks
what a command wrote, not only what it printed.

Nothing of the developer's own shell reaches a test: every ``STAIRCASE_*``
setting the program reads is removed (but ``STAIRCASE_KEY_DIR``, which only
the tests set, after ``conftest`` has removed the developer's), colour is off and the terminal is a
fixed width. The clock is ``NOW`` unless a call says otherwise, so a test
that gives no time still runs on the same moment every day of the year.
Whole-process tests (subprocess, pexpect) take their environment from
``Staircase.environ`` for the same reasons, and run in ``AWAY``.
"""

import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, inspect, text
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from staircase.cli.app import app
from staircase.db.store import open_engine

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
"""The moment every test runs at unless it says otherwise (10:00 in Copenhagen)."""

AWAY = Path(tempfile.gettempdir())
"""Where a whole-process test runs ``python``: outside the repository, so that
``python -c``/``python -m staircase.cli`` imports the installed package, never the
checkout's ``staircase/`` folder (which has no ``staircase.cli``: setuptools maps
``cli/`` there only in an installed package)."""

TEST_SETTINGS = frozenset({"STAIRCASE_TEST_PG", "STAIRCASE_REQUIRE_PG"})
"""The ``STAIRCASE_*`` variables that configure the test run, not the program under test."""

PASSED_ON = frozenset({"STAIRCASE_KEY_DIR"})
"""What a test may set for the program, and the driver passes on: where a server
database's audit key is (``conftest`` removes the developer's own at the start)."""

AUDIT_LOG = ("audit", "audit_detail", "setting")
"""The audit log's tables, the head among the settings: a refusal writes there and only there."""

LANGUAGE = {"STAIRCASE_LANG": "en"}
"""The tests read English unless they ask for Danish (``env={"STAIRCASE_LANG": "da"}``):
the program's default is Danish (§7.5), but most tests assert on English lines."""

TERMINAL = {
    "NO_COLOR": "1",
    "FORCE_COLOR": None,
    "COLUMNS": "200",
    "LINES": "40",
    **dict.fromkeys(("LC_ALL", "LC_MESSAGES", "LANG"), None),
}
"""A terminal every machine agrees on: no colour, wide enough that no line a test reads
is wrapped (rich reads both per call; a test about wrapping sets its own COLUMNS), and
no locale, so only STAIRCASE_LANG decides the language the program speaks."""


def program_settings(environ: Mapping[str, str]) -> list[str]:
    """The variables in ``environ`` that would change what ``staircase`` does."""
    return [name for name in environ if name.startswith("STAIRCASE_") and name not in TEST_SETTINGS]


def when_text(when: datetime | str | None) -> str | None:
    """``--now`` as the program reads it: an aware moment in ISO 8601, or a typed WHEN;
    None for the real time."""
    return when if isinstance(when, str) or when is None else when.isoformat()


@dataclass(frozen=True)
class Run:
    """One invocation as the user saw it."""

    result: Result

    @property
    def exit_code(self) -> int:
        return self.result.exit_code

    @property
    def stdout(self) -> str:
        return self.result.stdout

    @property
    def stderr(self) -> str:
        return self.result.stderr

    @property
    def exception(self) -> BaseException | None:
        """What the command raised, if anything (``SystemExit`` for an ordinary exit)."""
        return self.result.exception

    @property
    def output(self) -> str:
        """Stdout and stderr interleaved, as on the terminal."""
        return self.result.output

    def json(self) -> Any:
        """Stdout parsed, after checking the command succeeded and printed only JSON."""
        assert self.exit_code == 0, f"exit {self.exit_code}: {self.stderr}"
        try:
            return json.loads(self.stdout)
        except json.JSONDecodeError as err:
            raise AssertionError(f"stdout is not JSON ({err}):\n{self.stdout}") from None


class Staircase:
    """The ``staircase`` command against one database, and a handle on that database."""

    def __init__(
        self,
        url: str | None = None,
        *,
        who: str | None = "ADM",
        now: datetime | str | None = NOW,
    ):
        """``url`` None: no database at all, for the commands that need none (``rules``).
        ``who`` None: nobody claimed, the account running it acts (identity tests);
        ``now`` None: the real time (tests of the clock's limits)."""
        self.url = url
        self.who = who
        self.now = now

    def __call__(
        self,
        *args: str,
        who: str | None = None,
        now: datetime | str | None = None,
        env: Mapping[str, str | None] | None = None,
        input: str | None = None,
    ) -> Run:
        """Run ``staircase ARGS`` as ``who`` at ``now``; ``env`` sets variables, or removes
        them with None; ``input`` is what the user types."""
        overrides = {**self._settings(who, now), **(env or {})}
        return Run(CliRunner().invoke(app, list(args), env=overrides, input=input))

    def json(self, *args: str, who: str | None = None, now: datetime | str | None = None) -> Any:
        """Run ``staircase --json ARGS``; it must succeed, and its output is returned parsed."""
        return self("--json", *args, who=who, now=now).json()

    def environ(self, *, who: str | None = None, now: datetime | str | None = None) -> dict:
        """The whole environment for a ``staircase`` in a process of its own."""
        settings = {**os.environ, **self._settings(who, now)}
        return {name: value for name, value in settings.items() if value is not None}

    def _settings(self, who: str | None, now: datetime | str | None) -> dict[str, str | None]:
        cleared: dict[str, str | None] = dict.fromkeys(
            name for name in program_settings(os.environ) if name not in PASSED_ON
        )
        return {
            **cleared,
            **LANGUAGE,
            **TERMINAL,
            "STAIRCASE_DB": self.url,
            "STAIRCASE_USER": who or self.who,
            "STAIRCASE_NOW": when_text(now or self.now),
        }

    @property
    def engine(self) -> Engine:
        """The process's engine for this database, the one the commands use."""
        return open_engine(self.url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session on the database, committed at the end: to look, or to set the scene."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session
            session.commit()

    def rows(self, model: type, *where: Any) -> list:
        """Every row of ``model`` matching ``where``, in id order."""
        with self.session() as session:
            return list(session.exec(select(model).where(*where).order_by(model.id)).all())

    def count(self, model: type, *where: Any) -> int:
        with self.session() as session:
            return session.exec(select(func.count()).select_from(model).where(*where)).one()

    def contents(self, *, leave_out: tuple[str, ...] = ()) -> dict[str, list[tuple]]:
        """Every row of every table, in a stable order: equal before and after a command
        means it wrote nothing (``leave_out`` the audit log where a refusal is recorded)."""
        with self.engine.connect() as connection:
            return {
                table: sorted(connection.execute(text(f'select * from "{table}"')).all(), key=repr)
                for table in inspect(connection).get_table_names()
                if table not in leave_out
            }
