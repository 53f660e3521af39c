"""Compare two policies on the same calls: which calls change, and whether for the better."""

from __future__ import annotations

from typing import Any

from voicewatch.eval.replay import Outcome

_RANK = {"on_time": 3, "correct_keep": 3, "late": 2, "premature": 1, "missed": 0, "false_escalation": 0,
         "unlabelled": -1}


def _brief(o: Outcome) -> dict[str, Any]:
    return {"escalate": o.escalate, "turn": o.turn, "reason": o.reason, "queue": o.queue,
            "score": round(o.score, 4), "verdict": o.verdict}


def _kind(a: Outcome, b: Outcome) -> str:
    if a.escalate != b.escalate:
        return "now escalates" if b.escalate else "no longer escalates"
    if a.turn != b.turn:
        return "escalates earlier" if b.turn < a.turn else "escalates later"
    if a.reason != b.reason:
        return "reason changed"
    return "queue changed"


def compare(base: list[Outcome], other: list[Outcome]) -> list[dict[str, Any]]:
    """Calls whose decision differs between `base` and `other` (same calls, same order)."""
    changes = []
    for a, b in zip(base, other, strict=True):
        if (a.escalate, a.turn, a.reason, a.queue) == (b.escalate, b.turn, b.reason, b.queue):
            continue
        ra, rb = _RANK[a.verdict], _RANK[b.verdict]
        effect = "better" if rb > ra else "worse" if rb < ra else "same"
        changes.append({"id": a.call_id, "change": _kind(a, b), "effect": effect,
                        "label_reason": a.label.reason if a.label else None,
                        "before": _brief(a), "after": _brief(b)})
    return changes


def metric_delta(base: dict[str, Any], other: dict[str, Any]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for key, value in base.items():
        if isinstance(value, (int, float)) and isinstance(other.get(key), (int, float)):
            out[key] = round(other[key] - value, 4)
    return out
