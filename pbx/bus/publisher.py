"""The only publisher of pbx events: the Redis stream, and the ledger when one is attached.

If Redis is briefly unreachable, events wait in a bounded backlog (in order) and go out
with the next successful publish, so a Redis restart costs latency, not events. Followers
(the ledger) are handed each event without being waited for: they keep their own queue.

``publish`` never waits for the network: it queues the event and makes sure one sender task
is on its way, which runs once the publisher yields, so every event published meanwhile (a
burst of calls starting or being answered) goes in the same pipelined round trip, and an
originate does not wait for Redis before asking Asterisk for the call. ``flush`` sends what
is waiting and returns when it is sent (or Redis refused it: kept for the next try). If the
connection drops in the middle of a chunk the whole chunk is sent again, so an event can
(rarely) appear twice; consumers take a repeat as a no-op (the ledger keys on ``event_id``,
the campaigns consumer only moves an attempt forward). The pipelining is there for
`python -m benchmarks dialer` (a burst of 50 calls' events in one round trip).

The ids Redis gives the entries come back with the same round trip: a follower that asked
for them (``on_stream``) is told each event's place in the stream, so the ledger can store how
far it has applied the stream. Before this process adds its first entry it notes where the
stream ends (``handover``): the ledger's catch-up replays what earlier processes published up
to there, and everything after it reaches the ledger through the followers.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Sequence

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from pbx.api import EVENTS_STREAM, Event, to_fields
from pbx.bus.stream_position import StreamPosition, stream_state, text

log = logging.getLogger(__name__)

Follower = Callable[[Event], None]
# Told, in order, the events a round trip put on the stream and the place each got.
StreamListener = Callable[[Sequence[Event], Sequence[StreamPosition]], None]


CHUNK = 200  # events in one pipelined round trip


class EventPublisher:
    def __init__(self, client: aioredis.Redis, stream: str = EVENTS_STREAM, maxlen: int = 200_000,
                 backlog: int = 50_000) -> None:  # fmt: skip
        self._redis = client
        self._stream = stream
        self._maxlen = maxlen
        self._followers: list[Follower] = []
        self._listeners: list[StreamListener] = []
        self._backlog: deque[tuple[Event, dict[str, str]]] = deque(maxlen=backlog)
        self._handover: StreamPosition | None = None
        self._entries_added: int | None = None  # the stream's counter after our last entry
        # One sender at a time: concurrent flushes would send the head of the backlog twice.
        self._sending = asyncio.Lock()
        self._sender: asyncio.Task[bool] | None = None
        self.published = 0

    def attach(self, follower: Follower, on_stream: StreamListener | None = None) -> None:
        self._followers.append(follower)
        if on_stream is not None:
            self._listeners.append(on_stream)

    async def handover(self) -> StreamPosition:
        """Where the stream ended before this process's first entry (read once, then kept)."""
        async with self._sending:
            return await self._note_handover()

    async def _note_handover(self) -> StreamPosition:
        # Under the send lock, so no entry of ours can be on the stream yet the first time.
        if self._handover is None:
            self._handover = (await stream_state(self._redis, self._stream)).last
            self._entries_added = self._handover.entries_added
        return self._handover

    @property
    def backlog(self) -> int:
        return len(self._backlog)

    async def publish(self, event: Event) -> None:
        """Queue the event for the stream in order; a sender task takes it (see the module)."""
        for follower in self._followers:
            try:
                follower(event)
            except Exception:  # the ledger failing must not stop the live event
                log.exception("follower failed for %s", event.type)
        self._backlog.append((event, to_fields(event)))
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(self.flush())
            self._sender.add_done_callback(_report_failure)

    async def flush(self) -> bool:
        """Send what is waiting; False if Redis is still unreachable (kept for the next try)."""
        async with self._sending:
            while self._backlog:
                chunk = [self._backlog[i] for i in range(min(CHUNK, len(self._backlog)))]
                try:
                    await self._note_handover()
                    if len(chunk) == 1:
                        ids = [await self._redis.xadd(self._stream, chunk[0][1], maxlen=self._maxlen,
                                                      approximate=True)]  # fmt: skip
                    else:
                        pipe = self._redis.pipeline(transaction=False)
                        for _, fields in chunk:
                            pipe.xadd(self._stream, fields, maxlen=self._maxlen, approximate=True)
                        ids = await pipe.execute()
                except (RedisError, OSError) as exc:
                    log.warning("event stream unreachable (%s); %d event(s) waiting", exc, len(self._backlog))
                    return False
                for _ in chunk:
                    self._backlog.popleft()
                self.published += len(chunk)
                if self._listeners:
                    self._tell_listeners([event for event, _ in chunk], ids)
        return True

    def _tell_listeners(self, events: list[Event], ids: list[bytes | str]) -> None:
        # Counting our own entries keeps the stream's counter without asking Redis each time
        # (a chunk sent twice after a dropped connection makes it run a little behind).
        start = self._entries_added
        positions = [StreamPosition(text(entry_id), None if start is None else start + n)
                     for n, entry_id in enumerate(ids, 1)]  # fmt: skip
        if start is not None:
            self._entries_added = start + len(ids)
        for listener in self._listeners:
            try:
                listener(events, positions)
            except Exception:
                log.exception("stream listener failed")


def _report_failure(task: asyncio.Task[bool]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("sending events failed", exc_info=task.exception())
