"""The ARI events websocket, kept open with reconnect and back-off.

Registering the websocket is what makes our Stasis app exist in Asterisk: while it is down,
``Stasis()`` in the dialplan fails and calls take the fail-safe path to a human queue.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable

import aiohttp

from pbx.ari.client import basic_auth_header
from pbx.ari.events import AriEvent
from pbx.backoff import Backoff

log = logging.getLogger(__name__)

EventHandler = Callable[[AriEvent], Awaitable[None]]
ConnectHandler = Callable[[], Awaitable[None]]
DisconnectHandler = Callable[[], None]


class AriEventStream:
    def __init__(self, session: aiohttp.ClientSession, ari_url: str, user: str, password: str, app: str,
                 backoff: Backoff) -> None:  # fmt: skip
        ws_base = ari_url.rstrip("/").replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        self._url = f"{ws_base}/events"
        self._params = {"app": app, "subscribeAll": "false"}
        self._headers = basic_auth_header(user, password)
        self._session = session
        self._backoff = backoff
        self.connected = False
        self.connected_since: float | None = None
        self.reconnects = 0
        self.last_error: str | None = None

    async def run(self, on_event: EventHandler, on_connect: ConnectHandler | None = None,
                  on_disconnect: DisconnectHandler | None = None) -> None:  # fmt: skip
        """Connect, deliver events in order, reconnect on loss; returns only when cancelled.

        ``on_connect`` runs before the first event is read; if it fails (Asterisk still
        starting: its REST API refuses), the websocket is dropped and connected again later."""
        while True:
            try:
                async with self._session.ws_connect(
                    self._url, params=self._params, headers=self._headers, heartbeat=10
                ) as ws:
                    self.connected, self.connected_since, self.last_error = True, time.time(), None
                    self._backoff.reset()
                    log.info("ARI events connected (%s)", self._url)
                    # A failed connect handling leaves the block (closing the websocket) and backs off.
                    if await self._connect_handled(on_connect):
                        await self._deliver(ws, on_event)
                        self.last_error = "websocket closed"
            except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
            finally:
                if self.connected:
                    self.reconnects += 1
                    if on_disconnect is not None:
                        on_disconnect()
                self.connected = False
                self.connected_since = None
            await self._back_off()

    @staticmethod
    async def _deliver(ws: aiohttp.ClientWebSocketResponse, on_event: EventHandler) -> None:
        async for message in ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            try:
                event = AriEvent.from_json(json.loads(message.data))
            except (ValueError, AttributeError) as exc:
                log.warning("unreadable ARI event dropped: %s", exc)
                continue
            try:
                await on_event(event)
            except Exception:  # one failing event must not stop the stream for every call
                log.exception("handling ARI %s for channel %s failed", event.type, event.channel_id)

    async def _connect_handled(self, on_connect: ConnectHandler | None) -> bool:
        if on_connect is None:
            return True
        try:
            await on_connect()
        except Exception as exc:
            log.exception("ARI connect handling failed; reconnecting")
            self.last_error = f"connect handling: {type(exc).__name__}: {exc}"
            return False
        return True

    async def _back_off(self) -> None:
        delay = self._backoff.next_delay()
        log.warning("ARI events down (%s); retrying in %.1f s", self.last_error, delay)
        await asyncio.sleep(delay)

