"""Dialling for humans on a simulated clock, driving the real pacer (``pacing.decide``); the
AI-first simulation is the package's own (``contactcenter.campaigns.pacing_simulation``).

Time advances in 1 s ticks; each tick the pacer sees what the dialer would see and its
decision starts calls. Random draws come from a seeded ``random.Random``, so a run is
repeatable.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass

from contactcenter.campaigns.pacing import DialMode, RunningRate, Snapshot, decide


@dataclass
class HumanSimResult:
    dialled: int = 0
    answered: int = 0
    abandoned: int = 0
    talk_s: float = 0.0
    seconds: int = 0
    agents: int = 0
    max_abandon_rate_seen: float = 0.0

    @property
    def abandon_rate(self) -> float:
        return self.abandoned / self.answered if self.answered else 0.0

    @property
    def occupancy(self) -> float:
        return self.talk_s / (self.agents * self.seconds) if self.seconds else 0.0


def simulate_human_dialer(mode: DialMode, calls: int = 10_000, agents: int = 20, answer_p: float = 0.3,
                          mean_talk_s: float = 90.0, wrap_s: float = 5.0, grace_s: float = 2.0,
                          cap: float = 0.03, max_lines: int = 200, seed: int = 7) -> HumanSimResult:  # fmt: skip
    """Predictive/progressive dialling for humans: an answered call with no agent free within
    ``grace_s`` is abandoned (it hears the safe-harbour message)."""
    rng = random.Random(seed)
    result = HumanSimResult(agents=agents)
    free = agents
    dialing = 0
    settled = 0
    waiting: list[float] = []  # deadlines of answered callers waiting for an agent
    events: list[tuple[float, int, str]] = []  # (time, seq, kind)
    seq = 0
    t = 0

    def push(at: float, kind: str) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(events, (at, seq, kind))

    while result.dialled < calls or dialing or waiting or free < agents:
        # Everything due in this second, in time order.
        while events and events[0][0] <= t:
            at, _, kind = heapq.heappop(events)
            if kind == "answer":
                dialing -= 1
                settled += 1
                result.answered += 1
                if free > 0:
                    free -= 1
                    talk = rng.expovariate(1 / mean_talk_s) + 10
                    result.talk_s += talk
                    push(at + talk + wrap_s, "agent_free")
                else:
                    waiting.append(at + grace_s)
            elif kind == "no_answer":
                dialing -= 1
                settled += 1
            elif kind == "agent_free":
                if waiting:
                    waiting.pop(0)
                    talk = rng.expovariate(1 / mean_talk_s) + 10
                    result.talk_s += talk
                    push(at + talk + wrap_s, "agent_free")
                else:
                    free += 1
        expired = [d for d in waiting if d <= t]
        result.abandoned += len(expired)
        waiting = [d for d in waiting if d > t]
        if result.answered >= 200:
            result.max_abandon_rate_seen = max(result.max_abandon_rate_seen, result.abandon_rate)
        if result.dialled < calls:
            snapshot = Snapshot(
                mode=mode, in_progress=dialing, max_lines=max_lines, free_agents=free, waiting_for_agent=len(waiting),
                answer_rate=RunningRate(result.answered, settled, 0.5, 10).upper(), answered=result.answered,
                abandoned=result.abandoned, max_abandon_rate=cap,
            )  # fmt: skip
            n = min(decide(snapshot).calls, calls - result.dialled)
            for _ in range(n):
                result.dialled += 1
                dialing += 1
                if rng.random() < answer_p:
                    push(t + rng.uniform(4, 15), "answer")
                else:
                    push(t + 20, "no_answer")
        t += 1
    result.seconds = t
    return result
