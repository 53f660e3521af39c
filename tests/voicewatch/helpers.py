"""Small builders shared by the VoiceWatch tests (kept out of conftest on purpose:
the repository's root conftest starts servers these pure tests must not need)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from voicewatch.events import CallContext, Prosody
from voicewatch.policy import Policy
from voicewatch.sentiment import analyse_sentiment
from voicewatch.signals.base import TurnView
from voicewatch.state import CallState
from voicewatch.text import normalise

REPO = Path(__file__).resolve().parents[2]
CALM = Prosody(energy_z=0.1, pitch_z=-0.1, rate_z=0.0)
AGITATED = Prosody(energy_z=2.5, pitch_z=2.1, rate_z=1.8)
LOUD_HAPPY = Prosody(energy_z=2.4, pitch_z=0.4, rate_z=0.8)


def view(text: str, *, asr: float | None = 0.9, prosody: Prosody | None = CALM, silence: float | None = 0.6,
         partial: bool = False, turn: int = 0) -> TurnView:
    return TurnView(turn=turn, text=text, norm=normalise(text), sentiment=analyse_sentiment(text),
                    asr_confidence=asr, prosody=prosody, silence_before_s=silence, partial=partial)


def state(**context: Any) -> CallState:
    s = CallState(context=CallContext(**context))
    s.note_bot("Can you confirm the order?")
    return s


def policy(**overrides: Any) -> Policy:
    return Policy.from_dict(overrides) if overrides else Policy.default()

