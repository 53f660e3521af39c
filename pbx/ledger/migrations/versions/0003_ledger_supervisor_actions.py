"""ledger supervisor actions: who listened, whispered, barged, took a call over or forced an agent's state

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "ledger_supervisor_actions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("supervisor", sa.String(length=150), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=True),
        sa.Column("agent", sa.String(length=80), nullable=True),
        sa.Column("phone", sa.String(length=80), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_supervisor_actions")),
        sa.UniqueConstraint("event_id", name=op.f("uq_ledger_supervisor_actions_event_id")),
    )
    op.create_index(
        op.f("ix_ledger_supervisor_actions_call_id"), "ledger_supervisor_actions", ["call_id"], unique=False
    )
    op.create_index(
        op.f("ix_ledger_supervisor_actions_supervisor_at"),
        "ledger_supervisor_actions",
        ["supervisor", "at"],
        unique=False,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_ledger_supervisor_actions_supervisor_at"), table_name="ledger_supervisor_actions")
    op.drop_index(op.f("ix_ledger_supervisor_actions_call_id"), table_name="ledger_supervisor_actions")
    op.drop_table("ledger_supervisor_actions")
