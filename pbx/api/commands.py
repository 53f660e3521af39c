"""Commands to pbx, on ``COMMANDS_STREAM``: place a call, move it to a human, hang it up."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union

from pydantic import Field, TypeAdapter, model_validator

from pbx.api._model import ContractModel
from pbx.api.streams import new_id
from pbx.api.telephony import NAME_PATTERN
from pbx.api.vocabulary import EscalationReason, HandoverReason, SupervisionMode
from pbx.api.wire import decode_entry


class OriginateCall(ContractModel):
    """Call ``endpoint`` and, once answered, run ``flow`` with VoiceWatch ``policy``."""

    type: Literal["originate"] = "originate"
    command_id: str = Field(default_factory=new_id)
    call_id: str = Field(default_factory=new_id)
    endpoint: str = Field(min_length=3, description="e.g. PJSIP/+919800000000@trunk or Local/cust1@cc-sim")
    caller_id: str = ""
    timeout_s: int = Field(30, ge=5, le=120)
    flow: dict[str, Any] | str = Field(description="a flow name from the catalogue (pbx.api.flows) or a flow document")
    policy: dict[str, Any] = Field(default_factory=dict, description="VoiceWatch policy document")
    lead: dict[str, str] = Field(default_factory=dict, description="fields the flow's prompts use")
    campaign_id: int | None = None
    lead_id: int | None = None
    escalation_queue: str = "support"
    variables: dict[str, str] = Field(default_factory=dict)

    @property
    def flow_name(self) -> str:
        return self.flow if isinstance(self.flow, str) else str(self.flow.get("name", ""))


class TransferCall(ContractModel):
    """Move a live AI call to a human queue now (a supervisor's or the dialer's decision)."""

    type: Literal["transfer"] = "transfer"
    command_id: str = Field(default_factory=new_id)
    call_id: str
    queue: str
    reason: EscalationReason = EscalationReason(HandoverReason.SUPERVISOR)  # type: ignore[valid-type]


class ReserveAgent(ContractModel):
    """Hold ``agent`` for AI call ``call_id``, which VoiceWatch says is likely to escalate.

    pbx pauses the agent in its queues (reason ``reserved``) so no other call takes them, rings
    them first if the call escalates (with an auto-answer header when ``auto_answer``), and ends
    the hold when the risk falls back, the call ends, or after ``hold_s``: each reported as
    ``agent.reservation_ended``.
    """

    type: Literal["reserve_agent"] = "reserve_agent"
    command_id: str = Field(default_factory=new_id)
    call_id: str
    agent: str = Field(pattern=NAME_PATTERN)
    queue: str = Field(pattern=NAME_PATTERN)
    auto_answer: bool = False
    hold_s: int = Field(60, ge=5, le=600)


class HangupCall(ContractModel):
    type: Literal["hangup"] = "hangup"
    command_id: str = Field(default_factory=new_id)
    call_id: str
    reason: str = "requested"


class SupervisorTakeover(ContractModel):
    """A supervisor takes an AI call over by hand, before VoiceWatch acts: the call goes to their
    own queue (``supervisor_queue``), or straight to their phone when ``supervisor_phone`` is set."""

    type: Literal["takeover"] = "takeover"
    command_id: str = Field(default_factory=new_id)
    call_id: str
    supervisor_queue: str = ""
    supervisor_phone: str = Field("", description="an agent phone name (PJSIP endpoint); wins over the queue")
    supervisor: str = Field("", max_length=150, description="who asked (the Django user name), for the ledger")

    @model_validator(mode="after")
    def _a_destination(self) -> SupervisorTakeover:
        if not (self.supervisor_queue or self.supervisor_phone):
            raise ValueError("a takeover needs supervisor_queue or supervisor_phone")
        for name in (self.supervisor_queue, self.supervisor_phone):
            if name and not re.fullmatch(NAME_PATTERN, name):
                raise ValueError(f"{name!r} is not a queue or phone name")
        return self


class SuperviseCall(ContractModel):
    """A supervisor's phone joins a live call: listen, whisper or barge (``SupervisionMode``).

    pbx rings ``supervisor_phone`` and joins it to the call through an ARI snoop channel, on the
    agent's channel once there is an agent, else on the customer's (docs/supervisors.md). A second
    command for the same supervisor and call changes the mode; ``StopSupervising`` (or the
    supervisor hanging up) ends it."""

    type: Literal["supervise"] = "supervise"
    command_id: str = Field(default_factory=new_id)
    call_id: str
    mode: SupervisionMode
    supervisor: str = Field(min_length=1, max_length=150, description="the Django user name, for the ledger")
    supervisor_phone: str = Field(pattern=NAME_PATTERN, description="the supervisor's phone (PJSIP endpoint name)")


class StopSupervising(ContractModel):
    type: Literal["stop_supervising"] = "stop_supervising"
    command_id: str = Field(default_factory=new_id)
    call_id: str
    supervisor: str = Field(min_length=1, max_length=150)


class ForceAgentState(ContractModel):
    """A supervisor pauses an agent or logs them out of every queue (AMI ``QueuePause``); Django
    has already recorded the agent's new state, pbx makes Asterisk agree and writes the ledger row."""

    type: Literal["agent_state"] = "agent_state"
    command_id: str = Field(default_factory=new_id)
    agent: str = Field(pattern=NAME_PATTERN)
    action: Literal["pause_agent", "log_out_agent"]
    reason: str = Field("", max_length=80)
    supervisor: str = Field(min_length=1, max_length=150)


Command = Annotated[Union[OriginateCall, TransferCall, ReserveAgent, HangupCall, SupervisorTakeover, SuperviseCall,
                          StopSupervising, ForceAgentState],
                    Field(discriminator="type")]  # fmt: skip
_command_adapter: TypeAdapter[Command] = TypeAdapter(Command)


def parse_command(fields: dict[Any, Any]) -> Command:
    return decode_entry(fields, _command_adapter, "command")
