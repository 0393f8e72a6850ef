"""``staircase bench``: build the municipality, run every §8 operation, compare with the floor.

The order matters and is fixed: each database is built once and saved
(SQLite: a file copy; PostgreSQL: a template database), so every "first
run" starts from the state the build left, and every "second run" follows a first run at once. Our
command and the floor's take turns (``measure.alternate``). An operation
the program does not have yet is reported as "not built", never faked.
"""

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sqlalchemy.engine import make_url

from staircase.bench import floor, synth
from staircase.bench.databases import Site, place, server_for
from staircase.bench.measure import (
    Figure,
    Sample,
    alternate,
    median,
    run,
    running,
    staircase_command,
)
from staircase.bench.report import BenchReport, BenchRow, Budget, Machine, measured, not_built
from staircase.clock import iso_utc
from staircase.db.store import close_engine
from staircase.errors import BenchFailed, InvalidInput
from staircase.i18n import _

Progress = synth.Progress

AT_MOST_FLOOR = Budget(text="≤ 1× floor", limit=1.0)
TWICE_FLOOR = Budget(text="≤ 2× floor", limit=2.0)
THRICE_FLOOR = Budget(text="≤ 3× floor", limit=3.0)
LOG_FLOOR = Budget(text="≤ 1.3× import floor", limit=1.3)
FLAT = Budget(text="1 ± 10 %", limit=1.10, low=0.90)
FLAT_MEMORY = Budget(text="≤ 1.10", limit=1.10)
HELP = Budget(text="≤ 0.150 s", limit=0.150, absolute=True)
NOBODY_WAITS = Budget(text="≤ 2 s", limit=2.0, absolute=True)

FLOOR_ASSESS = "floor.py's assess query"
IMPORT_FLOOR = 'python -c "import staircase.db"'


@dataclass(frozen=True)
class Settings:
    """What ``staircase bench`` was asked for."""

    cases: int = 100_000
    observations: int = 2_000_000
    db: str | None = None
    keep: Path | None = None
    repeats: int = 3


