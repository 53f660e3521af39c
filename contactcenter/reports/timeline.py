"""Agents' states over time: state changes in, spans of time per state out.

Pure, no clock: the window's end is passed in, and an agent's last known state runs to it.
Two sources tell a change: the database's history of ``Agent.state`` (every writer: console,
admin, supervisor, pbx's phone events as Django applied them; see
:mod:`contactcenter.reports.models`), and pbx's ``agent.state_changed`` events as the
wallboard sees them live. A phone's word never overrides a state a person set (paused,
offline) nor ends a wrap-up, as :func:`contactcenter.people.agents.apply_phone_state` rules.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pbx.api import PERSON_SET_AGENT_STATES, AgentState, AgentStateChanged

OFFLINE = AgentState.OFFLINE.value
# Time an agent is busy with calls: the numerator of occupancy.
OCCUPIED_STATES = frozenset({AgentState.ON_CALL.value, AgentState.WRAP_UP.value, AgentState.RINGING.value})


@dataclass(frozen=True, order=True)
class StateChange:
    at: float
    agent: str
    state: str
    reason: str = ""  # a pause's reason
    by_phone: bool = False  # told by the agent's phone (pbx's queue events), not set by a person


@dataclass(frozen=True)
class StateSpan:
    agent: str
    state: str
    start: float
    end: float
    reason: str = ""

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass
class AgentTimeline:
    """Each agent's changes, in time order; folding the same change twice keeps one."""

    changes: dict[str, list[StateChange]] = field(default_factory=lambda: defaultdict(list))


def change_from_event(event: AgentStateChanged) -> StateChange:
    return StateChange(event.at, event.agent, event.state.value, by_phone=True)


def apply_change(timeline: AgentTimeline, change: StateChange) -> bool:
    """Fold one change in (in any order); True if the timeline changed."""
    changes = timeline.changes[change.agent]
    i = bisect.bisect_left(changes, change)
    if i < len(changes) and changes[i] == change:
        return False
    before = changes[i - 1].state if i else None
    if change.by_phone and before is not None and (
        before in PERSON_SET_AGENT_STATES
        or (before == AgentState.WRAP_UP and change.state == AgentState.AVAILABLE)
    ):
        return False
    changes.insert(i, change)
    return True


def build(changes: Iterable[StateChange]) -> AgentTimeline:
    timeline = AgentTimeline()
    for change in sorted(changes):
        apply_change(timeline, change)
    return timeline


def spans(timeline: AgentTimeline, start: float, end: float) -> tuple[StateSpan, ...]:
    """Every agent's states within ``[start, end)``; a state runs until the next change or ``end``
    (a change before ``start`` gives the state the window opens with)."""
    out: list[StateSpan] = []
    for agent in sorted(timeline.changes):
        changes = timeline.changes[agent]
        for i, change in enumerate(changes):
            until = changes[i + 1].at if i + 1 < len(changes) else end
            lo, hi = max(change.at, start), min(until, end)
            if hi <= lo:
                continue
            last = out[-1] if out else None
            if last is not None and last.agent == agent and last.state == change.state and last.end == lo:
                out[-1] = StateSpan(agent, change.state, last.start, hi, last.reason)
            else:
                out.append(StateSpan(agent, change.state, lo, hi, change.reason))
    return tuple(out)


def split(spans_: Iterable[StateSpan], boundaries: Iterable[float]) -> tuple[StateSpan, ...]:
    """Spans cut at each boundary (local midnights): an agent's time counts on the day it was spent."""
    cuts = sorted(boundaries)
    out: list[StateSpan] = []
    for span in spans_:
        lo = span.start
        for cut in cuts[bisect.bisect_right(cuts, span.start):]:
            if cut >= span.end:
                break
            out.append(StateSpan(span.agent, span.state, lo, cut, span.reason))
            lo = cut
        out.append(StateSpan(span.agent, span.state, lo, span.end, span.reason))
    return tuple(out)


def seconds_by_state(spans_: Iterable[StateSpan]) -> Mapping[str, Mapping[str, float]]:
    """agent -> state -> seconds."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for span in spans_:
        out[span.agent][span.state] += span.seconds
    return {agent: dict(states) for agent, states in out.items()}
