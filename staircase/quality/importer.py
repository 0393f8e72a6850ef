"""``staircase import``: observations from a spreadsheet's CSV (§7.3).

Units moving from spreadsheets bring their history. A file is imported
whole or not at all: every row is checked first, and every bad row is
reported with its line number and reason — all of them, so one round of
fixing is enough. The rows then take the one observation path
(``observe.store``), and the cases they touched are settled once at the end,
set-wise in batches, through ``consequences.settle`` — exactly as a log
would have done.

The columns (Danish or English headers, any case, with or without æøå):

- ``sag`` / ``case``: the case number; or instead
- ``beboer`` / ``resident``: the resident's reference, with
  ``pårørende_id`` / ``relative_id`` or ``pårørende`` / ``relative`` (name);
- ``kendetegn`` / ``indicator``: id, Danish name or alias (one per row);
- ``tidspunkt`` / ``occurred_at``: a §10.2 time or a Danish date
  (``21.11.2026 14:30``); never in the future;
- ``kanal`` / ``channel`` (optional, default ``andet``); ``note`` (optional).

Separated by ``,`` or ``;``, UTF-8 with or without a byte-order mark
(what Excel's "CSV UTF-8" saves).
"""

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import col, select

from staircase.cases import consequences
from staircase.cases.evaluations import id_chunks
from staircase.cases.observe import Observed, channel_id, store
from staircase.cases.window import Window
from staircase.clock import not_in_future, parse_when
from staircase.core.lookup import get_open_case, pack_for
from staircase.core.permissions import permit_unit
from staircase.core.work import Request, Work, transaction
from staircase.cpr import refuse_cpr
from staircase.db.models import Case, Relative, Resident
from staircase.domain.pack import Pack
from staircase.errors import InvalidInput, NotAllowed, NotFound
from staircase.i18n import _, ngettext
from staircase.quality.scope import Progress, no_progress
from staircase.text import key
from staircase.views import View

COLUMNS: dict[str, tuple[str, ...]] = {
    "case": ("sag", "case", "sagsnummer", "case_id"),
    "resident": ("beboer", "resident", "borger"),
    "relative_id": ("pårørende_id", "relative_id"),
    "relative": ("pårørende", "relative"),
    "indicator": ("kendetegn", "indikator", "indicator"),
    "occurred_at": ("tidspunkt", "tid", "occurred_at"),
    "channel": ("kanal", "channel"),
    "note": ("note", "notat"),
}
"""Each column and the headers that name it, as ``text.key`` folds them."""

BATCH = 1_000
"""Rows stored per insert, and cases settled together: few round trips, and the
progress bar still moves."""

_BY_HEADER = {key(header): column for column, headers in COLUMNS.items() for header in headers}


class ImportReport(View):
    """What an import did (or with ``--dry-run``, would do)."""

    file: str
    dry_run: bool
    rows: int
    observations: int
    cases: list[int]
    moved: int
    proposals: int
    escalations: int


@dataclass(frozen=True)
class _Row:
    """One checked row, ready to store."""

    line: int
    case: Case
    pack: Pack
    indicator: str
    occurred: datetime
    channel: str
    note: str | None


class _Problem(Exception):
    """One bad row, collected so that every bad row is reported together."""


