"""Where the wallboard's feeder reads and writes, and how often: one typed config from settings."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from contactcenter.wallboard.board import BoardConfig
from contactcenter.wallboard.thresholds import Thresholds
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
    thresholds: Thresholds = field(default_factory=lambda: Thresholds.build(BoardConfig.service_level_s))
    chart_step_s: float = 15.0  # one point of the last hour's charts per step

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
        from django.core.exceptions import ImproperlyConfigured

        service_level_s = float(getattr(settings, "WALLBOARD_SERVICE_LEVEL_S", 20))
        overrides = getattr(settings, "WALLBOARD_THRESHOLDS", None) or None
        try:
            if isinstance(overrides, str):  # CC_WALLBOARD_THRESHOLDS, as JSON
                overrides = json.loads(overrides)
                if not isinstance(overrides, dict):
                    raise ValueError("give a JSON object of figure: {warn, bad}")
            thresholds = Thresholds.build(service_level_s, overrides)
        except ValueError as exc:  # json's errors too
            raise ImproperlyConfigured(f"WALLBOARD_THRESHOLDS: {exc}") from None
        return cls(
            redis_url=getattr(settings, "WALLBOARD_REDIS_URL", None) or settings.REDIS_URL,
            stream=getattr(settings, "WALLBOARD_EVENTS_STREAM", EVENTS_STREAM),
            live_key=getattr(settings, "WALLBOARD_LIVE_COUNTS_KEY", LIVE_COUNTS_KEY),
            group=getattr(settings, "WALLBOARD_GROUP", GROUP),
            key_prefix=getattr(settings, "WALLBOARD_KEY_PREFIX", "cc:wallboard"),
            time_zone=settings.TIME_ZONE,
            board=BoardConfig(service_level_s=service_level_s),
            thresholds=thresholds,
            chart_step_s=float(getattr(settings, "WALLBOARD_CHART_STEP_S", 15)),
        )  # fmt: skip
