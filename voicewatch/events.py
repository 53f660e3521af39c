"""Call events, as the call engine will send them, one at a time.

A discriminated union on `type` keeps the wire format explicit and lets a malformed
event fail with the exact field that is wrong. Models are frozen: an observed event
is a fact, never edited afterwards.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from voicewatch.errors import EventError

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class Prosody(BaseModel):
    """Voice features as z-scores against the caller's own baseline (0 = their normal)."""

    model_config = _FROZEN
    energy_z: float = Field(0.0, ge=-20, le=20)
    pitch_z: float = Field(0.0, ge=-20, le=20)
    rate_z: float = Field(0.0, ge=-20, le=20)

    @field_validator("energy_z", "pitch_z", "rate_z")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError("must be a finite number")
        return v


class BotPrompt(BaseModel):
    """What the bot just said (used to know whether an answer is expected)."""

    model_config = _FROZEN
    type: Literal["bot"] = "bot"
    text: str


class _Speech(BaseModel):
    model_config = _FROZEN
    text: str
    asr_confidence: float | None = Field(None, ge=0.0, le=1.0)
    prosody: Prosody | None = None
    silence_before_s: float | None = Field(None, ge=0.0, le=3600.0)


class CustomerUtterance(_Speech):
    """A final ASR result for one customer turn."""

    type: Literal["utterance"] = "utterance"


class PartialUtterance(_Speech):
    """The text recognised so far of a customer turn still being spoken.

    Partials are cumulative (each one carries the whole text so far); the final
    `utterance` for the same turn supersedes them.
    """

    type: Literal["partial"] = "partial"


class Silence(BaseModel):
    """Dead air: the customer said nothing for `duration_s` after a bot prompt."""

    model_config = _FROZEN
    type: Literal["silence"] = "silence"
    duration_s: float = Field(ge=0.0, le=3600.0)


class Unheard(BaseModel):
    """The customer spoke but nothing understood them: no speech assessment came back within
    `waited_s` (speech recognition runs elsewhere and did not answer in time)."""

    model_config = _FROZEN
    type: Literal["unheard"] = "unheard"
    waited_s: float = Field(ge=0.0, le=3600.0)
    detail: str = Field("", max_length=200)


class CallContext(BaseModel):
    """Business context of the call; may be sent at start or updated mid-call."""

    model_config = _FROZEN
    type: Literal["context"] = "context"
    order_value: float | None = Field(None, ge=0)
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    customer_tier: str | None = Field(None, min_length=1, max_length=40)
    prior_contacts_7d: int | None = Field(None, ge=0)
    language: str | None = Field(None, min_length=2, max_length=20)
    campaign: str | None = Field(None, min_length=1, max_length=100)

    def merged(self, update: "CallContext") -> "CallContext":
        """This context with the fields `update` sets (unset fields keep their value)."""
        return self.model_copy(update=update.model_dump(exclude_unset=True, exclude={"type"}))


Event = Annotated[
    Union[BotPrompt, CustomerUtterance, PartialUtterance, Silence, Unheard, CallContext],
    Field(discriminator="type"),
]
_EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
_EVENT_TYPES = (BotPrompt, CustomerUtterance, PartialUtterance, Silence, Unheard, CallContext)
_EVENT_TAGS = frozenset({"bot", "utterance", "partial", "silence", "unheard", "context"})


AnyEvent = BotPrompt | CustomerUtterance | PartialUtterance | Silence | Unheard | CallContext


def parse_event(obj: Any) -> AnyEvent:
    """Validate a dict (or pass through an event model); raise EventError naming the field."""
    if isinstance(obj, _EVENT_TYPES):
        return obj
    try:
        return _EVENT_ADAPTER.validate_python(obj)
    except ValidationError as err:
        raise EventError.from_pydantic("event", err, root="event", hide=_EVENT_TAGS) from None


def parse_context(obj: Any) -> CallContext:
    if obj is None:
        return CallContext()
    if isinstance(obj, CallContext):
        return obj
    if isinstance(obj, dict):
        obj = {"type": "context", **obj}
    try:
        return CallContext.model_validate(obj)
    except ValidationError as err:
        raise EventError.from_pydantic("context", err, root="context") from None
