"""What may be stored: every string on its way into the database passes here.

The commands check what people type where they read it, with messages in
their own words; this is the net under all of them. One ``before_flush``
listener on every session (``store.session_scope``) looks at each changed
text column and refuses, before anything reaches the database:

- a CPR number in any spelling (§6.5), ids and initials included;
- bytes that are not text (a non-UTF-8 argument arrives as lone
  surrogates, which neither SQLite nor PostgreSQL can store);
- control characters other than newline and tab, and the bidi overrides:
  a note that moves a leader's cursor or reverses a line when it is
  printed is not a note;
- text longer than its column (PostgreSQL would refuse it with a traceback,
  SQLite would store it), or than ``FREE_TEXT_LIMIT`` for notes and reasons.

Bulk inserts bypass the ORM's flush: they call ``guard_bulk``, and the
audit chain calls ``check_text`` itself.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from itertools import chain

from sqlalchemy import Table, inspect
from sqlalchemy.orm import Session

from staircase.cpr import refuse_cpr
from staircase.errors import InvalidInput
from staircase.i18n import _

FREE_TEXT_LIMIT = 4000
"""Characters in a note, reason or agreement: a page of text, plenty for what happened."""

FREE_TEXT_COLUMNS = frozenset({"note", "reason", "text", "consent_note", "contact", "detail"})
"""Unbounded columns people type into; the others are written by the program."""

UNCHECKED_TABLES = frozenset({"setting", "alembic_version"})
"""Rows the program writes for itself: hashes, keys and heads are hex, where ten
digits in a row may happen to look like a date of birth."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 controls except tab and newline, and the bidi embeddings and overrides."""


def check_text(value: str, *, field: str, limit: int | None = None) -> None:
    """Refuse ``value`` for ``field`` if it must not be stored (see the module doc)."""
    if any(unicodedata.category(char) == "Cs" for char in value):
        raise InvalidInput(
            _(
                "{field} is not valid text (bytes that are not UTF-8); check the terminal's "
                "encoding and type it again"
            ).format(field=field)
        )
    if _CONTROL.search(value):
        raise InvalidInput(
            _("{field} contains a control character (such as a terminal escape); remove it").format(
                field=field
            )
        )
    if limit is not None and len(value) > limit:
        raise InvalidInput(
            _("{field} is too long: {len} characters, at most {limit}").format(
                field=field, len=len(value), limit=limit
            )
        )
    refuse_cpr(value, field=field)


def guard_rows(session: Session, _flush_context, _instances) -> None:
    """The ``before_flush`` listener: check every changed text column of new and changed rows."""
    for row in chain(session.new, session.dirty):
        state = inspect(row)
        table = state.mapper.local_table.name
        if table in UNCHECKED_TABLES:
            continue
        for attribute in state.mapper.column_attrs:
            value = getattr(row, attribute.key)
            if not isinstance(value, str):
                continue
            if not state.pending and not state.attrs[attribute.key].history.has_changes():
                continue
            _check_column(table, attribute.key, attribute.columns[0].type, value)


def guard_bulk(table: Table, rows: Iterable[Mapping[str, object]]) -> None:
    """Bulk inserts bypass the flush: their rows are checked here, column by column."""
    for row in rows:
        for key, value in row.items():
            if isinstance(value, str):
                _check_column(table.name, key, table.c[key].type, value)


def _check_column(table: str, name: str, column_type, value: str) -> None:
    check_text(
        value,
        field=_("the {column} of the {table}").format(column=name.replace("_", " "), table=table),
        limit=_limit(name, column_type),
    )


def _limit(name: str, column_type) -> int | None:
    """The column's declared length; the free-text limit for notes and reasons."""
    length = getattr(column_type, "length", None)
    if length:
        return length
    return FREE_TEXT_LIMIT if name in FREE_TEXT_COLUMNS else None
