"""Which agent a user works the console as: the agent role (the policy's WORK_CONSOLE) and a
profile linking the user to an agent; anyone else has no console, whatever else they may do."""

from __future__ import annotations

from typing import Any

from contactcenter.console.models import AgentProfile
from contactcenter.people.models import Agent
from contactcenter.people.policy import Action, may


def console_agent_of(user: Any) -> Agent | None:
    if not may(user, Action.WORK_CONSOLE):
        return None
    profile = AgentProfile.objects.select_related("agent").filter(user_id=user.pk).first()
    return profile.agent if profile else None
