"""Writing exported tables in the formats quality teams use (§7.2).

- ``csv``: UTF-8 with a header, ``,`` between fields, times as
  ``2026-11-21 14:30`` in local time, decimals with a point: for scripts and
  tools that read plain CSV.
- ``csv-excel``: what Danish Excel opens correctly by double-click: ``;``
  between fields, UTF-8 with a byte-order mark (else æøå come out wrong),
  decimal comma, and dates as Danish Excel writes them (``21-11-2026 14:30``).
- ``jsonl``: one JSON object per line with its ``type``; ids as keys, times
  as ISO 8601 in UTC (§10.2).
- ``xlsx``: one sheet per table, frozen header row, column widths, real
  Excel dates; openpyxl's write-only mode streams rows to disk.

Every file is created readable by its owner only (§6.7): with names it
holds special-category data, and even pseudonymised it is health data.
"""

import csv
import json
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import partial
from operator import add, itemgetter
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from staircase.quality.tables import Cell, Column, Kind, Table, Write

Chunks = Iterable[list[tuple[Cell, ...]]]
"""A table's rows, a chunk at a time (``tables.stream``)."""


class Format(StrEnum):
    CSV = "csv"
    CSV_EXCEL = "csv-excel"
    JSONL = "jsonl"
    XLSX = "xlsx"
    HTML = "html"

    @property
    def per_table(self) -> bool:
        """One file per table (a folder), or one file for everything."""
        return self in (Format.CSV, Format.CSV_EXCEL)


@contextmanager
def private_file(path: Path, *, binary: bool = False, bom: bool = False) -> Iterator[IO]:
    """A new file (mode 0600) for writing; an existing one was refused earlier unless --force."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    os.fchmod(fd, stat.S_IRUSR | stat.S_IWUSR)
    if binary:
        with os.fdopen(fd, "wb") as file:
            yield file
        return
    encoding = "utf-8-sig" if bom else "utf-8"
    with os.fdopen(fd, "w", encoding=encoding, newline="") as file:
        yield file


YES_NO = {True: "ja", False: "nej"}.get
"""A flag in Danish; no flag (None) stays empty."""


def _point(value: float | None) -> str | None:
    return None if value is None else repr(value)


def _comma(value: float | None) -> str | None:
    return None if value is None else repr(value).replace(".", ",")


UTC_HOUR = itemgetter(slice(0, 13))
"""``2026-11-21 13`` of a stored UTC time."""

MINUTES = itemgetter(slice(13, 16))
"""``:30`` of a stored UTC time."""


HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)


class LocalHours(dict[str, str | None]):
    """The local text of each UTC hour (``2026-11-21 13`` → ``2026-11-21 14``, in a
    layout ending in ``HH:MM``), worked out a UTC day at a time on first use: two years
    of history are 17,520 hours but only 730 days, nearly all at one offset all day.

    None for an hour in which the zone's offset changes or is not whole hours: there
    the minutes move too, and each time is converted by itself.
    """

    def __init__(self, tz: ZoneInfo, layout: Callable[[datetime], str]) -> None:
        super().__init__()
        self.tz = tz
        self.layout = layout

    def __missing__(self, utc_hour: str) -> str | None:
        day = utc_hour[:10]
        midnight = datetime.fromisoformat(day).replace(tzinfo=UTC)
        all_day = self._steady(midnight, timedelta(days=1))
        for hour in range(24):
            start = midnight + hour * HOUR
            offset = self._steady(start, HOUR) if all_day is None else all_day
            local = None if offset is None else (start + offset).replace(tzinfo=None)
            self[f"{day} {hour:02d}"] = None if local is None else self.layout(local)[:-3]
        return self[utc_hour]

    def _steady(self, start: datetime, span: timedelta) -> timedelta | None:
        """The zone's offset from ``start`` for ``span``, if it stays one of whole hours."""
        offset = start.astimezone(self.tz).utcoffset()
        if offset is None or offset % HOUR:
            return None
        return offset if (start + span - SECOND).astimezone(self.tz).utcoffset() == offset else None


def local_minutes(
    tz: ZoneInfo, layout: Callable[[datetime], str]
) -> Callable[[Sequence[str | None]], list[str | None]]:
    """A column of stored UTC times (``2026-11-21 13:30:00.000000``, ``tables.utc_text``)
    as local minute text in ``layout``, which must end in ``HH:MM``.

    Exports write millions of times (§8), so each UTC hour's local text is worked out
    once and the minutes appended, all in C (``map``, ``itemgetter``, a dictionary).
    A column with an empty time, or a time in an hour ``LocalHours`` leaves to be
    converted one by one, fails that (TypeError) and is converted the slow, sure way.
    """
    hours = LocalHours(tz, layout)

    def one(utc: str | None) -> str | None:
        if utc is None:
            return None
        head = hours[utc[:13]]
        if head is None:
            return layout(datetime.fromisoformat(utc).replace(tzinfo=UTC).astimezone(tz))
        return head + utc[13:16]

    def column(utc: Sequence[str | None]) -> list[str | None]:
        try:
            return list(map(add, map(hours.__getitem__, map(UTC_HOUR, utc)), map(MINUTES, utc)))
        except TypeError:
            return [one(value) for value in utc]

    return column


