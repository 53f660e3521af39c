"""Sending supervisors' commands to pbx, and the forced agent states Django records at once.

pbx carries each command out and writes the ledger row (``ledger_supervisor_actions``) with
the supervisor's name; Django keeps no copy of it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

import redis
from django.db import transaction

from contactcenter.campaigns.pbx_link import RedisPbxLink
from contactcenter.console import services as console
from contactcenter.people.models import Agent, AgentState
from contactcenter.supervisors import commands
from contactcenter.supervisors.commands import Supervisor
from contactcenter.supervisors.models import SupervisorProfile
from contactcenter.telephony.publisher import redis_client
from pbx.api import Command, ForceAgentState

log = logging.getLogger(__name__)

# The state Django records for each forced action (pbx's word for it on the left).
FORCED_STATES = {"pause_agent": AgentState.PAUSED, "log_out_agent": AgentState.OFFLINE}


class CommandLink(Protocol):
    def send(self, commands: Sequence[Command]) -> None: ...


class PbxUnreachable(Exception):
    """The commands stream (Redis) could not take the command: nothing was sent, nothing changed."""


def supervisor_of(user) -> Supervisor:
    """The logged-in user as the commands name them, with their profile's phone and queue."""
    profile = (
        SupervisorProfile.objects.select_related("phone", "supervisor_queue").filter(user_id=user.pk).first()
    )
    if profile is None:
        return Supervisor(user.get_username())
    queue = profile.supervisor_queue.name if profile.supervisor_queue else ""
    return Supervisor(user.get_username(), phone=profile.phone.name, queue=queue)


def send(command: Command, link: CommandLink | None = None) -> str:
    """Onto pbx's commands stream; its command id (pbx ignores a repeated one)."""
    client = None
    if link is None:
        client = redis_client()
        link = RedisPbxLink(client)
    try:
        link.send([command])
    except (redis.RedisError, OSError) as exc:
        log.warning("supervisor command %s not sent: %s", command.type, exc)
        raise PbxUnreachable("pbx's command stream (Redis) is unreachable: nothing was sent") from exc
    finally:
        if client is not None:
            client.close()
    log.info("supervisor command %s %s sent by %s", command.type, command.command_id,
             getattr(command, "supervisor", ""))  # fmt: skip
    return command.command_id


def do_force_agent_state(agent: Agent, action: str, supervisor: Supervisor, reason: str = "",
                         link: CommandLink | None = None) -> tuple[Agent, ForceAgentState]:  # fmt: skip
    """Record the agent's forced state and tell pbx, in one transaction: when the command cannot
    be sent the state is not changed either (the console and Asterisk would disagree)."""
    command = commands.force(supervisor, agent.name, action, reason)  # type: ignore[arg-type]
    with transaction.atomic():
        agent = console.do_force_state(
            agent.pk, FORCED_STATES[action], supervisor=supervisor.name, reason=reason
        )
        send(command, link)
    return agent, command