class Bench:
    """One run: where its files live, and the commands it measures."""

    def __init__(self, settings: Settings, work: Path, progress: Progress) -> None:
        self.settings = settings
        self.work = work
        self.progress = progress
        self.server = server_for(settings.db)
        self.sites: list[Site] = []
        self.shape = synth.Shape(settings.cases, settings.observations)
        self.now = iso_utc(synth.NOW)

    def staircase(self, site: Site, who: str, *args: str) -> list[str]:
        return staircase_command("--db", site.url, "--as", who, "--now", self.now, *args)

    def step(self, what: str) -> None:
        self.progress(0, 0, what)

    # -- the databases ---------------------------------------------------------------

    def build(self, name: str, shape: synth.Shape) -> tuple[Site, float, float]:
        """Both databases of one size; returns the site and the two build times."""
        url = place(self.settings.db, self.work, name, self.server)
        site = Site(url, self.work / f"floor-{name}.db", self.server)
        self.sites.append(site)
        self.step(
            _("generating {n:,} observations ({name})").format(n=shape.observations, name=name)
        )
        started = time.perf_counter()
        site.floor.unlink(missing_ok=True)
        floor.build(site.floor, shape.cases, list(floor.rows(shape.cases, shape.observations)))
        floor_seconds = time.perf_counter() - started
        started = time.perf_counter()
        synth.build(site.url, shape, site.floor, self.progress)
        seconds = time.perf_counter() - started
        site.save(self.work / f"{name}.snapshot")
        return site, seconds, floor_seconds

    def close(self) -> None:
        """Let go of every connection; drop the PostgreSQL databases unless ``--keep``."""
        for site in self.sites:
            close_engine(site.url)
        if self.server is not None and self.settings.keep is None:
            self.server.drop_all()

    # -- the operations --------------------------------------------------------------

    def twice(
        self, site: Site, argv: list[str], theirs: Callable[[], Sample]
    ) -> tuple[Figure, Figure, Figure]:
        """A command's first run (from the built state) and its second, each turn about
        with the floor: (first, second, floor)."""
        firsts: list[Sample] = []
        seconds: list[Sample] = []
        floors: list[Sample] = []
        for _repeat in range(self.settings.repeats):
            site.restore()
            firsts.append(run(argv))
            floors.append(theirs())
            seconds.append(run(argv))
            floors.append(theirs())
        return median(firsts), median(seconds), median(floors)

    def floor_assess(self, site: Site) -> Callable[[], Sample]:
        return partial(run, floor.assess_command(site.floor))

    def assess(self, site: Site) -> tuple[list[BenchRow], Figure, Figure]:
        """assess --all, text and --json, first and second run; returns the rows and
        the text first run's figures with its floor's (for the memory rows)."""
        rows: list[BenchRow] = []
        figures = {}
        for label, extra in (("assess --all", ()), ("assess --all --json", ("--json",))):
            self.step(label)
            argv = self.staircase(site, synth.QUALITY, "assess", "--all", *extra)
            figures[label] = self.twice(site, argv, self.floor_assess(site))
            rows += _first_and_second(label, *figures[label], budget=AT_MOST_FLOOR)
        first, _second, base = figures["assess --all"]
        return rows, first, base

    def tick(self, site: Site) -> list[BenchRow]:
        """tick over all cases: the first run after the build, then one with nothing new."""
        self.step("tick")
        argv = self.staircase(site, synth.ADMIN, "tick")
        return _first_and_second(
            "tick", *self.twice(site, argv, self.floor_assess(site)), budget=TWICE_FLOOR
        )

    def recompute(self, site: Site) -> BenchRow:
        """A forced full recompute (``assess --recompute``), once the program has one."""
        help_text = subprocess.run(
            staircase_command("assess", "--help"), capture_output=True, text=True, check=True
        ).stdout
        operation = "assess --all --json --recompute"
        floor_assess = self.floor_assess(site)
        if "--recompute" not in help_text:
            base = median([floor_assess()])
            return not_built(
                operation,
                floor=base.seconds,
                floor_is=FLOOR_ASSESS,
                budget=TWICE_FLOOR,
                note="assess has no --recompute yet",
                runs=0,
            )
        self.step(operation)
        ours, base = alternate(
            lambda: run(self.staircase(site, synth.QUALITY, *operation.split())),
            floor_assess,
            self.settings.repeats,
        )
        return measured(
            operation,
            staircase=ours.seconds,
            floor=base.seconds,
            floor_is=FLOOR_ASSESS,
            budget=TWICE_FLOOR,
            runs=ours.runs,
        )

    def export(self, site: Site) -> tuple[Figure, Figure]:
        """``export --format csv`` of the whole history (every table, pseudonymised) against
        the floor's CSV of observations joined with their cases: (ours, floor)."""
        out = Path(tempfile.mkdtemp(prefix="export-", dir=self.work))
        floor_csv = self.work / "floor-history.csv"
        argv = self.staircase(site, synth.QUALITY, "export", "--format", "csv")
        argv += ["--out", str(out), "--force"]
        ours, base = alternate(
            partial(run, argv),
            partial(run, floor.export_command(site.floor, floor_csv)),
            self.settings.repeats,
        )
        shutil.rmtree(out, ignore_errors=True)
        floor_csv.unlink(missing_ok=True)
        return ours, base

    def import_(self, site: Site) -> BenchRow:
        """``staircase import`` of a file of new observations (``Shape.imported``) into the
        full database, against the floor appending the same file's rows to its own."""
        self.step("import")
        rows = self.shape.imported
        file = self.work / "import.csv"
        floor.write_import(file, self.shape.cases, rows)
        scratch = self.work / "floor-import.db"

        def ours() -> Sample:
            site.restore()
            return run(self.staircase(site, synth.ADMIN, "import", str(file)))

        def theirs() -> Sample:
            shutil.copyfile(site.floor, scratch)
            return run(floor.import_command(scratch, file))

        mine, base = alternate(ours, theirs, self.settings.repeats)
        scratch.unlink(missing_ok=True)
        site.restore()
        return measured(
            f"import, CSV, {rows:,} obs.",
            staircase=mine.seconds,
            floor=base.seconds,
            floor_is="floor import",
            budget=THRICE_FLOOR,
            runs=mine.runs,
        )

    def log_argv(self, site: Site) -> list[str]:
        """One observation on the first case, by its contact person: a plain write."""
        who = synth.contact_of(0, self.shape)
        return self.staircase(site, who, "log", "1", "naervaer", "--note", "bench")

    def log_during_tick(self, site: Site, tick: BenchRow, alone: BenchRow) -> BenchRow:
        """A ``log`` started a quarter into a tick must get through within 2 s (§8).
        One that waits out the lock and fails is this budget's failure, not the bench's."""
        self.step("log during tick")
        site.restore()
        delay = (tick.staircase or 0) / 4
        operation = "log during tick"
        with running(self.staircase(site, synth.ADMIN, "tick")):
            time.sleep(delay)
            try:
                sample = run(self.log_argv(site))
            except BenchFailed as failed:
                return BenchRow(
                    operation=operation,
                    unit="s",
                    staircase=None,
                    floor=alone.staircase,
                    floor_is="log alone, full database",
                    budget=NOBODY_WAITS.text,
                    status="fail",
                    runs=1,
                    note=str(failed),
                )
        return measured(
            operation,
            staircase=sample.seconds,
            floor=alone.staircase,
            floor_is="log alone, full database",
            budget=NOBODY_WAITS,
            runs=1,
            note=f"started {delay:.1f} s into the tick",
        )

    def log(self, empty: Site, full: Site) -> list[BenchRow]:
        """One ``log`` as a whole process on the empty and the full database, against
        importing the database layer alone (§8), and whether it stays flat."""
        self.step("log")
        import_floor = [sys.executable, "-c", "import staircase.db"]
        figures = {}
        for name, site in (("empty", empty), ("full", full)):
            figures[name] = alternate(
                partial(run, self.log_argv(site)), partial(run, import_floor), self.settings.repeats
            )
        rows = [
            measured(
                f"log, {name} database",
                staircase=ours.seconds,
                floor=base.seconds,
                floor_is=IMPORT_FLOOR,
                budget=LOG_FLOOR,
                runs=ours.runs,
            )
            for name, (ours, base) in figures.items()
        ]
        rows.append(
            measured(
                "log, full ÷ empty",
                staircase=figures["full"][0].seconds / figures["empty"][0].seconds,
                floor=None,
                floor_is="",
                budget=FLAT,
                unit="×",
            )
        )
        return rows

    def help(self) -> BenchRow:
        """``staircase --help`` as a whole process; the floor is a bare interpreter."""
        self.step("--help")
        ours, base = alternate(
            lambda: run(staircase_command("--help")),
            lambda: run([sys.executable, "-c", "pass"]),
            self.settings.repeats,
        )
        return measured(
            "--help",
            staircase=ours.seconds,
            floor=base.seconds,
            floor_is='python -c "pass"',
            budget=HELP,
            runs=ours.runs,
        )

    def memory(
        self, what: str, small: tuple[Figure, Figure], big: tuple[Figure, Figure], floor_is: str
    ) -> list[BenchRow]:
        """Peak memory of ``what`` (ours, floor) at a tenth and at the full size, and how
        much it grew: streaming keeps it flat (§8)."""
        rows = [
            measured(
                f"{what} RSS, {n:,} obs.",
                staircase=ours.rss_mib,
                floor=base.rss_mib,
                floor_is=floor_is,
                budget=None,
                unit="MiB",
                runs=ours.runs,
            )
            for n, (ours, base) in (
                (self.shape.tenth().observations, small),
                (self.shape.observations, big),
            )
        ]
        rows.append(
            measured(
                f"{what} RSS, full ÷ tenth",
                staircase=big[0].rss_mib / small[0].rss_mib,
                floor=big[1].rss_mib / small[1].rss_mib,
                floor_is="the floor's own growth",
                budget=FLAT_MEMORY,
                unit="×",
            )
        )
        return rows

    def assess_tenth(self, tenth: Site) -> tuple[Figure, Figure]:
        """assess --all (text, first run) at a tenth of the size, for its memory: (ours, floor)."""
        self.step("assess at a tenth of the size")
        small, _second, small_floor = self.twice(
            tenth,
            self.staircase(tenth, synth.QUALITY, "assess", "--all"),
            self.floor_assess(tenth),
        )
        return small, small_floor


