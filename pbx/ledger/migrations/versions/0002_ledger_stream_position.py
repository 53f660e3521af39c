"""ledger stream position: how far the ledger has applied pbx's event stream

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "ledger_stream_position",
        sa.Column("stream", sa.String(length=100), nullable=False),
        sa.Column("entry_id", sa.String(length=41), nullable=False),
        sa.Column("entries_added", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("stream", name=op.f("pk_ledger_stream_position")),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("ledger_stream_position")
