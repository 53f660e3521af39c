"""The only publisher of pbx events: the Redis stream, and the ledger when one is attached."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis

from pbx.api import EVENTS_STREAM, Event, to_fields

log = logging.getLogger(__name__)

LedgerSink = Callable[[Event], Awaitable[None]]


class EventPublisher:
    def __init__(self, client: aioredis.Redis, stream: str = EVENTS_STREAM, maxlen: int = 200_000) -> None:
        self._redis = client
        self._stream = stream
        self._maxlen = maxlen
        self._sinks: list[LedgerSink] = []
        self.published = 0

    def attach(self, sink: LedgerSink) -> None:
        self._sinks.append(sink)

    async def publish(self, event: Event) -> None:
        for sink in self._sinks:
            try:
                await sink(event)
            except Exception:  # the ledger failing must not stop the live event
                log.exception("ledger sink failed for %s", event.type)
        await self._redis.xadd(self._stream, to_fields(event), maxlen=self._maxlen, approximate=True)
        self.published += 1
