"""evidence: a stored evaluation keeps what its reasons rest on (kendetegn and time)

Revision ID: 0006_evidence
Revises: 0005_evaluations
Created: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006_evidence"
down_revision: str | None = "0005_evaluations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The stored "why" changed form (it now carries each observation's kendetegn and
    # time). The stored evaluations are a cache of the engine's: they go, and the next
    # assess or tick evaluates every case afresh, as after 0005.
    op.execute("delete from evaluation")


def downgrade() -> None:
    op.execute("delete from evaluation")
