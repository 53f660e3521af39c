"""The closed vocabularies flows are written in: intents, outcomes, escalation reasons.

They are enums rather than free strings because other code acts on them (the dialer puts
an ``opt_out`` number on the do-not-call list and retries a ``callback``): a typo in a flow
file must fail at load time, not silently become an outcome nobody handles.
"""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    YES = "yes"
    NO = "no"
    CALLBACK_REQUEST = "callback_request"
    WRONG_NUMBER = "wrong_number"
    CHANGE_REQUEST = "change_request"
    CANCEL_REQUEST = "cancel_request"
    REPEAT_REQUEST = "repeat_request"
    HUMAN_REQUEST = "human_request"
    OPT_OUT = "opt_out"
    # Hardship and bargaining about a payment ("can I pay in instalments", "paise nahi hai").
    NEGOTIATION = "negotiation"
    ALREADY_PAID = "already_paid"
    # Nothing recognised, or a hesitant answer ("theek hai... pata nahi") that must not count as yes.
    UNKNOWN = "unknown"


class Outcome(StrEnum):
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    CHANGED = "changed"
    CALLBACK = "callback"
    WRONG_NUMBER = "wrong_number"
    OPT_OUT = "opt_out"
    PROMISE_TO_PAY = "promise_to_pay"
    ALREADY_PAID = "already_paid"
    VERIFIED = "verified"
    NO_RESPONSE = "no_response"
    # Set by the runtime whenever a flow hands the call to a human; flows write
    # ``escalate: <reason>`` instead of naming this outcome themselves.
    ESCALATED = "escalated"


class EscalationReason(StrEnum):
    REPEATED_FAILURE = "repeated_failure"
    HUMAN_REQUEST = "human_request"
    NEGOTIATION = "negotiation"
