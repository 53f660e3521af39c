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
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from contactcenter.people.models import Agent, AgentState
from pbx.api import PERSON_SET_AGENT_STATES, AgentStateChanged

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


def apply_phone_state(event: AgentStateChanged, at: dt.datetime) -> bool:
    """Follow an agent's state from their phone's activity; True if an agent changed."""
    # An agent marked offline/paused by a person stays so; only live agents follow their phone.
    changed = (
        Agent.objects.filter(name=event.agent)
        .exclude(state__in=list(PERSON_SET_AGENT_STATES))
        .exclude(state=event.state)
        .update(state=event.state, state_changed_at=at)
    )
    return changed > 0
