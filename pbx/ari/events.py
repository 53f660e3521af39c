"""ARI events as frozen dataclasses: raw JSON stops at this boundary.

One class for every event type, with a typed field for each thing pbx reads (empty or None
when the event type does not carry it), so no code outside ``pbx/ari`` picks keys out of JSON.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AriEvent:
    type: str
    application: str
    timestamp: str
    channel_id: str | None = None
    bridge_id: str | None = None
    args: tuple[str, ...] = ()  # StasisStart: the dialplan's Stasis() arguments (see pbx.calls.stasis_args)
    digit: str = ""  # ChannelDtmfReceived
    cause: int | None = None  # ChannelHangupRequest, ChannelDestroyed: the Q.850 hang-up cause
    duration_ms: int | None = None  # ChannelTalkingFinished: how long the channel talked
    caller_number: str = ""  # the channel's caller ID number (an inbound caller's, as the trunk sent it)

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
            digit=str(data.get("digit", "")),
            cause=_optional_int(data.get("cause")),
            duration_ms=_optional_int(data.get("duration")),
            caller_number=str((channel.get("caller") or {}).get("number", "")),
        )


def _optional_int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None
