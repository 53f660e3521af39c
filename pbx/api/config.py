"""The configuration pbx needs without a command, published by Django at ``CONFIG_KEY``.

One snapshot holds all of it: the PBX itself (agents' phones, queues, trunks; pbx renders them
into Asterisk and reloads it) and what answers each inbound number. Django publishes a new
version after every change and announces it on ``CONFIG_CHANGED_CHANNEL``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, model_validator

from pbx.api._model import ContractModel
from pbx.api.telephony import (
    NAME_PATTERN,
    AfterHoursAction,
    AgentPhone,
    InboundTarget,
    OpeningHours,
    QueueSpec,
    TrunkSpec,
)


class InboundRoute(ContractModel):
    """What answers a DID: a campaign's bot flow (its policy and prompt fields) or a queue,
    while the business is open; the after-hours action while it is not."""

    target: InboundTarget = "flow"
    flow: dict[str, Any] | str = ""
    policy: dict[str, Any] = Field(default_factory=dict)
    lead: dict[str, str] = Field(default_factory=dict)
    # The queue a flow escalates to, or the queue a ``queue`` route sends callers straight to.
    escalation_queue: str = Field("support", pattern=NAME_PATTERN)
    campaign_id: int | None = None
    # None: always open.
    hours: OpeningHours | None = None
    after_hours: AfterHoursAction = "message"
    # A sound file name (no extension) Asterisk plays after hours; empty: a stock message.
    after_hours_sound: str = Field("", pattern=r"^(?:[A-Za-z0-9_-]+/)?[A-Za-z0-9_-]{0,60}$")

    @model_validator(mode="after")
    def _target(self) -> InboundRoute:
        if self.target == "flow" and not self.flow_name:
            raise ValueError("a flow route names its flow")
        return self

    @property
    def flow_name(self) -> str:
        return self.flow if isinstance(self.flow, str) else str(self.flow.get("name", ""))

    def open_at(self, when: datetime) -> bool:
        return self.hours is None or self.hours.open_at(when)


class PbxConfig(ContractModel):
    """Published by the management plane after each change; pbx keeps the last valid one."""

    version: int = Field(ge=0)
    inbound: dict[str, InboundRoute] = Field(default_factory=dict, description="DID (digits) -> route")
    default_inbound: InboundRoute | None = None
    # The PBX. ``None`` (a snapshot from before Django owned it, or a test's): pbx leaves
    # Asterisk's people and queues as they were rendered at start.
    pbx: Telephony | None = None

    def route_for(self, did: str) -> InboundRoute | None:
        digits = did.lstrip("+")
        return self.inbound.get(digits) or self.inbound.get(did) or self.default_inbound


class Telephony(ContractModel):
    """Agents' phones, queues and trunks, checked against each other."""

    agents: tuple[AgentPhone, ...] = ()
    queues: tuple[QueueSpec, ...] = ()
    trunks: tuple[TrunkSpec, ...] = ()
    # Where an answered call goes when nothing else can take it; must be one of the queues.
    failsafe_queue: str = Field("support", pattern=NAME_PATTERN)

    @model_validator(mode="after")
    def _consistent(self) -> Telephony:
        agents = {a.name for a in self.agents}
        queues = {q.name for q in self.queues}
        if len(agents) != len(self.agents) or len(queues) != len(self.queues):
            raise ValueError("agent and queue names must be unique")
        if len({t.name for t in self.trunks}) != len(self.trunks):
            raise ValueError("trunk names must be unique")
        if agents & {t.name for t in self.trunks}:
            raise ValueError("an agent and a trunk cannot share a name (both are SIP endpoints)")
        if self.failsafe_queue not in queues:
            raise ValueError(f"the fail-safe queue {self.failsafe_queue!r} is not one of the queues")
        for queue in self.queues:
            unknown = {m.agent for m in queue.members} - agents
            if unknown:
                raise ValueError(f"queue {queue.name!r} lists unknown agents: {', '.join(sorted(unknown))}")
            if queue.overflow_queue is not None and queue.overflow_queue not in queues:
                raise ValueError(f"queue {queue.name!r} overflows into {queue.overflow_queue!r}, not a queue")
        return self


PbxConfig.model_rebuild()
