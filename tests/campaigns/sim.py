"""Call-centre simulations on a simulated clock, driving the real pacer (``pacing.decide``).

Time advances in 1 s ticks; each tick the pacer sees what the dialer would see and its
decision starts calls. Random draws come from a seeded ``random.Random``, so a run is
repeatable.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field

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


@dataclass
class AiSimResult:
    dialled: int = 0
    escalated: int = 0
    max_lines_used: int = 0
    human_bound_ticks: int = 0
    violations: list[str] = field(default_factory=list)


def simulate_ai_first(calls: int = 2000, max_lines: int = 30, agents: int = 3, true_rate: float = 0.2,
                      prior: float = 0.15, seed: int = 3) -> AiSimResult:  # fmt: skip
    """AI-first: bot calls last 30-90 s; some escalate and hold an agent for 60-180 s."""
    rng = random.Random(seed)
    out = AiSimResult()
    in_progress: list[float] = []  # end times of bot calls
    escalate_flags: list[bool] = []
    agent_busy_until: list[float] = []
    waiting = 0
    answered = 0
    t = 0.0
    while out.dialled < calls or in_progress:
        # Calls finishing now: some escalate to a human.
        still, flags = [], []
        for end, esc in zip(in_progress, escalate_flags, strict=True):
            if end > t:
                still.append(end)
                flags.append(esc)
                continue
            answered += 1
            if esc:
                out.escalated += 1
                waiting += 1
        in_progress, escalate_flags = still, flags
        agent_busy_until = [b for b in agent_busy_until if b > t]
        while waiting and len(agent_busy_until) < agents:
            waiting -= 1
            agent_busy_until.append(t + rng.uniform(60, 180))
        free = agents - len(agent_busy_until)
        rate = RunningRate(out.escalated, answered, prior).value
        snapshot = Snapshot(mode=DialMode.AI_FIRST, in_progress=len(in_progress), max_lines=max_lines,
                            free_agents=free, waiting_for_agent=waiting, escalation_rate=rate)  # fmt: skip
        decision = decide(snapshot)
        n = min(decision.calls, calls - out.dialled)
        for _ in range(n):
            out.dialled += 1
            in_progress.append(t + rng.uniform(30, 90))
            escalate_flags.append(rng.random() < true_rate)
        used = len(in_progress)
        out.max_lines_used = max(out.max_lines_used, used)
        if used > max_lines:
            out.violations.append(f"t={t}: {used} lines > {max_lines}")
        if n and rate * used > max(0, free - waiting) + 1e-9:
            out.violations.append(f"t={t}: expected escalations {rate * used:.2f} > free agents {free - waiting}")
        out.human_bound_ticks += decision.human_bound
        t += 1.0
    return out
