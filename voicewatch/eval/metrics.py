"""Evaluation metrics: recall, false escalations on routine calls, timing, per-reason table.

Definitions (escalation turns are customer-turn indices, as in the corpus labels):
- recall: escalation-labelled calls the monitor escalated at any turn;
- false_escalation_rate: routine calls escalated;
- on_time_rate / premature_rate / late_rate: among escalated escalation-labelled calls,
  share with earliest <= turn <= latest / turn < earliest / turn > latest;
- on_time_recall: escalation-labelled calls escalated on time;
- reason_accuracy: escalated escalation-labelled calls given the labelled reason.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from voicewatch.eval.replay import Outcome


def _ratio(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def compute(outcomes: list[Outcome]) -> dict[str, Any]:
    labelled = [o for o in outcomes if o.label is not None]
    positives = [o for o in labelled if o.label.escalate]  # type: ignore[union-attr]
    routine = [o for o in labelled if not o.label.escalate]  # type: ignore[union-attr]
    verdicts = Counter(o.verdict for o in labelled)
    escalated_pos = len(positives) - verdicts["missed"]
    matched = sum(1 for o in positives if o.escalate and o.reason == o.label.reason)  # type: ignore[union-attr]
    return {
        "calls": len(outcomes),
        "escalation_calls": len(positives),
        "routine_calls": len(routine),
        "recall": _ratio(escalated_pos, len(positives)),
        "false_escalation_rate": _ratio(verdicts["false_escalation"], len(routine)),
        "false_escalations": verdicts["false_escalation"],
        "on_time_rate": _ratio(verdicts["on_time"], escalated_pos),
        "premature_rate": _ratio(verdicts["premature"], escalated_pos),
        "late_rate": _ratio(verdicts["late"], escalated_pos),
        "on_time_recall": _ratio(verdicts["on_time"], len(positives)),
        "reason_accuracy": _ratio(matched, escalated_pos),
        "per_reason": per_reason(labelled),
    }


def per_reason(labelled: list[Outcome]) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for o in labelled:
        reason = o.label.reason if o.label.escalate else "none"  # type: ignore[union-attr]
        row = table.setdefault(reason, {"calls": 0, "escalated": 0, "on_time": 0, "premature": 0, "late": 0,
                                        "missed": 0, "reason_match": 0, "false_escalation": 0})
        row["calls"] += 1
        v = o.verdict
        if v in row:
            row[v] += 1
        if o.escalate:
            row["escalated"] += 1
            if o.reason == reason:
                row["reason_match"] += 1
    for row in table.values():
        row["recall"] = _ratio(row["escalated"], row["calls"])
    return dict(sorted(table.items()))
