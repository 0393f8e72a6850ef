"""What the bench found: one row per operation, with its §8 budget and verdict."""

import os
import platform
import sqlite3
from typing import Literal

from pydantic import BaseModel, computed_field

Status = Literal["pass", "fail", "not built", "info"]


class Budget(BaseModel):
    """A §8 budget: at most ``limit`` times the floor, or at most ``limit`` itself
    (``absolute``), or inside ``[low, limit]`` for a ratio that must stay flat."""

    text: str
    limit: float
    absolute: bool = False
    low: float | None = None

    def holds(self, staircase: float, ratio: float | None) -> bool:
        value = staircase if self.absolute or ratio is None else ratio
        return value <= self.limit and (self.low is None or value >= self.low)


class BenchRow(BaseModel):
    """One operation: the project's figure, the floor's, their ratio and the verdict."""

    operation: str
    unit: Literal["s", "MiB", "×"]
    staircase: float | None
    floor: float | None
    floor_is: str
    budget: str
    status: Status
    runs: int = 0
    note: str = ""

    @computed_field
    @property
    def ratio(self) -> float | None:
        if self.staircase is None or not self.floor:
            return None
        return self.staircase / self.floor


def measured(
    operation: str,
    *,
    staircase: float,
    floor: float | None,
    floor_is: str,
    budget: Budget | None,
    unit: Literal["s", "MiB", "×"] = "s",
    runs: int = 0,
    note: str = "",
) -> BenchRow:
    """A row for something that ran; without a budget it is shown for information."""
    ratio = staircase / floor if floor else None
    status: Status = "info"
    if budget is not None:
        status = "pass" if budget.holds(staircase, ratio) else "fail"
    return BenchRow(
        operation=operation,
        unit=unit,
        staircase=staircase,
        floor=floor,
        floor_is=floor_is,
        budget=budget.text if budget else "—",
        status=status,
        runs=runs,
        note=note,
    )


def not_built(
    operation: str, *, floor: float | None, floor_is: str, budget: Budget, note: str, runs: int
) -> BenchRow:
    """A §8 operation the program cannot do yet: its floor is still measured and shown."""
    return BenchRow(
        operation=operation,
        unit="s",
        staircase=None,
        floor=floor,
        floor_is=floor_is,
        budget=budget.text,
        status="not built",
        runs=runs,
        note=note,
    )


class Machine(BaseModel):
    """What the figures were measured on."""

    cpu: str
    cores: int
    memory_gib: float
    system: str
    python: str
    sqlite: str

    @classmethod
    def here(cls) -> "Machine":
        return cls(
            cpu=_cpu_model(),
            cores=os.cpu_count() or 0,
            memory_gib=round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
            system=f"{platform.system()} {platform.release()}",
            python=platform.python_version(),
            sqlite=sqlite3.sqlite_version,
        )


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


class BenchReport(BaseModel):
    """The whole run; ``--json`` is its dump."""

    cases: int
    observations: int
    units: int
    areas: int
    residents: int
    staff: int
    database: str
    floor_source: str
    repeats: int
    build_seconds: float
    floor_build_seconds: float
    machine: Machine
    rows: list[BenchRow]

    @computed_field
    @property
    def failed(self) -> int:
        return sum(row.status == "fail" for row in self.rows)
