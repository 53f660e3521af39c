"""The console's websocket without a browser or JsSIP: state pushed to the agent's open consoles."""

from __future__ import annotations

import json

import pytest
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from django.contrib.auth.models import AnonymousUser

from contactcenter.console import services
from contactcenter.console.consumers import ConsoleConsumer
from tests.console.factories import make_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def in_memory_layer(settings) -> None:
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


class Console(ApplicationCommunicator):
    """A websocket client for the consumer alone, with the user already in its scope (no session or
    auth middleware in the way, unlike channels.testing.WebsocketCommunicator on the ASGI app)."""

    def __init__(self, user) -> None:
        super().__init__(ConsoleConsumer.as_asgi(), {"type": "websocket", "path": "/ws/console/", "headers": [],
                                                     "subprotocols": [], "user": user})  # fmt: skip

    async def connect(self) -> tuple[bool, int | None]:
        await self.send_input({"type": "websocket.connect"})
        reply = await self.receive_output(2)
        return reply["type"] == "websocket.accept", reply.get("code")

    async def receive_json_from(self, timeout: float = 2) -> dict:
        reply = await self.receive_output(timeout)
        assert reply["type"] == "websocket.send", reply
        return json.loads(reply["text"])

    async def disconnect(self) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(1)


async def connect(user) -> Console:
    return Console(user)


async def test_state_changes_reach_the_agents_console() -> None:
    world = await database_sync_to_async(make_world)()
    console = await connect(world.user)
    connected, _ = await console.connect()
    assert connected
    assert await console.receive_json_from(timeout=2) == {"type": "agent.state", "state": "offline", "reason": ""}

    await database_sync_to_async(services.do_set_state)(world.agent.pk, "available")
    assert await console.receive_json_from(timeout=2) == {"type": "agent.state", "state": "available", "reason": ""}
    call = await database_sync_to_async(services.do_offer_call)(world.agent.pk, sip_call_id="a@b")
    assert await console.receive_json_from(timeout=2) == {"type": "agent.state", "state": "ringing", "reason": ""}
    await database_sync_to_async(services.do_answered)(world.agent.pk, call.pk)
    assert await console.receive_json_from(timeout=2) == {"type": "agent.state", "state": "on_call", "reason": ""}
    await console.disconnect()


async def test_only_agents_may_listen() -> None:
    console = await connect(AnonymousUser())
    connected, code = await console.connect()
    assert not connected and code == 4403


async def test_the_asgi_route_is_mounted() -> None:
    from contactcenter.routing import websocket_urlpatterns

    assert any(str(p.pattern) == "ws/console/" for p in websocket_urlpatterns)
