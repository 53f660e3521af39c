"""At pbx's start, the ledger takes from the event stream what an earlier pbx left unwritten.

A pbx stopped or killed while the database was down (or with events still queued) leaves
rows missing from the ledger that are on the Redis stream. The ledger stores how far it has
applied the stream (:class:`pbx.bus.ledger_follower.LedgerFollower` writes it with every
batch); this reads the stream from there up to the publisher's handover point (where the
stream ended before this pbx published anything) in chunks and hands the entries to the
follower, ahead of the live events it holds meanwhile. So the entries up to the handover
come from here and the ones after it from the live path: none twice, none missed. Writing
an event twice would be harmless anyway (the ledger keys every row on ids the events carry).

If the stream was trimmed past the stored position (its MAXLEN), the entries in between are
gone: it says so, with how many, and goes on with what is there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from pbx.api import EVENTS_STREAM, SchemaError, parse_event
from pbx.backoff import Backoff
from pbx.bus.ledger_follower import TRANSIENT, LedgerFollower
from pbx.bus.stream_position import START, StreamPosition, StreamState, entry_key, stream_state, text

log = logging.getLogger(__name__)

T = TypeVar("T")


class LedgerCatchUp:
    def __init__(self, client: aioredis.Redis, follower: LedgerFollower,
                 stored_position: Callable[[], Awaitable[StreamPosition | None]],
                 handover: Callable[[], Awaitable[StreamPosition]], *, stream: str = EVENTS_STREAM,
                 chunk: int = 500, backoff: Backoff | None = None) -> None:  # fmt: skip
        self._redis = client
        self._follower = follower
        self._stored_position = stored_position
        self._handover = handover
        self._stream = stream
        self._chunk = chunk
        self._backoff = backoff or Backoff(0.2, 5.0)
        follower.hold()  # from construction: no live event may reach the ledger before the replayed ones
        self.replayed = 0
        self.unreadable = 0
        self.missing: int | None = 0  # trimmed before the ledger had them (None: some, count unknown)
        self.done = False

    async def run(self) -> None:
        try:
            stored = await self._retry(self._stored_position, "ledger")
            handover = await self._retry(self._handover, "event stream")
            await self._replay(stored, handover)
            self.done = True
        except Exception:  # a bug here must not take the live calls down with it
            log.exception("ledger catch-up failed; the next start replays from the stored position")
        finally:
            self._follower.release(caught_up=self.done)

    async def _replay(self, stored: StreamPosition | None, handover: StreamPosition) -> None:
        after = stored.entry_id if stored is not None else START
        if entry_key(after) >= entry_key(handover.entry_id):
            return
        state = await self._retry(lambda: stream_state(self._redis, self._stream), "event stream")
        entries_added = self._note_trimmed(stored, state)
        while True:
            entries = await self._retry(lambda: self._redis.xrange(self._stream, min=f"({after}",
                                                                   max=handover.entry_id, count=self._chunk),
                                        "event stream")  # fmt: skip
            if not entries:
                break
            for raw_id, fields in entries:
                after = text(raw_id)
                entries_added = None if entries_added is None else entries_added + 1
                try:
                    event = parse_event(fields)
                except SchemaError as exc:
                    self.unreadable += 1
                    log.error("ledger catch-up: stream entry %s skipped: %s", after, exc)
                    continue
                self._follower.submit_replayed(event, StreamPosition(after, entries_added))
                self.replayed += 1
            while self._follower.replay_waiting:  # bounded memory: a chunk at a time
                await asyncio.sleep(0.02)
        log.info("ledger caught up with the event stream: %d event(s) replayed up to %s",
                 self.replayed, handover.entry_id)  # fmt: skip

    def _note_trimmed(self, stored: StreamPosition | None, state: StreamState) -> int | None:
        """Log the entries a trim took before the ledger had them; the counter at the first
        entry still there."""
        if stored is None:
            # A ledger that never noted a position (new, or older than this): all of the stream.
            log.warning("the ledger has no stream position yet: replaying the whole event stream (%d entries)",
                        state.length)  # fmt: skip
            return state.trimmed
        if entry_key(state.max_deleted) <= entry_key(stored.entry_id):
            return stored.entries_added
        if state.trimmed is not None and stored.entries_added is not None:
            self.missing = max(0, state.trimmed - stored.entries_added)
        else:
            self.missing = None
        log.error("the event stream was trimmed past the ledger's position %s (oldest entry left: %s): "
                  "%s event(s) after it are missing from the ledger for good", stored.entry_id, state.first,
                  "an unknown number of" if self.missing is None else self.missing)  # fmt: skip
        return state.trimmed

    async def _retry(self, attempt: Callable[[], Awaitable[T]], what: str) -> T:
        while True:
            try:
                result = await attempt()
            except (*TRANSIENT, RedisError) as exc:
                log.warning("ledger catch-up: %s unavailable (%s: %s); retrying", what, type(exc).__name__, exc)
                await asyncio.sleep(self._backoff.next_delay())
                continue
            self._backoff.reset()
            return result

    def report(self) -> dict[str, object]:
        return {"done": self.done, "replayed": self.replayed, "unreadable": self.unreadable,
                "missing": self.missing}  # fmt: skip
