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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from staircase.clock import iso_utc
from staircase.quality.tables import Cell, Column, Table

Rows = Iterable[list[Cell]]


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


def _yes_no(value: bool) -> str:
    return "ja" if value else "nej"


def _nothing(value: None) -> str:
    return ""


def _iso_minutes(moment: datetime, tz: ZoneInfo) -> str:
    """``2026-11-21 14:30`` in local time: ``isoformat`` cut at the minute, done in C,
    as exports write millions of times (§8)."""
    return moment.astimezone(tz).isoformat(" ", "minutes")[:16]


def _danish_minutes(moment: datetime, tz: ZoneInfo) -> str:
    """``21-11-2026 14:30`` in local time, rearranged from the ISO form."""
    iso = moment.astimezone(tz).isoformat(" ", "minutes")
    return f"{iso[8:10]}-{iso[5:7]}-{iso[0:4]} {iso[11:16]}"


def _decimal_comma(value: float) -> str:
    return repr(value).replace(".", ",")


CSV_TEXT: dict[type, Callable[[Any], str]] = {
    type(None): _nothing,
    bool: _yes_no,
    int: str,
    float: repr,
    str: str,
}
"""How plain CSV writes each type of cell (times are formatted apart: they need the zone)."""

EXCEL_TEXT = CSV_TEXT | {float: _decimal_comma}
"""Danish Excel: decimal comma."""

AS_IS = frozenset({str, int, type(None)})
"""Cells the csv module writes right by itself (None as empty): no call per cell."""


def cell_writer(excel: bool, tz: ZoneInfo) -> Callable[[Cell], str]:
    """A cell as CSV text: times as ``2026-11-21 14:30`` (plain) or ``21-11-2026 14:30``
    (Danish Excel) in local time, decimals with a point or a comma, ``ja``/``nej``.

    One dictionary look-up by type per cell: exports write millions of them (§8).
    """
    by_type = EXCEL_TEXT if excel else CSV_TEXT
    minutes = _danish_minutes if excel else _iso_minutes

    def text(value: Cell) -> str:
        if isinstance(value, datetime):
            return minutes(value, tz)
        return by_type.get(type(value), str)(value)

    return text


def write_csv(
    file: IO[str], columns: tuple[Column, ...], rows: Rows, *, excel: bool, tz: ZoneInfo
) -> Iterator[None]:
    """Write one table; yields after each row so the caller can count progress."""
    if excel:
        writer = csv.writer(file, delimiter=";", lineterminator="\r\n")
    else:
        writer = csv.writer(file, lineterminator="\n")
    text = cell_writer(excel, tz)
    writer.writerow([c.header for c in columns])
    for row in rows:
        writer.writerow([cell if type(cell) in AS_IS else text(cell) for cell in row])
        yield


def json_value(value: Cell) -> Cell:
    return iso_utc(value) if isinstance(value, datetime) else value


def write_jsonl(
    file: IO[str], table: Table, columns: tuple[Column, ...], rows: Rows
) -> Iterator[None]:
    """One object per line: ``{"type": "observation", "observation_id": 7, …}``."""
    keys = [c.key for c in columns]
    for row in rows:
        record = {"type": table.key} | {k: json_value(v) for k, v in zip(keys, row, strict=True)}
        file.write(json.dumps(record, ensure_ascii=False) + "\n")
        yield


class XlsxBook:
    """A streamed workbook: sheets are written row by row and never held in memory."""

    DATE_FORMAT = "dd-mm-yyyy hh:mm"
    DECIMAL_FORMAT = "0.00"

    def __init__(self, tz: ZoneInfo) -> None:
        from openpyxl import Workbook

        self.tz = tz
        self.book = Workbook(write_only=True)

    def sheet(self, name: str, columns: tuple[Column, ...], rows: Rows) -> Iterator[None]:
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
        for row in rows:
            sheet.append([self._cell(sheet, value, WriteOnlyCell) for value in row])
            yield

    def _cell(self, sheet, value: Cell, make: Callable) -> object:
        """Times as real Excel dates in local time (Excel knows no zones); decimals as numbers."""
        if isinstance(value, datetime):
            cell = make(sheet, value=value.astimezone(self.tz).replace(tzinfo=None))
            cell.number_format = self.DATE_FORMAT
            return cell
        if isinstance(value, float):
            cell = make(sheet, value=value)
            cell.number_format = self.DECIMAL_FORMAT
            return cell
        return value

    def save(self, path: Path) -> None:
        with private_file(path, binary=True) as file:
            self.book.save(file)
