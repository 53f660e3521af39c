"""AI-first dialling as a discrete-event simulation, driving the real pacer (``pacing.decide``).

Pure Python, no Django, no wall clock: ``benchmarks/pacing.py`` and the tests run it.

The model:

- Every AI call is answered when dialled and would last ``D ~ Exp(mean_ai_call_s)``. With
  probability ``escalation_rate`` it escalates at a uniformly random point ``U·D`` of that
  time: the bot leaves, the AI line frees up and the caller joins one FIFO queue for the
  ``agents`` humans. Otherwise it ends after ``D``.
- An agent handles an escalated caller for ``Exp(mean_handle_s)`` (no wrap-up), then takes
  the longest-waiting caller or becomes free.
- Every second (the dialer's tick) the pacer sees what the dialer would see: calls in
  progress, free and busy agents, callers waiting, the escalation rate of the last 200 settled
  calls as a :class:`RunningRate` from the campaign's prior, and the mean AI call and handle
  times of the last 200 (unknown until 20 are seen), and its decision starts that many calls.
- Pre-alert (off unless ``prealert_share`` or ``prealert_false_rate`` is set): an escalating
  call is flagged at risk ``prealert_lead_s`` before it escalates with probability
  ``prealert_share``, a call that will not escalate with probability ``prealert_false_rate``
  (at a random point, the risk falling back ``prealert_hold_s`` later or when it ends). A
  flagged call takes a free agent, if any, as a reservation: the agent takes no other caller
  and the pacer sees them busy (and in ``reserved_agents``); on escalation the reserved agent
  answers at once, and a false alarm hands them back (to the longest-waiting caller, if any).
  Its draws come from their own generator, so the calls themselves are those of the run
  without it.
- Events happen at their exact times; only dialling waits for the tick. Dialling stops after
  ``hours``; escalations still waiting then count as late if they have already waited longer
  than ``answer_within_s`` and are left out otherwise.
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from contactcenter.campaigns import pacing
from contactcenter.campaigns.pacing import DialMode, RunningRate, Snapshot

Pacer = Callable[[Snapshot], int]
HISTORY = 200  # settled calls the running rates look at, as the dialer's RECENT
MIN_SAMPLES = 20  # durations seen before the pacer is told a mean


def ai_first_pacer(s: Snapshot) -> int:
    """The real pacer."""
    return pacing.decide(s).calls


def naive_pacer(s: Snapshot) -> int:
    """Keeps every AI line busy, whatever the humans can take."""
    return max(0, s.max_lines - s.in_progress)


@dataclass(frozen=True)
class AiFirstScenario:
    agents: int = 10
    escalation_rate: float = 0.15
    mean_ai_call_s: float = 120.0
    mean_handle_s: float = 240.0
    ai_lines: int = 100
    hours: float = 8.0
    seed: int = 1
    prior: float = 0.15  # the campaign's escalation_rate_prior
    answer_within_s: float = 2.0
    service_level: float = 0.95
    prealert_share: float = 0.0  # of escalations, flagged at risk before they escalate
    prealert_lead_s: float = 8.0  # how long before
    prealert_false_rate: float = 0.0  # of calls that will not escalate, flagged at risk anyway
    prealert_hold_s: float = 20.0  # a false alarm's reservation, unless the call ends first

    @property
    def prealert(self) -> bool:
        return self.prealert_share > 0 or self.prealert_false_rate > 0

    @property
    def mean_line_s(self) -> float:
        """Mean time a call holds an AI line: an escalating call leaves halfway, on average."""
        return self.mean_ai_call_s * (1.0 - self.escalation_rate / 2.0)

    def erlang_c_limit_per_hour(self) -> dict[str, float]:
        """The most AI calls per hour: H agents answering ``service_level`` of the escalations
        within ``answer_within_s`` (Erlang C) ÷ the escalation rate, or the AI lines' limit."""
        escalations = 3600.0 * pacing.max_arrival_rate(self.agents, self.mean_handle_s, self.answer_within_s,
                                                         self.service_level)  # fmt: skip
        humans = escalations / self.escalation_rate if self.escalation_rate > 0 else float("inf")
        lines = self.ai_lines * 3600.0 / self.mean_line_s
        return {"escalations_per_hour": escalations, "humans": humans, "lines": lines, "limit": min(humans, lines)}


@dataclass
class AiFirstRun:
    scenario: AiFirstScenario
    ai_calls: int = 0
    escalations: int = 0
    reserved_answers: int = 0  # escalations taken at once by the agent pre-alert reserved
    answered_within: int = 0  # escalations an agent took within answer_within_s
    counted: int = 0  # escalations whose fate is known (see the module's docstring)
    agent_busy_s: float = 0.0  # within the run's hours
    max_lines_used: int = 0
    max_wait_s: float = 0.0
    snapshots: list[tuple[Snapshot, int]] = field(default_factory=list)  # when asked to keep them

    @property
    def seconds(self) -> float:
        return self.scenario.hours * 3600.0

    def summary(self) -> dict[str, float | int]:
        return {
            "ai_calls_per_hour": round(self.ai_calls / self.scenario.hours, 1),
            "escalations": self.escalations,
            "pct_escalations_answered_within_2s": round(100.0 * self.answered_within / self.counted, 2)
            if self.counted else 100.0,
            "agent_occupancy": round(self.agent_busy_s / (self.scenario.agents * self.seconds), 4),
        }  # fmt: skip


