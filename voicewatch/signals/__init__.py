"""Signals: each reads the current turn and the call state and returns zero or more SignalHits.

`ALL_SIGNALS` is the order they run in; it does not affect the decision (hits are
combined per reason), only the order they are listed in an explanation.
"""

from __future__ import annotations

from voicewatch.signals import (
    ambiguity,
    distress,
    fraud,
    frustration,
    hesitation,
    high_value,
    human_request,
    language,
    legal,
    misunderstanding,
    negotiation,
    prosody,
    sentiment,
    vip,
)
from voicewatch.signals.base import Signal, SignalHit, TurnView

ALL_SIGNALS: tuple[Signal, ...] = (
    legal.detect,
    fraud.detect,
    distress.detect,
    human_request.detect,
    language.detect,
    misunderstanding.detect,
    negotiation.detect,
    high_value.detect,
    sentiment.detect,
    prosody.detect,
    frustration.detect,
    vip.detect,
    ambiguity.detect,
    hesitation.detect,
)

__all__ = ["ALL_SIGNALS", "Signal", "SignalHit", "TurnView"]
