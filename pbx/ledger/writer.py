"""The only way pbx writes the ledger: one short transaction per fact, or per batch of facts.

Facts arrive from several sources (ARI websocket, AMI, the dialog runtime) that can repeat
or reorder them, and a reconnect can replay a burst. So every method is safe to call twice,
never raises for an unknown call or leg, and tells the caller what happened
(:class:`WriteResult`) instead of making it check first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from pbx.ledger.enums import CallOutcome, TransferResult, TransferStage
from pbx.ledger.records import (
    CallStart,
    DecisionRecord,
    LegStart,
    RecordingStart,
    SupervisorActionRecord,
    TransferRequest,
    UtteranceRecord,
    WriteResult,
)
from pbx.ledger.types import utcnow
from pbx.ledger.writes import (
    calls,
    conversation,
    events,
    legs,
    position,
    recordings,
    supervisor_actions,
    transfers,
)

Clock = Callable[[], dt.datetime]


class LedgerWriter:
    def __init__(self, engine: AsyncEngine, *, clock: Clock = utcnow) -> None:
        self._engine: AsyncEngine | None = engine
        self._clock = clock
        self._conn: AsyncConnection | None = None

    @classmethod
    def bound(cls, conn: AsyncConnection, *, clock: Clock = utcnow) -> LedgerWriter:
        """A writer whose every write goes into ``conn``'s transaction (the caller commits)."""
        writer = cls.__new__(cls)
        writer._engine, writer._clock, writer._conn = None, clock, conn
        return writer

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[LedgerWriter]:
        """A writer whose facts all go into one transaction: a burst of events costs one commit
        (and one trip to SQLite's writer thread) instead of one each. If any write fails, none
        of them is kept."""
        async with self._begin() as conn:
            yield self if self._conn is not None else LedgerWriter.bound(conn, clock=self._clock)

    @contextlib.asynccontextmanager
    async def _begin(self) -> AsyncIterator[AsyncConnection]:
        if self._conn is not None:
            yield self._conn
        else:
            assert self._engine is not None
            async with self._engine.begin() as conn:
                yield conn

    # -- calls ---------------------------------------------------------------------------

    async def call_started(self, call: CallStart) -> WriteResult:
        async with self._begin() as conn:
            return await calls.started(conn, call)

    async def call_answered(self, call_id: str, *, at: dt.datetime | None = None) -> WriteResult:
        async with self._begin() as conn:
            return await calls.answered(conn, call_id, at or self._clock())

    async def call_ended(
        self,
        call_id: str,
        outcome: CallOutcome,
        cause: str | None = None,
        *,
        cause_code: int | None = None,
        at: dt.datetime | None = None,
    ) -> WriteResult:
        async with self._begin() as conn:
            return await calls.ended(conn, call_id, outcome, cause, cause_code, at or self._clock())

    # -- legs ----------------------------------------------------------------------------

    async def leg_started(self, leg: LegStart) -> WriteResult:
        async with self._begin() as conn:
            return await legs.started(conn, leg)

    async def leg_ended(
        self,
        call_id: str,
        channel_id: str,
        *,
        cause: str | None = None,
        cause_code: int | None = None,
        at: dt.datetime | None = None,
    ) -> WriteResult:
        async with self._begin() as conn:
            return await legs.ended(conn, call_id, channel_id, cause, cause_code, at or self._clock())

    # -- timeline ------------------------------------------------------------------------

    async def append_event(
        self,
        call_id: str,
        type: str,  # noqa: A002 - the ledger's column name; callers pass it by position
        payload: Mapping[str, Any] | None = None,
        *,
        at: dt.datetime | None = None,
        dedup_key: str | None = None,
    ) -> WriteResult:
        """Append to the call's timeline; ``result.seq`` is its 1-based, gap-free position.

        ``dedup_key`` (e.g. the Redis stream id or AMI event id) makes a redelivered event a
        DUPLICATE that returns the seq it was first stored under.
        """
        async with self._begin() as conn:
            return await events.append(conn, call_id, type, payload or {}, at or self._clock(), dedup_key)

    # -- conversation --------------------------------------------------------------------

    async def add_utterance(self, utterance: UtteranceRecord) -> WriteResult:
        async with self._begin() as conn:
            return await conversation.utterance(conn, utterance)

    async def add_decision(self, decision: DecisionRecord) -> WriteResult:
        async with self._begin() as conn:
            return await conversation.decision(conn, decision)

    # -- transfers -----------------------------------------------------------------------

    async def transfer_requested(self, request: TransferRequest) -> WriteResult:
        async with self._begin() as conn:
            return await transfers.requested(conn, request)

    async def transfer_progress(
        self,
        call_id: str,
        transfer_id: str,
        stage: TransferStage,
        *,
        at: dt.datetime | None = None,
        queue: str | None = None,
        agent: str | None = None,
    ) -> WriteResult:
        """Record a milestone; AGENT_CONNECTED also sets the result to ANSWERED."""
        async with self._begin() as conn:
            return await transfers.progressed(
                conn, call_id, transfer_id, stage, at or self._clock(), queue, agent
            )

    async def transfer_result(
        self, call_id: str, transfer_id: str, result: TransferResult, *, at: dt.datetime | None = None
    ) -> WriteResult:
        async with self._begin() as conn:
            return await transfers.finished(conn, call_id, transfer_id, result, at or self._clock())

    # -- recordings ----------------------------------------------------------------------

    async def recording_started(self, recording: RecordingStart) -> WriteResult:
        async with self._begin() as conn:
            return await recordings.started(conn, recording)

    async def recording_finished(
        self,
        call_id: str,
        name: str,
        *,
        format: str,  # noqa: A002 - ARI's name for it
        duration_ms: int | None = None,
        path: str | None = None,
        at: dt.datetime | None = None,
    ) -> WriteResult:
        async with self._begin() as conn:
            return await recordings.finished(
                conn, call_id, name, at or self._clock(), duration_ms, path, format
            )

    # -- supervisors ---------------------------------------------------------------------

    async def supervisor_acted(self, action: SupervisorActionRecord) -> WriteResult:
        """One row per action (its event id): a redelivered event is a DUPLICATE."""
        async with self._begin() as conn:
            return await supervisor_actions.recorded(conn, action)

    # -- the event stream ----------------------------------------------------------------

    async def stream_applied(self, stream: str, entry_id: str, entries_added: int | None = None) -> None:
        """Note that the ledger holds ``stream``'s entries through ``entry_id``: written in the
        same transaction as that entry's rows, so a restart replays exactly what is missing."""
        async with self._begin() as conn:
            await position.record(conn, stream, entry_id, entries_added, self._clock())

    async def stream_position(self, stream: str) -> tuple[str, int | None] | None:
        """(entry id, entries added through it) last noted for ``stream``; None if never."""
        async with self._begin() as conn:
            return await position.read(conn, stream)
