"""A bot flow as data: steps with prompts, the intents each step expects, and how it ends.

Load with :func:`load_flow` (or ``Flow.model_validate``). Structural errors and graph
errors (unknown or unreachable steps, paths that never end, prompts needing values that
are not there) all surface as one pydantic ``ValidationError`` whose ``loc`` names the
offending field, e.g. ``steps.confirm.expect.yes``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationInfo,
    model_validator,
)

from pbx.api import CallOutcome, EscalationReason
from pbx.dialog.graph import check_flow, lead_fields, raise_issues, step_shape_issues
from pbx.dialog.templates import template_fields
from pbx.dialog.vocabulary import FLOW_ESCALATION_REASONS, FLOW_OUTCOMES, Intent

_IDENTIFIER = r"^[a-z][a-z0-9_]*$"

StepId = Annotated[str, StringConstraints(pattern=_IDENTIFIER)]
SlotName = Annotated[str, StringConstraints(pattern=_IDENTIFIER)]
DtmfKey = Annotated[str, StringConstraints(pattern=r"^[0-9*#]$")]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]


def _valid_template(template: str) -> str:
    template_fields(template)
    return template


Template = Annotated[str, StringConstraints(min_length=1), AfterValidator(_valid_template)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class End(_Model):
    """How a call finishes: with an outcome and hang-up, or handed to a human (``escalate``)."""

    outcome: CallOutcome | None = None
    escalate: EscalationReason | None = None
    say: Template | None = None
    # Stored with the outcome, e.g. ``"{callback_time}"`` for a callback.
    detail: Template | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> End:
        if (self.outcome is None) == (self.escalate is None):
            raise ValueError("give exactly one of 'outcome' (hang up) or 'escalate' (hand over to a human)")
        if self.outcome is CallOutcome.ESCALATED:
            raise ValueError("write 'escalate: <reason>' instead of 'outcome: escalated'")
        if self.outcome is not None and self.outcome not in FLOW_OUTCOMES:
            raise ValueError(f"outcome {self.outcome.value!r} is not one a flow can end with; "
                             f"use one of {', '.join(sorted(FLOW_OUTCOMES))}")  # fmt: skip
        if self.escalate is not None and self.escalate not in FLOW_ESCALATION_REASONS:
            raise ValueError(f"escalate {self.escalate.value!r} is not a reason a flow hands over for; "
                             f"use one of {', '.join(sorted(FLOW_ESCALATION_REASONS))}")  # fmt: skip
        return self


def _transition_kind(value: Any) -> str:
    return "step" if isinstance(value, str) else "end"


# Where an answer leads: another step (by id) or an inline ending.
Transition = Annotated[
    Annotated[StepId, Tag("step")] | Annotated[End, Tag("end")],
    Discriminator(_transition_kind),
]


class OnNoInput(_Model):
    """Silence: reprompt (``say``, else the step's prompt) up to ``reprompts`` times, then ``then``."""

    reprompts: int = Field(default=2, ge=0, le=5)
    say: Template | None = None
    then: Transition = End(outcome=CallOutcome.NO_RESPONSE)


class OnNoMatch(_Model):
    """Unrecognised or unexpected replies: reprompt with a rephrase, then hand over."""

    reprompts: int = Field(default=2, ge=0, le=5)
    say: Template | None = None
    then: Transition = End(escalate=EscalationReason.REPEATED_FAILURE)


class Capture(_Model):
    """Store the customer's next reply verbatim (a new address, a callback time) in ``slot``."""

    slot: SlotName
    next: Transition


class Step(_Model):
    say: Template | None = None
    expect: dict[Intent, Transition] = {}
    # Keypad answers, e.g. {"1": "yes", "2": "no"}; overrides the flow-wide mapping per key.
    dtmf: dict[DtmfKey, Intent] = {}
    capture: Capture | None = None
    on_no_input: OnNoInput = OnNoInput()
    on_no_match: OnNoMatch = OnNoMatch()
    listen_timeout_s: float | None = Field(None, gt=0, le=60)
    barge_in: bool = True
    # Present on terminal steps only.
    end: End | None = None

    @property
    def terminal(self) -> bool:
        return self.end is not None

    @model_validator(mode="after")
    def _shape(self) -> Step:
        # Compared with defaults rather than "fields set", so a dumped flow reloads.
        fields = type(self).model_fields
        customised = {
            n for n, f in fields.items() if getattr(self, n) != f.get_default(call_default_factory=True)
        }
        raise_issues("Step", step_shape_issues(self, customised))
        return self


class Flow(_Model):
    name: Annotated[str, StringConstraints(pattern=_IDENTIFIER)]
    version: int = Field(ge=1)
    language: Language = "en-IN"
    greeting: StepId
    steps: dict[StepId, Step] = Field(min_length=1)
    # Intents honoured at every non-capture step that does not map them itself; must
    # include opt_out, which no step may ignore.
    anywhere: dict[Intent, Transition] = {}
    dtmf: dict[DtmfKey, Intent] = {}
    listen_timeout_s: float = Field(6.0, gt=0, le=60)
    min_asr_confidence: float = Field(0.5, ge=0, le=1)
    min_intent_confidence: float = Field(0.5, ge=0, le=1)
    # "Sorry?" is answered by repeating the prompt this many times per step before it
    # counts as a failed turn.
    max_repeats: int = Field(2, ge=0, le=5)
    # Bounds loops between steps that the graph allows (a customer flip-flopping).
    max_turns: int = Field(20, ge=1, le=200)

    @model_validator(mode="after")
    def _graph(self, info: ValidationInfo) -> Flow:
        sample_lead = (info.context or {}).get("sample_lead")
        raise_issues("Flow", check_flow(self, sample_lead))
        return self

    def required_lead_fields(self) -> tuple[str, ...]:
        """Lead fields the prompts use (template fields that no step captures), sorted."""
        return lead_fields(self)

    def step(self, step_id: str) -> Step:
        return self.steps[step_id]


def load_flow(data: Mapping[str, Any], sample_lead: Mapping[str, str] | None = None) -> Flow:
    """Validate a flow; with ``sample_lead``, also fail on prompts needing fields it lacks."""
    return Flow.model_validate(data, context={"sample_lead": sample_lead})


def load_flow_json(text: str | bytes, sample_lead: Mapping[str, str] | None = None) -> Flow:
    return Flow.model_validate_json(text, context={"sample_lead": sample_lead})


__all__ = [
    "Capture", "End", "Flow", "OnNoInput", "OnNoMatch", "Step", "Transition", "load_flow",
    "load_flow_json",
]  # fmt: skip
