"""The site lock of the dialer and the wallboard feeder, against a real Redis."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import redis.asyncio as aioredis

from contactcenter.core.redis_lock import AsyncRedisLock, RedisLock


@pytest.fixture
def redis_client(redis_server) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server.url)
    yield client
    client.close()


@pytest.fixture
def key() -> str:
    return f"test-lock-{uuid.uuid4().hex[:8]}"


def test_one_holder_at_a_time_and_the_holder_keeps_it(redis_client, key) -> None:
    dialer_a, dialer_b = RedisLock(redis_client, key, "a", ttl_s=10), RedisLock(redis_client, key, "b", ttl_s=10)
    assert dialer_a.acquire() is True
    assert dialer_b.acquire() is False
    assert redis_client.get(key) == b"a" and 0 < redis_client.pttl(key) <= 10_000
    redis_client.pexpire(key, 500)
    assert dialer_a.acquire() is True  # already ours: refreshed to the full TTL
    assert redis_client.pttl(key) > 9_000
    # A dialer restarted under the same name takes its lock back at once.
    assert RedisLock(redis_client, key, "a", ttl_s=10).acquire() is True


def test_an_expired_holder_neither_extends_nor_frees_the_next_holders_lock(redis_client, key) -> None:
    old, new = RedisLock(redis_client, key, "old", ttl_s=0.1), RedisLock(redis_client, key, "new", ttl_s=10)
    assert old.acquire() is True
    time.sleep(0.25)
    assert new.acquire() is True  # the old holder died: the lock expired
    assert old.refresh() is False
    assert old.release() is False
    assert redis_client.get(key) == b"new" and redis_client.pttl(key) > 9_000


def test_release_frees_it_for_the_next(redis_client, key) -> None:
    first, second = RedisLock(redis_client, key, "first", ttl_s=10), RedisLock(redis_client, key, "second", ttl_s=10)
    assert first.acquire() and first.release() is True
    assert redis_client.exists(key) == 0
    assert first.refresh() is False  # released: no longer ours
    assert second.acquire() is True


def test_of_many_contenders_at_once_exactly_one_wins(redis_server, key) -> None:
    def contend(token: str) -> bool:
        client = redis.Redis.from_url(redis_server.url)
        try:
            return RedisLock(client, key, token, ttl_s=10).acquire()
        finally:
            client.close()

    with ThreadPoolExecutor(16) as pool:
        won = list(pool.map(contend, [f"dialer-{i}" for i in range(32)]))
    assert won.count(True) == 1


async def test_the_async_lock_behaves_the_same(redis_server, key) -> None:
    client = aioredis.from_url(redis_server.url)
    try:
        feeder_a = AsyncRedisLock(client, key, "a", ttl_s=10)
        feeder_b = AsyncRedisLock(client, key, "b", ttl_s=10)
        assert await feeder_a.acquire() is True
        assert await feeder_b.acquire() is False
        assert await feeder_b.refresh() is False and await feeder_b.release() is False
        assert await feeder_a.refresh() is True
        assert await feeder_a.release() is True
        assert await feeder_b.acquire() is True
        assert await client.get(key) == b"b"
    finally:
        await client.aclose()


def test_a_lock_needs_a_time_to_live(redis_client, key) -> None:
    with pytest.raises(ValueError):
        RedisLock(redis_client, key, "a", ttl_s=0)
