"""What every test of stored evaluations checks: they say what the engine says now."""

from datetime import datetime

from sqlmodel import Session, col, select

from staircase.cases import consequences, evaluations
from staircase.clock import iso_utc
from staircase.core.lookup import pack_for
from staircase.db.models import Case, CaseEvaluation
from staircase.db.store import session_scope
from staircase.domain.engine import Evaluation, evaluate


def fresh(session: Session, case: Case, now: datetime) -> Evaluation:
    """The engine's evaluation of all the case's observations, read afresh, with what
    people have ruled on (a person's move down sets the evidence before it aside)."""
    pack = pack_for(session, case)
    state = consequences.case_state(session, case, pack)
    return evaluate(pack, consequences.facts(session, case.id), state, now)


def open_cases(session: Session) -> list[Case]:
    return list(session.exec(select(Case).where(col(Case.closed_at).is_(None)).order_by(Case.id)))


def why_pairs(evaluation: Evaluation) -> list[tuple[str, list[int]]]:
    return [(r.rule, list(r.observations)) for r in evaluation.why]


def seen_of(session: Session, case_id: int, evaluation: Evaluation) -> list[tuple[int, str, str]]:
    """What a leader's view shows each reason rests on, read from the observations."""
    facts = {f.observation: f for f in consequences.facts(session, case_id)}
    return [
        (o, facts[o].indicator, iso_utc(facts[o].at))
        for reason in evaluation.why
        for o in dict.fromkeys(reason.observations)
    ]


def stored_are_fresh(url: str, now: datetime, *, all_stored: bool = False) -> int:
    """Every stored evaluation not yet due says what the engine says now; returns how
    many were compared. ``all_stored``: every open case must have one."""
    compared = 0
    with session_scope(url, write=False) as session:
        for case in open_cases(session):
            stored = session.get(CaseEvaluation, case.id)
            assert stored is not None or not all_stored, f"case {case.id} has no evaluation"
            if stored is None or (stored.due_at is not None and stored.due_at <= now):
                continue
            evidence = evaluations.evidence(stored.why)
            why = [(w["rule"], w["observations"]) for w in evidence["why"]]
            seen = [(s["id"], s["indicator"], s["occurred_at"]) for s in evidence["seen"]]
            evaluation = fresh(session, case, now)
            assert (stored.indicated, why, seen) == (
                evaluation.indicated,
                why_pairs(evaluation),
                seen_of(session, case.id, evaluation),
            ), f"case {case.id} at {now}"
            compared += 1
    return compared
