"""Against a real Redis: events XADDed to the stream reach a page through the real consumer.

The feeder runs as it does under ``manage.py stack up``: inside the ASGI application,
started by the first wallboard connection; the channel layer is channels_redis on the test
Redis. Each test uses its own stream, keys and group.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from contactcenter.people.models import Agent, AgentState, HumanQueue
from contactcenter.people.roles import Role, set_role
from contactcenter.wallboard import consumers, host
from contactcenter.wallboard.config import FeederConfig
from contactcenter.wallboard.feeder import Feeder
from ops.stack.redis_server import RedisServer
from pbx.api import CallEscalated, CallQueued, CallStarted, LiveCounts, to_fields
from tests.wallboard.conftest import session_cookie, websocket

pytestmark = [pytest.mark.realstack, pytest.mark.django_db(transaction=True)]


def _use_redis(settings, url: str, names: dict[str, str]) -> None:
    settings.REDIS_URL = url
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                                           "CONFIG": {"hosts": [url]}}}  # fmt: skip
    settings.WALLBOARD_EVENTS_STREAM = names["stream"]
    settings.WALLBOARD_LIVE_COUNTS_KEY = names["live"]
    settings.WALLBOARD_KEY_PREFIX = names["prefix"]
    settings.WALLBOARD_GROUP = names["group"]
    settings.WALLBOARD_EMBEDDED_FEEDER = True


class Page:
    """What the browser does: a snapshot replaces the board, a patch updates sections, and a
    closed socket is reopened (with a pause) until it connects again."""

    def __init__(self, open_socket: Callable[[], Any]) -> None:
        self._open = open_socket
        self.communicator = None
        self.sections: dict[str, Any] = {}
        self.messages: list[dict[str, Any]] = []
        self.reconnects = 0

    async def connect(self) -> None:
        while True:
            self.communicator = self._open()
            connected, _ = await self.communicator.connect(timeout=10)
            if connected:
                return
            await asyncio.sleep(0.5)

    async def until(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 15.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while not predicate(self.sections):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"the page never showed it; last messages: {self.messages[-3:]}")
            try:
                output = await self.communicator.receive_output(timeout=remaining)
            except asyncio.TimeoutError:
                continue
            if output["type"] == "websocket.close":
                self.reconnects += 1
                await asyncio.sleep(0.5)
                await self.connect()
                continue
            message = json.loads(output["text"])
            self.messages.append(message)
            if message["type"] == "snapshot":
                self.sections = dict(message["sections"])
            else:
                self.sections.update(message["sections"])
        return self.sections

    async def close(self) -> None:
        if self.communicator is not None:
            await self.communicator.disconnect()


def _escalation(call_id: str, queue: str = "support") -> list[dict[str, str]]:
    now = time.time()
    return [to_fields(e) for e in (
        CallStarted(call_id=call_id, at=now - 30, direction="outbound"),
        CallEscalated(call_id=call_id, at=now - 4, queue=queue, reason="legal_threat", score=0.91, decided_at=now - 7),
        CallQueued(call_id=call_id, at=now - 3.6, queue=queue, wait_s=3.4),
    )]  # fmt: skip


def _escalated(call_id: str) -> Callable[[dict[str, Any]], bool]:
    return lambda s: any(e["call_id"] == call_id for e in s.get("escalations", []))


@pytest.fixture
async def supervisor_session(client, django_user_model) -> str:
    def make() -> str:
        support, _ = HumanQueue.objects.get_or_create(name="support")  # the fail-safe queue: a migration makes it
        Agent.objects.create(name="agent1", state=AgentState.AVAILABLE).queues.add(support)
        manager = django_user_model.objects.create_user("manager", password="x" * 12)
        set_role(manager, Role.SUPERVISOR)
        return session_cookie(client, manager)

    return await sync_to_async(make)()


async def _teardown(page: Page) -> None:
    await page.close()
    await host.embedded.stop()
    layer = get_channel_layer()
    if hasattr(layer, "close_pools"):
        await layer.close_pools()


async def test_an_event_on_the_stream_reaches_the_page(redis_server, settings, wallboard_names, supervisor_session) -> None:
    from contactcenter.asgi import application

    _use_redis(settings, redis_server.url, wallboard_names)
    redis = aioredis.from_url(redis_server.url)
    page = Page(lambda: websocket(application, supervisor_session))
    try:
        await page.connect()
        # On connect: a whole board, with the database's queues and agents.
        board = await page.until(lambda s: bool(s.get("queues")) and bool(s.get("agents")))
        assert page.messages[0]["type"] == "snapshot"
        assert board["queues"][0]["name"] == "support" and board["queues"][0]["agents"]["available"] == 1
        assert board["today"]["total"] == 0
        await page.until(lambda s: bool(page.messages) and page.messages[-1]["feeder"] == "live")  # the feeder is leading

        # A bad entry first: skipped with a log line, the feeder goes on with the next one.
        await redis.xadd(wallboard_names["stream"], {"v": "1", "type": "call.started", "data": "{oops"})
        for fields in _escalation("call-1"):
            await redis.xadd(wallboard_names["stream"], fields)
        live = LiveCounts(dialing=0, screening=1, leaving_message=0, with_bot=2, escalating=0, queued=1, with_agent=0,
                          updated_at=time.time())  # fmt: skip
        await redis.hset(wallboard_names["live"], mapping=live.to_hash())

        board = await page.until(lambda s: _escalated("call-1")(s) and s["live"]["ai_calls"] == 3)
        (escalation,) = board["escalations"]
        assert escalation["reason"] == "legal_threat" and escalation["decision_to_queue_s"] == 3.4
        assert escalation["status"] == "waiting"
        (support,) = board["queues"]
        assert support["waiting"] == 1 and support["longest_wait_s"] >= 3.0
        assert board["today"]["escalated"] == 1 and board["live"]["pbx_ok"] is True
        assert page.messages[-1]["type"] == "patch"
        assert host.embedded.feeder is not None and host.embedded.feeder.skipped == 1

        # A page that connects now gets the same board at once, from the feeder's snapshot.
        second = websocket(application, supervisor_session)
        assert (await second.connect(timeout=10))[0]
        first_message = await second.receive_json_from(timeout=5)
        assert first_message["type"] == "snapshot" and first_message["feeder"] == "live"
        assert _escalated("call-1")(first_message["sections"])
        await second.disconnect()
    finally:
        await redis.aclose()
        await _teardown(page)


async def test_the_board_survives_a_redis_restart(settings, wallboard_names, supervisor_session, tmp_path: Path,
                                                  monkeypatch) -> None:  # fmt: skip
    from contactcenter.asgi import application

    server = RedisServer.throwaway(tmp_path)
    server.start()
    _use_redis(settings, server.url, wallboard_names)
    monkeypatch.setattr(consumers.WallboardConsumer, "rejoin_every_s", 0.5)
    page = Page(lambda: websocket(application, supervisor_session))
    redis = aioredis.from_url(server.url)
    try:
        await page.connect()
        await page.until(lambda s: bool(page.messages) and page.messages[-1]["feeder"] == "live")
        for fields in _escalation("before"):
            await redis.xadd(wallboard_names["stream"], fields)
        await page.until(_escalated("before"))

        await asyncio.to_thread(server.stop)  # everything in Redis is gone: stream, group, snapshot, lock
        await asyncio.sleep(1.0)
        await asyncio.to_thread(server.start)
        await redis.aclose()
        redis = aioredis.from_url(server.url)  # the test's own client: its connection died with the server

        for fields in _escalation("after", queue="sales"):
            await redis.xadd(wallboard_names["stream"], fields)
        board = await page.until(_escalated("after"), timeout=30)
        # The feeder kept its board: the call from before the restart still counts.
        assert _escalated("before")(board) and board["today"]["escalated"] == 2
        assert host.embedded.feeder is not None and host.embedded.feeder.reconnects >= 1
        assert page.reconnects >= 1  # the socket was closed (1012) and reopened, like the browser does
    finally:
        await redis.aclose()
        await _teardown(page)
        server.stop()


async def test_counts_say_since_when_when_todays_first_events_were_trimmed(redis_server, wallboard_names) -> None:
    redis = aioredis.from_url(redis_server.url)
    stream = wallboard_names["stream"]
    feeder = Feeder(FeederConfig(redis_url=redis_server.url, stream=stream), layer=None)
    try:
        assert await feeder._trimmed_since(redis, 0.0) is None  # no stream yet
        for i in range(5):
            await redis.xadd(stream, {"n": str(i)})
        assert await feeder._trimmed_since(redis, 0.0) is None  # complete
        await redis.xtrim(stream, maxlen=2, approximate=False)
        first = (await redis.xrange(stream, count=1))[0][0].decode()
        assert await feeder._trimmed_since(redis, 0.0) == int(first.split("-")[0]) / 1000
        assert await feeder._trimmed_since(redis, time.time() + 10) is None  # trimmed, but only yesterday's
    finally:
        await redis.delete(stream)
        await redis.aclose()
