"""Frustration and hostility phrases ("stop calling me", "kitni baar", "dimaag kharab")."""

from __future__ import annotations

from voicewatch.lexicons import ANGER, ANGER_WEAK
from voicewatch.policy import Policy
from voicewatch.signals.base import SignalHit, TurnView, noisy_or, phrases
from voicewatch.state import CallState

STRONG = 0.5
WEAK = 0.25


def detect(view: TurnView, state: CallState, policy: Policy) -> tuple[SignalHit, ...]:
    strong = ANGER.affirmed(view.norm)
    weak = ANGER_WEAK.affirmed(view.norm)
    if not strong and not weak:
        return ()
    score = noisy_or([STRONG] * len(strong) + [WEAK] * len(weak))
    return (SignalHit("frustration", "anger", float(len(strong) + len(weak)), score,
                      f"frustrated wording: {phrases(strong + weak)}"),)
