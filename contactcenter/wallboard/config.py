"""Where the wallboard's feeder reads and writes, and how often: one typed config from settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from contactcenter.wallboard.board import BoardConfig
from pbx.api import EVENTS_STREAM, LIVE_COUNTS_KEY

GROUP = "wallboard"


@dataclass(frozen=True)
class FeederConfig:
    redis_url: str
    stream: str = EVENTS_STREAM
    live_key: str = LIVE_COUNTS_KEY
    group: str = GROUP
    key_prefix: str = "cc:wallboard"
    time_zone: str = "UTC"  # "today" starts at local midnight here
    block_ms: int = 1000
    batch: int = 500
    min_publish_interval_s: float = 0.2  # coalesce bursts into one update
    live_refresh_s: float = 1.0
    db_refresh_s: float = 3.0
    heartbeat_s: float = 5.0
    lock_ttl_s: float = 15.0
    snapshot_ttl_s: float = 30.0  # the snapshot disappears when no feeder keeps it fresh
    replay_today: bool = True
    reconnect_min_s: float = 0.5
    reconnect_max_s: float = 10.0
    board: BoardConfig = field(default_factory=BoardConfig)

    @property
    def snapshot_key(self) -> str:
        return f"{self.key_prefix}:snapshot"

    @property
    def lock_key(self) -> str:
        return f"{self.key_prefix}:feeder"

    @property
    def nudge_key(self) -> str:
        """The stream a change to the agents adds to (``nudge.py``): re-read the database now."""
        return f"{self.key_prefix}:nudges"

    @classmethod
    def from_settings(cls) -> FeederConfig:
        """From Django settings: ``REDIS_URL``, ``TIME_ZONE`` and optional ``WALLBOARD_*`` overrides."""
        from django.conf import settings

        return cls(
            redis_url=getattr(settings, "WALLBOARD_REDIS_URL", None) or settings.REDIS_URL,
            stream=getattr(settings, "WALLBOARD_EVENTS_STREAM", EVENTS_STREAM),
            live_key=getattr(settings, "WALLBOARD_LIVE_COUNTS_KEY", LIVE_COUNTS_KEY),
            group=getattr(settings, "WALLBOARD_GROUP", GROUP),
            key_prefix=getattr(settings, "WALLBOARD_KEY_PREFIX", "cc:wallboard"),
            time_zone=settings.TIME_ZONE,
            board=BoardConfig(service_level_s=float(getattr(settings, "WALLBOARD_SERVICE_LEVEL_S", 20))),
        )  # fmt: skip
