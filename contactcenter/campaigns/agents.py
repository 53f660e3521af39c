"""Human agents as the dialer sees them: how many are free in which queues.

This is the seam for the agent console: today agent state comes from pbx's ``queue.event``s
(AMI AgentCalled/AgentConnect/AgentComplete…) and from the admin; when the console owns
agent state (log-in, pause, wrap-up), it replaces :func:`apply_queue_event` and keeps
:func:`free_agents`'s meaning: agents who could take a call right now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from contactcenter.campaigns.models import Agent, AgentState

# AMI event name -> the state it puts the member in
_STATE_BY_EVENT = {
    "AgentCalled": AgentState.RINGING,
    "AgentConnect": AgentState.ON_CALL,
    "AgentComplete": AgentState.AVAILABLE,
    "AgentRingNoAnswer": AgentState.AVAILABLE,
    "AgentDump": AgentState.AVAILABLE,
}


def free_agents(queue_names: Iterable[str]) -> int:
    """Distinct agents available now in any of these queues."""
    return Agent.objects.filter(queues__name__in=list(queue_names), state=AgentState.AVAILABLE).distinct().count()


def busy_agents(queue_names: Iterable[str]) -> int:
    """Distinct agents of these queues taken by a call now (ringing, talking, wrapping up):
    the AI-first pacer counts on some of them being free again soon."""
    busy = [AgentState.RINGING, AgentState.ON_CALL, AgentState.WRAP_UP]
    return Agent.objects.filter(queues__name__in=list(queue_names), state__in=busy).distinct().count()


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
