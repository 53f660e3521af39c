"""Keeps the running Asterisk's agents, queues and trunks what Django last published.

Why rendered files and reloads (and not ARI's dynamic sorcery objects or realtime): the same
renderer writes them at start (``stack up``) and on every change, so a restarted Asterisk comes
back with the current configuration without anyone pushing it again; queues and the dialplan
have no sorcery objects to push anyway; and each reload touches one module (res_pjsip, the
queues, the dialplan), none of which drops a call in progress. Only files whose text changed
are written and only their modules reloaded, so a change costs a few milliseconds.

Django announces each version on ``CONFIG_CHANGED_CHANNEL``; pbx reads the snapshot itself
(the announcement is only a nudge) and checks again every ``poll_s`` in case one was missed.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from asterisk_config.render import write_config_files
from asterisk_config.telephony import (
    EXTENSIONS_FILE,
    PJSIP_FILE,
    QUEUES_FILE,
    RELOAD_ACTIONS,
    render_telephony,
)
from pbx.api import CONFIG_CHANGED_CHANNEL
from pbx.config_snapshot import ConfigCache

log = logging.getLogger(__name__)

# An AMI action's round trip (``AmiLink.action``): its response, AmiError if refused.
AmiAction = Callable[[dict[str, str]], Awaitable[list[dict[str, str]]]]
# Endpoints before the dialplan that dials them, the dialplan before the queues that send to it.
_RELOAD_ORDER = (PJSIP_FILE, EXTENSIONS_FILE, QUEUES_FILE)


class TelephonySync:
    def __init__(self, redis: aioredis.Redis, ami: AmiAction, etc_dir: Path, poll_s: float = 5.0) -> None:
        self._redis = redis
        # Read at every nudge (no caching); it keeps the newest valid version and says what was wrong.
        self._snapshots = ConfigCache(redis, max_age_s=0)
        self._ami = ami
        self._etc = etc_dir
        self._poll_s = poll_s
        self.applied_version = 0
        self.last_error: str | None = None
        self._unreloaded: set[str] = set()  # written, but the reload failed: retried next time
        self._lock = asyncio.Lock()

    async def run(self) -> None:
        while True:
            try:
                async with self._redis.pubsub() as channel:
                    await channel.subscribe(CONFIG_CHANGED_CHANNEL)
                    await self.sync()  # what was published while nobody listened
                    while True:
                        # A version announced, or poll_s without one: either way read the snapshot.
                        await channel.get_message(ignore_subscribe_messages=True, timeout=self._poll_s)
                        await self.sync()
            except (RedisError, OSError) as exc:
                self.last_error = f"redis: {exc}"
                await asyncio.sleep(self._poll_s)

    async def sync(self) -> bool:
        """Apply the published snapshot if it is newer than the applied one; True if applied."""
        async with self._lock:
            config = await self._snapshots.current()
            if self._snapshots.last_error is not None:  # unreadable or invalid: the last valid one stands
                self.last_error = self._snapshots.last_error
                return False
            if config.version <= self.applied_version or config.pbx is None:
                return await self._retry_reloads()
            files = render_telephony(config.pbx)
            gid = os.stat(self._etc).st_gid
            changed = await asyncio.to_thread(write_config_files, self._etc, files, gid)
            self._unreloaded |= set(changed)
            reloaded = await self._retry_reloads()
            self.applied_version = config.version
            log.info("configuration version %d applied (%s)", config.version, ", ".join(changed) or "no change")
            return reloaded

    async def _retry_reloads(self) -> bool:
        for name in _RELOAD_ORDER:
            if name not in self._unreloaded:
                continue
            try:
                await self._ami(RELOAD_ACTIONS[name])
            except Exception as exc:  # AMI down or refusing: the files stay written, retried on the next nudge
                self.last_error = f"reloading {name}: {exc}"
                log.warning("Asterisk did not reload %s (%s); retrying", name, exc)
                return False
            self._unreloaded.discard(name)
        self.last_error = None
        return True

    def report(self) -> dict[str, object]:
        return {"applied_version": self.applied_version, "pending_reloads": sorted(self._unreloaded),
                "last_error": self.last_error}  # fmt: skip
