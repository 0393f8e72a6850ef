"""row digests: audit entries carry a digest of the rows their transaction wrote

Revision ID: 0004_row_digests
Revises: 0003_trust
Created: 2026-11-23

Entries written before keep an empty ``rows``, which the chain leaves out
of their hashes, so they still verify.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004_row_digests"
down_revision: str | None = "0003_trust"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit") as batch:
        batch.add_column(
            sa.Column("rows", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("audit") as batch:
        batch.drop_column("rows")
