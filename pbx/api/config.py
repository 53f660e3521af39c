"""The configuration pbx needs without a command, published by Django at ``CONFIG_KEY``."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from pbx.api._model import ContractModel


class InboundRoute(ContractModel):
    """What answers a DID: the flow, its policy and the fields its prompts use."""

    flow: dict[str, Any] | str
    policy: dict[str, Any] = Field(default_factory=dict)
    lead: dict[str, str] = Field(default_factory=dict)
    escalation_queue: str = "support"
    campaign_id: int | None = None

    @property
    def flow_name(self) -> str:
        return self.flow if isinstance(self.flow, str) else str(self.flow.get("name", ""))


class PbxConfig(ContractModel):
    """Published by the management plane after each change; pbx keeps the last valid one."""

    version: int = Field(ge=0)
    inbound: dict[str, InboundRoute] = Field(default_factory=dict, description="DID (digits) -> route")
    default_inbound: InboundRoute | None = None

    def route_for(self, did: str) -> InboundRoute | None:
        digits = did.lstrip("+")
        return self.inbound.get(digits) or self.inbound.get(did) or self.default_inbound
