"""The monitor's answer after each event: keep the bot, or escalate now, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from voicewatch.signals.base import SignalHit


@dataclass(frozen=True)
class Decision:
    """Immutable, explainable decision.

    `turn` is the 0-based index of the customer turn the event belongs to (-1 before
    the customer has spoken). `signals` lists every hit that fired for this event,
    including informational zero-score ones; `reason_scores` gives the combined score
    per reason so a reviewer can see how close the other reasons came.
    Once escalated, later decisions repeat the escalation (`sticky` is True and
    `escalated_at_turn` tells when it happened).
    """

    escalate: bool
    queue: str | None
    reason: str | None
    score: float
    signals: tuple[SignalHit, ...]
    explanation: str
    turn: int
    event_index: int
    partial: bool = False
    sticky: bool = False
    escalated_at_turn: int | None = None
    reason_scores: tuple[tuple[str, float], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "escalate": self.escalate,
            "queue": self.queue,
            "reason": self.reason,
            "score": round(self.score, 4),
            "turn": self.turn,
            "event_index": self.event_index,
            "partial": self.partial,
            "sticky": self.sticky,
            "escalated_at_turn": self.escalated_at_turn,
            "explanation": self.explanation,
            "signals": [h.to_dict() for h in self.signals],
            "reason_scores": {r: round(s, 4) for r, s in self.reason_scores},
        }
