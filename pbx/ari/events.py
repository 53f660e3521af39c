"""ARI events as frozen dataclasses: raw JSON stops at this boundary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AriEvent:
    type: str
    application: str
    timestamp: str
    channel_id: str | None = None
    bridge_id: str | None = None
    args: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def at(self) -> float | None:
        """When Asterisk says it happened (epoch seconds), or None if it did not say."""
        try:
            return dt.datetime.fromisoformat(self.timestamp).timestamp() if self.timestamp else None
        except ValueError:
            return None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AriEvent:
        channel = data.get("channel") or {}
        bridge = data.get("bridge") or {}
        return cls(
            type=str(data.get("type", "")),
            application=str(data.get("application", "")),
            timestamp=str(data.get("timestamp", "")),
            channel_id=channel.get("id"),
            bridge_id=bridge.get("id"),
            args=tuple(str(a) for a in data.get("args", ())),
            raw=data,
        )
