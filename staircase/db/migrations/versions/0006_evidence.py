"""evidence: a stored evaluation keeps what its reasons rest on (kendetegn and time)

Revision ID: 0006_evidence
Revises: 0005_evaluations
Created: 2026-11-24
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0006_evidence"
down_revision: str | None = "0005_evaluations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1_000

_evaluation = sa.table("evaluation", sa.column("case_id", sa.Integer), sa.column("why", sa.String))
_observation = sa.table(
    "observation",
    sa.column("id", sa.Integer),
    sa.column("indicator", sa.String),
    sa.column("occurred_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    # The stored "why" was ``rule=obs,obs;rule=obs``; it becomes the JSON of the assess
    # view's ``why`` and ``seen``, each observation with its kendetegn and time. The rows
    # are rewritten in place, keeping what tick has settled: a municipality's first tick
    # after the upgrade has no more to do than before it.
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_evaluation.c.case_id, _evaluation.c.why).where(_evaluation.c.why != "")
    ).all()
    for start in range(0, len(rows), _BATCH):
        whys = {case_id: _reasons(why) for case_id, why in rows[start : start + _BATCH]}
        ids = sorted({o for reasons in whys.values() for _, named in reasons for o in named})
        seen = {
            obs_id: {"id": obs_id, "indicator": indicator, "occurred_at": _utc_text(at)}
            for obs_id, indicator, at in bind.execute(
                sa.select(_observation.c.id, _observation.c.indicator, _observation.c.occurred_at)
                .where(_observation.c.id.in_(ids))
                .where(_observation.c.indicator.is_not(None))
            )
        }
        for case_id, reasons in whys.items():
            evidence = {
                "why": [{"rule": rule, "observations": named} for rule, named in reasons],
                "seen": [
                    seen[o] for _, named in reasons for o in dict.fromkeys(named) if o in seen
                ],
            }
            bind.execute(
                _evaluation.update()
                .where(_evaluation.c.case_id == case_id)
                .values(why=json.dumps(evidence, separators=(",", ":")))
            )


def downgrade() -> None:
    # The older program reads only its own form: the evaluations go, and its next
    # assess or tick evaluates every case afresh.
    op.execute("delete from evaluation")


def _reasons(why: str) -> list[tuple[str, list[int]]]:
    """``rule=obs,obs;rule=obs`` as (rule, observation ids) pairs."""
    return [
        (rule, [int(o) for o in ids.split(",") if o])
        for rule, _, ids in (part.partition("=") for part in why.split(";") if part)
    ]


def _utc_text(at: datetime) -> str:
    """A stored time as JSON shows it (``2026-11-21T13:30:00Z``); SQLite gives it naive, in UTC."""
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")
