"""Negative wording, and sentiment turning sour over the call (both evidence of anger)."""

from __future__ import annotations

from voicewatch.policy import Policy
from voicewatch.signals.base import SignalHit, TurnView, clamp, quote
from voicewatch.state import CallState

# Sentiment this far below the start threshold counts as full-strength evidence.
_FULL_SCALE = 0.5
_TREND_WINDOW = 3


def detect(view: TurnView, state: CallState, policy: Policy) -> tuple[SignalHit, ...]:
    s = view.sentiment.score
    start = policy.thresholds.negative_sentiment
    hits: list[SignalHit] = []
    if s <= start:
        strength = clamp((start - s) / _FULL_SCALE + 0.1)
        terms = f" ({', '.join(view.sentiment.terms)})" if view.sentiment.terms else ""
        hits.append(SignalHit("sentiment", "anger", s, strength,
                              f"negative wording, sentiment {s:+.2f}{terms}: {quote(view.text)}"))
    hits.extend(_trend(s, state, start))
    return tuple(hits)


def _trend(s: float, state: CallState, start: float) -> list[SignalHit]:
    history = state.sentiment_history[-_TREND_WINDOW:]
    if not history or s > start - 0.15:
        return []
    before = sum(history) / len(history)
    drop = before - s
    if history[-1] <= start:
        # Sustained negativity is stronger evidence than one sour sentence.
        return [SignalHit("sentiment_trend", "anger", drop, 0.35,
                          f"negative two turns running (previous {history[-1]:+.2f}, now {s:+.2f})")]
    if drop >= 0.6:
        return [SignalHit("sentiment_trend", "anger", drop, clamp((drop - 0.6) / 1.0) * 0.3 + 0.1,
                          f"sentiment fell from {before:+.2f} to {s:+.2f}")]
    return []
