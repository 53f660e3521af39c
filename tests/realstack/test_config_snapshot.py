"""pbx's view of the management plane's configuration snapshot, on a real Redis."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from ops.stack.redis_server import RedisServer
from pbx.api import CONFIG_KEY, InboundRoute, PbxConfig
from pbx.config_snapshot import ConfigCache

pytestmark = pytest.mark.realstack


def test_keeps_the_last_valid_snapshot(redis_server: RedisServer) -> None:
    async def go() -> None:
        client = aioredis.from_url(redis_server.url)
        cache = ConfigCache(client, max_age_s=0)
        assert (await cache.current()).version == 0  # nothing published yet
        good = PbxConfig(version=2, inbound={"5551234": InboundRoute(flow="order_confirmation")})
        await client.set(CONFIG_KEY, good.model_dump_json())
        assert (await cache.current()).route_for("+5551234").flow == "order_confirmation"
        await client.set(CONFIG_KEY, '{"version": 3, "inbound": {"1": {"flow": 7}}}')
        assert (await cache.current()) == good and "inbound" in (cache.last_error or "")
        await client.set(CONFIG_KEY, PbxConfig(version=1).model_dump_json())
        assert (await cache.current()) == good  # an older version never replaces a newer one
        await client.delete(CONFIG_KEY)
        await client.aclose()

    asyncio.run(go())
