"""``staircase bench``: the project against the raw-sqlite3 floor, on one table (§8)."""

from pathlib import Path

import typer

from staircase.cli import render
from staircase.cli.options import helps
from staircase.i18n import _


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
    with render.progress("Benchmark") as advance:
        report = run_bench(settings, advance)
    if json:
        render.print_model(report)
    else:
        print_report(report)


def print_report(report) -> None:
    """The header (size and machine) and the one table, operation by operation."""
    out = render.console()
    machine = report.machine
    out.print(
        f"staircase bench: {report.cases:,} cases, {report.observations:,} observations, "
        f"{report.units} units in {report.areas} area{'s' if report.areas > 1 else ''}, "
        f"{report.residents:,} residents, "
        f"{report.staff:,} staff; {report.database}; medians of {report.repeats}",
        markup=False,
    )
    out.print(
        f"machine: {machine.cpu}, {machine.cores} cores, {machine.memory_gib} GiB, "
        f"{machine.system}, Python {machine.python}, SQLite {machine.sqlite}",
        markup=False,
    )
    out.print(
        f"built in {report.build_seconds:.1f} s (floor {report.floor_build_seconds:.1f} s); "
        f"floor: {report.floor_source}",
        markup=False,
    )
    render.table(
        "§8 budgets",
        ("operation", "staircase", "floor", "ratio", "budget", "result"),
        [
            (
                row.operation,
                figure(row.staircase, row.unit),
                figure(row.floor, row.unit),
                "" if row.ratio is None else f"{row.ratio:.2f}×",
                row.budget,
                row.status,
            )
            for row in report.rows
        ],
    )
    for row in report.rows:
        if row.note:
            out.print(f"{row.operation}: {row.note}", markup=False)
    floors = dict.fromkeys(row.floor_is for row in report.rows if row.floor_is)
    out.print("floors: " + "; ".join(floors), markup=False)


def figure(value: float | None, unit: str) -> str:
    """A figure as the table shows it (also the README's, ``benchmarks/run.py --markdown``)."""
    if value is None:
        return "—"
    if unit == "×":
        return f"{value:.2f}×"
    if unit == "MiB":
        return f"{value:.0f} MiB"
    return f"{value:.3f} s"
