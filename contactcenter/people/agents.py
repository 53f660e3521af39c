"""Human agents as the dialer sees them: how many are free in which queues.

This is the seam for the agent console: today agent state comes from pbx's ``queue.event``s
(AMI AgentCalled/AgentConnect/AgentComplete…) and from the admin; when the console owns
agent state (log-in, pause, wrap-up), it replaces :func:`apply_queue_event` and keeps
:func:`agent_counts`'s meaning: agents who could take a call right now, and agents a call
holds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from contactcenter.people.models import Agent, AgentState

# AMI event name -> the state it puts the member in
_STATE_BY_EVENT = {
    "AgentCalled": AgentState.RINGING,
    "AgentConnect": AgentState.ON_CALL,
    "AgentComplete": AgentState.AVAILABLE,
    "AgentRingNoAnswer": AgentState.AVAILABLE,
    "AgentDump": AgentState.AVAILABLE,
}


_BUSY = (AgentState.RINGING, AgentState.ON_CALL, AgentState.WRAP_UP)


@dataclass(frozen=True)
class AgentCounts:
    free: int  # available now
    busy: int  # taken by a call (ringing, talking, wrapping up): the AI-first pacer counts on some being free soon


def agent_counts(queue_names: Iterable[str]) -> AgentCounts:
    """Distinct agents of any of these queues, free and busy (one query: the dialer asks every tick)."""
    by_state = dict(
        Agent.objects.filter(queues__name__in=list(queue_names)).order_by().values_list("state")
        .annotate(agents=Count("id", distinct=True))
    )  # fmt: skip
    return AgentCounts(free=by_state.get(AgentState.AVAILABLE, 0), busy=sum(by_state.get(s, 0) for s in _BUSY))


def apply_queue_event(name: str, member: str, at: dt.datetime) -> bool:
    """Follow an agent's state from a queue event; True if an agent changed."""
    state = _STATE_BY_EVENT.get(name)
    if state is None or not member:
        return False
    # AMI names members by MemberName ("agent1") or by interface ("PJSIP/agent1").
    agent_name = member.rsplit("/", 1)[-1]
    # An agent marked offline/paused by an admin stays so; only live agents follow the queue.
    changed = (
        Agent.objects.filter(name=agent_name)
        .exclude(state__in=[AgentState.OFFLINE, AgentState.PAUSED])
        .exclude(state=state)
        .update(state=state, state_changed_at=at)
    )
    return changed > 0
