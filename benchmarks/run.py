"""The benchmark as a script (issue 14): the same library function as ``staircase bench``.

    python benchmarks/run.py [--cases N] [--observations M] [--repeats R] [--json]

Run it from the repository with the project installed (``pip install -e .``).
"""

import argparse
import sys
from pathlib import Path

from staircase.bench.suite import Settings, run_bench
from staircase.cli.bench import print_report
from staircase.cli.render import print_model


def main() -> int:
    given = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    given.add_argument("--cases", type=int, default=Settings.cases)
    given.add_argument("--observations", type=int, default=Settings.observations)
    given.add_argument("--db", default=None, help="SQLite URL of a new file, or a PostgreSQL URL")
    given.add_argument("--keep", type=Path, default=None, help="keep the databases here")
    given.add_argument("--repeats", type=int, default=Settings.repeats)
    given.add_argument("--json", action="store_true")
    args = given.parse_args()
    settings = Settings(args.cases, args.observations, args.db, args.keep, args.repeats)
    report = run_bench(settings, lambda done, total, what: None)
    if args.json:
        print_model(report)
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
