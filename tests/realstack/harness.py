"""Shared wiring for tests that run the call engine in the test process against real Asterisk."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import aiohttp

from ops.stack.asterisk import AsteriskInstance
from pbx.api import Event
from pbx.ari.connection import AriEventStream
from pbx.ari.events import AriEvent
from pbx.backoff import Backoff


@asynccontextmanager
async def ari_app(session: aiohttp.ClientSession, asterisk: AsteriskInstance, app: str,
                  on_event: Callable[[AriEvent], Awaitable[None]]) -> AsyncIterator[AriEventStream]:  # fmt: skip
    """Hold ``app``'s events websocket open (connected on entry) for the body of the block."""
    s = asterisk.settings
    stream = AriEventStream(session, asterisk.ari_url, s.ari_user, s.ari_password, app, Backoff(0.1, 1))
    connected = asyncio.Event()

    async def on_connect() -> None:
        connected.set()

    task = asyncio.create_task(stream.run(on_event, on_connect))
    try:
        await asyncio.wait_for(connected.wait(), 10)
        yield stream
    finally:
        task.cancel()


async def wait_for_event(events: list[Event], predicate: Callable[[Event], bool], timeout: float) -> Event:
    async with asyncio.timeout(timeout):
        while True:
            for event in events:
                if predicate(event):
                    return event
            await asyncio.sleep(0.05)


