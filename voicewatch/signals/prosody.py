"""Agitated voice: energy, pitch and speaking rate all above the caller's own baseline.

Loudness alone is not anger (callers in a market shout "yes, confirm it!"), so the
agitation measure rewards *all three* features rising together, and is discounted
when the words themselves are positive.
"""

from __future__ import annotations

from voicewatch.events import Prosody
from voicewatch.lexicons import AFFIRM, GRATITUDE
from voicewatch.policy import Policy
from voicewatch.signals.base import SignalHit, TurnView, clamp
from voicewatch.state import CallState

_FULL_SCALE = 1.0
# On a partial result the words that explain the voice may not have arrived yet
# ("I will file a complaint..." is loud too); the voice alone then only counts
# partly, so a partial escalates for anger when the words so far support it.
PARTIAL_DAMPING = 0.55


def agitation(p: Prosody) -> float:
    """Half the mean z-score plus half the smallest: high only when every feature is up."""
    zs = (p.energy_z, p.pitch_z, p.rate_z)
    return 0.5 * (sum(zs) / 3.0) + 0.5 * min(zs)


def positive_discount(sentiment: float, gate: float) -> float:
    """Multiplier in [0, 1]: 1 for neutral/negative words, 0 once wording is clearly positive."""
    return 1.0 if sentiment <= 0 else clamp(1.0 - sentiment / gate)


def sounds_happy(view: TurnView) -> bool:
    """Positive words that a happy caller uses: a yes, thanks, praise.

    Required on top of positive sentiment because lexicon sentiment misreads sarcasm
    and exclamations ("Unbelievable! Every day the same call!" scores positive).
    """
    return bool(AFFIRM.affirmed(view.norm) or GRATITUDE.affirmed(view.norm))


def detect(view: TurnView, state: CallState, policy: Policy) -> tuple[SignalHit, ...]:
    if view.prosody is None:
        return ()
    a = agitation(view.prosody)
    start = policy.thresholds.agitation_z
    if a < start:
        return ()
    p = view.prosody
    raw = clamp((a - start) / _FULL_SCALE + 0.1)
    factor = positive_discount(view.sentiment.score, policy.thresholds.positive_gate) if sounds_happy(view) else 1.0
    detail = f"energy {p.energy_z:+.1f}, pitch {p.pitch_z:+.1f}, rate {p.rate_z:+.1f} z"
    if view.partial:
        factor *= PARTIAL_DAMPING
    if factor < 1.0 and view.sentiment.score > 0:
        detail += f"; discounted x{factor:.2f} for positive wording ({view.sentiment.score:+.2f})"
    return (SignalHit("prosody_agitation", "anger", a, raw * factor, f"agitated voice ({detail})"),)
