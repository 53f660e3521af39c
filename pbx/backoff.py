"""Reconnect delays: doubling from a floor to a ceiling, reset after a good connection."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Backoff:
    minimum_s: float
    maximum_s: float
    _next: float = 0.0

    def next_delay(self) -> float:
        delay = self._next or self.minimum_s
        self._next = min(delay * 2, self.maximum_s)
        return delay

    def reset(self) -> None:
        self._next = 0.0
