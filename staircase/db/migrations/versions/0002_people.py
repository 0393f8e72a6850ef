"""people and agreements over time (issue 10, items 7 and 8)

Revision ID: 0002_people
Revises: 0001
Created: 2026-11-23

- ``case_change``: contact person, primary flag and consent changed with a
  reason. Existing cases keep the consent they have.
- ``relative.name_key``: the folded name that finds the same person again,
  filled for existing relatives.
- ``staff.left_at``: when a deactivated person left.
- ``agreement_breach`` and ``agreement_review``. A breach no longer ends an
  agreement (§2): each agreement the old program closed as ``broken``
  becomes active again with that breach recorded (by the relative, as the
  old program assumed), so it can be reviewed, broken again or ended.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from staircase.text import key

revision: str = "0002_people"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by_staff", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("field", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("old_value", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("new_value", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["by_staff"], ["staff.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_case_change_case_id"), "case_change", ["case_id"], unique=False)
    for table, person in (("agreement_breach", "recorded_by"), ("agreement_review", "by_staff")):
        _agreement_child(table, person)
    _relative_name_key()
    op.add_column("staff", sa.Column("left_at", sa.DateTime(timezone=True), nullable=True))
    _breaches_from_broken_agreements()


def _agreement_child(table: str, person: str) -> None:
    """``agreement_breach`` and ``agreement_review`` share their frame."""
    own = (
        [
            sa.Column("broken_by", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
            sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
            sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
            sa.Column("observation_id", sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(["observation_id"], ["observation.id"]),
        ]
        if table == "agreement_breach"
        else [
            sa.Column("by_staff", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
            sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
            sa.Column("next_review_at", sa.DateTime(timezone=True), nullable=True),
        ]
    )
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        *own,
        sa.ForeignKeyConstraint(["agreement_id"], ["agreement.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint([person], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f(f"ix_{table}_agreement_id"), table, ["agreement_id"], unique=False)
    op.create_index(op.f(f"ix_{table}_case_id"), table, ["case_id"], unique=False)


def _relative_name_key() -> None:
    """Add ``name_key`` and fill it for the relatives there are.

    Added with an empty default, then filled: SQLite adds a required column
    only with a default, and changing it afterwards would rebuild a table
    that cases refer to. PostgreSQL drops the default again.
    """
    op.add_column(
        "relative",
        sa.Column(
            "name_key",
            sqlmodel.sql.sqltypes.AutoString(length=200),
            nullable=False,
            server_default="",
        ),
    )
    connection = op.get_bind()
    relatives = connection.execute(sa.text("select id, name from relative")).all()
    for relative_id, name in relatives:
        connection.execute(
            sa.text("update relative set name_key = :key where id = :id"),
            {"key": key(name)[:200], "id": relative_id},
        )
    if connection.dialect.name != "sqlite":
        op.alter_column("relative", "name_key", server_default=None)
    op.create_index(op.f("ix_relative_name_key"), "relative", ["name_key"], unique=False)


def _breaches_from_broken_agreements() -> None:
    connection = op.get_bind()
    connection.execute(
        sa.text(
            "insert into agreement_breach (agreement_id, case_id, at, broken_by, recorded_by, note) "
            "select id, case_id, closed_at, 'relative', agreed_by, null from agreement "
            "where status = 'broken'"
        )
    )
    connection.execute(
        sa.text("update agreement set status = 'active', closed_at = null where status = 'broken'")
    )


def downgrade() -> None:
    connection = op.get_bind()
    connection.execute(
        sa.text(
            "update agreement set status = 'broken', closed_at = "
            "(select max(b.at) from agreement_breach b where b.agreement_id = agreement.id) "
            "where status = 'active' and id in (select agreement_id from agreement_breach)"
        )
    )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("left_at")
    op.drop_index(op.f("ix_relative_name_key"), table_name="relative")
    with op.batch_alter_table("relative", schema=None) as batch_op:
        batch_op.drop_column("name_key")
    for table in ("agreement_review", "agreement_breach"):
        op.drop_index(op.f(f"ix_{table}_case_id"), table_name=table)
        op.drop_index(op.f(f"ix_{table}_agreement_id"), table_name=table)
        op.drop_table(table)
    op.drop_index(op.f("ix_case_change_case_id"), table_name="case_change")
    op.drop_table("case_change")
