"""What pbx hands the writer, and what the writer answers: frozen, typed, no raw dicts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pbx.ledger.enums import Direction, LegKind, Speaker, WriteStatus


@dataclass(frozen=True)
class CallStart:
    call_id: str
    direction: Direction
    started_at: dt.datetime
    caller_number: str | None = None
    called_number: str | None = None
    campaign_id: int | None = None
    lead_id: int | None = None
    flow_name: str | None = None
    policy_version: str | None = None


@dataclass(frozen=True)
class LegStart:
    call_id: str
    channel_id: str
    kind: LegKind
    started_at: dt.datetime
    endpoint: str | None = None


@dataclass(frozen=True)
class Word:
    text: str
    start_ms: int
    end_ms: int
    confidence: float | None = None


@dataclass(frozen=True)
class UtteranceRecord:
    call_id: str
    utterance_id: str
    speaker: Speaker
    text: str
    is_partial: bool = False
    turn_index: int | None = None
    asr_confidence: float | None = None
    asr_engine: str | None = None
    words: Sequence[Word] = ()
    start_ms: int | None = None
    end_ms: int | None = None
    sentiment: float | None = None
    prosody: Mapping[str, float] | None = None


@dataclass(frozen=True)
class DecisionRecord:
    call_id: str
    decision_id: str
    turn_index: int
    escalate: bool
    reason: str
    score: float
    at: dt.datetime
    queue: str | None = None
    signals: Mapping[str, Any] = field(default_factory=dict)
    policy_version: str | None = None
    utterance_id: str | None = None
    on_partial: bool = False


@dataclass(frozen=True)
class TransferRequest:
    call_id: str
    transfer_id: str
    queue: str
    requested_at: dt.datetime
    reason: str | None = None
    score: float | None = None
    decision_id: str | None = None


@dataclass(frozen=True)
class RecordingStart:
    call_id: str
    name: str
    format: str
    started_at: dt.datetime
    target: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class SupervisorActionRecord:
    event_id: str  # the supervisor.action event's: what makes a redelivery a duplicate
    at: dt.datetime
    action: str  # pbx.api.SupervisorAction
    supervisor: str
    ok: bool
    detail: str = ""
    call_id: str | None = None
    agent: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class WriteResult:
    status: WriteStatus
    call_id: str
    # The seq of the event written: append_event's (also on DUPLICATE), or on CONFLICT the
    # `ledger.conflict` event that keeps the rejected values.
    seq: int | None = None
    detail: str = ""

    @property
    def stored(self) -> bool:
        """The fact given is now in the ledger (new, or it was already there)."""
        return self.status not in (WriteStatus.CONFLICT, WriteStatus.STALE)
