"""Writes that can fail for want of disk: a full or read-only ``var/`` is told once, clearly.

A full disk fails every write that follows, on every call: one line when it starts (and one
when writing works again) says more to an operator than a traceback per call.
"""

from __future__ import annotations

import errno
import logging
import threading

# The disk, not the program: no space, no quota left, mounted read-only.
STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})


def storage_error(exc: BaseException) -> bool:
    """Whether ``exc`` says the disk cannot take the write (not a bug, not a missing folder)."""
    return isinstance(exc, OSError) and exc.errno in STORAGE_ERRNOS


class WriteFailures:
    """Failed writes to one place (``what``), logged the first time each way they fail, and
    again once a write succeeds after them."""

    def __init__(self, what: str, logger: logging.Logger) -> None:
        self._what = what
        self._log = logger
        self._failing: set[int | None] = set()
        self._lock = threading.Lock()  # writes come from executor threads
        self.failures = 0

    def failed(self, exc: OSError, consequence: str) -> None:
        with self._lock:
            self.failures += 1
            first = exc.errno not in self._failing
            self._failing.add(exc.errno)
        if first:
            cause = "the disk is full or read-only" if storage_error(exc) else "it cannot be written"
            self._log.error("%s not written: %s (%s); %s", self._what, cause, exc, consequence)

    def succeeded(self) -> None:
        with self._lock:
            recovered, self._failing = bool(self._failing), set()
        if recovered:
            self._log.warning("%s written again", self._what)
