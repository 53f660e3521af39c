"""Events pbx reports, on ``EVENTS_STREAM`` and in the call ledger.

A call's life: ``call.started`` → ``call.answered`` → ``call.utterance``/``call.decision``
per turn (``call.at_risk`` when VoiceWatch's risk crosses the pre-alert threshold, either way)
→ (``call.escalated`` → ``call.queued`` → ``call.agent_connected``, or
``call.queue_abandoned``, ``call.queue_left``, ``call.returned_to_bot``) → ``call.ended``.
An inbound call outside business hours gets its route's after-hours action instead:
``call.callback_requested`` when it is a callback, ``call.voicemail_left`` after a message.
Queue activity arrives as these domain events, never as raw AMI names: pbx is the one place
that reads AMI. ``agent.state_changed`` follows agents' phones (ringing, on a call, free);
``agent.reserved`` / ``agent.reservation_ended`` follow pre-alert reservations (``reserve_agent``).
"""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal, Union

from pydantic import Field, TypeAdapter

from pbx.api._model import ContractModel
from pbx.api.streams import new_id
from pbx.api.vocabulary import (
    AgentState,
    CallOutcome,
    Direction,
    EscalationReason,
    ReservationEnd,
    SupervisorAction,
)
from pbx.api.wire import decode_entry


class _Event(ContractModel):
    event_id: str = Field(default_factory=new_id)
    at: float = Field(default_factory=time.time, description="Unix time, seconds")
    call_id: str | None = None


class CallStarted(_Event):
    type: Literal["call.started"] = "call.started"
    direction: Direction
    endpoint: str = ""
    caller: str = Field("", description="inbound calls: the caller's number as the trunk presented it")
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
    reason: EscalationReason | None = None  # type: ignore[valid-type]
    score: float = 0.0
    queue: str | None = None
    explanation: str = ""


class CallAtRisk(_Event):
    """VoiceWatch's risk on an AI call crossed the policy's pre-alert threshold (``active``), or
    fell back below it (``active`` False). The management side reserves an agent of ``queue``."""

    type: Literal["call.at_risk"] = "call.at_risk"
    active: bool = True
    score: float = Field(0.0, ge=0.0, le=1.0, description="the highest reason's combined score")
    reason: EscalationReason | None = None  # type: ignore[valid-type]
    queue: str = Field("", description="the queue the call would escalate to")
    explanation: str = ""
    campaign_id: int | None = None
    lead_id: int | None = None


class CallEscalated(_Event):
    type: Literal["call.escalated"] = "call.escalated"
    transfer_id: str = ""
    queue: str
    reason: EscalationReason  # type: ignore[valid-type]
    score: float = 0.0
    summary: str = ""
    decided_at: float | None = Field(None, description="Unix time of the decision (before the bridging phrase)")


class _QueueActivity(_Event):
    """A caller in a human queue. ``call_id`` is None for a caller pbx does not own (straight
    from the trunk, or moved by the fail-safe); ``channel`` names them then."""

    transfer_id: str = Field("", description="the escalation's, when pbx escalated the call")
    queue: str = ""
    channel: str = ""
    reason: EscalationReason | None = None  # type: ignore[valid-type]
    asterisk_ts: float | None = Field(None, description="Asterisk's own time of the event")


class CallQueued(_QueueActivity):
    type: Literal["call.queued"] = "call.queued"
    wait_s: float | None = Field(None, description="seconds from the escalation decision")
    transfer_s: float | None = Field(None, description="seconds from the start of the transfer")


class AgentConnected(_QueueActivity):
    type: Literal["call.agent_connected"] = "call.agent_connected"
    agent: str = Field(description="the queue member's name (agent1), not its interface")


class QueueAbandoned(_QueueActivity):
    """The caller hung up while waiting for a human."""

    type: Literal["call.queue_abandoned"] = "call.queue_abandoned"


class CallLeftQueue(_QueueActivity):
    """The caller left the queue (answered, abandoned, or out of time): no longer waiting."""

    type: Literal["call.queue_left"] = "call.queue_left"


