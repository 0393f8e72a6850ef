"""``staircase export``: the case history for quality teams (§1.3, §6.3, §7.2).

Pseudonymised by default; ``--with-names`` (quality and admin only) adds
names and free text, and is audited as ``export.names``, refused or done.
Every export is audited with its criteria and row counts, never a name.
Rows stream from the database to the file; nothing holds a whole table.
"""

from collections.abc import Iterator
from contextlib import suppress
from functools import partial
from pathlib import Path

from staircase.core.work import Request, Work, transaction
from staircase.errors import InvalidInput
from staircase.i18n import _
from staircase.quality import tables
from staircase.quality.formats import (
    JSON_CELLS,
    Chunks,
    Format,
    XlsxBook,
    csv_cells,
    private_file,
    write_csv,
    write_jsonl,
)
from staircase.quality.pseudonyms import Pseudonyms, installation_key
from staircase.quality.scope import Criteria, Progress, Scope, no_progress, resolve_scope
from staircase.quality.tables import TABLES, Column, Context, Labels, Table, Write
from staircase.views import View

XLSX_MAX_ROWS = 1_048_576
"""Rows an Excel sheet holds, the header included."""


class ExportReport(View):
    """What an export wrote: the files and how many rows of each table."""

    format: str
    files: list[str]
    counts: dict[str, int]
    pseudonymised: bool


def export(
    request: Request,
    criteria: Criteria,
    *,
    fmt: Format,
    out: Path,
    force: bool = False,
    progress: Progress = no_progress,
) -> ExportReport:
    """Write the export; files half written when something fails are removed."""
    action = "export.names" if criteria.with_names else "export"
    out = Path(out).expanduser()
    targets = _targets(out, fmt, force=force)
    new_folder = fmt.per_table and not out.exists()
    written: list[Path] = []
    done = False
    try:
        with transaction(request, action, write=False) as work:
            scope = resolve_scope(work, criteria, action)
            ctx = Context(Pseudonyms(installation_key(request.url)), Labels(work.session))
            if fmt is Format.HTML:
                from staircase.quality.report import write_report

                written.append(targets[0])
                counts = write_report(work, scope, ctx, targets[0], with_names=criteria.with_names)
            else:
                counts = _write_tables(work, scope, ctx, fmt, targets, criteria, progress, written)
            work.audit(
                action,
                subject=_audit_subject(fmt, criteria, counts),
                detail=_audit_criteria(scope),
            )
        done = True
    finally:
        if not done:
            for path in written:
                path.unlink(missing_ok=True)
            if new_folder:
                with suppress(OSError):
                    out.rmdir()
    return ExportReport(
        format=fmt.value,
        files=[str(p) for p in written],
        counts=counts,
        pseudonymised=not criteria.with_names,
    )


def _targets(out: Path, fmt: Format, *, force: bool) -> list[Path]:
    """The files to write: for CSV a folder with one file per table, else the one file.

    Checked before anything is read, so a refused export writes nothing.
    """
    if fmt.per_table:
        if out.exists() and not out.is_dir():
            raise InvalidInput(
                _("{path} is a file; CSV exports go to a folder (one file per table)").format(
                    path=out
                )
            )
        if not out.parent.is_dir():
            raise InvalidInput(
                _("no folder {path}; create it or choose another --out").format(path=out.parent)
            )
        paths = [out / f"{table.name}.csv" for table in TABLES]
    else:
        if not out.parent.is_dir():
            raise InvalidInput(
                _("no folder {path}; create it or choose another --out").format(path=out.parent)
            )
        if out.is_dir():
            raise InvalidInput(
                _("{path} is a folder; name the {format} file to write").format(
                    path=out, format=fmt.value
                )
            )
        paths = [out]
    for path in paths:
        if path.exists() and not force:
            raise InvalidInput(
                _("{path} exists; choose another --out or add --force").format(path=path)
            )
    return paths


def _write_tables(
    work: Work,
    scope: Scope,
    ctx: Context,
    fmt: Format,
    targets: list[Path],
    criteria: Criteria,
    progress: Progress,
    written: list[Path],
) -> dict[str, int]:
    """Stream every table into its file (CSV) or sheet (XLSX) or lines (JSON Lines)."""
    counts = {table.name: tables.count(work.session, table, scope) for table in TABLES}
    if fmt is Format.XLSX:
        _fits_a_sheet(counts)
    total, done = sum(counts.values()), 0
    progress(0, total)

    def chunks(table: Table, columns: tuple[Column, ...], write: Write) -> Chunks:
        return tables.stream(work.session, table, scope, ctx, columns, write)

    def advance(written: Iterator[int]) -> None:
        nonlocal done
        for rows in written:
            done += rows
            progress(done, total)

    tz = work.clock.tz
    if fmt.per_table:
        targets[0].parent.mkdir(mode=0o700, exist_ok=True)
        excel = fmt is Format.CSV_EXCEL
        cells = csv_cells(excel, tz)
        for table, path in zip(TABLES, targets, strict=True):
            columns = table.visible(criteria.with_names)
            written.append(path)
            with private_file(path, bom=excel) as file:
                advance(write_csv(file, columns, chunks(table, columns, cells), excel=excel))
    elif fmt is Format.JSONL:
        written.append(targets[0])
        with private_file(targets[0]) as file:
            for table in TABLES:
                columns = table.visible(criteria.with_names)
                advance(write_jsonl(file, table, columns, chunks(table, columns, JSON_CELLS)))
    else:
        book = XlsxBook(tz)
        for table in TABLES:
            columns = table.visible(criteria.with_names)
            advance(book.sheet(table.name, columns, partial(chunks, table, columns)))
        written.append(targets[0])
        book.save(targets[0])
    progress(total, total)
    return counts


def _fits_a_sheet(counts: dict[str, int]) -> None:
    """Excel shows at most 1,048,576 rows a sheet; a longer table would be cut without a word."""
    for name, rows in counts.items():
        if rows >= XLSX_MAX_ROWS:
            raise InvalidInput(
                _(
                    "{table} has {rows} rows, more than an Excel sheet holds ({most} below the "
                    "header): narrow --unit/--since/--until, or export csv-excel"
                ).format(table=name, rows=rows, most=XLSX_MAX_ROWS - 1)
            )


def _audit_subject(fmt: Format, criteria: Criteria, counts: dict[str, int]) -> str:
    """What the export held, for the chained entry: its format, whether it named
    people, and its row counts — never a name, a criterion or a path."""
    parts = [
        f"format={fmt.value}",
        f"names={'yes' if criteria.with_names else 'no'}",
        "rows=" + ",".join(f"{name}:{n}" for name, n in counts.items()),
    ]
    return " ".join(parts)


def _audit_criteria(scope: Scope) -> str:
    """The export's criteria, for the audit detail outside the chain (§6.2, §6.6)."""
    units = ",".join(scope.units) if scope.units is not None else "all"
    since = scope.since.isoformat() if scope.since else "-"
    until = scope.until.isoformat() if scope.until else "-"
    return f"units={units} since={since} until={until}"