def import_observations(
    request: Request, path: Path, *, dry_run: bool = False, progress: Progress = no_progress
) -> ImportReport:
    """Check every row, then store them all and re-evaluate each touched case once."""
    path = Path(path).expanduser()
    with transaction(request, "import", dry_run=dry_run) as work:
        columns, lines = read_rows(path)
        total = len(lines) * (1 if dry_run else 2)
        rows = _check(work, path, columns, lines, lambda done: progress(done, total))
        report = ImportReport(
            file=str(path),
            dry_run=dry_run,
            rows=len(rows),
            observations=len(rows),
            cases=sorted({row.case.id for row in rows}),
            moved=0,
            proposals=0,
            escalations=0,
        )
        if dry_run:
            return report
        for done in range(0, len(rows), BATCH):
            batch = rows[done : done + BATCH]
            store(
                work,
                [Observed(r.case.id, r.indicator, r.occurred, r.channel, r.note) for r in batch],
            )
            progress(len(rows) + done + len(batch), total)
        report = _settle(work, rows, report)
        work.audit(
            "import", subject=f"rows={len(rows)} cases={len(report.cases)}", detail=str(path)
        )
    return report


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The file's columns, and its rows each with the line it starts on; blank lines skipped."""
    if not path.is_file():
        raise InvalidInput(_("no file {path}").format(path=path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            _('{path} is not UTF-8: save it from Excel as "CSV UTF-8 (kommasepareret)"').format(
                path=path
            )
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        raise InvalidInput(_("{path} is empty").format(path=path))
    columns = _columns(path, header)
    rows = [(reader.line_num, cells) for cells in reader if any(c.strip() for c in cells)]
    return columns, rows


def _columns(path: Path, header: list[str]) -> list[str]:
    """Header cells to column ids; unknown or missing columns are refused at once."""
    columns = []
    for cell in header:
        column = _BY_HEADER.get(key(cell))
        if column is None:
            known = ", ".join(headers[0] for headers in COLUMNS.values())
            raise InvalidInput(
                _('{path}: unknown column "{column}" (columns: {known})').format(
                    path=path, column=cell.strip(), known=known
                )
            )
        columns.append(column)
    missing = [c for c in ("indicator", "occurred_at") if c not in columns]
    if "case" not in columns and "resident" not in columns:
        missing.insert(0, "case")
    if missing:
        raise InvalidInput(
            _("{path}: no column {columns} in the header").format(
                path=path, columns=", ".join(COLUMNS[c][0] for c in missing)
            )
        )
    return columns


def _check(
    work: Work,
    path: Path,
    columns: list[str],
    lines: list[tuple[int, list[str]]],
    advance: Callable[[int], None],
) -> list[_Row]:
    """Every row checked; all problems reported together, and nothing stored if any."""
    cases = _Lookups(work, columns, lines)
    rows, problems, refused = [], [], False
    for done, (line, cells) in enumerate(lines, start=1):
        try:
            rows.append(_row(work, cases, line, columns, cells))
        except _Problem as problem:
            problems.append(_("  line {line}: {problem}").format(line=line, problem=problem))
        except NotAllowed as refusal:
            refused = True
            problems.append(_("  line {line}: {problem}").format(line=line, problem=refusal))
        except InvalidInput as bad:
            problems.append(_("  line {line}: {problem}").format(line=line, problem=bad))
        advance(done)
    if problems:
        heading = ngettext(
            "{path}: {n} of {rows} row cannot be imported; "
            "nothing was imported. Fix these rows and import the file again:",
            "{path}: {n} of {rows} rows cannot be imported; "
            "nothing was imported. Fix these rows and import the file again:",
            len(lines),
        ).format(path=path, n=len(problems), rows=len(lines))
        error = NotAllowed if refused else InvalidInput
        raise error("\n".join([heading, *problems]))
    if not rows:
        raise InvalidInput(_("{path} has no rows to import").format(path=path))
    return rows


def _row(work: Work, cases: "_Lookups", line: int, columns: list[str], fields: list[str]) -> _Row:
    if len(fields) > len(columns):
        raise _Problem(
            _("{fields} fields, more than the header's {columns}").format(
                fields=len(fields), columns=len(columns)
            )
        )
    cells = dict(zip(columns, fields, strict=False))
    for column, value in cells.items():
        refuse_cpr(value, field=_("the {column} column").format(column=COLUMNS[column][0]))
    case, pack = cases.find(cells)
    typed = cells.get("indicator", "").strip()
    if not typed:
        raise _Problem(_("no indicator (kendetegn)"))
    indicator = cases.indicator(pack, typed)
    when = cells.get("occurred_at", "").strip()
    if not when:
        raise _Problem(_("no time (tidspunkt)"))
    occurred = not_in_future(parse_when(when, clock=work.clock), clock=work.clock)
    channel = cases.channel(cells.get("channel", "").strip())
    note = cells.get("note", "").strip() or None
    return _Row(line, case, pack, indicator, occurred, channel, note)


class _Lookups:
    """Each row's case, indicator and channel, looked up once per distinct value:
    a spreadsheet repeats the same few thousands of times. The cases the file
    names by number are read (and locked) in one query per few thousand."""

    def __init__(self, work: Work, columns: list[str], lines: list[tuple[int, list[str]]]) -> None:
        self.work = work
        self.by_id: dict[int, tuple[Case, Pack]] = {}
        self.packs: dict[str, Pack] = {}
        self.named = self._named(columns, lines)
        self.by_people: dict[tuple[str, str, str], int] = {}
        self.indicators: dict[tuple[str, str], str] = {}
        self.channels: dict[str, str] = {}

    def indicator(self, pack: Pack, typed: str) -> str:
        if (pack.id, typed) not in self.indicators:
            self.indicators[(pack.id, typed)] = pack.indicator(typed).id
        return self.indicators[(pack.id, typed)]

    def channel(self, typed: str) -> str:
        if typed not in self.channels:
            self.channels[typed] = channel_id(typed or None)
        return self.channels[typed]

    def find(self, cells: dict[str, str]) -> tuple[Case, Pack]:
        number = cells.get("case", "").strip()
        if number:
            if not number.isdigit():
                raise _Problem(_('"{number}" is not a case number').format(number=number))
            return self._case(int(number))
        resident = cells.get("resident", "").strip()
        relative_id = cells.get("relative_id", "").strip()
        relative = cells.get("relative", "").strip()
        if not resident or not (relative_id or relative):
            raise _Problem(_("name the case: sag, or beboer with pårørende_id or pårørende"))
        wanted = (resident, relative_id, key(relative))
        if wanted not in self.by_people:
            self.by_people[wanted] = self._by_people(resident, relative_id, relative)
        return self._case(self.by_people[wanted])

    def _named(self, columns: list[str], lines: list[tuple[int, list[str]]]) -> dict[int, Case]:
        """The open cases the ``case`` column names; any other is looked up one by one,
        to be refused with the error a user reads."""
        if "case" not in columns:
            return {}
        at = columns.index("case")
        numbers = {cells[at].strip() for _line, cells in lines if len(cells) > at}
        ids = [int(n) for n in numbers if n.isdigit()]
        named = {}
        for chunk in id_chunks(ids):
            query = select(Case).where(col(Case.id).in_(chunk), col(Case.closed_at).is_(None))
            locked = self.work.session.exec(query.with_for_update())
            named.update((case.id, case) for case in locked)
        return named

    def _case(self, case_id: int) -> tuple[Case, Pack]:
        if case_id not in self.by_id:
            case = self.named.get(case_id) or get_open_case(self.work.session, case_id)
            permit_unit(self.work.actor, case.unit_id, "import")
            if case.unit_id not in self.packs:
                self.packs[case.unit_id] = pack_for(self.work.session, case)
            self.by_id[case_id] = (case, self.packs[case.unit_id])
        return self.by_id[case_id]

    def _by_people(self, ref: str, relative_id: str, relative: str) -> int:
        query = (
            select(Case.id, Relative.name)
            .join(Resident, col(Resident.id) == Case.resident_id)
            .join(Relative, col(Relative.id) == Case.relative_id)
            .where(Resident.ref == ref)
        )
        if relative_id:
            if not relative_id.isdigit():
                raise _Problem(_('"{id}" is not a relative id').format(id=relative_id))
            query = query.where(Case.relative_id == int(relative_id))
        found = [
            case_id
            for case_id, name in self.work.session.exec(query).all()
            if relative_id or key(name) == key(relative)
        ]
        if not found:
            who = _("relative {id}").format(id=relative_id) if relative_id else f'"{relative}"'
            raise NotFound(
                _('no case for resident "{ref}" and {who}; see `staircase case list`').format(
                    ref=ref, who=who
                )
            )
        if len(found) > 1:
            raise _Problem(
                _('several cases for "{relative}" with "{ref}": give pårørende_id').format(
                    relative=relative, ref=ref
                )
            )
        return found[0]


def _settle(work: Work, rows: list[_Row], report: ImportReport) -> ImportReport:
    """Each touched case once, after all its rows are stored (§7.3), a batch at a time."""
    touched = {row.case.id: row.case for row in rows}
    packs = {row.case.unit_id: row.pack for row in rows}
    # Read once, after every row is stored: settling writes no observations.
    window = Window(work.session, {p.id: p for p in packs.values()}.values(), work.now)
    moved = proposals = escalations = 0
    for start in range(0, len(report.cases), BATCH):
        batch = [touched[case_id] for case_id in report.cases[start : start + BATCH]]
        for result in consequences.settle(work, batch, packs, window=window).values():
            moved += result.moved is not None
            proposals += len(result.proposals)
            escalations += len(result.escalations)
    return report.model_copy(
        update={"moved": moved, "proposals": proposals, "escalations": escalations}
    )
