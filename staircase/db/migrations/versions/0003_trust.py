"""trust: staff bound to accounts, audit entries marked as made on a shared terminal

Revision ID: 0003_trust
Revises: 0002_people
Created: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003_trust"
down_revision: str | None = "0002_people"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(
            sa.Column("login", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch.create_index("ix_staff_login", ["login"], unique=True)
    with op.batch_alter_table("audit") as batch:
        batch.add_column(
            sa.Column("shared", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("audit") as batch:
        batch.drop_column("shared")
    with op.batch_alter_table("staff") as batch:
        batch.drop_index("ix_staff_login")
        batch.drop_column("login")
