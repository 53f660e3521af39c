"""Human agents as the dialer sees them: how many are free in which queues.

This is the seam for the agent console: today agent state comes from pbx's
``agent.state_changed`` events (their phones ringing, answering, hanging up) and from the
admin; when the console owns agent state (log-in, pause, wrap-up), it replaces
:func:`apply_phone_state` and keeps
:func:`agent_counts`'s meaning: agents who could take a call right now, and agents a call
holds.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q

from contactcenter.people.models import Agent, AgentSkill, AgentState, QueueMembership
from pbx.api import PERSON_SET_AGENT_STATES, AgentStateChanged

# Reserved (pre-alert): held for an AI call likely to escalate, so no other call takes them.
_BUSY = (AgentState.RINGING, AgentState.ON_CALL, AgentState.WRAP_UP, AgentState.RESERVED)


@dataclass(frozen=True)
class AgentCounts:
    free: int  # available now
    busy: int  # taken by a call (ringing, talking, wrapping up, reserved): the AI-first pacer counts on some being free soon
    reserved: int = 0  # among busy: held by pre-alert for a call likely to escalate, not about to be free


def agent_counts(queue_names: Iterable[str]) -> AgentCounts:
    """Distinct agents of any of these queues, free and busy (one query: the dialer asks every tick).

    A queue's agents are those put in it by hand and those holding its required skill, as the
    configuration pbx renders says (``contactcenter.telephony.snapshot.queue_members``)."""
    names = list(queue_names)
    members = Q(queues__name__in=names) | Q(skills__skill__queues__name__in=names)
    by_state = dict(
        Agent.objects.filter(members).order_by().values_list("state").annotate(agents=Count("id", distinct=True))
    )  # fmt: skip
    return AgentCounts(free=by_state.get(AgentState.AVAILABLE, 0), busy=sum(by_state.get(s, 0) for s in _BUSY),
                       reserved=by_state.get(AgentState.RESERVED, 0))  # fmt: skip


def queues_by_agent() -> dict[int, set[str]]:
    """Agent id -> the queues they answer: put there by hand, or holding the queue's required skill."""
    queues: dict[int, set[str]] = defaultdict(set)
    for agent_id, queue in QueueMembership.objects.values_list("agent_id", "queue__name"):
        queues[agent_id].add(queue)
    for agent_id, queue in (AgentSkill.objects.filter(skill__queues__isnull=False)
                            .values_list("agent_id", "skill__queues__name")):  # fmt: skip
        queues[agent_id].add(queue)
    return queues


def apply_phone_state(event: AgentStateChanged, at: dt.datetime) -> bool:
    """Follow an agent's state from their phone's activity; True if an agent changed."""
    # An agent marked offline/paused by a person stays so; only live agents follow their phone.
    agents = Agent.objects.filter(name=event.agent).exclude(state__in=list(PERSON_SET_AGENT_STATES))
    if event.state == AgentState.AVAILABLE:
        # Wrapping up at the console (their queue member paused) until they save the disposition:
        # the phone hanging up, told by pbx before or after the console's own word, frees nobody.
        agents = agents.exclude(state=AgentState.WRAP_UP)
    return agents.exclude(state=event.state).update(state=event.state, state_changed_at=at) > 0
