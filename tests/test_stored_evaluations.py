"""Stored evaluations never drift from the engine (issue 14, item 2).

Each case keeps its evaluation and the moment time alone can next change it,
so assess and tick read instead of recomputing. The engine stays the single
source of truth: after any sequence of logs, retractions, decisions, ticks
and clock advances, every stored evaluation that has not come due equals a
fresh evaluation of all the case's observations, assess (stored or forced
to recompute) shows exactly what the engine says, and after a tick no case
has anything left that a re-evaluation would do.
"""

import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from databases import closing_engine, sqlite_copy
from fresh import fresh, open_cases, stored_are_fresh
from home import NOW, Home
from staircase.admin.directory import add_resident
from staircase.cases import consequences
from staircase.cases.assess import assess
from staircase.cases.decide import accept, move, reject
from staircase.cases.observe import Entry, log
from staircase.cases.register import NewCase, open_case
from staircase.cases.tick import tick
from staircase.core.lookup import unit_packs
from staircase.core.work import transaction
from staircase.db.models import Observation, Proposal
from staircase.db.store import session_scope
from staircase.domain.pack import load_pack
from staircase.errors import StaircaseError
from staircase.kinds import ProposalStatus

PACK = load_pack("aarhus")
INDICATORS = [i.id for i in PACK.indicators]
STEPS = [s.id for s in PACK.ladder]

operation = st.one_of(
    st.tuples(
        st.just("log"),
        st.sampled_from([1, 2]),
        st.sampled_from(INDICATORS),
        st.integers(min_value=0, max_value=120),
    ),
    st.tuples(st.just("retract"), st.sampled_from([1, 2])),
    st.tuples(st.just("advance"), st.integers(min_value=0, max_value=70)),
    st.tuples(st.just("tick")),
    st.tuples(st.just("decide"), st.booleans()),
    st.tuples(st.just("move"), st.sampled_from([1, 2]), st.sampled_from(STEPS)),
    st.tuples(st.just("assess"), st.booleans()),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(operation, min_size=1, max_size=10))
def test_stored_evaluations_equal_a_fresh_one_whatever_happens(
    sqlite_template: Path, ops: list[tuple]
) -> None:
    with (
        tempfile.TemporaryDirectory() as folder,
        closing_engine(sqlite_copy(sqlite_template, Path(folder) / "staircase.db")) as url,
    ):
        home = Home(url)
        add_resident(home.as_("ADM"), ref="SOL-2", name="Ib Holm", unit_id="sol")
        open_case(
            home.as_("ADM"),
            NewCase(resident_ref="SOL-2", relative_name="Jens Holm", relation="søn"),
        )
        now = NOW
        for op in ops:
            now = _apply(home, now, op)
            stored_are_fresh(home.url, now)
        _assess_is_the_engine(home, now, recompute=False)
        _assess_is_the_engine(home, now, recompute=True)
        tick(home.as_("ADM", now))
        _nothing_left_to_do(home, now)


def _apply(home: Home, now: datetime, op: tuple) -> datetime:
    """Carry out one drawn operation; a refused one (an illegal move) changes nothing."""
    kind, *args = op
    try:
        if kind == "log":
            case_id, indicator, days_ago = args
            at = f"-{days_ago}d" if days_ago else None
            log(home.as_("AK", now), Entry(case_id, (indicator,), at=at))
        elif kind == "retract":
            last = _last_observation(home, args[0])
            if last is not None:
                log(home.as_("AK", now), Entry(args[0], retracts=last))
        elif kind == "advance":
            return now + timedelta(days=args[0], hours=5)
        elif kind == "tick":
            tick(home.as_("ADM", now))
            _nothing_left_to_do(home, now)
        elif kind == "decide":
            proposal = _open_proposal(home)
            if proposal is not None:
                decide = accept if args[0] else reject
                decide(home.as_("LH", now), proposal, reason="besluttet på mødet")
        elif kind == "move":
            move(home.as_("LH", now), args[0], args[1], reason="lederens vurdering")
        else:
            assess(home.as_("LH", now), recompute=args[0])
    except StaircaseError:
        pass
    return now


def _assess_is_the_engine(home: Home, now: datetime, *, recompute: bool) -> None:
    shown = assess(home.as_("LH", now), recompute=recompute)
    with session_scope(home.url, write=False) as session:
        engine = {c.id: fresh(session, c, now) for c in open_cases(session)}
    assert {
        c.id: (c.indicated_step, [(w.rule, w.observations) for w in c.why]) for c in shown.cases
    } == {
        case_id: (e.indicated, [(r.rule, list(r.observations)) for r in e.why])
        for case_id, e in engine.items()
    }


def _nothing_left_to_do(home: Home, now: datetime) -> None:
    """After a tick, settling every case again (and rolling back) would change nothing."""
    with transaction(home.as_("ADM", now), "tick", dry_run=True) as work:
        packs, _skipped = unit_packs(work.session)
        for case_id, done in consequences.settle(work, open_cases(work.session), packs).items():
            assert not (
                done.moved
                or done.proposals
                or done.withdrawn
                or done.escalations
                or done.closed
                or done.actions
            ), f"tick left work on case {case_id} at {now}: {done}"


def _last_observation(home: Home, case_id: int) -> int | None:
    with session_scope(home.url, write=False) as session:
        retracted = select(Observation.retracts_id).where(col(Observation.retracts_id).is_not(None))
        return session.exec(
            select(Observation.id)
            .where(
                Observation.case_id == case_id,
                col(Observation.indicator).is_not(None),
                col(Observation.id).not_in(retracted),
            )
            .order_by(col(Observation.id).desc())
        ).first()


def _open_proposal(home: Home) -> int | None:
    with session_scope(home.url, write=False) as session:
        return session.exec(
            select(Proposal.id).where(Proposal.status == ProposalStatus.OPEN).order_by(Proposal.id)
        ).first()
