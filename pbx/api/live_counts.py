"""pbx's live calls by state: the hash at ``LIVE_COUNTS_KEY`` that the dialer paces by; and
the inbound callers waiting per queue (``INBOUND_WAITING_KEY``), who want the same agents.

Every field must be there: a hash missing one (an older or renamed pbx) is refused rather
than read as zero, which would let the dialer believe lines are free and over-dial.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import ConfigDict, Field, ValidationError

from pbx.api._model import ContractModel
from pbx.api.wire import SchemaError, decode_mapping, describe


class LiveCounts(ContractModel):
    # A newer pbx may count more states; what this reader knows must all be there.
    model_config = ConfigDict(frozen=True, extra="ignore")

    dialing: int = Field(ge=0)
    screening: int = Field(ge=0, description="answered; the dialplan's AMD() is deciding human or machine")
    leaving_message: int = Field(ge=0, description="an answering machine is being left a message")
    with_bot: int = Field(ge=0)
    escalating: int = Field(ge=0, description="leaving the bot for a human queue")
    queued: int = Field(ge=0, description="waiting in a human queue")
    with_agent: int = Field(ge=0)
    # Among with_bot: VoiceWatch's risk is past the policy's pre-alert threshold (call.at_risk).
    ai_calls_at_risk: int = Field(0, ge=0)
    updated_at: float = Field(description="Unix time pbx wrote the hash")

    @property
    def ai_calls(self) -> int:
        """Calls holding an AI line (a call being screened is about to need the bot)."""
        return self.with_bot + self.escalating + self.screening

    def to_hash(self) -> dict[str, str]:
        return {**{k: str(v) for k, v in self.model_dump(exclude={"updated_at"}).items()},
                "ai_calls": str(self.ai_calls), "updated_at": f"{self.updated_at:.3f}"}  # fmt: skip

    @classmethod
    def from_hash(cls, data: Mapping[Any, Any]) -> LiveCounts:
        """SchemaError naming what is missing or wrong."""
        values = decode_mapping(data)
        values.pop("ai_calls", None)  # derived; written for people reading the hash
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            raise SchemaError(f"live counts: {describe(exc)}") from None

    def fresh(self, now_s: float, max_age_s: float) -> bool:
        return now_s - self.updated_at <= max_age_s



class InboundWaiting(ContractModel):
    """Inbound callers (not campaign calls) escalating to or waiting in each human queue.

    The dialer counts them against its campaigns' free agents: an inbound caller waiting in a
    campaign's queue takes an agent a campaign call would otherwise get. Queues nobody waits
    in are absent (pbx rewrites the whole hash each time)."""

    model_config = ConfigDict(frozen=True)

    queues: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    updated_at: float = Field(description="Unix time pbx wrote the hash")

    def to_hash(self) -> dict[str, str]:
        return {**{f"queue:{name}": str(n) for name, n in self.queues.items()}, "updated_at": f"{self.updated_at:.3f}"}

    @classmethod
    def from_hash(cls, data: Mapping[Any, Any]) -> InboundWaiting:
        """SchemaError naming what is wrong."""
        values = decode_mapping(data)
        queues = {key.removeprefix("queue:"): value for key, value in values.items() if key.startswith("queue:")}
        try:
            return cls.model_validate({"queues": queues, "updated_at": values.get("updated_at")})
        except ValidationError as exc:
            raise SchemaError(f"inbound waiting: {describe(exc)}") from None

    def fresh(self, now_s: float, max_age_s: float) -> bool:
        return now_s - self.updated_at <= max_age_s


class PbxGauges(ContractModel):
    """What ``GET /metrics`` shows of pbx's state (``cc_calls_active``, ``cc_queue_waiting_calls``).

    ``calls``: pbx's live calls, direction -> state -> count (states as pbx's call states, zeros
    included). ``queue_callers``: the callers in each Asterisk queue, as Asterisk counts them (the
    ``Count`` of QueueCallerJoin/Leave, QueueSummary after each AMI login), for every caller, not
    only pbx's; empty while pbx is not logged in to AMI (no count is better than an old one).
    pbx rewrites the whole hash each time, so a queue nobody waits in any more loses its count."""

    model_config = ConfigDict(frozen=True)

    calls: dict[str, dict[str, Annotated[int, Field(ge=0)]]] = Field(default_factory=dict)
    queue_callers: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    updated_at: float = Field(description="Unix time pbx wrote the hash")

    def to_hash(self) -> dict[str, str]:
        return {
            **{f"calls:{direction}:{state}": str(n) for direction, states in self.calls.items()
               for state, n in states.items()},
            **{f"queue:{name}": str(n) for name, n in self.queue_callers.items()},
            "updated_at": f"{self.updated_at:.3f}",
        }  # fmt: skip

    @classmethod
    def from_hash(cls, data: Mapping[Any, Any]) -> PbxGauges:
        """SchemaError naming what is wrong."""
        values = decode_mapping(data)
        calls: dict[str, dict[str, str]] = {}
        queues: dict[str, str] = {}
        for key, value in values.items():
            kind, _, rest = key.partition(":")
            if kind == "calls":
                direction, _, state = rest.partition(":")
                calls.setdefault(direction, {})[state] = value
            elif kind == "queue":
                queues[rest] = value
        try:
            return cls.model_validate({"calls": calls, "queue_callers": queues,
                                       "updated_at": values.get("updated_at")})  # fmt: skip
        except ValidationError as exc:
            raise SchemaError(f"pbx gauges: {describe(exc)}") from None

    def fresh(self, now_s: float, max_age_s: float) -> bool:
        return now_s - self.updated_at <= max_age_s
