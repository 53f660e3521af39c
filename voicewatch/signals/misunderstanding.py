"""ASR confidence and repeated misunderstanding: the bot and the caller are not getting through.

One misheard turn is normal and recovers; `misunderstanding_streak` failed turns in a
row (low recognition confidence, "can you repeat?", noises with no answer, or dead
air) mean the bot should hand over.
"""

from __future__ import annotations

from voicewatch.lexicons import FILLER, NON_ANSWER, REPEAT_REQUEST
from voicewatch.policy import Policy
from voicewatch.signals.base import SignalHit, TurnView, quote
from voicewatch.state import CallState

_NON_ANSWER_MAX_TOKENS = 5
_NON_ANSWER_MAX_CONFIDENCE = 0.7


def failure_cause(view: TurnView, policy: Policy) -> str | None:
    """Why this turn counts as a failed exchange, or None if it got through."""
    conf = view.asr_confidence
    if conf is not None and conf < policy.thresholds.asr_low:
        return f"ASR confidence {conf:.2f} < {policy.thresholds.asr_low:.2f}"
    repeat = REPEAT_REQUEST.find(view.norm)
    if repeat:
        return f"caller could not follow: '{repeat[0].phrase}'"
    toks = view.norm.tokens
    if not toks and (conf is None or conf < _NON_ANSWER_MAX_CONFIDENCE):
        return "no words recognised"
    if 0 < len(toks) <= _NON_ANSWER_MAX_TOKENS and (conf is None or conf < _NON_ANSWER_MAX_CONFIDENCE):
        covered = {i for m in NON_ANSWER.find(view.norm) + FILLER.find(view.norm) for i in range(m.start, m.end)}
        if len(covered) >= len(toks) - 1 and covered:
            return "only noises, no answer"
    return None


def _hit(streak: int, cause: str, policy: Policy, text: str | None) -> SignalHit:
    needed = policy.thresholds.misunderstanding_streak
    said = f" {quote(text)}" if text else ""
    if streak >= needed:
        return SignalHit("misunderstanding", "repeated_failure", float(streak), 0.95,
                         f"bot failed to understand the caller {streak} turns in a row ({cause}){said}")
    return SignalHit("misunderstanding", "repeated_failure", float(streak), 0.2,
                     f"misunderstood turn {streak} of {needed} ({cause}){said}")


def detect(view: TurnView, state: CallState, policy: Policy) -> tuple[SignalHit, ...]:
    cause = failure_cause(view, policy)
    if cause is None:
        return ()
    if view.partial:
        # A partial's text and confidence are provisional; a streak is only counted
        # on final results, otherwise every mid-sentence fragment would "fail".
        return ()
    return (_hit(state.misunderstanding_streak + 1, cause, policy, view.text),)


def after_dead_air(state: CallState, policy: Policy, duration_s: float) -> tuple[SignalHit, ...]:
    """Decision input for a silence event (the streak already includes it)."""
    if duration_s < policy.thresholds.dead_air_s:
        return ()
    return (_hit(state.misunderstanding_streak, f"no answer for {duration_s:.1f}s", policy, None),)