class ReturnedToBot(_QueueActivity):
    """Nobody answered within the queue's maximum wait: the bot has the caller again."""

    type: Literal["call.returned_to_bot"] = "call.returned_to_bot"
    status: str = Field("", description="Queue()'s QUEUESTATUS: TIMEOUT, FULL, JOINEMPTY, ...")


class AgentStateChanged(_Event):
    type: Literal["agent.state_changed"] = "agent.state_changed"
    agent: str = Field(description="the queue member's name (agent1), not its interface")
    state: AgentState
    queue: str = ""
    asterisk_ts: float | None = None


class AgentReserved(_Event):
    """pbx holds ``agent`` for AI call ``call_id`` (paused in its queues, reason ``reserved``)."""

    type: Literal["agent.reserved"] = "agent.reserved"
    agent: str = Field(description="the queue member's name (agent1), not its interface")
    queue: str = ""
    until: float = Field(description="Unix time the reservation times out")


class ReservationEnded(_Event):
    """The agent is no longer held for ``call_id`` (and is back in its queues unless it escalated to them)."""

    type: Literal["agent.reservation_ended"] = "agent.reservation_ended"
    agent: str = Field(description="the queue member's name (agent1), not its interface")
    why: ReservationEnd


class _AfterHours(_Event):
    """An inbound caller who found the business closed."""

    caller: str = Field("", description="the caller's number as the trunk presented it (not checked)")
    did: str = Field("", description="the number they dialled")
    queue: str = Field("", description="the route's queue: whose callers they are")
    campaign_id: int | None = Field(None, description="the route's campaign, if it has one")


class CallbackRequested(_AfterHours):
    """The route's after-hours action is a callback: call ``caller`` back once the business opens."""

    type: Literal["call.callback_requested"] = "call.callback_requested"
    opens_at: float | None = Field(None, description="Unix time the route's hours next open (None: unknown)")


class VoicemailLeft(_AfterHours):
    """The caller was offered voicemail and the line went down: the message is at ``path``."""

    type: Literal["call.voicemail_left"] = "call.voicemail_left"
    path: str = Field(description="the recording (WAV) as Asterisk wrote it, inside its root")


class CallEnded(_Event):
    type: Literal["call.ended"] = "call.ended"
    outcome: CallOutcome
    cause: str = ""
    detail: str = ""


class SupervisorActed(_Event):
    """A supervisor's action on a call or an agent, once pbx has carried it out (or failed to):
    listen / whisper / barge / stop on ``call_id``, a takeover, an agent paused or logged out."""

    type: Literal["supervisor.action"] = "supervisor.action"
    action: SupervisorAction
    supervisor: str
    agent: str = ""  # the agent acted on, or the agent on the supervised call
    detail: str = ""
    ok: bool = True
    # listen / whisper / barge / stop: the supervisor's phone and its channel on the call (the
    # ledger's snoop leg), once it answered.
    phone: str = ""
    leg: str = Field("", description="the ARI id of the supervisor's channel on the call")


class CommandRejected(_Event):
    type: Literal["command.rejected"] = "command.rejected"
    command_id: str = ""
    error: str


Event = Annotated[
    Union[CallStarted, CallAnswered, UtteranceHeard, DecisionMade, CallAtRisk, CallEscalated, CallQueued,
          AgentConnected, QueueAbandoned, CallLeftQueue, ReturnedToBot, AgentStateChanged, AgentReserved,
          ReservationEnded, CallbackRequested, VoicemailLeft, CallEnded, SupervisorActed, CommandRejected],
    Field(discriminator="type"),
]  # fmt: skip
_event_adapter: TypeAdapter[Event] = TypeAdapter(Event)

# A caller's passage through a human queue, in any of its events.
QueueActivity = CallQueued | AgentConnected | QueueAbandoned | CallLeftQueue | ReturnedToBot


def parse_event(fields: dict[Any, Any]) -> Event:
    return decode_entry(fields, _event_adapter, "event")
