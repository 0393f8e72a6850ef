"""``staircase bench``: the project against the raw-sqlite3 floor, on one table (§8)."""

from pathlib import Path

import typer

from staircase.cli import render
from staircase.cli.options import helps
from staircase.i18n import _, ngettext, pgettext


@helps(
    _(
        "Build a synthetic municipality and measure every §8 budget against the raw floor.\n"
        "\n"
        "Never touches your own database: the global --db and STAIRCASE_DB are ignored.\n"
        "Exits non-zero when a measured command fails; a missed budget is reported, not fatal.\n"
        "\n"
        "\b\n"
        "Example:\n"
        "  staircase bench --cases 10000 --observations 200000"
    )
)
def bench(
    cases: int = typer.Option(100_000, "--cases", help=_("Cases in the synthetic municipality.")),
    observations: int = typer.Option(
        2_000_000, "--observations", help=_("Observations, spread over two years.")
    ),
    db: str | None = typer.Option(
        None,
        "--db",
        help=_(
            "Build here: a SQLite URL of a file that does not exist yet, or a "
            "PostgreSQL database to make schemas in (default: a temporary folder)."
        ),
    ),
    keep: Path | None = typer.Option(
        None, "--keep", help=_("Keep the databases in this folder (default: removed at the end).")
    ),
    repeats: int = typer.Option(3, "--repeats", help=_("Runs of each operation (medians).")),
    json: bool = typer.Option(False, "--json", help=_("Machine-readable output.")),
) -> None:
    from staircase.bench.suite import Settings, run_bench

    settings = Settings(cases=cases, observations=observations, db=db, keep=keep, repeats=repeats)
    with render.progress(_("Benchmark")) as advance:
        report = run_bench(settings, advance)
    if json:
        render.print_model(report)
    else:
        print_report(report)


def print_report(report) -> None:
    """The header (size and machine) and the one table, operation by operation."""
    out = render.console()
    machine = report.machine
    areas = ngettext("{areas} area", "{areas} areas", report.areas).format(areas=report.areas)
    out.print(
        _(
            "staircase bench: {cases:,} cases, {observations:,} observations, "
            "{units} units in {areas}, {residents:,} residents, {staff:,} staff; "
            "{database}; medians of {repeats}"
        ).format(
            cases=report.cases,
            observations=report.observations,
            units=report.units,
            areas=areas,
            residents=report.residents,
            staff=report.staff,
            database=report.database,
            repeats=report.repeats,
        ),
        markup=False,
    )
    out.print(
        _(
            "machine: {cpu}, {cores} cores, {memory} GiB, {system}, "
            "Python {python}, SQLite {sqlite}"
        ).format(
            cpu=machine.cpu,
            cores=machine.cores,
            memory=machine.memory_gib,
            system=machine.system,
            python=machine.python,
            sqlite=machine.sqlite,
        ),
        markup=False,
    )
    out.print(
        _("built in {seconds:.1f} s (floor {floor_seconds:.1f} s); floor: {source}").format(
            seconds=report.build_seconds,
            floor_seconds=report.floor_build_seconds,
            source=report.floor_source,
        ),
        markup=False,
    )
    render.table(
        _("§8 budgets"),
        (
            _("operation"),
            "staircase",
            pgettext("bench", "floor"),
            _("ratio"),
            _("budget"),
            _("result"),
        ),
        [
            (
                row.operation,
                figure(row.staircase, row.unit),
                figure(row.floor, row.unit),
                "" if row.ratio is None else f"{row.ratio:.2f}×",
                row.budget,
                _result(row.status),
            )
            for row in report.rows
        ],
    )
    for row in report.rows:
        if row.note:
            out.print(f"{row.operation}: {row.note}", markup=False)
    floors = dict.fromkeys(row.floor_is for row in report.rows if row.floor_is)
    out.print(_("floors: {floors}").format(floors="; ".join(floors)), markup=False)


def _result(status: str) -> str:
    """A row's result in words; the status stays an id in --json."""
    words = {
        "pass": pgettext("bench result", "pass"),
        "fail": pgettext("bench result", "fail"),
        "not built": pgettext("bench result", "not built"),
        "info": pgettext("bench result", "info"),
    }
    return words.get(status, status)


def figure(value: float | None, unit: str) -> str:
    """A figure as the table shows it (also the README's, ``benchmarks/run.py --markdown``)."""
    if value is None:
        return "—"
    if unit == "×":
        return f"{value:.2f}×"
    if unit == "MiB":
        return f"{value:.0f} MiB"
    return f"{value:.3f} s"
