"""Writes pbx's events into the call ledger behind the live stream.

The live path (ARI requests, the Redis event stream) must not wait for the ledger: two
SQLite commits per event used to cost more than the originate they recorded. Events are
queued here in order as they are published and one task writes whatever has gathered in one
transaction, once the burst it belongs to pauses. What the ledger cannot take right now
(locked or unreachable database) waits and is retried with back-off; an event the ledger
refuses for good is logged and skipped so it cannot hold up the ones behind it. The Redis
stream has every event either way.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.exc import InterfaceError, OperationalError

from pbx.api import Event
from pbx.backoff import Backoff

log = logging.getLogger(__name__)

BatchWriter = Callable[[Sequence[Event]], Awaitable[None]]

# The database is down or busy, not the event at fault: keep it and try again.
TRANSIENT = (OperationalError, InterfaceError, OSError, asyncio.TimeoutError)


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
        self._pending: deque[Event] = deque()
        self._wake = asyncio.Event()
        self.written = 0
        self.refused = 0
        self.dropped = 0
        self.last_error: str | None = None
        self.last_error_at: float | None = None

    @property
    def pending(self) -> int:
        return len(self._pending)

    def submit(self, event: Event) -> None:
        """Queue an event (never blocks). Past ``max_pending`` the oldest goes: memory is bounded
        even if the database stays down for hours; the event stream still holds them."""
        self._pending.append(event)
        self._last_submit = time.monotonic()
        if len(self._pending) > self._max_pending:
            self._pending.popleft()
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                log.error("ledger %d event(s) behind; %d dropped (still on the event stream)",
                          len(self._pending), self.dropped)  # fmt: skip
        self._wake.set()

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
        deadline = time.monotonic() + timeout_s
        while self._pending and time.monotonic() < deadline:
            try:
                ok = await asyncio.wait_for(self._write_some(), max(0.01, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                break
            if not ok:
                await asyncio.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        if self._pending:
            log.error("ledger: %d event(s) not written at shutdown (still on the event stream)", len(self._pending))
        return not self._pending

    async def _write_some(self) -> bool:
        """One batch from the head of the queue; False if the database could not take it."""
        batch = [self._pending[i] for i in range(min(self._max_batch, len(self._pending)))]
        try:
            await self._write_batch(batch)
        except TRANSIENT as exc:
            self._note_error(exc)
            return False
        except Exception:
            if len(batch) == 1:
                self._refuse(batch[0])
                return True
            return await self._write_one_by_one(len(batch))
        self._done(len(batch))
        return True

    async def _write_one_by_one(self, count: int) -> bool:
        """A batch failed: find the event at fault, keep the rest."""
        for _ in range(count):
            event = self._pending[0]
            try:
                await self._write_batch([event])
            except TRANSIENT as exc:
                self._note_error(exc)
                return False
            except Exception:
                self._refuse(event)
                continue
            self._done(1)
        return True

    def _done(self, count: int) -> None:
        for _ in range(count):
            self._pending.popleft()
        self.written += count
        self._backoff.reset()

    def _refuse(self, event: Event) -> None:
        log.exception("the ledger refused %s of call %s; skipped", event.type, event.call_id)
        self._pending.popleft()
        self.refused += 1

    def _note_error(self, exc: BaseException) -> None:
        self.last_error, self.last_error_at = f"{type(exc).__name__}: {exc}", time.time()
        log.warning("ledger unavailable (%s); %d event(s) waiting", self.last_error, len(self._pending))

    def report(self) -> dict[str, object]:
        return {"pending": self.pending, "written": self.written, "refused": self.refused, "dropped": self.dropped,
                "last_error": self.last_error}  # fmt: skip
