"""evaluations: each case keeps its evaluation; indexes for the rules' windows and for logged_at

Revision ID: 0005_evaluations
Revises: 0004_row_digests
Created: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005_evaluations"
down_revision: str | None = "0004_row_digests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # No rows are written: a case without an evaluation is evaluated by the
    # next assess or tick, exactly as every case was before.
    op.create_table(
        "evaluation",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("indicated", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("why", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("case_id"),
    )
    with op.batch_alter_table("observation") as batch:
        batch.create_index(
            "ix_observation_indicator_at", ["indicator", "occurred_at", "case_id"], unique=False
        )
        batch.create_index("ix_observation_logged_at", ["logged_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("observation") as batch:
        batch.drop_index("ix_observation_logged_at")
        batch.drop_index("ix_observation_indicator_at")
    op.drop_table("evaluation")
