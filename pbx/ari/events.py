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
    def from_json(cls, data: Any) -> AriEvent:
        """The event ``data`` (decoded JSON) describes. A field of the wrong type reads as absent,
        so one malformed event cannot stop the stream; data that is not an object is a ValueError."""
        if not isinstance(data, dict):
            raise ValueError(f"an ARI event is a JSON object, not {type(data).__name__}")
        channel = _object(data.get("channel"))
        args = data.get("args")
        return cls(
            type=_text(data.get("type")),
            application=_text(data.get("application")),
            timestamp=_text(data.get("timestamp")),
            channel_id=_text(channel.get("id")) or None,
            bridge_id=_text(_object(data.get("bridge")).get("id")) or None,
            args=tuple(str(a) for a in args) if isinstance(args, list) else (),
            digit=_text(data.get("digit")),
            cause=_optional_int(data.get("cause")),
            duration_ms=_optional_int(data.get("duration")),
            caller_number=_text(_object(channel.get("caller")).get("number")),
        )


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    """A string field; a number stands for its digits (an id or a digit sent unquoted), anything else is absent."""
    if isinstance(value, str):
        return value
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else ""


def _optional_int(value: Any) -> int | None:
    try:
        return None if value is None or isinstance(value, bool) else int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: JSON's Infinity
        return None
