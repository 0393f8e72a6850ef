"""Whole processes, timed and weighed: what a user waits for and what the machine needs.

Every figure is a child process from start to exit, so interpreter start-up
and imports count for the project and the floor alike. Peak memory is the
child's own maximum resident set size, read from ``wait4`` by a bare
launcher (per process, unlike ``RUSAGE_CHILDREN``, which keeps the largest
child ever seen).
"""

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from staircase.errors import BenchFailed
from staircase.i18n import _


@dataclass(frozen=True)
class Sample:
    """One run of one process."""

    seconds: float
    rss_mib: float


@dataclass(frozen=True)
class Figure:
    """The median of a few runs, and how many there were."""

    seconds: float
    rss_mib: float
    runs: int


def staircase_command(*args: str) -> list[str]:
    """``staircase ARGS`` as a user starts it: the installed console script.

    The bench measures the command a user runs, so it runs nothing else: without
    the script (beside this interpreter or on ``PATH``) there is nothing to measure.
    """
    beside = Path(sys.executable).with_name("staircase")
    script = str(beside) if beside.is_file() else shutil.which("staircase")
    if script is None:
        raise BenchFailed(_("the staircase command is not installed; `pip install .` first"))
    return [script, *args]


def child_environment() -> dict[str, str]:
    """This environment without ``STAIRCASE_*``: the user's own database, person or clock
    must never leak into a measured command (each gets ``--db``, ``--as`` and ``--now``)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("STAIRCASE_")}


LAUNCHER = """
import os, sys, time
quiet = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
         (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
start = time.perf_counter()
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ, file_actions=quiet)
_pid, status, usage = os.wait4(pid, 0)
seconds, code = time.perf_counter() - start, os.waitstatus_to_exitcode(status)
with open(sys.argv[1], "w") as result:
    result.write(f"{seconds} {usage.ru_maxrss} {code}")
"""
"""Starts the measured command and writes its wall time, peak RSS (KiB) and exit status
to the file named first (the measured command's own output goes nowhere).

A child records as its peak the resident set of the process it was spawned
from (Linux keeps the spawning memory's high-water mark at ``exec``), so a
command started straight from the bench would weigh at least as much as the
bench itself. Started from this bare interpreter (``-I -S``, a few MiB) it
weighs what it uses.
"""


def run(argv: Sequence[str]) -> Sample:
    """Run one process to its end; a failure stops the bench with the child's last line."""
    with tempfile.TemporaryFile() as err, tempfile.TemporaryDirectory() as folder:
        figures = Path(folder) / "figures"
        launched = subprocess.run(
            [sys.executable, "-I", "-S", "-c", LAUNCHER, str(figures), *argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=child_environment(),
            check=False,
        )
        written = figures.read_text().split() if figures.exists() else []
        seconds, rss_kib, code = written or ("0", "0", launched.returncode)
        if launched.returncode != 0 or int(code) != 0:
            err.seek(0)
            why = _reason(err.read().decode(errors="replace"))
            raise BenchFailed(
                _("`{command}` failed with exit {code}: {why}").format(
                    command=_shown(argv), code=code, why=why
                )
            )
    return Sample(float(seconds), int(rss_kib) / 1024)


@contextmanager
def running(argv: Sequence[str]) -> Iterator[None]:
    """A process left running in the background while the caller measures another;
    waited for at the end, and a failure of it stops the bench like any other."""
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=child_environment(),
        )
        try:
            yield
        finally:
            code = child.wait()
        if code != 0:
            err.seek(0)
            why = _reason(err.read().decode(errors="replace"))
            raise BenchFailed(
                _("`{command}` failed with exit {code}: {why}").format(
                    command=_shown(argv), code=code, why=why
                )
            )


def _shown(argv: Sequence[str]) -> str:
    return " ".join(a if len(a) < 80 else a[:77] + "..." for a in argv[:8])


def _reason(stderr: str) -> str:
    """The line of a failed command's output that says why: its own one-line error, else
    the exception of a traceback, else the last line."""
    lines = [line for line in stderr.strip().splitlines() if line.strip()] or [_("(no output)")]
    for line in reversed(lines):
        if line.startswith("staircase:") or re.match(r"[\w.]+(Error|Exception)\b", line):
            return line
    return lines[-1]


def median(samples: Sequence[Sample]) -> Figure:
    return Figure(
        statistics.median(s.seconds for s in samples),
        statistics.median(s.rss_mib for s in samples),
        len(samples),
    )


def alternate(
    ours: Callable[[], Sample], theirs: Callable[[], Sample], repeats: int
) -> tuple[Figure, Figure]:
    """Run ours and theirs turn about, ``repeats`` times each: a machine that slows down
    for a while (other work on two shared cores) then weighs on both alike."""
    mine, floor = [], []
    for _repeat in range(repeats):
        mine.append(ours())
        floor.append(theirs())
    return median(mine), median(floor)
