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
