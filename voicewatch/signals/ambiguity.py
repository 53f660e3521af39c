"""Hedged or non-committal answers that the bot must not take as a yes.

"I guess", "maybe", "pata nahi", "dekhte hain", "sochna padega" are hedges in any
position; a bare affirmation ("theek hai", "haan", "okay") is a yes unless hesitation
(see hesitation.py) makes it doubtful. The two combine in the ambiguity reason.
"""

from __future__ import annotations

from voicewatch.lexicons import AFFIRM, DEFERRAL, HEDGE, SOFT_HEDGE
from voicewatch.policy import Policy
from voicewatch.signals.base import SignalHit, TurnView, noisy_or, phrases, quote
from voicewatch.signals.misunderstanding import failure_cause
from voicewatch.state import CallState

HEDGE_EACH = 0.5
SOFT_HEDGE_EACH = 0.25


def detect(view: TurnView, state: CallState, policy: Policy) -> tuple[SignalHit, ...]:
    if failure_cause(view, policy) is not None:
        return ()  # cannot judge hedging in speech the bot did not get
    strong = HEDGE.find(view.norm)
    taken = {i for m in strong for i in range(m.start, m.end)}
    soft = tuple(m for m in SOFT_HEDGE.find(view.norm) if m.start not in taken)
    hedges = strong + soft
    if not hedges:
        return ()
    deferral = DEFERRAL.affirmed(view.norm)
    score = noisy_or([HEDGE_EACH] * len(strong) + [SOFT_HEDGE_EACH] * len(soft))
    if deferral and len(hedges) == 1:
        score *= 0.5  # "maybe call me later" defers the call, it does not dodge the question
    affirm = AFFIRM.affirmed(view.norm)
    what = "hedged yes" if affirm else "non-committal answer"
    return (SignalHit("ambiguity", "ambiguity", float(len(hedges)), score,
                      f"{what} ({phrases(hedges)}): {quote(view.text)}"),)
