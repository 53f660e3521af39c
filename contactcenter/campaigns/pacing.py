"""How many calls to start now: pure functions of a snapshot, no clock, no I/O.

The dialer builds a :class:`Snapshot` each tick (from its own attempts, pbx's live counts and
the agents) and asks :func:`decide`. The same code runs in the unit tests' simulations with
a simulated clock, so what is tested is what dials.

Modes:

- ``preview``: never dials by itself; an agent picks a lead and asks for the call.
- ``progressive``: one call in flight per free agent: it can never abandon a caller.
- ``predictive``: more calls than free agents (only some answer), as many as keep the
  expected abandoned calls within the campaign's cap. The budget is cumulative: at most
  ``cap × safety × answered`` abandons over the campaign so far plus this decision, where an
  abandon is an answered call with no agent free (it hears the safe-harbour message).
  Expected abandons of ``n`` calls in flight with ``A`` free agents are ``E[max(0, X − A)]``
  for ``X ~ Binomial(n, p)``, with ``p`` the answer rate's upper confidence bound.
- ``ai_first``: calls go to the bot, as many as the AI lines allow, but no more than the
  human agents of the escalation queues can take. With ``n`` calls in progress after dialing,
  escalation rate ``e``, mean AI call ``T`` s (dial to escalation or end), mean handle time
  ``S`` s, ``F`` free agents less callers waiting (and other campaigns' expected escalations
  into the same queues) and ``B`` busy agents (not those pre-alert holds for a call at risk),
  every decision keeps:

  0. *Someone free*: no call starts while ``F ≤ 0``: a call can escalate in its first seconds.
  1. *Coverage, at every horizon*: for all ``h > 0``,
     ``e·n·(1 − exp(−h/T)) ≤ F + B·(1 − exp(−h/S))``: the escalations the calls in progress
     are expected to produce by ``h`` never exceed the agents free now plus the busy ones
     expected to be done by then (residual times taken as exponential). As ``h → ∞`` this
     contains ``e·n ≤ F + B``; with ``T`` or ``S`` unknown the busy agents count for nothing
     and it is the strict ``e·n ≤ F`` (expected escalations ≤ free agents), with a *margin for
     chance* (:func:`margin_calls`): the escalations that would find every free agent taken,
     ``E[max(0, X − F)]`` for ``X ~ Binomial(n, e)``, stay within half the share of
     escalations the service level lets wait. Without it a small team at a low escalation
     rate (3 agents, 5%: 60 calls) runs far ahead of its agents until the means are known.
  2. *Service level* (only when ``T`` and ``S`` are known): ``n`` is at most ``N* = (λ* − λo)·T/e``
     as whole calls, where ``λ*`` is the most escalations per second that the staffed agents
     (free + busy) answer, ``service_level`` of them within ``answer_within_s`` (Erlang C,
     M/M/c), and ``λo`` the other campaigns' escalations into these queues: by Little's law
     ``e·n/T`` is this campaign's escalations per second. ``N*`` is rounded up while the free
     agents take the extra call with rule 1's margin, to the nearest otherwise: Erlang C
     assumes arrivals blind to the agents, and the pacer sees who is free, so the extra call
     goes where it is safe (a small team's 2.4 held at 2 would lose a sixth of its pace).
     ``n = 1`` is allowed whenever ``N* > 0``, or a small team facing a high escalation rate
     would never dial.

  Rule 1 alone lets agents queue up callers (escalations keep arriving while agents are busy);
  rule 2 sets the pace from queueing theory; rules 0 and 1 react to the moment (a burst of
  escalations stops dialing until agents free up). ``python -m benchmarks pacing`` measures
  the result against the Erlang C limit. When humans are the tighter limit the decision says
  so (``human_bound``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache


# Of the share of escalations the service level lets wait, what the calls in progress may use
# up by chance: the rest is left for the calls dialled while they are still running.
MARGIN_SHARE = 0.5


class DialMode(StrEnum):
    PREVIEW = "preview"
    PROGRESSIVE = "progressive"
    PREDICTIVE = "predictive"
    AI_FIRST = "ai_first"


class Bound(StrEnum):
    """What stopped the dialer from placing more calls."""

    LINES = "lines"  # the campaign's AI line limit
    SITE = "site"  # the site's AI capacity (pbx's live counts)
    HUMANS = "humans"  # expected escalations would exceed free agents
    AGENTS = "agents"  # human modes: no more free agents to call for
    ABANDON_CAP = "abandon_cap"  # predictive: more calls would risk the abandon-rate cap
    MANUAL = "manual"  # preview: agents dial
    CONFIGURATION = "configuration"  # the campaign's trunk or caller ID may not be dialled (stored before checks)
    DATABASE = "database"  # the dialer's database was locked or unreachable: paused, then one pass to catch up


@dataclass(frozen=True)
class RunningRate:
    """A rate from counts, pulled toward ``prior`` while there are few observations.

    The prior keeps the first calls of a campaign cautious: with no history an AI-first
    campaign assumes ``prior`` of its calls escalate, not zero.
    """

    hits: int
    trials: int
    prior: float
    prior_weight: float = 20.0

    @property
    def value(self) -> float:
        return (self.hits + self.prior * self.prior_weight) / (self.trials + self.prior_weight)

    def upper(self, z: float = 1.0) -> float:
        """An upper confidence bound (normal approximation), for decisions that must not overshoot."""
        p = self.value
        n = self.trials + self.prior_weight
        return min(1.0, p + z * math.sqrt(p * (1 - p) / n))


@dataclass(frozen=True)
class Snapshot:
    mode: DialMode
    # Calls of this campaign not yet settled: dialing, or (AI-first) with the bot. For human
    # modes, calls dialing and not yet answered.
    in_progress: int
    max_lines: int  # the campaign's max concurrent AI calls (human modes: max calls in flight)
    free_agents: int  # available agents in the campaign's escalation queue(s)
    waiting_for_agent: int = 0  # callers already escalated/queued and not yet with an agent
    site_lines_free: int | None = None  # AI capacity left on the site (None: unknown / unlimited)
    escalation_rate: float = 0.0  # AI-first: expected share of calls that escalate
    answer_rate: float = 1.0  # predictive: share of dialled calls that answer (upper bound)
    answered: int = 0  # predictive: answered so far in the campaign
    abandoned: int = 0  # predictive: abandoned so far
    max_abandon_rate: float = 0.03
    abandon_safety: float = 0.8  # aim below the cap, not at it
    # AI-first, from the dialer's recent calls; None while unknown (the pacer then keeps the
    # strict "expected escalations ≤ free agents" and no service-level pace).
    busy_agents: int = 0  # agents of the escalation queues on a call, ringing, wrapping up or reserved
    # Of busy_agents, those held by pre-alert for a call at risk: about to take a call, not to
    # finish one, so rule 1 does not count on them freeing up.
    reserved_agents: int = 0
    mean_ai_call_s: float | None = None  # mean time a call counts as in progress (dial to escalation/end)
    mean_handle_s: float | None = None  # mean time an agent spends on an escalated call
    other_escalations_per_s: float = 0.0  # expected arrivals from other campaigns into these queues
    answer_within_s: float = 2.0  # the service level: this share of escalations answered within this
    service_level: float = 0.95


@dataclass(frozen=True)
class Decision:
    calls: int
    bound: Bound
    expected_escalations: float = 0.0  # AI-first: rate × calls in progress after dialing
    expected_abandons: float = 0.0  # predictive: of the calls in flight after dialing
    explanation: str = ""

    @property
    def human_bound(self) -> bool:
        return self.bound is Bound.HUMANS


def decide(s: Snapshot) -> Decision:
    if s.mode is DialMode.PREVIEW:
        return Decision(0, Bound.MANUAL, explanation="preview: agents choose when to dial")
    if s.mode is DialMode.AI_FIRST:
        return _ai_first(s)
    if s.mode is DialMode.PROGRESSIVE:
        return _progressive(s)
    return _predictive(s)


def _line_room(s: Snapshot) -> tuple[int, Bound]:
    room, bound = s.max_lines - s.in_progress, Bound.LINES
    if s.site_lines_free is not None and s.site_lines_free < room:
        room, bound = s.site_lines_free, Bound.SITE
    return max(0, room), bound


def _ai_first(s: Snapshot) -> Decision:
    line_room, line_bound = _line_room(s)
    rate = max(0.0, min(1.0, s.escalation_rate))
    free = s.free_agents - s.waiting_for_agent
    if rate == 0.0:
        human_room = pace_room = line_room
    elif free <= 0:
        human_room = pace_room = 0  # nobody to take a call that escalates in its first seconds
    else:
        # The epsilons absorb float error at equality.
        covered = math.floor(covered_calls(s) + 1e-9)
        pace_room = line_room
        most = paced_calls(s)
        if most is None:  # rule 1's margin while nothing paces
            covered = margin_calls(s, min(covered, s.in_progress + line_room))
        else:
            pace_room = max(0, paced_whole_calls(s, most) - s.in_progress)
        human_room = max(0, covered - s.in_progress)
    calls = min(line_room, human_room, pace_room)
    bound = Bound.HUMANS if min(human_room, pace_room) < line_room else line_bound
    expected = rate * (s.in_progress + calls)
    if bound is not Bound.HUMANS:
        why = f"{bound.value}-bound: {s.in_progress + calls}/{s.max_lines} AI lines in use"
    elif free <= 0:
        why = f"human-bound: {s.free_agents} free agent(s), {s.waiting_for_agent:g} waiting or reserved"
    elif human_room <= pace_room:
        why = (f"human-bound: {s.free_agents} free agent(s) ({s.busy_agents} busy) cover "
               f"{covered} call(s) at a {rate:.0%} escalation rate; {s.in_progress} in progress")  # fmt: skip
    else:
        capacity = escalation_capacity_per_s(s) or 0.0
        why = (f"human-bound: {s.free_agents} free agent(s) of {s.free_agents + s.busy_agents} answer "
               f"{s.service_level:.0%} within {s.answer_within_s:g} s up to {capacity * 3600:.0f} escalations/h: "
               f"{s.in_progress + calls} call(s) of {s.mean_ai_call_s:.0f} s at a {rate:.0%} escalation rate")  # fmt: skip
    return Decision(calls, bound, expected_escalations=expected, explanation=why)


def _durations_known(s: Snapshot) -> bool:
    return bool(s.mean_ai_call_s and s.mean_handle_s and s.mean_ai_call_s > 0 and s.mean_handle_s > 0)


def covered_calls(s: Snapshot) -> float:
    """The most calls in progress whose escalations the agents cover at every horizon ``h``:
    ``e·n·(1 − exp(−h/T)) ≤ F + B·(1 − exp(−h/S))`` (escalations expected by ``h`` vs agents
    free now, less those waiting or reserved, plus busy ones expected to be done by ``h``; an
    agent held by pre-alert is busy but not finishing anything).
    Without ``T`` and ``S`` the credit is 0 and this is ``F/e``."""
    rate = max(0.0, min(1.0, s.escalation_rate))
    free = s.free_agents - s.waiting_for_agent
    if rate == 0.0:
        return math.inf
    finishing = s.busy_agents - s.reserved_agents
    if not _durations_known(s) or finishing <= 0 or free < 0:
        return max(0.0, free) / rate  # h → ∞ is the tightest horizon
    t, h_s, busy = float(s.mean_ai_call_s), float(s.mean_handle_s), float(finishing)  # type: ignore[arg-type]

    def most(h: float) -> float:
        return (free + busy * -math.expm1(-h / h_s)) / (rate * -math.expm1(-h / t))

    # Unimodal or falling in h; a log grid brackets the minimum, golden sections refine it.
    lo_h, hi_h = 1e-3 * min(t, h_s), 1e3 * max(t, h_s)
    grid = [lo_h * (hi_h / lo_h) ** (i / 63) for i in range(64)]
    values = [most(h) for h in grid]
    k = min(range(len(grid)), key=values.__getitem__)
    a, b = grid[max(0, k - 1)], grid[min(len(grid) - 1, k + 1)]
    for _ in range(40):
        c, d = b - (b - a) * 0.618, a + (b - a) * 0.618
        if most(c) <= most(d):
            b = d
        else:
            a = c
    best = min(values[k], most((a + b) / 2), (free + busy) / rate)  # (free + busy) / rate: h → ∞
    return best * (1 - 1e-9)


def paced_whole_calls(s: Snapshot, most: float) -> int:
    """Rule 2's target as whole calls in progress: ``N*`` rounded up while the free agents take
    the extra call's escalations with the margin, to the nearest otherwise, and never 0 while
    ``N* > 0``. Rounding by the moment keeps the mean pace near ``N*`` (a target of 2.4 held at
    2 costs a small team a sixth of its pace) and moves the extra calls to when agents are free."""
    if most <= 0:
        return 0
    nearest = max(1, math.floor(most + 0.5))
    up = math.ceil(most - 1e-9)
    return up if up > nearest and margin_calls(s, up) >= up else nearest


def margin_calls(s: Snapshot, most: int) -> int:
    """The most calls in progress, up to ``most``, whose escalations find a free agent with a
    margin for chance (rule 1's margin): with ``X ~ Binomial(n, e)`` the escalations of ``n``
    calls and ``F`` the free agents (busy ones given no credit), at most ``MARGIN_SHARE`` of the
    share the service level lets wait are expected to find every free agent taken:
    ``E[max(0, X − F)] ≤ MARGIN_SHARE·(1 − service_level)·e·n``. Expectations alone let
    ``e·n = F`` calls run, and then more than ``F`` of them escalate a third of the time."""
    rate = max(0.0, min(1.0, s.escalation_rate))
    free = math.floor(s.free_agents - s.waiting_for_agent)
    allowed = MARGIN_SHARE * (1.0 - s.service_level)

    def within(n: int) -> bool:
        return expected_excess(n, rate, free) <= allowed * rate * n + 1e-12

    if most <= 0 or within(most):
        return max(0, most)
    lo, hi = 0, most  # within(lo) and not within(hi): the share only grows with n
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if within(mid) else (lo, mid)
    return lo


def paced_calls(s: Snapshot) -> float | None:
    """The most calls in progress whose escalations (``e·n/T`` per second, Little's law) plus
    other campaigns' fit what the staffed agents answer at the service level (Erlang C)."""
    rate = max(0.0, min(1.0, s.escalation_rate))
    capacity = escalation_capacity_per_s(s)
    if capacity is None or rate == 0.0:
        return None
    return max(0.0, capacity - s.other_escalations_per_s) * float(s.mean_ai_call_s) / rate  # type: ignore[arg-type]


def escalation_capacity_per_s(s: Snapshot) -> float | None:
    """Most escalations per second the staffed agents answer at the service level; None if unknown."""
    if not _durations_known(s):
        return None
    return max_arrival_rate(s.free_agents + s.busy_agents, float(s.mean_handle_s),  # type: ignore[arg-type]
                            s.answer_within_s, s.service_level)  # fmt: skip


# ------------------------------------------------------------------ Erlang C (M/M/c)


def erlang_c(agents: int, load: float) -> float:
    """P(an arrival waits) with ``agents`` servers and ``load`` erlangs offered (λ × mean handle time)."""
    if load <= 0.0:
        return 0.0
    if load >= agents:
        return 1.0
    b = 1.0  # Erlang B by its stable recursion
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    return agents * b / (agents - load * (1.0 - b))


def service_level(agents: int, load: float, within_s: float, mean_handle_s: float) -> float:
    """P(wait ≤ within_s) for Poisson arrivals and exponential handle times (M/M/c, FIFO)."""
    if agents <= 0 or load >= agents:
        return 0.0
    return 1.0 - erlang_c(agents, load) * math.exp(-(agents - load) * within_s / mean_handle_s)


@lru_cache(maxsize=4096)
def _max_load(agents: int, within_over_handle: float, target: float) -> float:
    lo, hi = 0.0, float(agents)
    for _ in range(50):  # service_level falls as the load rises; bisect to ~1e-15 of agents
        mid = (lo + hi) / 2
        if service_level(agents, mid, within_over_handle, 1.0) >= target:
            lo = mid
        else:
            hi = mid
    return lo


def max_arrival_rate(agents: int, mean_handle_s: float, within_s: float, target: float) -> float:
    """The most arrivals per second that ``agents`` answer, ``target`` of them within ``within_s``."""
    if agents <= 0 or mean_handle_s <= 0:
        return 0.0
    ratio = float(f"{within_s / mean_handle_s:.4g}")  # rounded so the cache serves a drifting mean
    return _max_load(agents, ratio, min(target, 1.0 - 1e-12)) / mean_handle_s


def _progressive(s: Snapshot) -> Decision:
    line_room, line_bound = _line_room(s)
    agent_room = max(0, s.free_agents - s.waiting_for_agent - s.in_progress)
    calls = min(line_room, agent_room)
    bound = Bound.AGENTS if agent_room <= line_room else line_bound
    return Decision(calls, bound, explanation=f"{s.free_agents} free agent(s), {s.in_progress} call(s) in flight")


def expected_excess(n: int, p: float, agents: int) -> float:
    """E[max(0, X − agents)] for X ~ Binomial(n, p): callers answering with nobody to take them."""
    if n <= agents or p <= 0.0:
        return 0.0
    if p >= 1.0:
        return float(n - agents)
    # E[max(0, X-a)] = E[X] - a + E[max(0, a-X)], and the last sum only runs over X < a.
    q = 1.0 - p
    pmf = q**n
    below = 0.0
    for k in range(agents):
        below += (agents - k) * pmf
        pmf *= (n - k) / (k + 1) * p / q
    return n * p - agents + below


def _predictive(s: Snapshot) -> Decision:
    line_room, line_bound = _line_room(s)
    agents = max(0, s.free_agents - s.waiting_for_agent)
    if agents == 0:
        return Decision(0, Bound.AGENTS, explanation="no free agent")
    p = max(0.01, min(1.0, s.answer_rate))
    target = s.max_abandon_rate * s.abandon_safety
    most = s.in_progress + line_room
    # Never less than progressive: with no more calls in flight than free agents nobody is abandoned.
    n = max(s.in_progress, min(agents, most))
    bound = line_bound if n >= most else Bound.ABANDON_CAP
    while n < most:
        candidate = n + 1
        excess = expected_excess(candidate, p, agents)
        budget = target * (s.answered + candidate * p) - s.abandoned
        if excess > budget:
            bound = Bound.ABANDON_CAP
            break
        n = candidate
    else:
        bound = line_bound
    calls = max(0, n - s.in_progress)
    excess = expected_excess(s.in_progress + calls, p, agents)
    return Decision(calls, bound, expected_abandons=excess,
                    explanation=f"{agents} free agent(s), answer rate ≤ {p:.0%}, {s.in_progress + calls} in flight, "
                                f"expected abandons {excess:.2f}")  # fmt: skip
