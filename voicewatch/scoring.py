"""Combine signal hits into per-reason scores and pick the reason to escalate for.

Hits for the same reason are independent pieces of evidence, so they combine with a
noisy-OR after the policy's per-signal weight. Among reasons that pass their
threshold and are allowed to escalate, the policy's priority order decides (a legal
threat made angrily is routed to legal, not to the anger queue).
"""

from __future__ import annotations

from dataclasses import dataclass

from voicewatch.policy import Policy
from voicewatch.signals.base import SignalHit, clamp, noisy_or


@dataclass(frozen=True)
class Verdict:
    reason: str | None
    score: float
    scores: tuple[tuple[str, float], ...]
    top_reason: str | None
    top_score: float


def reason_scores(hits: tuple[SignalHit, ...], policy: Policy) -> dict[str, float]:
    grouped: dict[str, list[float]] = {}
    for h in hits:
        if h.score > 0:
            grouped.setdefault(h.reason, []).append(clamp(h.score * policy.weight(h.name)))
    return {reason: noisy_or(parts) for reason, parts in grouped.items()}


def decide(hits: tuple[SignalHit, ...], policy: Policy) -> Verdict:
    scores = reason_scores(hits, policy)
    ordered = tuple(sorted(scores.items(), key=lambda kv: (-kv[1], policy.priority.index(kv[0]))))
    top_reason, top_score = ordered[0] if ordered else (None, 0.0)
    for reason in policy.priority:
        rule = policy.rule(reason)
        s = scores.get(reason)
        if s is not None and rule.escalate and s >= rule.threshold:
            return Verdict(reason, s, ordered, top_reason, top_score)
    return Verdict(None, top_score, ordered, top_reason, top_score)
