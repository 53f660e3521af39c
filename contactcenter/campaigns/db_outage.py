"""The dialer without its database: dialling pauses, and says so.

Nothing is ever dialled from a half-read state: an attempt is recorded (committed) before its
command goes to pbx, and pbx's events are acknowledged only once applied. So while the database
is locked or unreachable every pass fails before it sends anything; this keeps the log to one
clear line when the pause starts, a reminder while it lasts, and one when it ends, and tells
the first pass after it to apply pbx's waiting events before pacing again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger("contactcenter.dialer")


class DatabaseOutage:
    def __init__(self, clock: Callable[[], float] = time.monotonic, remind_every_s: float = 30.0) -> None:
        self._clock = clock
        self._remind_every_s = remind_every_s
        self.since: float | None = None
        self._reminded_at = 0.0
        self.last_error = ""
        self.resumed_after_s: float | None = None  # the last outage's length, until a tick has paced again

    @property
    def paused(self) -> bool:
        return self.since is not None

    def failed(self, exc: BaseException) -> None:
        now = self._clock()
        self.last_error = f"{type(exc).__name__}: {exc}"
        if self.since is None:
            self.since = self._reminded_at = now
            log.error("database unavailable (%s): dialling paused until it answers", self.last_error)
        elif now - self._reminded_at >= self._remind_every_s:
            self._reminded_at = now
            log.error("database still unavailable after %.0f s (%s): dialling paused", now - self.since,
                      self.last_error)  # fmt: skip

    def answered(self) -> None:
        """The database answered a pass: dialling resumes."""
        if self.since is None:
            return
        self.resumed_after_s = self._clock() - self.since
        self.since = None
        log.warning("database back after %.1f s: dialling resumes", self.resumed_after_s)
