"""One holder at a time for a job that runs once per site (the dialer, the wallboard feeder).

The lock is a Redis key holding its holder's token, with a time to live: the holder refreshes
it while it works, so one that dies frees the job within the TTL. Every step is one atomic
command: taking it is ``SET NX PX`` (or, when the key already holds our token, e.g. a dialer
restarted under the same name, a refresh); refreshing and releasing compare the token and act
in one Lua script, so a holder whose lock expired and was taken meanwhile never extends or
deletes the new holder's.

:class:`RedisLock` is for a sync client (the dialer's loop), :class:`AsyncRedisLock` for an
asyncio one (the feeder); they share the scripts and the key, token and TTL.
"""

from __future__ import annotations

import redis
import redis.asyncio as aioredis

ACQUIRE = """
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""
REFRESH = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class _Lock:
    def __init__(self, key: str, token: str, ttl_s: float) -> None:
        if ttl_s <= 0:
            raise ValueError("a lock needs a positive time to live")
        self.key = key
        self.token = token
        self.ttl_ms = int(ttl_s * 1000)


class RedisLock(_Lock):
    def __init__(self, client: redis.Redis, key: str, token: str, ttl_s: float) -> None:
        super().__init__(key, token, ttl_s)
        self._client = client

    def acquire(self) -> bool:
        """Take the lock, or refresh it if it is already ours; False while another holds it."""
        return bool(self._client.eval(ACQUIRE, 1, self.key, self.token, self.ttl_ms))

    def refresh(self) -> bool:
        """Extend our lock by its TTL; False if it is no longer ours (expired, or taken)."""
        return bool(self._client.eval(REFRESH, 1, self.key, self.token, self.ttl_ms))

    def release(self) -> bool:
        """Free our lock now; False (and nothing deleted) if it is not ours."""
        return bool(self._client.eval(RELEASE, 1, self.key, self.token))


class AsyncRedisLock(_Lock):
    def __init__(self, client: aioredis.Redis, key: str, token: str, ttl_s: float) -> None:
        super().__init__(key, token, ttl_s)
        self._client = client

    async def acquire(self) -> bool:
        """As :meth:`RedisLock.acquire`."""
        return bool(await self._client.eval(ACQUIRE, 1, self.key, self.token, self.ttl_ms))

    async def refresh(self) -> bool:
        """As :meth:`RedisLock.refresh`."""
        return bool(await self._client.eval(REFRESH, 1, self.key, self.token, self.ttl_ms))

    async def release(self) -> bool:
        """As :meth:`RedisLock.release`."""
        return bool(await self._client.eval(RELEASE, 1, self.key, self.token))
