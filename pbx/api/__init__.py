"""The public contract of pbx (schema version ``API_VERSION``): the one part of pbx that the
management plane imports, and the home of every word the two planes share.

- ``streams``: the Redis streams and keys where the planes meet.
- ``commands``: what pbx accepts (originate, transfer, hang up; a supervisor's take-over,
  listen / whisper / barge, forced pause or log-out).
- ``events``: what pbx reports, call by call, including queue activity as domain events.
- ``live_counts``: pbx's calls by state, which the dialer paces by (and ``GET /metrics`` shows).
- ``config``: the configuration snapshot Django publishes for pbx (the PBX, inbound routes).
- ``telephony``: what that PBX is made of: agents' phones, queues, trunks, opening hours.
- ``vocabulary``: call outcomes, escalation reasons, agent states and the ledger's kinds.
- ``flows``: the flow catalogue (names, languages, lead fields).
- ``wire``: the stream entry format and its ``SchemaError``.

This package imports nothing else of pbx (an import-linter contract holds it).
"""

from pbx.api.commands import (
    Command,
    ForceAgentState,
    HangupCall,
    OriginateCall,
    ReserveAgent,
    StopSupervising,
    SuperviseCall,
    SupervisorTakeover,
    TransferCall,
    parse_command,
)
from pbx.api.config import InboundRoute, PbxConfig, Telephony
from pbx.api.events import (
    AgentConnected,
    AgentReserved,
    AgentStateChanged,
    CallAnswered,
    CallAtRisk,
    CallbackRequested,
    CallEnded,
    CallEscalated,
    CallLeftQueue,
    CallQueued,
    CallStarted,
    CommandRejected,
    DecisionMade,
    Event,
    QueueAbandoned,
    QueueActivity,
    ReservationEnded,
    ReturnedToBot,
    SupervisorActed,
    UtteranceHeard,
    VoicemailLeft,
    parse_event,
)
from pbx.api.flows import FIELD_DEFAULTS, FLOW_CATALOGUE, CatalogueFlow, FlowName, required_fields
from pbx.api.live_counts import InboundWaiting, LiveCounts, PbxGauges
from pbx.api.streams import (
    API_VERSION,
    COMMAND_GROUP,
    COMMANDS_REJECTED_STREAM,
    COMMANDS_STREAM,
    CONFIG_CHANGED_CHANNEL,
    CONFIG_KEY,
    CONFIG_VERSION_KEY,
    EVENTS_STREAM,
    INBOUND_WAITING_KEY,
    LIVE_COUNTS_KEY,
    PBX_GAUGES_KEY,
    new_id,
)
from pbx.api.telephony import (
    QUEUE_STRATEGIES,
    SIP_REALM,
    AgentPhone,
    OpeningHours,
    OpeningWindow,
    QueueMember,
    QueueSpec,
    TrunkSpec,
    agent_sip_password,
    md5_cred,
)
from pbx.api.vocabulary import (
    PERSON_SET_AGENT_STATES,
    AgentState,
    CallOutcome,
    Direction,
    EscalationReason,
    HandoverReason,
    LegKind,
    ReservationEnd,
    Speaker,
    SupervisionMode,
    SupervisorAction,
    TransferResult,
)
from pbx.api.wire import SchemaError, to_fields

__all__ = [
    "API_VERSION", "COMMANDS_REJECTED_STREAM", "COMMANDS_STREAM", "COMMAND_GROUP", "CONFIG_CHANGED_CHANNEL",
    "CONFIG_KEY", "CONFIG_VERSION_KEY", "QUEUE_STRATEGIES", "SIP_REALM", "AgentPhone", "OpeningHours",
    "OpeningWindow", "QueueMember", "QueueSpec", "Telephony", "TrunkSpec", "agent_sip_password", "md5_cred",
    "EVENTS_STREAM", "FIELD_DEFAULTS", "FLOW_CATALOGUE", "LIVE_COUNTS_KEY", "PERSON_SET_AGENT_STATES",
    "AgentConnected", "AgentState", "AgentStateChanged", "CallAnswered", "CallbackRequested", "CallEnded", "CallEscalated",
    "CallLeftQueue", "CallOutcome", "CallQueued", "CallStarted", "CatalogueFlow", "Command",
    "CommandRejected", "DecisionMade", "Direction", "EscalationReason", "Event", "FlowName",
    "HandoverReason", "HangupCall", "INBOUND_WAITING_KEY", "InboundRoute", "InboundWaiting", "LegKind", "LiveCounts", "OriginateCall", "PbxConfig",
    "QueueAbandoned", "QueueActivity", "ReturnedToBot", "SchemaError", "Speaker", "SupervisorTakeover",
    "TransferCall", "TransferResult", "UtteranceHeard", "VoicemailLeft", "new_id", "parse_command", "parse_event",
    "required_fields", "to_fields", "AgentReserved", "CallAtRisk", "ReservationEnd", "ReservationEnded",
    "ReserveAgent", "ForceAgentState", "StopSupervising", "SuperviseCall", "SupervisionMode", "SupervisorAction",
    "SupervisorActed", "PBX_GAUGES_KEY", "PbxGauges",
]  # fmt: skip
