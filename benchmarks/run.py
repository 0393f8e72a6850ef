"""The benchmark as a script (issue 14): the same library function as ``staircase bench``.

    python benchmarks/run.py [--cases N] [--observations M] [--repeats R] [--db URL] [--json]
    python benchmarks/run.py --markdown [--from bench.json]

``--markdown`` prints the README's Performance table; ``--from`` renders an
earlier ``--json`` run instead of measuring again. Run it from the
repository with the project installed (``pip install -e .``).
"""

import argparse
import sys
from pathlib import Path

from staircase.bench.report import BenchReport
from staircase.bench.suite import Settings, run_bench
from staircase.cli.bench import figure, print_report
from staircase.cli.render import print_model


def markdown(report: BenchReport) -> str:
    """The run as the README shows it: what was built, on what, and the one table."""
    machine = report.machine
    lines = [
        f"{report.cases:,} cases, {report.observations:,} observations, {report.units} homes "
        f"in {report.areas} areas, {report.residents:,} residents, {report.staff:,} staff; "
        f"{report.database}; runs per figure: {report.repeats}. Built in "
        f"{report.build_seconds:.0f} s (the floor's twin in {report.floor_build_seconds:.0f} s).",
        "",
        f"Machine: {machine.cpu}, {machine.cores} cores, {machine.memory_gib} GiB, "
        f"{machine.system}, Python {machine.python}, SQLite {machine.sqlite}.",
        "",
        "| operation | staircase | floor | ratio | budget | result |",
        "|---|---|---|---|---|---|",
    ]
    for row in report.rows:
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}×"
        lines.append(
            f"| {row.operation} | {figure(row.staircase, row.unit)} | "
            f"{figure(row.floor, row.unit)} | {ratio} | {row.budget} | {row.status} |"
        )
    return "\n".join(lines)


def main() -> int:
    given = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    given.add_argument("--cases", type=int, default=Settings.cases)
    given.add_argument("--observations", type=int, default=Settings.observations)
    given.add_argument("--db", default=None, help="SQLite URL of a new file, or a PostgreSQL URL")
    given.add_argument("--keep", type=Path, default=None, help="keep the databases here")
    given.add_argument("--repeats", type=int, default=Settings.repeats)
    given.add_argument("--json", action="store_true")
    given.add_argument("--markdown", action="store_true", help="the README's table")
    given.add_argument("--from", dest="source", type=Path, help="an earlier --json run")
    args = given.parse_args()
    if args.source is not None:
        report = BenchReport.model_validate_json(args.source.read_text())
    else:
        settings = Settings(args.cases, args.observations, args.db, args.keep, args.repeats)
        report = run_bench(settings, lambda done, total, what: None)
    if args.json:
        print_model(report)
    elif args.markdown:
        print(markdown(report))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
