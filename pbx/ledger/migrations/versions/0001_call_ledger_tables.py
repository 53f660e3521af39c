"""call ledger tables: calls, legs, events, utterances, decisions, transfers, recordings

Revision ID: 0001
Revises:
Create Date: 2026-11-25

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "ledger_calls",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("provisional", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=True),
        sa.Column("campaign_id", sa.BigInteger(), nullable=True),
        sa.Column("lead_id", sa.BigInteger(), nullable=True),
        sa.Column("flow_name", sa.String(length=100), nullable=True),
        sa.Column("policy_version", sa.String(length=64), nullable=True),
        sa.Column("caller_number", sa.String(length=32), nullable=True),
        sa.Column("called_number", sa.String(length=32), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("hangup_cause", sa.String(length=128), nullable=True),
        sa.Column("hangup_cause_code", sa.Integer(), nullable=True),
        sa.Column("escalated", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("final_queue", sa.String(length=80), nullable=True),
        sa.Column("agent", sa.String(length=80), nullable=True),
        sa.Column("event_seq", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_calls")),
    )
    op.create_index(
        op.f("ix_ledger_calls_campaign_id_started_at"),
        "ledger_calls",
        ["campaign_id", "started_at"],
        unique=False,
    )
    op.create_index(op.f("ix_ledger_calls_lead_id"), "ledger_calls", ["lead_id"], unique=False)
    op.create_index(
        op.f("ix_ledger_calls_outcome_started_at"), "ledger_calls", ["outcome", "started_at"], unique=False
    )
    op.create_index(op.f("ix_ledger_calls_started_at"), "ledger_calls", ["started_at"], unique=False)

    op.create_table(
        "ledger_decisions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("decision_id", sa.String(length=64), nullable=False),
        sa.Column("turn_index", sa.Integer(), nullable=False),
        sa.Column("utterance_id", sa.String(length=64), nullable=True),
        sa.Column("on_partial", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("escalate", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("queue", sa.String(length=80), nullable=True),
        sa.Column(
            "signals",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("policy_version", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["ledger_calls.id"],
            name=op.f("fk_ledger_decisions_call_id_ledger_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_decisions")),
        sa.UniqueConstraint("call_id", "decision_id", name=op.f("uq_ledger_decisions_call_id_decision_id")),
    )
    op.create_index(
        op.f("ix_ledger_decisions_call_id_turn_index"),
        "ledger_decisions",
        ["call_id", "turn_index"],
        unique=False,
    )
    op.create_index(
        op.f("ix_ledger_decisions_escalate_at"), "ledger_decisions", ["escalate", "at"], unique=False
    )

    op.create_table(
        "ledger_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dedup_key", sa.String(length=128), nullable=True),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["ledger_calls.id"],
            name=op.f("fk_ledger_events_call_id_ledger_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_events")),
        sa.UniqueConstraint("call_id", "dedup_key", name=op.f("uq_ledger_events_call_id_dedup_key")),
        sa.UniqueConstraint("call_id", "seq", name=op.f("uq_ledger_events_call_id_seq")),
    )
    op.create_index(op.f("ix_ledger_events_type_at"), "ledger_events", ["type", "at"], unique=False)

    op.create_table(
        "ledger_legs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("channel_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("endpoint", sa.String(length=255), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cause", sa.String(length=128), nullable=True),
        sa.Column("cause_code", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["ledger_calls.id"],
            name=op.f("fk_ledger_legs_call_id_ledger_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_legs")),
        sa.UniqueConstraint("channel_id", name=op.f("uq_ledger_legs_channel_id")),
    )
    op.create_index(op.f("ix_ledger_legs_call_id"), "ledger_legs", ["call_id"], unique=False)

    op.create_table(
        "ledger_recordings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("target", sa.String(length=128), nullable=True),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("path", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["ledger_calls.id"],
            name=op.f("fk_ledger_recordings_call_id_ledger_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_recordings")),
        sa.UniqueConstraint("call_id", "name", name=op.f("uq_ledger_recordings_call_id_name")),
    )
    op.create_table(
        "ledger_transfers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("transfer_id", sa.String(length=64), nullable=False),
        sa.Column("decision_id", sa.String(length=64), nullable=True),
        sa.Column("queue", sa.String(length=80), nullable=True),
        sa.Column("reason", sa.String(length=255), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("left_stasis_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("queue_joined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("agent_connected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("agent", sa.String(length=80), nullable=True),
        sa.Column("result", sa.String(length=16), nullable=True),
        sa.Column("result_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_to_queue_ms", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["ledger_calls.id"],
            name=op.f("fk_ledger_transfers_call_id_ledger_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_transfers")),
        sa.UniqueConstraint("call_id", "transfer_id", name=op.f("uq_ledger_transfers_call_id_transfer_id")),
    )
    op.create_index(
        op.f("ix_ledger_transfers_queue_requested_at"),
        "ledger_transfers",
        ["queue", "requested_at"],
        unique=False,
    )

    op.create_table(
        "ledger_utterances",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("call_id", sa.String(length=64), nullable=False),
        sa.Column("utterance_id", sa.String(length=64), nullable=False),
        sa.Column("turn_index", sa.Integer(), nullable=True),
        sa.Column("speaker", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("is_partial", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("asr_confidence", sa.Float(), nullable=True),
        sa.Column("asr_engine", sa.String(length=32), nullable=True),
        sa.Column(
            "words",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("start_ms", sa.Integer(), nullable=True),
        sa.Column("end_ms", sa.Integer(), nullable=True),
        sa.Column("sentiment", sa.Float(), nullable=True),
        sa.Column(
            "prosody",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["ledger_calls.id"],
            name=op.f("fk_ledger_utterances_call_id_ledger_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_utterances")),
        sa.UniqueConstraint(
            "call_id", "utterance_id", name=op.f("uq_ledger_utterances_call_id_utterance_id")
        ),
    )
    op.create_index(
        op.f("ix_ledger_utterances_call_id_start_ms"),
        "ledger_utterances",
        ["call_id", "start_ms"],
        unique=False,
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_ledger_utterances_call_id_start_ms"), table_name="ledger_utterances")

    op.drop_table("ledger_utterances")
    op.drop_index(op.f("ix_ledger_transfers_queue_requested_at"), table_name="ledger_transfers")

    op.drop_table("ledger_transfers")
    op.drop_table("ledger_recordings")
    op.drop_index(op.f("ix_ledger_legs_call_id"), table_name="ledger_legs")

    op.drop_table("ledger_legs")
    op.drop_index(op.f("ix_ledger_events_type_at"), table_name="ledger_events")

    op.drop_table("ledger_events")
    op.drop_index(op.f("ix_ledger_decisions_escalate_at"), table_name="ledger_decisions")
    op.drop_index(op.f("ix_ledger_decisions_call_id_turn_index"), table_name="ledger_decisions")

    op.drop_table("ledger_decisions")
    op.drop_index(op.f("ix_ledger_calls_started_at"), table_name="ledger_calls")
    op.drop_index(op.f("ix_ledger_calls_outcome_started_at"), table_name="ledger_calls")
    op.drop_index(op.f("ix_ledger_calls_lead_id"), table_name="ledger_calls")
    op.drop_index(op.f("ix_ledger_calls_campaign_id_started_at"), table_name="ledger_calls")

    op.drop_table("ledger_calls")
