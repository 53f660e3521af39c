"""Replay calls through CallMonitor and record the first escalation of each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from voicewatch.eval.corpus import Call, Label, call_events
from voicewatch.monitor import CallMonitor
from voicewatch.policy import Policy


@dataclass(frozen=True)
class Outcome:
    call_id: str
    escalate: bool
    turn: int
    reason: str | None
    queue: str | None
    score: float
    partial: bool
    explanation: str
    label: Label | None

    @property
    def verdict(self) -> str:
        """How this outcome compares with the label."""
        lab = self.label
        if lab is None:
            return "unlabelled"
        if not lab.escalate:
            return "false_escalation" if self.escalate else "correct_keep"
        if not self.escalate:
            return "missed"
        if self.turn < lab.earliest_turn:
            return "premature"
        if self.turn > lab.latest_turn:
            return "late"
        return "on_time"

    def to_dict(self) -> dict[str, object]:
        return {"id": self.call_id, "escalate": self.escalate, "turn": self.turn, "reason": self.reason,
                "score": round(self.score, 4), "queue": self.queue, "partial": self.partial,
                "verdict": self.verdict, "label_reason": self.label.reason if self.label else None,
                "explanation": self.explanation}


def replay(call: Call, policy: Policy, partials: bool = False) -> Outcome:
    monitor = CallMonitor(policy, call.call_context())
    best_keep = None
    for event in call_events(call, partials=partials):
        d = monitor.observe(event)
        if d.escalate:
            return Outcome(call.id, True, d.turn, d.reason, d.queue, d.score, d.partial, d.explanation, call.label)
        if best_keep is None or d.score > best_keep.score:
            best_keep = d
    score = best_keep.score if best_keep else 0.0
    text = best_keep.explanation if best_keep else "no events"
    return Outcome(call.id, False, -1, None, None, score, False, text, call.label)


def evaluate(calls: Iterable[Call], policy: Policy, partials: bool = False) -> list[Outcome]:
    return [replay(c, policy, partials) for c in calls]
