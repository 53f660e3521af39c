"""Pre-alert: when a call's VoiceWatch risk crosses the policy's ``prealert_threshold``.

The risk is the highest combined score among the reasons the policy escalates for (a reason
that only informs cannot need an agent). It crosses once (``call.at_risk`` active) and falls
back once (active False) after the caller's finals stay clearly below it for a while: one calm
sentence after an angry one is not a calmer call, and a score wavering at the threshold must not
reserve and release an agent at every utterance.
"""

from __future__ import annotations

from dataclasses import dataclass

from pbx.api import CallAtRisk, EscalationReason
from voicewatch import Decision, Policy

# Falling back: this far below the threshold, for this many customer turns in a row.
CALM_MARGIN = 0.1
CALM_TURNS = 2


@dataclass(frozen=True)
class CallOfRisk:
    """What a call's ``call.at_risk`` events say besides the risk."""

    call_id: str
    escalation_queue: str  # where the call goes when the policy's reason names no queue
    campaign_id: int | None = None
    lead_id: int | None = None


class RiskWatch:
    def __init__(self, policy: Policy, call: CallOfRisk) -> None:
        self._policy = policy
        self._call = call
        self._active: CallAtRisk | None = None  # the event that said the call is at risk
        self._calm_turns: set[int] = set()  # finals clearly below the threshold since the last risky one

    @property
    def at_risk(self) -> bool:
        return self._active is not None

    def after(self, decision: Decision) -> CallAtRisk | None:
        """The event to publish after ``decision``, if the call just crossed the threshold either way."""
        threshold = self._policy.prealert_threshold
        if threshold is None or decision.escalate:
            return None  # off, or past pre-alert: the escalation itself takes over
        reason, score = self._risk(decision)
        if self._active is None:
            # A partial result counts too: the earlier an agent is held, the better.
            if reason is None or score < threshold:
                return None
            self._calm_turns.clear()
            self._active = CallAtRisk(call_id=self._call.call_id, active=True, score=round(score, 4),
                                      reason=EscalationReason(reason), queue=self._queue(reason),
                                      explanation=self._explain(decision, reason, score, threshold),
                                      campaign_id=self._call.campaign_id, lead_id=self._call.lead_id)  # fmt: skip
            return self._active
        if decision.partial:
            return None  # only what the caller finished saying calms a call down
        if score >= threshold - CALM_MARGIN:
            self._calm_turns.clear()
            return None
        self._calm_turns.add(decision.turn)
        if len(self._calm_turns) < CALM_TURNS:
            return None
        was, self._active = self._active, None
        return was.model_copy(update={"active": False, "score": round(score, 4),
                                      "explanation": f"risk fell to {score:.2f} for {CALM_TURNS} turns"})  # fmt: skip

    def _risk(self, decision: Decision) -> tuple[str | None, float]:
        escalating = [(r, s) for r, s in decision.reason_scores if self._policy.rule(r).escalate]
        if not escalating:
            return None, 0.0
        return max(escalating, key=lambda rs: rs[1])

    def _queue(self, reason: str) -> str:
        return self._policy.rule(reason).queue or self._call.escalation_queue

    @staticmethod
    def _explain(decision: Decision, reason: str, score: float, threshold: float) -> str:
        evidence = [h.evidence for h in decision.signals if h.reason == reason and h.score > 0]
        return f"{reason} {score:.2f} (pre-alert at {threshold:.2f}): " + "; ".join(evidence)
