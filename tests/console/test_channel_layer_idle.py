"""The console's channel layer, against a real Redis: a socket idle longer than the layer's own
blocking read (5 s) still gets what is sent to it afterwards (redis-py 8's default socket
timeout once cut that read short, and every console socket died after 5 idle seconds)."""

from __future__ import annotations

import asyncio

import pytest
from channels_redis.core import RedisChannelLayer
from django.conf import settings

pytestmark = pytest.mark.realstack


def test_a_channel_idle_past_the_layers_blocking_read_still_receives(redis_server) -> None:
    [host] = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]

    async def idle_then_send() -> dict:
        layer = RedisChannelLayer(hosts=[{**host, "address": redis_server.url}])
        channel = await layer.new_channel()
        receiving = asyncio.create_task(layer.receive(channel))
        await asyncio.sleep(6.5)  # past one BZPOPMIN of 5 s
        assert not receiving.done(), receiving
        await layer.send(channel, {"type": "agent.state", "state": "available"})
        return await asyncio.wait_for(receiving, 5)

    assert asyncio.run(idle_then_send()) == {"type": "agent.state", "state": "available"}
