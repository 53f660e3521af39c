"""Writes about people: one transaction each (see ``contactcenter.campaigns.services``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F

from contactcenter.campaigns import compliance
from contactcenter.people.models import (
    Agent,
    AgentSkill,
    DncSource,
    DoNotCall,
    HumanQueue,
    QueueMembership,
    Skill,
    new_sip_password_salt,
)

if TYPE_CHECKING:
    from contactcenter.campaigns.models import Campaign


def do_add_dnc(phone: str, source: str = DncSource.ADMIN, reason: str = "", campaign: Campaign | None = None,
               call_id: str = "") -> tuple[DoNotCall, bool]:  # fmt: skip
    """Put a number on the do-not-call list for every campaign. Returns (entry, created).

    Leads with that number are not touched here: the dialer checks the list at dial time,
    inside the transaction that records the attempt, and finishes them as ``do_not_call``.
    """
    phone = compliance.normalise_phone(phone)
    with transaction.atomic():
        entry, created = DoNotCall.objects.get_or_create(
            phone=phone, defaults={"source": source, "reason": reason[:200], "campaign": campaign, "call_id": call_id}
        )  # fmt: skip
    return entry, created


# ------------------------------------------------------------------ agents and queues


class ConfigurationError(Exception):
    """A configuration change refused for a reason the operator must read (the API answers 409)."""


_KEEP: Any = object()  # AgentSetup.user: leave the agent's console user as it is


@dataclass(frozen=True)
class AgentSetup:
    """What an agent is given besides its own fields; None: leave it as it is."""

    queues: list[HumanQueue] | None = None
    penalties: dict[str, int] | None = None  # queue name -> penalty, for queues the agent is in
    skills: dict[Skill, int] | None = None  # skill -> level
    user: Any = _KEEP


def do_configure_agent(agent: Agent, setup: AgentSetup) -> Agent:
    """Save the agent with its memberships, skills and console user, in one transaction (so pbx
    gets one new configuration for it, after the commit)."""
    from contactcenter.console.models import AgentProfile

    with transaction.atomic():
        agent.save()
        if setup.queues is not None or setup.penalties is not None:
            queues = setup.queues if setup.queues is not None else list(agent.queues.all())
            penalties = setup.penalties or {}
            QueueMembership.objects.filter(agent=agent).exclude(queue__in=queues).delete()
            for queue in queues:
                membership, _ = QueueMembership.objects.get_or_create(agent=agent, queue=queue)
                if queue.name in penalties and membership.penalty != penalties[queue.name]:
                    membership.penalty = penalties[queue.name]
                    membership.save(update_fields=["penalty"])
        if setup.skills is not None:
            AgentSkill.objects.filter(agent=agent).exclude(skill__in=list(setup.skills)).delete()
            for skill, level in setup.skills.items():
                AgentSkill.objects.update_or_create(agent=agent, skill=skill, defaults={"level": level})
        if setup.user is not _KEEP:
            AgentProfile.objects.filter(agent=agent).exclude(user=setup.user).delete()
            if setup.user is not None:
                AgentProfile.objects.get_or_create(agent=agent, user=setup.user)
    return agent


def do_rotate_sip_password(agent: Agent) -> Agent:
    """A new SIP password (next generation, new salt): the old one stops registering once pbx
    renders the new configuration."""
    with transaction.atomic():
        Agent.objects.filter(pk=agent.pk).update(sip_password_generation=F("sip_password_generation") + 1,
                                                 sip_password_salt=new_sip_password_salt())  # fmt: skip
        agent.refresh_from_db()
        agent.save(update_fields=["sip_password_generation", "sip_password_salt"])  # the signal that publishes it
    return agent


def check_queue_deletable(queue: HumanQueue) -> None:
    if queue.is_failsafe:
        raise ConfigurationError(f"{queue.name} is the fail-safe queue (CC_FAILSAFE_QUEUE), where calls go when "
                                 "nothing else can take them; it cannot be deleted")  # fmt: skip
