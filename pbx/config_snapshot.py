"""The management plane's configuration snapshot, as pbx last saw it (Redis key CONFIG_KEY).

pbx reads it when it needs it (an inbound call) at most once a second, and keeps the last
valid version: a bad or missing snapshot never takes routing away from calls.
"""

from __future__ import annotations

import logging
import time

import redis.asyncio as aioredis
from pydantic import ValidationError
from redis.exceptions import RedisError

from pbx.api import CONFIG_KEY, PbxConfig

log = logging.getLogger(__name__)


class ConfigCache:
    def __init__(self, client: aioredis.Redis, max_age_s: float = 1.0) -> None:
        self._redis = client
        self._max_age_s = max_age_s
        self._config = PbxConfig(version=0)
        self._checked = 0.0
        self.last_error: str | None = None

    async def current(self) -> PbxConfig:
        if time.monotonic() - self._checked < self._max_age_s:
            return self._config
        self._checked = time.monotonic()
        try:
            raw = await self._redis.get(CONFIG_KEY)
        except (RedisError, OSError) as exc:
            self.last_error = f"redis: {exc}"
            return self._config
        if raw is None:
            return self._config
        try:
            config = PbxConfig.model_validate_json(raw)
        except ValidationError as exc:
            self.last_error = f"invalid snapshot: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}"
            log.warning("ignoring the configuration snapshot (%s); keeping version %d", self.last_error,
                        self._config.version)  # fmt: skip
            return self._config
        if config.version >= self._config.version:
            self._config, self.last_error = config, None
        return self._config