@contextmanager
def _workspace(keep: Path | None) -> Iterator[Path]:
    """The bench's files: in ``--keep PATH`` (left there), else a folder removed at the end."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    work = Path(tempfile.mkdtemp(prefix="staircase-bench-"))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_bench(settings: Settings, progress: Progress) -> BenchReport:
    """Build, measure, compare: the whole benchmark (§8)."""
    if settings.cases < 10 or settings.observations < 10 or settings.repeats < 1:
        raise InvalidInput(_("the bench needs at least 10 cases, 10 observations and 1 repeat"))
    with _workspace(settings.keep) as work:
        bench = Bench(settings, work, progress)
        shape = bench.shape
        try:
            full, build_seconds, floor_seconds = bench.build("full", shape)
            tenth, _built, _size = bench.build("tenth", shape.tenth())
            empty, _built, _size = bench.build("empty", synth.Shape(1, 0))
            rows, text_first, floor_first = bench.assess(full)
            rows.append(bench.recompute(full))
            ticks = bench.tick(full)
            rows += ticks
            bench.step("export")
            exported = bench.export(full)
            rows.append(_export_row(*exported))
            rows.append(bench.import_(full))
            logs = bench.log(empty, full)
            rows += logs
            rows.append(bench.log_during_tick(full, ticks[0], logs[1]))
            rows.append(bench.help())
            small_assess = bench.assess_tenth(tenth)
            rows += bench.memory("assess", small_assess, (text_first, floor_first), FLOOR_ASSESS)
            bench.step("export at a tenth of the size")
            rows += bench.memory("export", bench.export(tenth), exported, "floor export")
        finally:
            bench.close()
    return BenchReport(
        cases=shape.cases,
        observations=shape.observations,
        units=shape.units,
        areas=shape.areas,
        residents=shape.residents,
        staff=shape.staff,
        database=make_url(settings.db or "sqlite://").get_backend_name(),
        floor_source=floor.SOURCE,
        repeats=settings.repeats,
        build_seconds=build_seconds,
        floor_build_seconds=floor_seconds,
        machine=Machine.here(),
        rows=rows,
    )


def _export_row(ours: Figure, base: Figure) -> BenchRow:
    return measured(
        "export history, CSV",
        staircase=ours.seconds,
        floor=base.seconds,
        floor_is="floor export",
        budget=TWICE_FLOOR,
        runs=ours.runs,
    )


def _first_and_second(
    label: str, first: Figure, second: Figure, base: Figure, *, budget: Budget
) -> list[BenchRow]:
    return [
        measured(
            f"{label}, {run_name}",
            staircase=figure.seconds,
            floor=base.seconds,
            floor_is=FLOOR_ASSESS,
            budget=budget,
            runs=figure.runs,
        )
        for run_name, figure in (("1st run", first), ("2nd run", second))
    ]
