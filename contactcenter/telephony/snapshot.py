"""The PBX as Django describes it to pbx: one ``PbxConfig`` built from the tables.

Agents become phones with md5 digest credentials (the password itself never leaves Django),
queues carry their members (set by hand, or derived from the queue's required skill), trunks
and enabled inbound routes follow. The contract checks the whole for consistency; a snapshot
it refuses is never published (:mod:`contactcenter.telephony.publisher`).
"""

from __future__ import annotations

from contactcenter.campaigns.models import Campaign
from contactcenter.campaigns.pbx_link import call_flow, call_policy
from contactcenter.people.models import Agent, AgentSkill, HumanQueue, QueueMembership, failsafe_queue_name
from contactcenter.people.sip_credentials import agent_secret, sip_password
from contactcenter.telephony.models import InboundRoute, Trunk
from pbx.api import FIELD_DEFAULTS, PbxConfig, Telephony
from pbx.api import InboundRoute as InboundRouteSpec
from pbx.api.telephony import AgentPhone, QueueMember, QueueSpec, md5_cred

# A skill-derived member's penalty: the most skilled (level 10) is offered first (penalty 0).
TOP_SKILL_LEVEL = 10


def agent_phone(agent: Agent, secret: str) -> AgentPhone:
    return AgentPhone(name=agent.name, md5_cred=md5_cred(agent.name, sip_password(agent, secret)),
                      transport=agent.transport, static_contact=agent.static_contact,
                      display_name=agent.display_name)  # fmt: skip


def queue_members(queue: HumanQueue, by_hand: list[QueueMembership], skilled: list[AgentSkill]) -> tuple[QueueMember, ...]:
    """Hand-set members with their penalty, in the order they joined, then holders of the required
    skill, most skilled first (penalty ``10 - level``); where an agent is both, the hand-set row
    wins. The order is the one linear and rrordered queues offer calls in."""
    penalties = {m.agent.name: m.penalty for m in sorted(by_hand, key=lambda m: m.pk)}
    for held in sorted(skilled, key=lambda h: (-h.level, h.agent.name)):
        penalties.setdefault(held.agent.name, TOP_SKILL_LEVEL - held.level)
    return tuple(QueueMember(agent=name, penalty=penalty) for name, penalty in penalties.items())


def queue_spec(queue: HumanQueue, by_hand: list[QueueMembership], skilled: list[AgentSkill]) -> QueueSpec:
    return QueueSpec(
        name=queue.name, strategy=queue.strategy, ring_timeout_s=queue.ring_timeout_s, max_wait_s=queue.max_wait_s,
        wrap_up_s=queue.wrap_up_s, service_level_s=queue.service_level_s,
        overflow_queue=queue.overflow_queue.name if queue.overflow_queue else None,
        overflow_after_s=queue.overflow_after_s, music_class=queue.music_class,
        announce_position=queue.announce_position, announce_frequency_s=queue.announce_frequency_s,
        members=queue_members(queue, by_hand, skilled),
    )  # fmt: skip


def flow_route(campaign: Campaign) -> dict:
    """A DID answered like one of the campaign's calls: its flow, policy, language and queue."""
    return {"target": "flow", "flow": call_flow(campaign), "policy": call_policy(campaign),
            "lead": {**FIELD_DEFAULTS, "language": campaign.flow_language},
            "escalation_queue": campaign.escalation_queue.name, "campaign_id": campaign.pk}  # fmt: skip


def route_spec(route: InboundRoute) -> InboundRouteSpec:
    if route.target == "flow":
        values = flow_route(route.campaign)
    else:
        values = {"target": "queue", "escalation_queue": route.queue.name}
    return InboundRouteSpec(**values, hours=route.hours.spec() if route.hours else None,
                            after_hours=route.after_hours, after_hours_sound=route.after_hours_sound)  # fmt: skip


def telephony() -> Telephony:
    secret = agent_secret()
    agents = list(Agent.objects.order_by("name"))
    by_hand: dict[int, list[QueueMembership]] = {}
    for membership in QueueMembership.objects.select_related("agent"):
        by_hand.setdefault(membership.queue_id, []).append(membership)
    skilled: dict[int, list[AgentSkill]] = {}
    for held in AgentSkill.objects.select_related("agent"):
        skilled.setdefault(held.skill_id, []).append(held)
    queues = HumanQueue.objects.select_related("overflow_queue").order_by("name")
    return Telephony(
        agents=tuple(agent_phone(agent, secret) for agent in agents),
        queues=tuple(queue_spec(q, by_hand.get(q.pk, []), skilled.get(q.required_skill_id, []) if q.required_skill_id
                                else []) for q in queues),
        trunks=tuple(trunk.spec() for trunk in Trunk.objects.order_by("name")),
        failsafe_queue=failsafe_queue_name(),
    )  # fmt: skip


def build_pbx_config(version: int) -> PbxConfig:
    """The whole snapshot; raises pydantic's ValidationError if the tables are inconsistent."""
    routes = (InboundRoute.objects.filter(enabled=True)
              .select_related("campaign__escalation_queue", "queue", "hours")
              .prefetch_related("hours__windows", "hours__holidays"))  # fmt: skip
    return PbxConfig(version=version, inbound={route.digits: route_spec(route) for route in routes},
                     pbx=telephony())  # fmt: skip
