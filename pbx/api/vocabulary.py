"""The words both planes use: call outcomes, escalation reasons, agent states, ledger kinds.

Each word has this one home. pbx writes them, the management plane reads them (Django's
choices are built from these enums, see ``contactcenter/ledger/choices.py``), and a value
outside them is refused where it crosses the boundary (an event with an unknown outcome
fails validation) instead of being stored as something else.
"""

from __future__ import annotations

from enum import StrEnum

from voicewatch.policy import REASONS as VOICEWATCH_REASONS


class CallOutcome(StrEnum):
    """How a call ended, from the business point of view (the hangup cause is separate)."""

    # What the customer told the bot (the flows' outcomes, pbx.dialog):
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    CHANGED = "changed"
    CALLBACK = "callback"
    WRONG_NUMBER = "wrong_number"
    OPT_OUT = "opt_out"  # said "don't call me again" during the call
    PROMISE_TO_PAY = "promise_to_pay"
    ALREADY_PAID = "already_paid"
    VERIFIED = "verified"
    NO_RESPONSE = "no_response"  # answered but never said anything usable
    # Handed to a human (the flow's ``escalate:``, VoiceWatch, a supervisor, a failure):
    ESCALATED = "escalated"
    ABANDONED = "abandoned"  # hung up while waiting for a human
    HUNG_UP = "hung_up"  # customer left the bot before any outcome
    VOICEMAIL = "voicemail"  # answering machine detected
    DO_NOT_CALL = "do_not_call"  # asked not to be called again
    # Answered, then cut by the platform, not the customer: Asterisk restarted (or lost the
    # channel) mid-call. The customer was reached: the dialer does not ring them again by
    # itself; the lead is finished for a person to follow up (see docs/operations.md).
    DROPPED = "dropped"
    # An inbound call outside its route's business hours: given the after-hours action
    # (message, voicemail or callback; the detail says which) instead of the bot or a queue.
    AFTER_HOURS = "after_hours"
    # Never answered (from the Q.850 hangup cause):
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"
    INVALID_NUMBER = "invalid_number"
    REJECTED_BY_NETWORK = "rejected_by_network"


class HandoverReason(StrEnum):
    """Why pbx (not VoiceWatch) hands a call to a human."""

    SUPERVISOR = "supervisor"  # a TransferCall command's default
    SUPERVISOR_TAKEOVER = "supervisor_takeover"
    BOT_SETUP_FAILED = "bot_setup_failed"  # unknown flow, bad policy
    BOT_FAILURE = "bot_failure"  # the conversation raised
    MEDIA_FAILURE = "media_failure"  # no ExternalMedia leg
    MEDIA_UNAVAILABLE = "media_unavailable"  # the bot's prompt could not be made (TTS failing, disk full)
    ORPHAN = "orphan"  # a channel in our app pbx does not know (from before a restart)
    PBX_RESTART = "pbx_restart"  # found by reconcile after pbx (re)connected
    PBX_DOWN = "pbx_down"  # the guard moved it: pbx is not running
    FAILSAFE = "failsafe"  # the dialplan's fail-safe, when Stasis ended without a reason
    INBOUND_QUEUE = "inbound_queue"  # an inbound number whose route sends callers straight to a queue


# VoiceWatch owns its reasons (voicewatch imports nothing of ours); the contract adds pbx's.
EscalationReason = StrEnum(  # type: ignore[misc]
    "EscalationReason", {reason.upper(): reason for reason in (*VOICEWATCH_REASONS, *HandoverReason)},
)
EscalationReason.__doc__ = "Every reason a call can be handed to a human: VoiceWatch's and pbx's own."


class AgentState(StrEnum):
    OFFLINE = "offline"
    AVAILABLE = "available"
    RINGING = "ringing"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    PAUSED = "paused"
    # Held for one AI call that is likely to escalate (pre-alert): the agent follows it on the
    # console, takes no other call, and is rung first if it escalates. Set by pbx, never by a person.
    RESERVED = "reserved"


class ReservationEnd(StrEnum):
    """Why an agent's pre-alert reservation ended (``agent.reservation_ended``)."""

    ESCALATED = "escalated"  # the call escalated: the reserved agent was rung first
    RISK_FELL = "risk_fell"  # VoiceWatch's risk fell back below the pre-alert threshold
    CALL_ENDED = "call_ended"  # the call ended while still with the bot
    TIMEOUT = "timeout"  # held for ReserveAgent.hold_s without an escalation
    UNAVAILABLE = "unavailable"  # pbx could not hold the agent (not a member, busy, call gone)


# Set by the agent or an admin (console, admin, supervisor): a phone's ringing or hanging up
# does not override them.
PERSON_SET_AGENT_STATES = frozenset({AgentState.PAUSED, AgentState.OFFLINE})


class SupervisionMode(StrEnum):
    """How a supervisor's phone joins a live call (AI or human)."""

    LISTEN = "listen"  # hears both sides; nobody hears the supervisor
    WHISPER = "whisper"  # hears both sides; only the agent hears the supervisor (refused while the bot has the call)
    BARGE = "barge"  # a third party: heard by everyone on the call


class SupervisorAction(StrEnum):
    """What a supervisor did, as the ledger records it (``supervisor.action`` events)."""

    LISTEN = "listen"
    WHISPER = "whisper"
    BARGE = "barge"
    STOP = "stop"  # the supervisor's phone left the call
    TAKEOVER = "takeover"
    PAUSE_AGENT = "pause_agent"
    LOG_OUT_AGENT = "log_out_agent"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Speaker(StrEnum):
    BOT = "bot"
    CUSTOMER = "customer"
    AGENT = "agent"


class LegKind(StrEnum):
    CUSTOMER = "customer"
    MEDIA = "media"  # ExternalMedia channel to the gateway
    AGENT = "agent"
    SNOOP = "snoop"


class TransferResult(StrEnum):
    ANSWERED = "answered"
    TIMEOUT = "timeout"  # nobody answered within the queue's maximum wait
    ABANDONED = "abandoned"  # the caller hung up in the queue
    FAILED = "failed"