def _iso_minutes(moment: datetime) -> str:
    """``2026-11-21 14:30``."""
    return moment.isoformat(" ", "minutes")[:16]


def _danish_minutes(moment: datetime) -> str:
    """``21-11-2026 14:30``, as Danish Excel writes a time, rearranged from the ISO form."""
    iso = moment.isoformat(" ", "minutes")
    return f"{iso[8:10]}-{iso[5:7]}-{iso[0:4]} {iso[11:16]}"


def csv_cells(excel: bool, tz: ZoneInfo) -> Write:
    """Cells as CSV text: times as ``2026-11-21 14:30`` (plain) or ``21-11-2026 14:30``
    (Danish Excel) in local time, decimals with a point or a comma, ``ja``/``nej``.
    Text and whole numbers the csv module writes itself (None as empty)."""
    return {
        Kind.TIME: local_minutes(tz, _danish_minutes if excel else _iso_minutes),
        Kind.FLAG: partial(map, YES_NO),
        Kind.DECIMAL: partial(map, _comma if excel else _point),
    }


def write_csv(
    file: IO[str], columns: tuple[Column, ...], chunks: Chunks, *, excel: bool
) -> Iterator[int]:
    """Write one table; yields the rows of each chunk written, for progress."""
    if excel:
        writer = csv.writer(file, delimiter=";", lineterminator="\r\n")
    else:
        writer = csv.writer(file, lineterminator="\n")
    writer.writerow([c.header for c in columns])
    for rows in chunks:
        writer.writerows(rows)
        yield len(rows)


def json_time(utc: str | None) -> str | None:
    """``2026-11-21T13:30:00Z`` from the stored UTC text: how JSON shows a time (§10.2)."""
    return None if utc is None else f"{utc[:10]}T{utc[11:19]}Z"


JSON_CELLS: Write = {Kind.TIME: partial(map, json_time)}
"""JSON keeps numbers and flags as they are."""


def write_jsonl(
    file: IO[str], table: Table, columns: tuple[Column, ...], chunks: Chunks
) -> Iterator[int]:
    """One object per line: ``{"type": "observation", "observation_id": 7, …}``."""
    keys = ["type", *(c.key for c in columns)]
    for rows in chunks:
        for row in rows:
            record = dict(zip(keys, (table.key, *row), strict=True))
            file.write(json.dumps(record, ensure_ascii=False) + "\n")
        yield len(rows)


class XlsxBook:
    """A streamed workbook: sheets are written row by row and never held in memory."""

    DATE_FORMAT = "dd-mm-yyyy hh:mm"
    DECIMAL_FORMAT = "0.00"

    def __init__(self, tz: ZoneInfo) -> None:
        from openpyxl import Workbook

        self.tz = tz
        self.book = Workbook(write_only=True)

    def sheet(
        self, name: str, columns: tuple[Column, ...], chunks: Callable[[Write], Chunks]
    ) -> Iterator[int]:
        """Write one sheet from ``chunks``, given how this sheet writes cells; yields the
        rows of each chunk written, for progress."""
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        sheet = self.book.create_sheet(title=name)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(
                column.width, len(column.header) + 2
            )
        bold = Font(bold=True)
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=column.header)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for rows in chunks(self._cells(sheet, WriteOnlyCell)):
            for row in rows:
                sheet.append(row)
            yield len(rows)

    def _cells(self, sheet, make: Callable) -> Write:
        """Times as real Excel dates in local time (Excel knows no zones); decimals as numbers."""

        def moment(utc: str | None) -> object:
            if utc is None:
                return None
            local = datetime.fromisoformat(utc).replace(tzinfo=UTC).astimezone(self.tz)
            cell = make(sheet, value=local.replace(tzinfo=None))
            cell.number_format = self.DATE_FORMAT
            return cell

        def decimal(value: float | None) -> object:
            if value is None:
                return None
            cell = make(sheet, value=value)
            cell.number_format = self.DECIMAL_FORMAT
            return cell

        return {Kind.TIME: partial(map, moment), Kind.DECIMAL: partial(map, decimal)}

    def save(self, path: Path) -> None:
        with private_file(path, binary=True) as file:
            self.book.save(file)
