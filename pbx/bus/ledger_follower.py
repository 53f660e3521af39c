"""Writes pbx's events into the call ledger behind the live stream.

The live path (ARI requests, the Redis event stream) must not wait for the ledger: two
SQLite commits per event used to cost more than the originate they recorded. Events are
queued here in order as they are published and one task writes whatever has gathered in one
transaction, once the burst it belongs to pauses. What the ledger cannot take right now
(locked or unreachable database) waits and is retried with back-off; an event the ledger
refuses for good is logged and skipped so it cannot hold up the ones behind it. The Redis
stream has every event either way.

Each batch also stores the stream id of its last event that Redis has numbered (the
publisher tells, ``on_stream``), in the same transaction: a pbx stopped or killed with events
still waiting replays them from the stream at its next start (:mod:`pbx.bus.ledger_catchup`).
While that catch-up runs the live events are held behind the replayed ones. The stored place
never passes an event that was not written: once one is dropped for memory it stays where it
was until the next start replays from there.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.exc import InterfaceError, OperationalError

from pbx.api import Event
from pbx.backoff import Backoff
from pbx.bus.stream_position import StreamPosition

log = logging.getLogger(__name__)

# Writes the events, and the stream position (when given) in the same transaction.
BatchWriter = Callable[[Sequence[Event], StreamPosition | None], Awaitable[None]]

# The database is down or busy, not the event at fault: keep it and try again.
TRANSIENT = (OperationalError, InterfaceError, OSError, asyncio.TimeoutError)


@dataclass(slots=True)
class Queued:
    event: Event
    position: StreamPosition | None = None  # its place in the stream, once Redis gave it one


class LedgerFollower:
    def __init__(self, write_batch: BatchWriter, *, max_batch: int = 200, max_pending: int = 200_000,
                 backoff: Backoff | None = None, linger_s: float = 0.05, max_linger_s: float = 0.5) -> None:  # fmt: skip
        self._write_batch = write_batch
        # A batch holds SQLite's write lock throughout (about 0.8 ms an event): bounded, so the
        # dialer's and the web's writes to the same file get their turn.
        # A burst (the dialer starting fifty calls) is written once it pauses, or every
        # max_linger_s while it lasts: the ledger's work then competes less with the calls'.
        self._linger_s = linger_s
        self._max_linger_s = max_linger_s
        self._last_submit = 0.0
        self._max_batch = max_batch
        self._max_pending = max_pending
        self._backoff = backoff or Backoff(0.2, 5.0)
        self._pending: deque[Queued] = deque()
        # Live events not yet numbered by Redis, by event id (the publisher tells their place).
        self._unnumbered: dict[str, Queued] = {}
        # Live events waiting for the catch-up to finish (None: not holding).
        self._held: deque[Queued] | None = None
        self._keep_position = True  # False once an unwritten event was dropped
        self._wake = asyncio.Event()
        self.written = 0
        self.refused = 0
        self.dropped = 0
        self.last_error: str | None = None
        self.last_error_at: float | None = None

    @property
    def pending(self) -> int:
        return len(self._pending) + len(self._held or ())

    def submit(self, event: Event) -> None:
        """Queue an event (never blocks). Past ``max_pending`` the oldest goes: memory is bounded
        even if the database stays down for hours; the event stream still holds them."""
        item = Queued(event)
        self._unnumbered[event.event_id] = item
        (self._pending if self._held is None else self._held).append(item)
        self._last_submit = time.monotonic()
        if self.pending > self._max_pending:
            self._drop_oldest()
        self._wake.set()

    def on_stream(self, events: Sequence[Event], positions: Sequence[StreamPosition]) -> None:
        """The publisher's word on where these events went in the stream."""
        for event, position in zip(events, positions, strict=True):
            if (item := self._unnumbered.pop(event.event_id, None)) is not None:
                item.position = position

    # -- the catch-up at start -----------------------------------------------------------

    def hold(self) -> None:
        """Keep live events back until :meth:`release`: replayed ones go first."""
        if self._held is None:
            self._held = deque()

    def submit_replayed(self, event: Event, position: StreamPosition) -> None:
        self._pending.append(Queued(event, position))
        self._wake.set()

    @property
    def replay_waiting(self) -> int:
        return len(self._pending) if self._held is not None else 0

    def release(self, caught_up: bool) -> None:
        """Live events follow the replayed ones. Not ``caught_up`` (stopped half-way): they are
        still written, but the stored position stays put so the next start replays the rest."""
        if self._held is None:
            return
        if not caught_up:
            self._stop_moving_position("the catch-up did not finish")
        self._pending.extend(self._held)
        self._held = None
        self._wake.set()

    def _drop_oldest(self) -> None:
        queue = self._held if self._held else self._pending
        self._unnumbered.pop(queue.popleft().event.event_id, None)
        self.dropped += 1
        self._stop_moving_position("events were dropped")
        if self.dropped == 1 or self.dropped % 1000 == 0:
            log.error("ledger %d event(s) behind; %d dropped (still on the event stream)",
                      self.pending, self.dropped)  # fmt: skip

    def _stop_moving_position(self, why: str) -> None:
        if self._keep_position:
            self._keep_position = False
            log.error("ledger: %s; its stream position stays where it is, so the next start replays "
                      "them from the event stream", why)  # fmt: skip

    async def run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            first = time.monotonic()
            while self._linger_s > 0 and time.monotonic() - first < self._max_linger_s:
                quiet_for = time.monotonic() - self._last_submit
                if quiet_for >= self._linger_s:
                    break
                await asyncio.sleep(self._linger_s - quiet_for)
            while self._pending:
                if not await self._write_some():
                    await asyncio.sleep(self._backoff.next_delay())

    async def drain(self, timeout_s: float) -> bool:
        """Write what is queued (at shutdown); False if some is left when time runs out."""
        self.release(caught_up=False)  # no-op unless the catch-up was still running
        deadline = time.monotonic() + timeout_s
        while self._pending and time.monotonic() < deadline:
            try:
                ok = await asyncio.wait_for(self._write_some(), max(0.01, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                break
            if not ok:
                await asyncio.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        if self._pending:
            log.error("ledger: %d event(s) not written at shutdown (on the event stream: the next start replays them)",
                      len(self._pending))  # fmt: skip
        return not self._pending

    async def _write_some(self) -> bool:
        """One batch from the head of the queue; False if the database could not take it."""
        batch = [self._pending[i] for i in range(min(self._max_batch, len(self._pending)))]
        try:
            await self._write_batch([item.event for item in batch], self._position_after(batch))
        except TRANSIENT as exc:
            self._note_error(exc)
            return False
        except Exception:
            if len(batch) == 1:
                self._refuse(batch[0].event)
                return True
            return await self._write_one_by_one(len(batch))
        self._done(len(batch))
        return True

    async def _write_one_by_one(self, count: int) -> bool:
        """A batch failed: find the event at fault, keep the rest."""
        for _ in range(count):
            item = self._pending[0]
            try:
                await self._write_batch([item.event], self._position_after([item]))
            except TRANSIENT as exc:
                self._note_error(exc)
                return False
            except Exception:
                self._refuse(item.event)
                continue
            self._done(1)
        return True

    def _position_after(self, batch: Sequence[Queued]) -> StreamPosition | None:
        """The place of the batch's last numbered event: every entry up to it is then written
        (events reach the stream in the order they are queued here)."""
        if not self._keep_position:
            return None
        return next((item.position for item in reversed(batch) if item.position is not None), None)

    def _done(self, count: int) -> None:
        for _ in range(count):
            self._unnumbered.pop(self._pending.popleft().event.event_id, None)
        self.written += count
        self._backoff.reset()

    def _refuse(self, event: Event) -> None:
        log.exception("the ledger refused %s of call %s; skipped", event.type, event.call_id)
        self._unnumbered.pop(self._pending.popleft().event.event_id, None)
        self.refused += 1

    def _note_error(self, exc: BaseException) -> None:
        self.last_error, self.last_error_at = f"{type(exc).__name__}: {exc}", time.time()
        log.warning("ledger unavailable (%s); %d event(s) waiting", self.last_error, len(self._pending))

    def report(self) -> dict[str, object]:
        return {"pending": self.pending, "written": self.written, "refused": self.refused, "dropped": self.dropped,
                "last_error": self.last_error, "catching_up": self._held is not None}  # fmt: skip
