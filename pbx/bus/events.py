"""The only publisher of pbx events: the Redis stream, and the ledger when one is attached.

If Redis is briefly unreachable, events wait in a bounded backlog (in order) and go out
with the next successful publish, so a Redis restart costs latency, not events.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from pbx.api import EVENTS_STREAM, Event, to_fields

log = logging.getLogger(__name__)

LedgerSink = Callable[[Event], Awaitable[None]]


class EventPublisher:
    def __init__(self, client: aioredis.Redis, stream: str = EVENTS_STREAM, maxlen: int = 200_000,
                 backlog: int = 50_000) -> None:  # fmt: skip
        self._redis = client
        self._stream = stream
        self._maxlen = maxlen
        self._sinks: list[LedgerSink] = []
        self._backlog: deque[dict[str, str]] = deque(maxlen=backlog)
        # One sender at a time: concurrent flushes would send the head of the backlog twice.
        self._sending = asyncio.Lock()
        self.published = 0

    def attach(self, sink: LedgerSink) -> None:
        self._sinks.append(sink)

    @property
    def backlog(self) -> int:
        return len(self._backlog)

    async def publish(self, event: Event) -> None:
        for sink in self._sinks:
            try:
                await sink(event)
            except Exception:  # the ledger failing must not stop the live event
                log.exception("ledger sink failed for %s", event.type)
        self._backlog.append(to_fields(event))
        await self.flush()

    async def flush(self) -> bool:
        """Send what is waiting; False if Redis is still unreachable (kept for the next try)."""
        async with self._sending:
            while self._backlog:
                try:
                    await self._redis.xadd(self._stream, self._backlog[0], maxlen=self._maxlen, approximate=True)
                except (RedisError, OSError) as exc:
                    log.warning("event stream unreachable (%s); %d event(s) waiting", exc, len(self._backlog))
                    return False
                self._backlog.popleft()
                self.published += 1
        return True