def simulate_ai_first(scenario: AiFirstScenario, pacer: Pacer = ai_first_pacer, keep_snapshots: bool = False,
                      with_durations: bool = True) -> AiFirstRun:  # fmt: skip
    """Run ``scenario`` with ``pacer``; ``with_durations=False`` hides the mean call and handle
    times from it (the pacer as it was before it knew them)."""
    sc = scenario
    rng = random.Random(sc.seed)
    risk_rng = random.Random(f"prealert {sc.seed}")  # its own draws: the calls stay those of the run without it
    run = AiFirstRun(sc)
    end_s = sc.hours * 3600.0
    events: list[tuple[float, int, str]] = []
    seq = 0

    def push(at: float, kind: str) -> None:
        nonlocal seq
        seq += 1
        heapq.heappush(events, (at, seq, kind))

    in_progress = 0
    free = sc.agents
    queue: deque[float] = deque()  # arrival times of escalated callers waiting for an agent
    outcomes: deque[bool] = deque(maxlen=HISTORY)  # escalated?, per settled AI call
    line_times: deque[float] = deque(maxlen=HISTORY)
    handle_times: deque[float] = deque(maxlen=HISTORY)
    started_at: dict[int, float] = {}  # AI call id -> start, so the event knows its line time
    reserved: set[int] = set()  # AI calls at risk holding an agent

    def serve(now: float, arrived: float) -> None:
        wait = now - arrived
        run.max_wait_s = max(run.max_wait_s, wait)
        run.counted += 1
        run.answered_within += wait <= sc.answer_within_s
        handle = rng.expovariate(1.0 / sc.mean_handle_s)
        run.agent_busy_s += max(0.0, min(now + handle, end_s) - now)
        push(now + handle, f"done {handle}")

    def settle(now: float, call: int, escalated: bool) -> None:
        nonlocal in_progress
        in_progress -= 1
        line_times.append(now - started_at.pop(call))
        outcomes.append(escalated)

    def agent_free(at: float) -> None:
        nonlocal free
        if queue:
            serve(at, queue.popleft())
        else:
            free += 1

    def handle(at: float, kind: str) -> None:
        nonlocal free
        what, _, arg = kind.partition(" ")
        if what == "at_risk":
            if free > 0 and int(arg) in started_at:  # free > 0: nobody is waiting
                free -= 1
                reserved.add(int(arg))
        elif what in ("end", "risk_fell"):
            if what == "end":
                settle(at, int(arg), False)
            if int(arg) in reserved:
                reserved.discard(int(arg))
                agent_free(at)
        elif what == "escalate":
            settle(at, int(arg), True)
            run.escalations += 1
            if int(arg) in reserved:
                reserved.discard(int(arg))
                run.reserved_answers += 1
                serve(at, at)
            elif free > 0:
                free -= 1
                serve(at, at)
            else:
                queue.append(at)
        else:  # an agent is done
            handle_times.append(float(arg))
            agent_free(at)

    t = 0.0
    while t < end_s:
        while events and events[0][0] <= t:
            at, _, kind = heapq.heappop(events)
            handle(at, kind)
        known = with_durations and len(line_times) >= MIN_SAMPLES and len(handle_times) >= MIN_SAMPLES
        snapshot = Snapshot(
            mode=DialMode.AI_FIRST, in_progress=in_progress, max_lines=sc.ai_lines, free_agents=free,
            waiting_for_agent=len(queue), escalation_rate=RunningRate(sum(outcomes), len(outcomes), sc.prior).value,
            busy_agents=sc.agents - free, reserved_agents=len(reserved),
            mean_ai_call_s=sum(line_times) / len(line_times) if known else None,
            mean_handle_s=sum(handle_times) / len(handle_times) if known else None,
            answer_within_s=sc.answer_within_s, service_level=sc.service_level,
        )  # fmt: skip
        n = pacer(snapshot)
        if keep_snapshots:
            run.snapshots.append((snapshot, n))
        for _ in range(n):
            run.ai_calls += 1
            in_progress += 1
            started_at[run.ai_calls] = t
            length = rng.expovariate(1.0 / sc.mean_ai_call_s)
            if rng.random() < sc.escalation_rate:
                escalates_at = t + rng.random() * length
                push(escalates_at, f"escalate {run.ai_calls}")
                if sc.prealert and risk_rng.random() < sc.prealert_share:
                    push(max(t, escalates_at - sc.prealert_lead_s), f"at_risk {run.ai_calls}")
            else:
                push(t + length, f"end {run.ai_calls}")
                if sc.prealert and risk_rng.random() < sc.prealert_false_rate:
                    flagged_at = t + risk_rng.random() * length
                    push(flagged_at, f"at_risk {run.ai_calls}")
                    push(flagged_at + sc.prealert_hold_s, f"risk_fell {run.ai_calls}")
        run.max_lines_used = max(run.max_lines_used, in_progress)
        t += 1.0
    # Escalations still waiting at the end: late if they already waited too long.
    while events and events[0][0] <= end_s:
        at, _, kind = heapq.heappop(events)
        handle(at, kind)
    run.counted += sum(1 for arrived in queue if end_s - arrived > sc.answer_within_s)
    return run
