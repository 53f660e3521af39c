"""The wallboard's websocket: a full board on connect, then the feeder's updates as they come.

Supervisors and admins only (the policy's WATCH_FLOOR, for the session's user). The page can
ask for a fresh snapshot (``{"type": "snapshot"}``) when it sees a gap in ``seq`` or a new
feeder ``epoch``. Group membership is renewed every ``rejoin_every_s`` so channels_redis' group
expiry never leaves a page silently deaf. When Redis goes away (restart), the channel layer
cannot deliver: the socket is closed with 1012 (service restart) and the page reconnects with
back-off, getting a fresh snapshot once Redis and the feeder are back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from redis.exceptions import RedisError

from contactcenter.people.doors import socket_may
from contactcenter.people.policy import Action
from contactcenter.wallboard import host, messages
from contactcenter.wallboard.config import FeederConfig

log = logging.getLogger(__name__)

FORBIDDEN = 4403  # close code: not logged in as a supervisor or admin


SERVICE_RESTART = 1012  # close code: the channel layer (Redis) went away; reconnect


class WallboardConsumer(AsyncJsonWebsocketConsumer):
    rejoin_every_s = 30.0

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except (RedisError, OSError) as exc:
            # channels_redis' receive() raises while Redis is down, which would end us with a traceback.
            log.warning("wallboard: channel layer unreachable (%s); closing so the page reconnects", exc)
            with contextlib.suppress(Exception):  # the client may be gone already
                await send({"type": "websocket.close", "code": SERVICE_RESTART})
        finally:
            task = getattr(self, "_rejoin", None)
            if task is not None:
                task.cancel()

    async def connect(self) -> None:
        if not await socket_may(self.scope, Action.WATCH_FLOOR):
            await self.close(code=FORBIDDEN)
            return
        self.config = FeederConfig.from_settings()
        self._rejoin: asyncio.Task[None] | None = None
        if getattr(settings, "WALLBOARD_EMBEDDED_FEEDER", True):
            host.embedded.ensure_running()
        try:
            await self.channel_layer.group_add(self.config.group, self.channel_name)  # before reading the snapshot
        except (RedisError, OSError) as exc:
            log.warning("wallboard: channel layer unreachable (%s); refusing until it is back", exc)
            await self.close()
            return
        await self.accept()
        await self.send_json(await self._snapshot())
        self._rejoin = asyncio.create_task(self._keep_membership(), name="wallboard-rejoin")

    async def disconnect(self, code: int) -> None:
        task = getattr(self, "_rejoin", None)
        if task is not None:
            task.cancel()
        if hasattr(self, "config"):
            try:
                await self.channel_layer.group_discard(self.config.group, self.channel_name)
            except (RedisError, OSError) as exc:
                log.info("wallboard: could not leave the group (%s)", exc)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "snapshot":
            await self.send_json(await self._snapshot())

    async def wallboard_update(self, event: dict[str, Any]) -> None:
        await self.send_json(event["message"])

    async def _snapshot(self) -> dict[str, Any]:
        return await messages.read_snapshot(self.config) or await messages.offline_snapshot(self.config)

    async def _keep_membership(self) -> None:
        while True:
            await asyncio.sleep(self.rejoin_every_s)
            try:
                await self.channel_layer.group_add(self.config.group, self.channel_name)
            except (RedisError, OSError) as exc:
                log.warning("wallboard: could not renew the group membership (%s)", exc)
