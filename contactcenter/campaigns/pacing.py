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
- ``ai_first``: calls go to the bot, as many as the AI lines allow, but only so many that
  the expected escalations (the campaign's running escalation rate × calls in progress)
  never exceed the free human agents of its escalation queues (less callers already waiting
  for one). When humans are the tighter limit the decision says so (``human_bound``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


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
    humans_free = max(0, s.free_agents - s.waiting_for_agent)
    rate = max(0.0, min(1.0, s.escalation_rate))
    if rate == 0.0:
        human_room = line_room
    else:
        # rate × (in_progress + n) <= humans_free; the epsilon absorbs float error at equality.
        human_room = max(0, math.floor(humans_free / rate + 1e-9) - s.in_progress)
    calls = min(line_room, human_room)
    bound = Bound.HUMANS if human_room < line_room else line_bound
    expected = rate * (s.in_progress + calls)
    if bound is Bound.HUMANS:
        why = (f"human-bound: {humans_free} free agent(s) cover {humans_free / rate if rate else math.inf:.1f} "
               f"call(s) at a {rate:.0%} escalation rate; {s.in_progress} in progress")  # fmt: skip
    else:
        why = f"{bound.value}-bound: {s.in_progress + calls}/{s.max_lines} AI lines in use"
    return Decision(calls, bound, expected_escalations=expected, explanation=why)


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
