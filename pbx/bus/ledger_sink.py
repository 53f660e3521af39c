"""Write pbx's events into the call ledger (pbx is its only writer)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pbx.api import (
    EVENTS_STREAM,
    AgentConnected,
    CallAnswered,
    CallEnded,
    CallEscalated,
    CallQueued,
    CallStarted,
    DecisionMade,
    Event,
    QueueAbandoned,
    ReturnedToBot,
    SupervisorActed,
    SupervisorAction,
    UtteranceHeard,
    VoicemailLeft,
)
from pbx.bus.stream_position import StreamPosition
from pbx.ledger import LedgerWriter
from pbx.ledger.batch import ThreadedBatches
from pbx.ledger.enums import Direction, LegKind, Speaker, TransferResult, TransferStage
from pbx.ledger.records import (
    CallStart,
    DecisionRecord,
    LegStart,
    SupervisorActionRecord,
    TransferRequest,
    UtteranceRecord,
)


def _at(event: Event) -> dt.datetime:
    return dt.datetime.fromtimestamp(event.at, tz=dt.timezone.utc)


class LedgerSink:
    """Writes events into the ledger, a batch of them in one transaction (on a worker thread
    when ``batches`` is given: SQLite), with how far they take the ledger along ``stream``."""

    def __init__(self, writer: LedgerWriter, batches: ThreadedBatches | None = None,
                 stream: str = EVENTS_STREAM) -> None:  # fmt: skip
        self._writer = writer
        self._batches = batches
        self._stream = stream

    async def __call__(self, event: Event) -> None:
        await self.write_batch([event])

    async def write_batch(self, events: Sequence[Event], position: StreamPosition | None = None) -> None:
        if self._batches is not None:
            await self._batches.run(lambda writer: self._write_all(writer, events, position))
            return
        async with self._writer.transaction() as writer:
            await self._write_all(writer, events, position)

    async def position(self) -> StreamPosition | None:
        """How far the ledger has applied the stream (None: it never noted it)."""
        async with self._writer.transaction() as writer:
            stored = await writer.stream_position(self._stream)
        return None if stored is None else StreamPosition(*stored)

    async def _write_all(self, writer: LedgerWriter, events: Sequence[Event], position: StreamPosition | None) -> None:
        for event in events:
            await write_event(writer, event)
        if position is not None:
            await writer.stream_applied(self._stream, position.entry_id, position.entries_added)


async def write_event(w: LedgerWriter, event: Event) -> None:
    """The event's facts (call, utterance, decision, transfer rows) and its timeline entry."""
    if isinstance(event, SupervisorActed):
        await w.supervisor_acted(SupervisorActionRecord(
            event_id=event.event_id, at=_at(event), action=event.action, supervisor=event.supervisor, ok=event.ok,
            detail=event.detail, call_id=event.call_id, agent=event.agent or None, phone=event.phone or None,
        ))  # fmt: skip
        if not event.ok:
            return  # on its row only: a call id a stale page sent must not make a call row
    if event.call_id is None:
        return
    call_id = event.call_id
    if isinstance(event, CallStarted):
        await w.call_started(CallStart(
            call_id=call_id, direction=Direction(event.direction), started_at=_at(event),
            called_number=event.endpoint or None, caller_number=event.caller[:32] or None,
            campaign_id=event.campaign_id, lead_id=event.lead_id,
            flow_name=event.flow or None,
        ))  # fmt: skip
    elif isinstance(event, CallAnswered):
        await w.call_answered(call_id, at=_at(event))
    elif isinstance(event, UtteranceHeard):
        await w.add_utterance(UtteranceRecord(
            call_id=call_id, utterance_id=event.utterance_id, speaker=Speaker(event.speaker), text=event.text,
            is_partial=not event.final, asr_confidence=event.confidence, start_ms=event.start_ms,
            end_ms=event.end_ms, sentiment=event.sentiment,
            prosody={**(event.prosody or {}), **({"silence_before_s": event.silence_before_s}
                                                if event.silence_before_s is not None else {})} or None,
        ))  # fmt: skip
    elif isinstance(event, DecisionMade):
        await w.add_decision(DecisionRecord(
            call_id=call_id, decision_id=event.event_id, turn_index=event.turn, escalate=event.escalate,
            reason=event.reason or "", score=event.score, at=_at(event), queue=event.queue,
            signals={"explanation": event.explanation},
        ))  # fmt: skip
    elif isinstance(event, CallEscalated):
        await w.transfer_requested(TransferRequest(
            call_id=call_id, transfer_id=event.transfer_id or event.event_id, queue=event.queue,
            requested_at=dt.datetime.fromtimestamp(event.decided_at or event.at, tz=dt.timezone.utc),
            reason=event.reason, score=event.score,
        ))  # fmt: skip
    elif isinstance(event, CallQueued) and event.transfer_id:
        await w.transfer_progress(call_id, event.transfer_id, TransferStage.QUEUE_JOINED, at=_at(event),
                                  queue=event.queue or None)  # fmt: skip
    elif isinstance(event, AgentConnected) and event.transfer_id:
        await w.transfer_progress(call_id, event.transfer_id, TransferStage.AGENT_CONNECTED, at=_at(event),
                                  queue=event.queue or None, agent=event.agent or None)  # fmt: skip
    elif isinstance(event, ReturnedToBot | QueueAbandoned) and event.transfer_id:
        result = TransferResult.TIMEOUT if isinstance(event, ReturnedToBot) else TransferResult.ABANDONED
        await w.transfer_result(call_id, event.transfer_id, result, at=_at(event))
    elif isinstance(event, VoicemailLeft):
        # The after-hours message is the call's recording: found where any call's recordings are.
        await w.recording_finished(call_id, "voicemail", format="wav", path=event.path, at=_at(event))
    elif isinstance(event, CallEnded):
        await w.call_ended(call_id, event.outcome, event.cause or None, at=_at(event))
    elif isinstance(event, SupervisorActed) and event.leg:
        # The supervisor's phone on the call: one snoop leg from the first mode heard to the stop.
        if event.action == SupervisorAction.STOP:
            await w.leg_ended(call_id, event.leg, at=_at(event))
        else:
            await w.leg_started(LegStart(call_id=call_id, channel_id=event.leg, kind=LegKind.SNOOP, started_at=_at(event),
                                         endpoint=f"PJSIP/{event.phone}" if event.phone else None))  # fmt: skip
    await w.append_event(call_id, event.type, event.model_dump(mode="json", exclude={"call_id"}),
                         at=_at(event), dedup_key=event.event_id)  # fmt: skip
