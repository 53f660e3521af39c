"""Per-campaign escalation policy: plain data, validated, versioned.

Admins edit this as JSON (Django admin); the library receives it as a dict or a
`Policy`. Unknown fields are rejected so a typo ("treshold") is an error naming the
field rather than a silently ignored setting. Reasons, signal weights and priority
entries an admin leaves out fall back to the defaults, so a policy can override only
what it cares about.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from voicewatch.errors import PolicyError

SCHEMA_VERSION = 1

Reason = Literal[
    "legal_threat", "dispute_fraud", "distress", "human_request", "language_mismatch", "repeated_failure",
    "negotiation", "high_value_change", "vip_complaint", "anger", "ambiguity",
    # The caller could not be heard: no speech assessment came back in time (the speech
    # workers are down or overloaded). A bot that cannot hear must not go on guessing.
    "monitor_blind",
]
REASONS: tuple[str, ...] = Reason.__args__  # type: ignore[attr-defined]

SignalName = Literal[
    "sentiment", "sentiment_trend", "prosody_agitation", "frustration", "misunderstanding", "hesitation",
    "ambiguity", "human_request", "negotiation", "legal_threat", "distress", "dispute_fraud",
    "language_mismatch", "high_value_change", "vip_complaint", "monitor_blind",
]
SIGNAL_NAMES: tuple[str, ...] = SignalName.__args__  # type: ignore[attr-defined]

_STRICT = ConfigDict(extra="forbid", frozen=True)


class ReasonRule(BaseModel):
    """Whether a reason escalates, from which combined score, and to which queue."""

    model_config = _STRICT
    escalate: bool = True
    threshold: float = Field(0.6, ge=0.0, le=1.0)
    queue: str | None = Field("general", min_length=1, max_length=100)

    @model_validator(mode="after")
    def _queue_when_escalating(self) -> "ReasonRule":
        if self.escalate and not self.queue:
            raise ValueError("queue is required when escalate is true")
        return self


class Thresholds(BaseModel):
    """Signal calibration. Defaults were set on synthetic calls; change with care."""

    model_config = _STRICT
    asr_low: float = Field(0.5, ge=0.0, le=1.0, description="ASR confidence below which a turn failed")
    misunderstanding_streak: int = Field(2, ge=1, le=10, description="failed turns in a row that escalate")
    hesitation_silence_s: float = Field(1.8, ge=0.0, le=60.0, description="pause before an answer that counts")
    dead_air_s: float = Field(8.0, gt=0.0, le=600.0, description="silence event that counts as a failed turn")
    negative_sentiment: float = Field(-0.25, ge=-1.0, le=0.0, description="sentiment where anger evidence starts")
    agitation_z: float = Field(0.9, ge=0.0, le=10.0, description="prosody agitation where evidence starts")
    positive_gate: float = Field(0.25, gt=0.0, le=1.0, description="text sentiment that fully discounts a loud voice")


DEFAULT_QUEUES: dict[str, str] = {
    "legal_threat": "legal", "dispute_fraud": "fraud", "distress": "care", "human_request": "general",
    "language_mismatch": "multilingual", "repeated_failure": "general", "negotiation": "collections",
    "high_value_change": "orders", "anger": "supervisor", "vip_complaint": "premium", "ambiguity": "general",
    "monitor_blind": "general",
}

# Ambiguity evidence is mostly hesitation (pauses, trailing off), each cue weak on its
# own; a slightly lower bar lets two clear cues on a bare "theek hai..." suffice.
DEFAULT_THRESHOLDS: dict[str, float] = {"ambiguity": 0.55}

DEFAULT_HIGH_VALUE: dict[str, float] = {"INR": 50000, "USD": 600, "EUR": 550, "GBP": 480, "AED": 2300, "SGD": 800}


class Policy(BaseModel):
    """A campaign's escalation policy. Build with `Policy.default()` / `Policy.coerce(obj)`."""

    model_config = _STRICT
    schema_version: Literal[1] = SCHEMA_VERSION
    version: int = Field(1, ge=1, description="bumped by the admin on every edit")
    name: str = Field("default", min_length=1, max_length=100)
    served_languages: tuple[str, ...] = Field(("en", "hi"), min_length=1)
    premium_tiers: tuple[str, ...] = ("premium", "vip", "platinum", "gold")
    high_value: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_HIGH_VALUE))
    reasons: dict[Reason, ReasonRule] = Field(default_factory=dict)
    priority: tuple[Reason, ...] = ()
    signal_weights: dict[SignalName, float] = Field(default_factory=dict)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    # Pre-alert: from this combined score (any escalating reason, below its own threshold) the
    # call is "at risk" and an agent is reserved for it; None turns pre-alert off.
    prealert_threshold: float | None = Field(0.35, gt=0.0, lt=1.0)

    @field_validator("served_languages", "premium_tiers")
    @classmethod
    def _lower(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(x.strip().lower() for x in v)

    @field_validator("high_value")
    @classmethod
    def _currencies(cls, v: dict[str, float]) -> dict[str, float]:
        for code, amount in v.items():
            if len(code) != 3 or not code.isalpha() or not code.isupper():
                raise ValueError(f"currency {code!r} must be a 3-letter upper-case ISO code")
            if amount <= 0:
                raise ValueError(f"threshold for {code} must be positive")
        return v

    @field_validator("signal_weights")
    @classmethod
    def _weights(cls, v: dict[str, float]) -> dict[str, float]:
        for name, w in v.items():
            if not 0.0 <= w <= 2.0:
                raise ValueError(f"weight for {name} must be between 0 and 2")
        return v

    @field_validator("priority")
    @classmethod
    def _unique(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(v)) != len(v):
            raise ValueError("priority lists a reason twice")
        return v

    @model_validator(mode="after")
    def _fill_defaults(self) -> "Policy":
        # Frozen model: defaults are filled through object.__setattr__ once, at validation.
        reasons = {r: ReasonRule(queue=DEFAULT_QUEUES[r], threshold=DEFAULT_THRESHOLDS.get(r, 0.6)) for r in REASONS}
        reasons.update(self.reasons)
        priority = tuple(self.priority) + tuple(r for r in REASONS if r not in self.priority)
        weights = {s: 1.0 for s in SIGNAL_NAMES}
        weights.update(self.signal_weights)
        object.__setattr__(self, "signal_weights", weights)
        object.__setattr__(self, "reasons", reasons)
        object.__setattr__(self, "priority", priority)
        return self

    # After _fill_defaults (validators run in this order): the reasons are all there.
    @model_validator(mode="after")
    def _prealert_below_escalation(self) -> "Policy":
        escalating = [rule.threshold for rule in self.reasons.values() if rule.escalate]
        if self.prealert_threshold is not None and escalating and self.prealert_threshold >= min(escalating):
            raise ValueError(f"prealert_threshold ({self.prealert_threshold}) must be below every escalating "
                             f"reason's threshold (lowest: {min(escalating)})")  # fmt: skip
        return self

    # -- construction ----------------------------------------------------------------
    @classmethod
    def default(cls) -> "Policy":
        return cls()

    @classmethod
    def from_dict(cls, data: Any) -> "Policy":
        if not isinstance(data, dict):
            raise PolicyError("policy", [("policy", "must be a JSON object")])
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            raise PolicyError.from_pydantic("policy", err, root="policy") from None

    @classmethod
    def from_json(cls, text: str) -> "Policy":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise PolicyError("policy", [("policy", f"not valid JSON ({err.msg} at line {err.lineno})")]) from None
        return cls.from_dict(data)

    @classmethod
    def load(cls, path: str | Path) -> "Policy":
        return cls.from_json(Path(path).read_text(encoding="utf-8"))

    @classmethod
    def coerce(cls, obj: "Policy | dict[str, Any] | str | None") -> "Policy":
        """Accept what callers naturally have: a Policy, a dict (from Django JSONField) or JSON text."""
        if obj is None:
            return cls.default()
        if isinstance(obj, Policy):
            return obj
        if isinstance(obj, str):
            return cls.from_json(obj)
        return cls.from_dict(obj)

    # -- serialisation -----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    # -- queries used at decision time ------------------------------------------------------
    def weight(self, signal: str) -> float:
        return self.signal_weights.get(signal, 1.0)  # type: ignore[call-overload]

    def rule(self, reason: str) -> ReasonRule:
        return self.reasons[reason]  # type: ignore[index]

    def high_value_threshold(self, currency: str | None) -> float | None:
        return self.high_value.get(currency) if currency else None

    def serves(self, language: str) -> bool:
        return language.lower().split("-")[0] in self.served_languages

    def is_premium(self, tier: str | None) -> bool:
        return bool(tier) and tier.strip().lower() in self.premium_tiers  # type: ignore[union-attr]
