"""A change requested on a high-value order (value at or above the policy's per-currency threshold)."""

from __future__ import annotations

from voicewatch.lexicons import CANCEL, CHANGE
from voicewatch.policy import Policy
from voicewatch.signals.base import SignalHit, TurnView, noisy_or, phrases, quote
from voicewatch.state import CallState

STRENGTH = 0.9
CANCEL_STRENGTH = 0.45


def _money(value: float, currency: str | None) -> str:
    return f"{value:,.0f} {currency or ''}".strip()


def detect(view: TurnView, state: CallState, policy: Policy) -> tuple[SignalHit, ...]:
    changes = CHANGE.affirmed(view.norm)
    cancels = CANCEL.affirmed(view.norm)
    if not changes and not cancels:
        return ()
    strength = noisy_or([STRENGTH] * min(1, len(changes)) + [CANCEL_STRENGTH] * min(1, len(cancels)))
    changes = changes + cancels
    ctx = state.context
    threshold = policy.high_value_threshold(ctx.currency)
    value = ctx.order_value
    if value is None or threshold is None:
        return (SignalHit("high_value_change", "high_value_change", value or 0.0, 0.0,
                          f"change requested ({phrases(changes)}) but order value/currency unknown"
                          f" or has no threshold"),)
    if value < threshold:
        return (SignalHit("high_value_change", "high_value_change", value, 0.0,
                          f"change requested ({phrases(changes)}) on a {_money(value, ctx.currency)} order,"
                          f" below the {_money(threshold, ctx.currency)} threshold"),)
    return (SignalHit("high_value_change", "high_value_change", value, strength,
                      f"change requested on a {_money(value, ctx.currency)} order"
                      f" (>= {_money(threshold, ctx.currency)}): {quote(view.text)} (matched {phrases(changes)})"),)
