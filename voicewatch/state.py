"""Per-call running state: what earlier turns established, updated only by final turns.

Partial results are decided on but never committed, so a partial that is later
corrected by the final ASR result leaves no trace, and a decision at turn t can
only depend on events up to t (no lookahead by construction).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from voicewatch.events import CallContext

if TYPE_CHECKING:
    from voicewatch.decision import Decision


@dataclass
class CallState:
    context: CallContext
    customer_turns: int = 0
    last_bot_text: str | None = None
    bot_asked: bool = False
    sentiment_history: list[float] = field(default_factory=list)
    agitation_history: list[float] = field(default_factory=list)
    misunderstanding_streak: int = 0
    pending_silence_s: float = 0.0
    escalation: "Decision | None" = None

    @property
    def current_turn(self) -> int:
        """Index (0-based, customer turns only) of the turn being spoken or just decided."""
        return self.customer_turns

    def note_bot(self, text: str) -> None:
        self.last_bot_text = text
        self.bot_asked = "?" in text
        self.pending_silence_s = 0.0

    def commit_turn(self, sentiment: float, agitation: float | None, failed: bool) -> None:
        self.sentiment_history.append(sentiment)
        if agitation is not None:
            self.agitation_history.append(agitation)
        self.misunderstanding_streak = self.misunderstanding_streak + 1 if failed else 0
        self.customer_turns += 1
        self.pending_silence_s = 0.0
        self.bot_asked = False

    def note_silence(self, duration_s: float, counts_as_failure: bool) -> None:
        self.pending_silence_s += duration_s
        if counts_as_failure:
            self.misunderstanding_streak += 1
