"""The live calls of this pbx process, found by call id or by channel."""

from __future__ import annotations

from pbx.api import Direction
from pbx.calls.live import CallState, LiveCall, MediaLeg

_WAITING = (CallState.ESCALATING, CallState.QUEUED)


class CallRegistry:
    def __init__(self) -> None:
        self.calls: dict[str, LiveCall] = {}
        self._by_channel: dict[str, LiveCall] = {}  # caller channel id -> call
        self.media: dict[str, MediaLeg] = {}  # media channel id -> leg
        # Channels and bridges made for supervisors on our calls (pbx.calls.supervision).
        self.side_channels: set[str] = set()
        self.side_bridges: set[str] = set()

    def add(self, call: LiveCall) -> None:
        self.calls[call.call_id] = call
        self._by_channel[call.channel_id] = call

    def remove(self, call: LiveCall) -> None:
        self._by_channel.pop(call.channel_id, None)
        self.calls.pop(call.call_id, None)

    def by_channel(self, channel_id: str | None) -> LiveCall | None:
        return self._by_channel.get(channel_id or "")

    def owns_channel(self, channel_id: str) -> bool:
        """A caller's channel, a media leg of one of our calls, or a supervisor's leg or snoop on one."""
        return channel_id in self._by_channel or channel_id in self.media or channel_id in self.side_channels

    def owns_bridge(self, bridge_id: str) -> bool:
        return bridge_id in self.side_bridges or any(leg.bridge_id == bridge_id for leg in self.media.values())

    def add_media(self, leg: MediaLeg) -> None:
        self.media[leg.channel_id] = leg

    def pop_media(self, channel_id: str) -> MediaLeg | None:
        return self.media.pop(channel_id, None)

    def live(self, call_id: str) -> LiveCall:
        call = self.calls.get(call_id)
        if call is None or call.state is CallState.ENDED:
            raise LookupError(f"no live call {call_id}")
        return call

    def inbound_waiting(self) -> dict[str, int]:
        """Inbound callers on their way to or waiting in a human queue, per queue (for the dialer:
        campaign calls waiting are its own attempts, which it counts itself)."""
        waiting: dict[str, int] = {}
        for call in self.calls.values():
            if call.direction == "inbound" and call.transfer is not None and call.state in _WAITING:
                waiting[call.transfer.queue] = waiting.get(call.transfer.queue, 0) + 1
        return waiting

    def live_counts(self) -> dict[str, int]:
        counts = {state.value: 0 for state in CallState}
        counts["ai_calls_at_risk"] = 0
        for call in self.calls.values():
            counts[call.state.value] += 1
            counts["ai_calls_at_risk"] += call.at_risk and call.state is CallState.WITH_BOT
        return counts

    def calls_by_direction(self) -> dict[str, dict[str, int]]:
        """Live calls, direction -> state -> count, every state of each direction (zeros too)."""
        zeros = {state.value: 0 for state in CallState if state is not CallState.ENDED}
        counts = {direction.value: dict(zeros) for direction in Direction}
        for call in self.calls.values():
            if call.state is not CallState.ENDED:
                counts.setdefault(call.direction, dict(zeros))[call.state.value] += 1
        return counts
