"""Tell the wallboard's feeder to re-read the agents now, not at its next database read.

A person changing an agent's state (the console's pause with its reason, wrap-up, log-out)
must show on the board within a second; the feeder reads the database only every
``db_refresh_s``. So the change, once committed, adds an entry to a small Redis stream
(``<prefix>:nudges``) that the feeder's blocking ``XREAD`` follows beside pbx's events: the
read returns at once and the feeder reloads its facts. Losing a nudge (Redis down) costs only
the delay until the next periodic read.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import redis
from django.conf import settings

from contactcenter.wallboard.config import FeederConfig

log = logging.getLogger(__name__)

# The feeder needs only the newest entry: a short stream is plenty.
NUDGES_KEPT = 100


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    # Short timeouts: an agent's click must not hang on a Redis that is down.
    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)


def nudge(why: str) -> None:
    """Call after the commit that changed what the board shows (``why`` is for the log)."""
    if not getattr(settings, "WALLBOARD_NUDGE", True):
        return
    config = FeederConfig.from_settings()
    try:
        client = _client(config.redis_url)
        client.xadd(config.nudge_key, {"why": why[:80]}, maxlen=NUDGES_KEPT, approximate=True)
    except (redis.RedisError, OSError) as exc:
        log.warning("wallboard not nudged (%s): %s; it catches up at its next database read", why, exc)
