"""How a call that never reached the bot ended, from Asterisk's hangup cause (Q.850)."""

from __future__ import annotations

_BY_CAUSE = {
    17: "busy",
    18: "no_answer",
    19: "no_answer",
    21: "rejected_by_network",
    1: "invalid_number",
    28: "invalid_number",
    34: "failed",
    38: "failed",
    41: "failed",
    42: "failed",
}


def unanswered_outcome(cause: int | None) -> str:
    if cause is None:
        return "failed"
    return _BY_CAUSE.get(cause, "no_answer" if cause == 16 else "failed")
