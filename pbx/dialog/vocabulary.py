"""The closed vocabularies flows are written in: intents, and which outcomes and escalation
reasons (words of pbx.api) a flow may use.

They are enums rather than free strings because other code acts on them (the dialer puts
an ``opt_out`` number on the do-not-call list and retries a ``callback``): a typo in a flow
file must fail at load time, not silently become an outcome nobody handles.
"""

from __future__ import annotations

from enum import StrEnum

from pbx.api import CallOutcome, EscalationReason


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


# The outcomes a flow may end a call with; the rest of CallOutcome is pbx's (no answer,
# voicemail, abandoned...). ESCALATED is set by the runtime: flows write ``escalate: <reason>``.
FLOW_OUTCOMES = frozenset({
    CallOutcome.CONFIRMED, CallOutcome.REJECTED, CallOutcome.CHANGED, CallOutcome.CALLBACK,
    CallOutcome.WRONG_NUMBER, CallOutcome.OPT_OUT, CallOutcome.PROMISE_TO_PAY, CallOutcome.ALREADY_PAID,
    CallOutcome.VERIFIED, CallOutcome.NO_RESPONSE,
})  # fmt: skip

# The reasons a flow may hand a call over for; the rest are VoiceWatch's and pbx's.
FLOW_ESCALATION_REASONS = frozenset({
    EscalationReason.REPEATED_FAILURE, EscalationReason.HUMAN_REQUEST,  # type: ignore[attr-defined]
    EscalationReason.NEGOTIATION,  # type: ignore[attr-defined]
})  # fmt: skip
