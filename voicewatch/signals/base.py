"""Types shared by all signals: what a signal sees (TurnView) and what it reports (SignalHit)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from voicewatch.events import Prosody
from voicewatch.sentiment import SentimentResult
from voicewatch.text import Match, Normalised

if TYPE_CHECKING:
    from voicewatch.policy import Policy
    from voicewatch.state import CallState


@dataclass(frozen=True)
class SignalHit:
    """One piece of evidence.

    `score` in [0, 1] is the signal's own strength; the policy's weight for `name`
    scales it before hits for the same `reason` are combined. A hit with score 0 is
    informational (it explains why something did *not* count, e.g. a loud but happy
    caller) and never moves a decision.
    """

    name: str
    reason: str
    value: float
    score: float
    evidence: str

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "reason": self.reason, "value": round(self.value, 4),
                "score": round(self.score, 4), "evidence": self.evidence}


@dataclass(frozen=True)
class TurnView:
    """Everything a signal may read about the customer speech being decided on.

    For a partial result this is the text so far; signals must not assume the turn is over.
    """

    turn: int
    text: str
    norm: Normalised
    sentiment: SentimentResult
    asr_confidence: float | None
    prosody: Prosody | None
    silence_before_s: float | None
    partial: bool


class Signal(Protocol):
    def __call__(self, view: TurnView, state: "CallState", policy: "Policy") -> tuple[SignalHit, ...]: ...


def clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x


def noisy_or(scores: list[float] | tuple[float, ...]) -> float:
    """Independent pieces of evidence: each one closes part of the remaining doubt."""
    doubt = 1.0
    for s in scores:
        doubt *= 1.0 - clamp(s)
    return 1.0 - doubt


def quote(text: str, limit: int = 90) -> str:
    t = " ".join(text.split())
    return f"'{t if len(t) <= limit else t[:limit - 3] + '...'}'"


def phrases(matches: tuple[Match, ...]) -> str:
    return ", ".join(f"'{m.phrase}'" for m in matches)
