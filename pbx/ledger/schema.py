"""The ledger's tables. Alembic migrates exactly these (every name starts with ``ledger_``).

Append-heavy and written by pbx only. Timestamps are UTC; ``*_ms`` offsets are relative to
the call's start. Ids of things pbx creates (utterances, decisions, transfers, recordings)
are chosen by pbx and unique per call, which is what makes repeated writes idempotent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pbx.ledger.types import BigIntId, JsonDoc, UtcDateTime, utcnow

TABLE_PREFIX = "ledger_"
VERSION_TABLE = "ledger_alembic_version"

# Deterministic constraint names: SQLite batch migrations and `alembic check` need them.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _created() -> Mapped[dt.datetime]:
    return mapped_column(UtcDateTime, default=utcnow)


def _updated() -> Mapped[dt.datetime]:
    return mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


def _call_fk() -> Mapped[str]:
    # CASCADE only matters to a retention purge; pbx never deletes single rows.
    return mapped_column(String(64), ForeignKey("ledger_calls.id", ondelete="CASCADE"))


class Call(Base):
    __tablename__ = "ledger_calls"
    __table_args__ = (
        Index(None, "started_at"),
        Index(None, "campaign_id", "started_at"),
        Index(None, "lead_id"),
        Index(None, "outcome", "started_at"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # pbx's call id (a UUID)
    # True while only out-of-order facts name this call; call_started clears it.
    provisional: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    direction: Mapped[str | None] = mapped_column(String(16))  # Direction; NULL only if provisional
    campaign_id: Mapped[int | None] = mapped_column(BigInteger)  # Django ids: no FK across planes
    lead_id: Mapped[int | None] = mapped_column(BigInteger)
    flow_name: Mapped[str | None] = mapped_column(String(100))
    policy_version: Mapped[str | None] = mapped_column(String(64))
    caller_number: Mapped[str | None] = mapped_column(String(32))  # E.164 where known
    called_number: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(String(32))  # CallOutcome
    hangup_cause: Mapped[str | None] = mapped_column(String(128))
    hangup_cause_code: Mapped[int | None] = mapped_column(Integer)  # Q.850
    escalated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    final_queue: Mapped[str | None] = mapped_column(String(80))
    agent: Mapped[str | None] = mapped_column(String(80))
    # Last seq handed to an event of this call; the row lock on it serialises appends.
    event_seq: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = _updated()


class Leg(Base):
    __tablename__ = "ledger_legs"
    __table_args__ = (Index(None, "call_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    call_id: Mapped[str] = _call_fk()
    channel_id: Mapped[str] = mapped_column(String(128), unique=True)  # ARI channel id
    kind: Mapped[str | None] = mapped_column(String(16))  # LegKind; NULL if only its end was seen
    endpoint: Mapped[str | None] = mapped_column(String(255))  # e.g. PJSIP/agent1, trunk/+4420...
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    cause: Mapped[str | None] = mapped_column(String(128))
    cause_code: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = _updated()


class Event(Base):
    """Append-only timeline of a call; ``seq`` is gap-free per call, from 1."""

    __tablename__ = "ledger_events"
    __table_args__ = (
        UniqueConstraint("call_id", "seq"),
        # A redelivered event (same source id) is stored once; NULL keys never collide.
        UniqueConstraint("call_id", "dedup_key"),
        Index(None, "type", "at"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    call_id: Mapped[str] = _call_fk()
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)  # when it happened (source clock)
    recorded_at: Mapped[dt.datetime] = _created()  # when the ledger stored it
    dedup_key: Mapped[str | None] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDoc)


class Utterance(Base):
    __tablename__ = "ledger_utterances"
    __table_args__ = (
        UniqueConstraint("call_id", "utterance_id"),
        Index(None, "call_id", "start_ms"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    call_id: Mapped[str] = _call_fk()
    utterance_id: Mapped[str] = mapped_column(String(64))
    turn_index: Mapped[int | None] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(16))  # Speaker
    text: Mapped[str] = mapped_column(Text)
    # Partials overwrite the row until the final arrives; word timings let an evaluator
    # re-create the partials it needs, so their history is not kept.
    is_partial: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    asr_confidence: Mapped[float | None] = mapped_column(Float)
    asr_engine: Mapped[str | None] = mapped_column(String(32))
    words: Mapped[list[Any] | None] = mapped_column(JsonDoc)  # [{"w", "start_ms", "end_ms", "conf"}]
    start_ms: Mapped[int | None] = mapped_column(Integer)
    end_ms: Mapped[int | None] = mapped_column(Integer)
    sentiment: Mapped[float | None] = mapped_column(Float)  # -1 .. 1
    prosody: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)  # pitch/energy/rate numbers
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = _updated()


class Decision(Base):
    """One VoiceWatch assessment: stay with the bot or escalate, and why."""

    __tablename__ = "ledger_decisions"
    __table_args__ = (
        UniqueConstraint("call_id", "decision_id"),
        Index(None, "call_id", "turn_index"),
        Index(None, "escalate", "at"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    call_id: Mapped[str] = _call_fk()
    decision_id: Mapped[str] = mapped_column(String(64))
    turn_index: Mapped[int] = mapped_column(Integer)
    utterance_id: Mapped[str | None] = mapped_column(String(64))  # what it was assessing
    on_partial: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    escalate: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(255))
    score: Mapped[float] = mapped_column(Float)
    queue: Mapped[str | None] = mapped_column(String(80))
    signals: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    policy_version: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = _created()


class Transfer(Base):
    """A hand-off to a human queue, with the timings the wallboard's escalation latency needs."""

    __tablename__ = "ledger_transfers"
    __table_args__ = (
        UniqueConstraint("call_id", "transfer_id"),
        Index(None, "queue", "requested_at"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    call_id: Mapped[str] = _call_fk()
    transfer_id: Mapped[str] = mapped_column(String(64))
    decision_id: Mapped[str | None] = mapped_column(String(64))  # the decision that asked for it
    queue: Mapped[str | None] = mapped_column(String(80))  # NULL only on a stand-in row
    reason: Mapped[str | None] = mapped_column(String(255))
    score: Mapped[float | None] = mapped_column(Float)
    requested_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    left_stasis_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    queue_joined_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    agent_connected_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    agent: Mapped[str | None] = mapped_column(String(80))
    result: Mapped[str | None] = mapped_column(String(16))  # TransferResult
    result_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # From the decision (else the request) to QueueCallerJoin: the escalation latency.
    decision_to_queue_ms: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = _updated()


class Recording(Base):
    __tablename__ = "ledger_recordings"
    __table_args__ = (UniqueConstraint("call_id", "name"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    call_id: Mapped[str] = _call_fk()
    name: Mapped[str] = mapped_column(String(128))  # ARI recording name
    target: Mapped[str | None] = mapped_column(String(128))  # channel or bridge id recorded
    format: Mapped[str] = mapped_column(String(16))
    path: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = _updated()


class SupervisorActionRow(Base):
    """A supervisor's action (``supervisor.action``): who listened, whispered, barged, stopped,
    took a call over, or paused or logged out an agent, and whether pbx carried it out.

    ``call_id`` is not a foreign key: an action refused for a call pbx does not know (a stale
    page) is recorded as asked, without inventing a call row for it."""

    __tablename__ = "ledger_supervisor_actions"
    __table_args__ = (
        Index(None, "supervisor", "at"),
        Index(None, "call_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), unique=True)  # the event's: a redelivery is stored once
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    action: Mapped[str] = mapped_column(String(16))  # SupervisorAction
    supervisor: Mapped[str] = mapped_column(String(150))  # the Django user name
    call_id: Mapped[str | None] = mapped_column(String(64))
    agent: Mapped[str | None] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(80))  # the supervisor's phone on the call, or taken to
    ok: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = _created()


class LedgerPosition(Base):
    """How far the ledger has applied an event stream: the Redis id of the last entry written,
    stored in the same transaction as that entry's rows. pbx's own bookkeeping (its restart
    replays the stream from here), not a fact about calls: Django has no model for it."""

    __tablename__ = "ledger_stream_position"

    stream: Mapped[str] = mapped_column(String(100), primary_key=True)  # the Redis key
    entry_id: Mapped[str] = mapped_column(String(41))  # "<ms>-<seq>", as Redis gives it
    # The entry's place in the stream (1 = the first ever added), when known: says how many
    # entries a trim took that the ledger had not applied.
    entries_added: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[dt.datetime] = _updated()


metadata = Base.metadata
# Tables only pbx reads; every other ledger table has an unmanaged Django model.
PBX_ONLY_TABLES = frozenset({LedgerPosition.__tablename__})
