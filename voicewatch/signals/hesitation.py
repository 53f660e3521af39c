"""Silence and hesitation before or inside an answer (long pause, "...", slow speech, fillers).

Hesitation is never a reason on its own; it turns a weak or bare "yes" ("theek
hai...") into a non-committal answer, which is what the ambiguity reason is about.
"""

from __future__ import annotations

from voicewatch.lexicons import AFFIRM, DECLINE, DEFERRAL, FILLER, HEDGE
from voicewatch.policy import Policy
from voicewatch.signals.base import SignalHit, TurnView, clamp, noisy_or
from voicewatch.signals.misunderstanding import failure_cause
from voicewatch.state import CallState

ELLIPSIS = 0.3
TRAILING_OFF = 0.4
SLOW_RATE_Z = -0.8
SLOW = 0.25
FILLER_EACH = 0.15
SILENCE_MIN = 0.3
SILENCE_MAX = 0.5
SILENCE_FULL_AFTER_S = 1.0
NO_CLEAR_ANSWER = 0.25


def cues(view: TurnView, policy: Policy) -> list[tuple[str, float]]:
    found: list[tuple[str, float]] = []
    sil = view.silence_before_s
    start = policy.thresholds.hesitation_silence_s
    if sil is not None and sil >= start:
        found.append((f"{sil:.1f}s pause before answering",
                      SILENCE_MIN + (SILENCE_MAX - SILENCE_MIN) * clamp((sil - start) / SILENCE_FULL_AFTER_S)))
    if view.text.rstrip().endswith(("...", "\u2026", "..")):
        found.append(("trails off at the end ('...')", TRAILING_OFF))
    elif view.norm.ellipsis:
        found.append(("pauses mid-answer ('...')", ELLIPSIS))
    if view.prosody is not None and view.prosody.rate_z <= SLOW_RATE_Z:
        found.append((f"slow speech (rate {view.prosody.rate_z:+.1f} z)", SLOW))
    if found and sil is not None and sil >= start and not HEDGE.find(view.norm) \
            and not AFFIRM.affirmed(view.norm) and not DECLINE.find(view.norm):
        # A long pause followed by neither a yes nor a no is how evasive answers sound,
        # whatever words they use; this keeps working for hedges the lexicon lacks.
        found.append(("no clear yes or no after the pause", NO_CLEAR_ANSWER))
    fillers = FILLER.find(view.norm)
    if fillers:
        found.append((f"fillers {', '.join(repr(m.phrase) for m in fillers[:3])}",
                      min(2, len(fillers)) * FILLER_EACH))
    return found


def detect(view: TurnView, state: CallState, policy: Policy) -> tuple[SignalHit, ...]:
    if failure_cause(view, policy) is not None:
        return ()  # garbled speech or "what?" is a failed exchange, not a hesitant answer
    if DEFERRAL.affirmed(view.norm):
        return ()  # "call me later" is a clear instruction, however it is said
    found = cues(view, policy)
    if not found:
        return ()
    score = noisy_or([s for _, s in found])
    if state.last_bot_text is not None and not state.bot_asked:
        score *= 0.75  # nothing was asked, so a pause is less telling
    return (SignalHit("hesitation", "ambiguity", view.silence_before_s or 0.0, score,
                      "hesitant: " + "; ".join(d for d, _ in found)),)
