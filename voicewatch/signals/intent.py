"""Shared shape of the phrase-based intent signals: strong and weak lexicons by meaning.

Each intent module (human_request, negotiation, ...) is one `IntentSignal`; only the
lexicons, strengths and the human-readable wording differ. Negated matches ("I don't
need an agent") never count.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicewatch.policy import Policy
from voicewatch.signals.base import SignalHit, TurnView, noisy_or, phrases, quote
from voicewatch.state import CallState
from voicewatch.text import Lexicon


@dataclass(frozen=True)
class IntentSignal:
    name: str
    reason: str
    strong: Lexicon
    weak: Lexicon | None
    describe: str
    strong_score: float = 0.9
    weak_score: float = 0.4

    def __call__(self, view: TurnView, state: CallState, policy: Policy) -> tuple[SignalHit, ...]:
        strong = self.strong.affirmed(view.norm)
        weak = self.weak.affirmed(view.norm) if self.weak is not None else ()
        if not strong and not weak:
            return ()
        score = noisy_or([self.strong_score] * len(strong) + [self.weak_score] * len(weak))
        return (SignalHit(self.name, self.reason, float(len(strong) + len(weak)), score,
                          f"{self.describe}: {quote(view.text)} (matched {phrases(strong + weak)})"),)
