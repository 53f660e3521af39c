"""The wallboard's last hour for its charts: one sample of the gauges per step, on a fixed grid.

Pure, and the clock is passed in. Time is cut into steps of ``step_s`` (15 s: 240 points an
hour) aligned on the epoch, so every feeder draws the same grid. The first time a step is seen
(:meth:`History.due`), the caller takes the gauges as they stand and :meth:`History.add` keeps
them as that step's point: the state at the step's start. Steps nobody saw (the feeder was not
running) stay empty, and the chart shows a gap rather than a line drawn through them.

Counts of things that happen (escalations) are not sampled: :meth:`History.counts` puts their
times on the same grid, so a feeder that starts late still draws the whole hour of them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Sample:
    at: float  # the step's start
    values: Mapping[str, float | None]


@dataclass
class History:
    step_s: float = 15.0
    window_s: float = 3600.0
    samples: list[Sample] = field(default_factory=list)  # oldest first, one per step

    def step_of(self, now: float) -> float:
        return math.floor(now / self.step_s) * self.step_s

    def due(self, now: float) -> bool:
        """Whether ``now`` is in a step that has no sample yet (and is newer than the last one)."""
        return not self.samples or self.step_of(now) > self.samples[-1].at

    def add(self, now: float, values: Mapping[str, float | None]) -> bool:
        """Keep ``values`` as the point of ``now``'s step, if it is due; forget what left the window."""
        if not self.due(now):
            return False
        step = self.step_of(now)
        self.samples.append(Sample(step, dict(values)))
        oldest = step - self.window_s
        while self.samples and self.samples[0].at <= oldest:
            self.samples.pop(0)
        return True

    def grid(self, now: float) -> list[float]:
        """The steps of the window ending with ``now``'s step, oldest first."""
        last = self.step_of(now)
        n = int(round(self.window_s / self.step_s))
        return [last - (n - 1 - i) * self.step_s for i in range(n)]

    def series(self, now: float, names: Iterable[str]) -> dict[str, list[float | None]]:
        """Each named gauge on the grid, ``None`` where no sample was taken."""
        by_step = {s.at: s for s in self.samples}
        grid = self.grid(now)
        out: dict[str, list[float | None]] = {}
        for name in names:
            out[name] = [by_step[t].values.get(name) if t in by_step else None for t in grid]
        return out

    def counts(self, now: float, times: Iterable[float]) -> list[int]:
        """How many of ``times`` fell in each step of the grid."""
        grid = self.grid(now)
        first, out = grid[0], [0] * len(grid)
        for t in times:
            i = int((t - first) // self.step_s)
            if 0 <= i < len(out):
                out[i] += 1
        return out

    def to_json(self, now: float, gauges: Iterable[str], events: Mapping[str, Iterable[float]]) -> dict[str, Any]:
        """What the page's charts draw: the grid (``t``), each gauge, and each kind of event counted per step."""
        counted = {name: self.counts(now, times) for name, times in events.items()}
        return {"step_s": self.step_s, "window_s": self.window_s, "t": self.grid(now),
                **self.series(now, gauges), **counted}
