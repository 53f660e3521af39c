"""Queue and agent events from AMI, in arrival order, as typed records.

panoramisk calls back synchronously; we only enqueue there, and one task hands the events
on in order (panoramisk's own ensure_future for coroutine callbacks would reorder them).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pbx.ami import AmiLink, channel_variables

log = logging.getLogger(__name__)

QUEUE_EVENTS = (
    "QueueCallerJoin", "QueueCallerLeave", "QueueCallerAbandon", "AgentCalled", "AgentConnect",
    "AgentComplete", "AgentRingNoAnswer", "AgentDump", "QueueMemberStatus", "QueueMemberPause",
    "QueueMemberAdded", "QueueMemberRemoved", "Hangup",
    # A pre-alert reservation's agent is Dialled before the queue (pbx.calls.reservations).
    "DialBegin", "DialEnd",
)  # fmt: skip


@dataclass(frozen=True)
class AmiEvent:
    name: str
    fields: dict[str, str] = field(repr=False)
    variables: dict[str, str]

    @classmethod
    def from_panoramisk(cls, event: Any) -> AmiEvent:
        fields = {str(k): v if isinstance(v, str) else str(v) for k, v in dict(event).items() if k != "ChanVariable"}
        return cls(name=str(event.get("Event", "")), fields=fields, variables=channel_variables(event))

    @property
    def asterisk_ts(self) -> float | None:
        try:
            return float(self.fields["Timestamp"])
        except (KeyError, ValueError):
            return None

    # What pbx reads of an event, by name: the AMI header spellings stay in this module.

    @property
    def unique_id(self) -> str:
        """The channel the event is about (for a caller in a queue: the caller's channel id)."""
        return self.fields.get("Uniqueid", "")

    @property
    def linked_id(self) -> str:
        """The first channel of the call the event's channel belongs to (an agent's leg: the caller's)."""
        return self.fields.get("Linkedid", "")

    @property
    def cause(self) -> str:
        """Hangup: the Q.850 cause, as AMI writes it."""
        return self.fields.get("Cause", "")

    @property
    def queue(self) -> str | None:
        """None when the event names no queue (Hangup)."""
        return self.fields.get("Queue")

    @property
    def channel(self) -> str:
        return self.fields.get("Channel", "")

    @property
    def member_name(self) -> str:
        return self.fields.get("MemberName", "")

    @property
    def interface(self) -> str:
        return self.fields.get("Interface", "")

    @property
    def dest_channel(self) -> str:
        """DialBegin/DialEnd: the channel dialled (PJSIP/agent1-00000012)."""
        return self.fields.get("DestChannel", "")

    @property
    def dest_unique_id(self) -> str:
        """AgentConnect, DialBegin/DialEnd: the id of the channel dialled (the agent's leg; ARI's channel id)."""
        return self.fields.get("DestUniqueid", "")

    @property
    def dial_status(self) -> str:
        """DialEnd: ANSWER, NOANSWER, BUSY, CANCEL, ..."""
        return self.fields.get("DialStatus", "")

    @property
    def caller_count(self) -> int | None:
        """QueueCallerJoin/QueueCallerLeave: the callers in the queue after the event (Asterisk's
        own count, every caller's); None when the event carries none."""
        try:
            return int(self.fields["Count"])
        except (KeyError, ValueError):
            return None

    @property
    def paused_reason(self) -> str:
        """QueueMemberPause: the reason a paused member was given ("" when unpaused)."""
        return self.fields.get("PausedReason", "") if self.fields.get("Paused") == "1" else ""

    @property
    def call_id(self) -> str:
        """CC_CALL_ID of the channel: set on every call pbx handles, so a queue event names its call."""
        return self.variables.get("CC_CALL_ID", "")

    @property
    def escalation_reason(self) -> str:
        return self.variables.get("CC_ESCALATION_REASON", "")


Handler = Callable[[AmiEvent], Awaitable[None]]


class AmiQueueListener:
    def __init__(self, ami: AmiLink, events: tuple[str, ...] = QUEUE_EVENTS, maxsize: int = 10_000) -> None:
        self._queue: asyncio.Queue[AmiEvent] = asyncio.Queue(maxsize=maxsize)
        self.dropped = 0
        for name in events:
            ami.on_event(name, self._enqueue)

    def _enqueue(self, _manager: Any, event: Any) -> None:
        try:
            self._queue.put_nowait(AmiEvent.from_panoramisk(event))
        except asyncio.QueueFull:
            self.dropped += 1  # a stuck consumer must not grow memory without bound

    async def run(self, handlers: list[Handler]) -> None:
        while True:
            event = await self._queue.get()
            for handle in handlers:
                try:
                    await handle(event)
                except Exception:
                    log.exception("AMI %s handler failed", event.name)
