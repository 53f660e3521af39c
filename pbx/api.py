"""The public contract of pbx: commands it accepts and events it emits (schema version 1).

This is the only module of ``pbx`` the management plane imports. Commands arrive on the
Redis stream ``COMMANDS_STREAM`` (consumer group ``COMMAND_GROUP``), so none is lost while
pbx restarts; events leave on ``EVENTS_STREAM`` and are written to the call ledger.

Each stream entry has three fields: ``v`` (schema version), ``type`` and ``data`` (the
model as JSON). Adding optional fields keeps the version; renaming or removing one bumps it.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

API_VERSION = 1
COMMANDS_STREAM = "cc:pbx:commands"
COMMANDS_REJECTED_STREAM = "cc:pbx:commands:rejected"
COMMAND_GROUP = "pbx"
EVENTS_STREAM = "cc:pbx:events"
# A hash of live counts the dialer paces by: ai_calls, ai_calls_at_risk, queued, ...
LIVE_COUNTS_KEY = "cc:pbx:live"
# The configuration pbx needs without a command (inbound routing), published by Django as JSON.
CONFIG_KEY = "cc:pbx:config"


def new_id() -> str:
    # ARI refuses a channel id that is a prefix of a live one: UUIDs never are.
    return str(uuid.uuid4())


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ---------------------------------------------------------------- commands


class OriginateCall(_Model):
    """Call ``endpoint`` and, once answered, run ``flow`` with VoiceWatch ``policy``."""

    type: Literal["originate"] = "originate"
    command_id: str = Field(default_factory=new_id)
    call_id: str = Field(default_factory=new_id)
    endpoint: str = Field(min_length=3, description="e.g. PJSIP/+919800000000@trunk or Local/cust1@cc-sim")
    caller_id: str = ""
    timeout_s: int = Field(30, ge=5, le=120)
    flow: dict[str, Any] | str = Field(description="a flow name from the library or a flow document")
    policy: dict[str, Any] = Field(default_factory=dict, description="VoiceWatch policy document")
    lead: dict[str, str] = Field(default_factory=dict, description="fields the flow's prompts use")
    campaign_id: int | None = None
    lead_id: int | None = None
    escalation_queue: str = "support"
    variables: dict[str, str] = Field(default_factory=dict)


class TransferCall(_Model):
    """Move a live AI call to a human queue now (a supervisor's or the dialer's decision)."""

    type: Literal["transfer"] = "transfer"
    command_id: str = Field(default_factory=new_id)
    call_id: str
    queue: str
    reason: str = "supervisor"


class HangupCall(_Model):
    type: Literal["hangup"] = "hangup"
    command_id: str = Field(default_factory=new_id)
    call_id: str
    reason: str = "requested"


class SupervisorTakeover(_Model):
    """A supervisor listening to an AI call takes it over: the call goes to their own queue."""

    type: Literal["takeover"] = "takeover"
    command_id: str = Field(default_factory=new_id)
    call_id: str
    supervisor_queue: str


Command = Annotated[Union[OriginateCall, TransferCall, HangupCall, SupervisorTakeover], Field(discriminator="type")]
_command_adapter: TypeAdapter[Command] = TypeAdapter(Command)

# ---------------------------------------------------------------- configuration snapshot


class InboundRoute(_Model):
    """What answers a DID: the flow, its policy and the fields its prompts use."""

    flow: dict[str, Any] | str
    policy: dict[str, Any] = Field(default_factory=dict)
    lead: dict[str, str] = Field(default_factory=dict)
    escalation_queue: str = "support"
    campaign_id: int | None = None


class PbxConfig(_Model):
    """Published by the management plane after each change; pbx keeps the last valid one."""

    version: int = Field(ge=0)
    inbound: dict[str, InboundRoute] = Field(default_factory=dict, description="DID (digits) -> route")
    default_inbound: InboundRoute | None = None

    def route_for(self, did: str) -> InboundRoute | None:
        digits = did.lstrip("+")
        return self.inbound.get(digits) or self.inbound.get(did) or self.default_inbound


# ---------------------------------------------------------------- events


class _Event(_Model):
    event_id: str = Field(default_factory=new_id)
    at: float = Field(default_factory=time.time, description="Unix time, seconds")
    call_id: str | None = None


class CallStarted(_Event):
    type: Literal["call.started"] = "call.started"
    direction: Literal["outbound", "inbound"]
    endpoint: str = ""
    campaign_id: int | None = None
    lead_id: int | None = None
    flow: str = ""


class CallAnswered(_Event):
    type: Literal["call.answered"] = "call.answered"
    # AMD's verdict when the campaign screens for answering machines (HUMAN, NOTSURE), else "".
    amd: str = ""


class UtteranceHeard(_Event):
    type: Literal["call.utterance"] = "call.utterance"
    utterance_id: str
    speaker: Literal["customer", "bot"]
    text: str
    final: bool = True
    confidence: float | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    sentiment: float | None = None
    prosody: dict[str, float] | None = Field(None, description="energy_z, pitch_z, rate_z vs the caller's baseline")
    silence_before_s: float | None = None


class DecisionMade(_Event):
    type: Literal["call.decision"] = "call.decision"
    turn: int
    escalate: bool
    reason: str | None = None
    score: float = 0.0
    queue: str | None = None
    explanation: str = ""


class CallEscalated(_Event):
    type: Literal["call.escalated"] = "call.escalated"
    transfer_id: str = ""
    queue: str
    reason: str
    score: float = 0.0
    summary: str = ""
    decided_at: float | None = Field(None, description="Unix time of the decision (before the bridging phrase)")


class QueueEvent(_Event):
    """Queue and agent activity from AMI (QueueCallerJoin, AgentConnect, ...)."""

    type: Literal["queue.event"] = "queue.event"
    name: str = Field(description="the AMI event name, or QueueReturned (back to the bot after the max wait)")
    transfer_id: str = ""
    queue: str = ""
    channel: str = ""
    member: str = ""
    reason: str = ""
    wait_s: float | None = Field(None, description="QueueCallerJoin: seconds from the escalation decision")
    transfer_s: float | None = Field(None, description="QueueCallerJoin: seconds from the start of the transfer")
    asterisk_ts: float | None = None


class CallEnded(_Event):
    type: Literal["call.ended"] = "call.ended"
    outcome: str
    cause: str = ""
    detail: str = ""


class CommandRejected(_Event):
    type: Literal["command.rejected"] = "command.rejected"
    command_id: str = ""
    error: str


Event = Annotated[
    Union[CallStarted, CallAnswered, UtteranceHeard, DecisionMade, CallEscalated, QueueEvent, CallEnded,
          CommandRejected],
    Field(discriminator="type"),
]  # fmt: skip
_event_adapter: TypeAdapter[Event] = TypeAdapter(Event)

# ---------------------------------------------------------------- wire format


class SchemaError(ValueError):
    """A stream entry that is not a valid command or event; the message names the fields."""


def to_fields(message: BaseModel) -> dict[str, str]:
    data = message.model_dump(mode="json")
    return {"v": str(API_VERSION), "type": data["type"], "data": json.dumps(data, separators=(",", ":"))}


def _decode(fields: dict[Any, Any], adapter: TypeAdapter[Any], what: str) -> Any:
    fields = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
              for k, v in fields.items()}  # fmt: skip
    version = fields.get("v")
    if version != str(API_VERSION):
        raise SchemaError(f"{what}: schema version {version!r} is not supported (this pbx speaks {API_VERSION})")
    try:
        data = json.loads(fields.get("data", ""))
    except json.JSONDecodeError as exc:
        raise SchemaError(f"{what}: data is not JSON ({exc.msg})") from None
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in exc.errors())
        raise SchemaError(f"{what}: {problems}") from None


def parse_command(fields: dict[Any, Any]) -> Command:
    return _decode(fields, _command_adapter, "command")


def parse_event(fields: dict[Any, Any]) -> Event:
    return _decode(fields, _event_adapter, "event")
