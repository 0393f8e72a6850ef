"""The quality team's commands (§1.3, §7.2–7.4): export, import, stats."""

from enum import StrEnum
from pathlib import Path

import typer

from staircase.cli import render
from staircase.cli.context import request, wants_json
from staircase.cli.options import JsonOutput, helps, when_help
from staircase.i18n import _, ngettext


class ExportFormat(StrEnum):
    """The formats ``--format`` accepts (the library's own ``Format`` loads the database layer)."""

    csv = "csv"
    csv_excel = "csv-excel"
    jsonl = "jsonl"
    xlsx = "xlsx"
    html = "html"


Units = typer.Option(
    None, "--unit", help=_("Only this unit (repeat for more); default: every unit you may read.")
)
Since = typer.Option(None, "--since", help=when_help(_("From this time.")))
Until = typer.Option(None, "--until", help=when_help(_("Up to this time (not included).")))


@helps(
    _(
        "Export case histories, pseudonymised unless --with-names (§6.3, §7.2).\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase export --format csv-excel --since 2026-01-01 --out kvalitet/"
    )
)
def export(
    ctx: typer.Context,
    fmt: ExportFormat = typer.Option(
        ..., "--format", help=_("csv, csv-excel, jsonl, xlsx or html.")
    ),
    out: Path = typer.Option(
        ...,
        "--out",
        help=_("A folder for csv and csv-excel (one file per table), else the file to write."),
    ),
    unit: list[str] | None = Units,
    since: str | None = Since,
    until: str | None = Until,
    with_names: bool = typer.Option(
        False, "--with-names", help=_("Include names and notes (quality and admin only; audited).")
    ),
    force: bool = typer.Option(False, "--force", help=_("Replace files that exist.")),
    json: JsonOutput = False,
) -> None:
    from staircase.quality.export import Criteria
    from staircase.quality.export import export as run_export
    from staircase.quality.formats import Format

    criteria = Criteria(tuple(unit or ()), since, until, with_names)
    with render.progress(_("Exporting")) as advance:
        report = run_export(
            request(ctx), criteria, fmt=Format(fmt.value), out=out, force=force, progress=advance
        )
    if wants_json(ctx, json):
        render.print_model(report)
        return
    counts = ", ".join(f"{name} {n}" for name, n in report.counts.items())
    kind = _("pseudonymised") if report.pseudonymised else _("WITH NAMES")
    line = _("exported ({kind}, {format}): {counts}").format(
        kind=kind, format=report.format, counts=counts
    )
    render.console().print(
        line + "\n" + "\n".join(report.files),
        soft_wrap=True,
        markup=False,
    )


@helps(
    _(
        "Import observations from CSV, all or nothing; every bad row is named (§7.3).\n"
        "\n"
        "\b\n"
        "Examples:\n"
        "  staircase import --dry-run observationer.csv\n"
        "  staircase import observationer.csv"
    )
)
def import_(
    ctx: typer.Context,
    path: Path = typer.Argument(..., metavar="PATH", help=_("The CSV file (see the README).")),
    dry_run: bool = typer.Option(False, "--dry-run", help=_("Check every row; import nothing.")),
    json: JsonOutput = False,
) -> None:
    from staircase.quality.importer import import_observations

    with render.progress(_("Importing")) as advance:
        report = import_observations(request(ctx), path, dry_run=dry_run, progress=advance)
    if wants_json(ctx, json):
        render.print_model(report)
        return
    cases = render.id_list(report.cases)
    if report.dry_run:
        line = ngettext(
            "{n} row is fine (dry run, nothing imported); cases: {cases}",
            "{n} rows are fine (dry run, nothing imported); cases: {cases}",
            report.rows,
        ).format(n=report.rows, cases=cases)
    else:
        line = _(
            "imported {n} observations on cases {cases}; "
            "moved {moved}, proposals {proposals}, escalations {escalations}"
        ).format(
            n=report.observations,
            cases=cases,
            moved=report.moved,
            proposals=report.proposals,
            escalations=report.escalations,
        )
    render.console().print(line, soft_wrap=True, markup=False)


@helps(
    _(
        "Per unit and month: cases per step, moves, time to acknowledge, time back (§7.4).\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase stats --unit solhaven --since 2026-01-01"
    )
)
def stats(
    ctx: typer.Context,
    unit: list[str] | None = Units,
    since: str | None = Since,
    until: str | None = Until,
    json: JsonOutput = False,
) -> None:
    from staircase.quality.scope import Criteria
    from staircase.quality.stats import statistics

    result = statistics(request(ctx), Criteria(tuple(unit or ()), since, until))
    if wants_json(ctx, json):
        render.print_model(result)
        return

    def number(value: float | None) -> str:
        return "–" if value is None else f"{value:.1f}".replace(".", ",")

    render.table(
        _("Statistics {since} – {until}").format(
            since=render.local_time(result.since), until=render.local_time(result.until)
        ),
        [_("Unit"), _("Month"), _("Cases per step *"), _("Up"), _("Down"),
         _("Acknowledged (h)"), _("Back (d)")],
        [
            [m.unit, m.month, " / ".join(str(n) for n in m.steps.values()), m.moves_up,
             m.moves_down, number(m.median_hours_to_acknowledge),
             number(m.median_days_back_to_bottom)]
            for m in result.months
        ],
    )  # fmt: skip
    render.console().print(
        _(
            "* at the end of the month: {steps}. Acknowledged: median hours until an "
            "escalation was acknowledged. Back: median days from a step only a leader "
            "lowers back to the bottom."
        ).format(steps=" / ".join(result.steps.values())),
        markup=False,
    )
