"""A rule pack's embedded worked examples, run against the real engine (§4.2).

A quality consultant who edits a pack changes what the staircase does to real
relationships; the ``[[tests]]`` at the bottom of the file are how they see
that the pack still says what it meant to say (``staircase rules test``).
Each test runs the same ``evaluate`` and the same state machine that cases
go through, so a passing test is evidence about production, not a model of it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from staircase.domain.engine import CaseState, Evaluation, Fact, evaluate
from staircase.domain.machine import machine_for
from staircase.domain.pack import Expectation, Pack, PackTest
from staircase.errors import NotAllowed

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
"""Tests date their observations as days before this fixed moment, never the real clock."""

_SETS = ("escalations", "actions", "actions_if_accepted", "why")
"""Expectations compared as sets: the order a pack lists them in carries no meaning."""


@dataclass(frozen=True)
class PackTestResult:
    """One embedded test's verdict, and every way it went wrong (not only the first)."""

    name: str
    passed: bool
    failures: tuple[str, ...] = ()


def run_pack_tests(pack: Pack, *, now: datetime = NOW) -> list[PackTestResult]:
    """Every embedded test of ``pack``, in the order the file lists them."""
    return [_run(pack, test, now) for test in pack.tests]


def _run(pack: Pack, test: PackTest, now: datetime) -> PackTestResult:
    state = _state(pack, test, now)
    evaluation = evaluate(pack, _facts(test, now), state, now)
    failures = _compare(test.expect, _observed(pack, state.step, evaluation))
    return PackTestResult(test.name, not failures, tuple(failures))


def _facts(test: PackTest, now: datetime) -> list[Fact]:
    """The test's observations as the engine sees stored ones, numbered from 1."""
    return [
        Fact(
            observation=number,
            indicator=given.indicator,
            at=now - timedelta(days=given.days_ago),
            retracted=given.retracted,
        )
        for number, given in enumerate(test.observations, start=1)
    ]


def _state(pack: Pack, test: PackTest, now: datetime) -> CaseState:
    """A case on the test's starting step (default: the bottom), arrived when the test says,
    with the observations a person already ruled on dismissed (numbered as ``_facts`` does)."""
    arrived = test.arrived_days_ago
    return CaseState(
        step=test.start or pack.bottom.id,
        calm_floor=None if arrived is None else now - timedelta(days=arrived),
        dismissed=frozenset(
            number for number, given in enumerate(test.observations, start=1) if given.dismissed
        ),
    )


def _observed(pack: Pack, start: str, evaluation: Evaluation) -> dict[str, object]:
    """What happened, keyed like ``Expectation`` so the two compare field by field."""
    orders = evaluation.escalations
    deadlines = [o.acknowledge_days for o in orders if o.acknowledge_days is not None]
    held = _arrive(pack, set(), pack.get_step(start).actions if start != pack.bottom.id else ())
    now_open = _arrive(pack, held, evaluation.actions)
    proposal = evaluation.proposal
    accepted = (
        _arrive(pack, now_open, pack.get_step(proposal.to_step).actions)
        if proposal and pack.rank(proposal.to_step) > pack.rank(start)
        else now_open
    )
    return {
        "indicated": evaluation.indicated,
        "step": _after_auto_move(pack, start, evaluation.auto_to),
        "proposal": evaluation.proposal.to_step if evaluation.proposal else "none",
        "escalations": {role for o in orders for role in (o.to, *o.inform)},
        "escalation_due_days": min(deadlines, default=None),
        "actions": now_open,
        "actions_if_accepted": accepted,
        "why": {reason.rule for reason in evaluation.why},
    }


def _arrive(pack: Pack, open_ids: set[str], arriving: Iterable[str]) -> set[str]:
    """The open actions once ``arriving`` are created, as a real case's would be (§3.4):
    one already open, or replaced by an open one, is not created again; a new one
    closes those it supersedes."""
    result = set(open_ids)
    for action_id in arriving:
        if not pack.covered(action_id, result):
            result = (result - set(pack.supersedes(action_id))) | {action_id}
    return result


def _after_auto_move(pack: Pack, start: str, auto_to: str | None) -> str:
    """The step after the rules' own move, judged by the machine as a real case's would be.

    A refusal is reported as the step it left the case on, so the test fails
    with a readable difference instead of aborting the whole run.
    """
    if auto_to is None:
        return start
    try:
        return machine_for(pack).move(start, auto_to, mover="rules")
    except NotAllowed as refused:
        return f"{start} (machine refused {auto_to}: {refused})"


def _compare(expect: Expectation, observed: dict[str, object]) -> list[str]:
    """One line per expectation that does not hold; omitted expectations are not checked."""
    failures = []
    for field, wanted in expect.model_dump(exclude_none=True).items():
        wanted = set(wanted) if field in _SETS else wanted
        got = observed[field]
        if wanted != got:
            failures.append(f"{field}: expected {_show(wanted)}, got {_show(got)}")
    return failures


def _show(value: object) -> str:
    """``"stoerre"``, ``3``, ``none`` or ``{area_leader, unit_leader}``, as a reader expects."""
    if value is None:
        return "none"
    if isinstance(value, set):
        return "{" + ", ".join(sorted(map(str, value))) + "}"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)
