"""A premium customer's complaint: late deliveries, poor service, "this is unacceptable"."""

from __future__ import annotations

from voicewatch.lexicons import COMPLAINT, COMPLAINT_MILD, LOYALTY
from voicewatch.policy import Policy
from voicewatch.signals.base import SignalHit, TurnView, noisy_or, phrases, quote
from voicewatch.signals.prosody import agitation
from voicewatch.state import CallState

COMPLAINT_EACH = 0.65
MILD_EACH = 0.3
LOYALTY_SUPPORT = 0.3
NEGATIVE_SUPPORT = 0.3
_NEGATIVE = -0.3
# A premium caller who is shouting is handled as anger (supervisor queue); this
# reason is for the calm, factual complaint that an AI would otherwise brush off.
_AGITATED_MARGIN = 0.3


def detect(view: TurnView, state: CallState, policy: Policy) -> tuple[SignalHit, ...]:
    if not policy.is_premium(state.context.customer_tier):
        return ()
    complaints = COMPLAINT.affirmed(view.norm)
    mild = COMPLAINT_MILD.affirmed(view.norm)
    loyalty = LOYALTY.affirmed(view.norm)
    negative = view.sentiment.score <= _NEGATIVE
    if not complaints and not mild and not (loyalty and negative):
        return ()
    parts = [COMPLAINT_EACH] * min(2, len(complaints)) + [MILD_EACH] * min(2, len(mild))
    if loyalty:
        parts.append(LOYALTY_SUPPORT)
    if negative:
        parts.append(NEGATIVE_SUPPORT)
    score = noisy_or(parts)
    if view.prosody is not None and agitation(view.prosody) >= policy.thresholds.agitation_z + _AGITATED_MARGIN:
        return (SignalHit("vip_complaint", "vip_complaint", score, 0.0,
                          f"{state.context.customer_tier} customer complaining, but agitated: left to anger"),)
    return (SignalHit("vip_complaint", "vip_complaint", score, score,
                      f"{state.context.customer_tier} customer complaining: {quote(view.text)}"
                      f" (matched {phrases(complaints + mild + loyalty)}, sentiment {view.sentiment.score:+.2f})"),)
