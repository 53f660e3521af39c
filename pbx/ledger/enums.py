"""The closed vocabularies of the ledger, stored as their string values.

They are plain strings in the database (no CHECK constraints, no native enums) so adding a
value never needs a table rebuild on SQLite; the writer validates by accepting only these
types. Django's read-only models carry the same values as choices (a test keeps them equal).
"""

from __future__ import annotations

from enum import StrEnum


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Outcome(StrEnum):
    """How the call ended, from the business point of view (the hangup cause is separate)."""

    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    CHANGED = "changed"
    CALLBACK = "callback"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    FAILED = "failed"
    WRONG_NUMBER = "wrong_number"
    ESCALATED = "escalated"
    ABANDONED = "abandoned"  # hung up while waiting for a human
    VOICEMAIL = "voicemail"  # answering machine detected
    DO_NOT_CALL = "do_not_call"  # asked not to be called again
    HUNG_UP = "hung_up"  # customer left the bot before any outcome
    # Outcomes of the bot's flows (pbx.dialog.Outcome) and of dialling:
    OPT_OUT = "opt_out"  # said "don't call me again" during the call
    PROMISE_TO_PAY = "promise_to_pay"
    ALREADY_PAID = "already_paid"
    VERIFIED = "verified"
    NO_RESPONSE = "no_response"  # answered but never said anything usable
    INVALID_NUMBER = "invalid_number"
    REJECTED_BY_NETWORK = "rejected_by_network"


class LegKind(StrEnum):
    CUSTOMER = "customer"
    MEDIA = "media"  # ExternalMedia channel to the gateway
    AGENT = "agent"
    SNOOP = "snoop"


class Speaker(StrEnum):
    BOT = "bot"
    CUSTOMER = "customer"
    AGENT = "agent"


class TransferStage(StrEnum):
    LEFT_STASIS = "left_stasis"
    QUEUE_JOINED = "queue_joined"
    AGENT_CONNECTED = "agent_connected"


class TransferResult(StrEnum):
    ANSWERED = "answered"
    TIMEOUT = "timeout"  # nobody answered within the queue's maximum wait
    ABANDONED = "abandoned"  # the caller hung up in the queue
    FAILED = "failed"


class WriteStatus(StrEnum):
    """What a write did. Every status but CONFLICT/STALE/DUPLICATE stored the new fact."""

    RECORDED = "recorded"
    # The call had not been started in the ledger (events can overtake call_started, or
    # arrive for a call pbx lost track of); a provisional call row now holds the fact and
    # call_started fills it in later.
    UNKNOWN_CALL = "unknown_call"
    # The call was known but the leg/transfer was not (e.g. ChannelDestroyed before our
    # StasisStart write, AMI QueueCallerJoin before transfer_requested); a stand-in row now
    # holds the fact.
    OUT_OF_ORDER = "out_of_order"
    DUPLICATE = "duplicate"  # the same fact was already stored; nothing changed
    # A different value was already stored. The first one is kept (it may already be in
    # reports) and the rejected attempt is appended as a `ledger.conflict` event.
    CONFLICT = "conflict"
    STALE = "stale"  # older than what is stored (a partial transcript after the final); ignored
