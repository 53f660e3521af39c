"""The callers waiting in each Asterisk queue, as Asterisk counts them (``cc_queue_waiting_calls``).

Every caller counts, pbx's or not (straight from the trunk, moved by the fail-safe): each
QueueCallerJoin/QueueCallerLeave carries the queue's count after it, and a ``QueueSummary``
at the start of each AMI session gives every queue's count at once (events lost while AMI was
away must not leave an old count). While AMI is down nothing is known: no count is better
than a stale one.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from pbx.ami_listener import AmiEvent

log = logging.getLogger(__name__)

AmiAction = Callable[[dict[str, str]], Awaitable[list[dict[str, str]]]]

_COUNTED = frozenset({"QueueCallerJoin", "QueueCallerLeave"})


class QueueCallers:
    def __init__(self) -> None:
        self._counts: dict[str, int] = {}
        self._session: int | None = None  # the AMI login the counts were read in
        self._moved: set[str] | None = None  # queues an event changed while a summary was on its way

    async def on_ami_event(self, event: AmiEvent) -> None:
        count = event.caller_count
        if event.name not in _COUNTED or count is None or not event.queue:
            return
        self._counts[event.queue] = count
        if self._moved is not None:
            self._moved.add(event.queue)

    def counts(self) -> dict[str, int] | None:
        """Callers per queue; None until a summary of the current AMI session has been read."""
        return dict(self._counts) if self._session is not None else None

    async def follow(self, logged_in: bool, session: int, action: AmiAction) -> None:
        """Called every live-count tick with the AMI session's state: forgets the counts while
        AMI is down, reads them whole once per session."""
        if not logged_in:
            self._session = None
            return
        if self._session == session:
            return
        self._moved = set()
        try:
            reply = await action({"Action": "QueueSummary"})
        except Exception as exc:  # not logged in after all, refused, timed out: next tick
            log.warning("queue callers not read (%s)", exc)
            return
        finally:
            moved, self._moved = self._moved, None
        summary = {m["Queue"]: int(m["Callers"]) for m in reply if m.get("Event") == "QueueSummary"
                   and m.get("Queue") and m.get("Callers", "").isdigit()}  # fmt: skip
        # An event newer than the summary's snapshot keeps its count.
        self._counts = {**summary, **{queue: self._counts[queue] for queue in moved if queue in self._counts}}
        self._session = session
