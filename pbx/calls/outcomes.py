"""How a call that never reached the bot ended, from Asterisk's hangup cause (Q.850)."""

from __future__ import annotations

from pbx.api import CallOutcome

_BY_CAUSE = {
    17: CallOutcome.BUSY,
    18: CallOutcome.NO_ANSWER,
    19: CallOutcome.NO_ANSWER,
    21: CallOutcome.REJECTED_BY_NETWORK,
    1: CallOutcome.INVALID_NUMBER,
    28: CallOutcome.INVALID_NUMBER,
    34: CallOutcome.FAILED,
    38: CallOutcome.FAILED,
    41: CallOutcome.FAILED,
    42: CallOutcome.FAILED,
}


def unanswered_outcome(cause: int | None) -> CallOutcome:
    if cause is None:
        return CallOutcome.FAILED
    return _BY_CAUSE.get(cause, CallOutcome.NO_ANSWER if cause == 16 else CallOutcome.FAILED)
