"""Typed calls for offline evaluation, and the JSONL corpus reader (one source among others).

The evaluator takes any iterable of `Call`; reading the shared JSONL corpus is just
one way to get them. A database replay only has to build the same `Call` objects.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from voicewatch.errors import VoiceWatchValidationError
from voicewatch.events import BotPrompt, CallContext, CustomerUtterance, PartialUtterance, Prosody

# Corpus records may carry fields the evaluator does not use (timestamps, audio
# paths); those are ignored, but every field that is used is validated.
_RECORD = ConfigDict(extra="ignore", frozen=True)

# The labelled corpus is shared by every checkout, so it lives beside the checkout
# (../shared/voicewatch-corpus/), not inside it. A clone made elsewhere (CI's, a temporary
# one) finds it in the workplace's shared folder; the variable points anywhere else.
CORPUS_ENV = "VOICEWATCH_CORPUS"
_CHECKOUT = Path(__file__).resolve().parents[2]
_WORKPLACE_SHARED = Path("/work/shared")


def shared_corpus() -> Path:
    """The shared labelled calls file; a missing corpus is an error, never a skipped check."""
    if os.environ.get(CORPUS_ENV):
        candidates = [Path(os.environ[CORPUS_ENV])]
    else:
        candidates = [where / "voicewatch-corpus" / "calls.jsonl" for where in (_CHECKOUT.parent / "shared",
                                                                                _WORKPLACE_SHARED)]  # fmt: skip
    for path in candidates:
        if path.is_file():
            return path
    looked = ", ".join(map(str, candidates))
    raise FileNotFoundError(f"VoiceWatch corpus not found at {looked} (set {CORPUS_ENV} to another file)")


class CorpusError(VoiceWatchValidationError):
    """A corpus record does not validate."""


class Turn(BaseModel):
    model_config = _RECORD
    speaker: Literal["bot", "customer"]
    text: str
    asr_confidence: float | None = Field(None, ge=0.0, le=1.0)
    prosody: Prosody | None = None
    silence_before_s: float | None = Field(None, ge=0.0)


class Label(BaseModel):
    model_config = _RECORD
    escalate: bool
    earliest_turn: int = Field(ge=-1)
    latest_turn: int = Field(ge=-1)
    reason: str = "none"


class CallFacts(BaseModel):
    model_config = _RECORD
    order_value: float | None = Field(None, ge=0)
    currency: str | None = None
    customer_tier: str | None = None
    prior_contacts_7d: int | None = Field(None, ge=0)


class Call(BaseModel):
    model_config = _RECORD
    id: str
    campaign: str | None = None
    language: str | None = None
    context: CallFacts = Field(default_factory=CallFacts)
    turns: tuple[Turn, ...]
    label: Label | None = None

    @property
    def customer_turns(self) -> int:
        return sum(1 for t in self.turns if t.speaker == "customer")

    def call_context(self) -> CallContext:
        c = self.context
        return CallContext(order_value=c.order_value, currency=c.currency, customer_tier=c.customer_tier,
                           prior_contacts_7d=c.prior_contacts_7d, language=self.language, campaign=self.campaign)


def read_jsonl(path: str | Path) -> Iterator[Call]:
    """Calls from a JSONL file; raises CorpusError naming the line and field on bad input."""
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as err:
                raise CorpusError(f"corpus record (line {lineno})", [(f"line {lineno}", err.msg)]) from None
            try:
                yield Call.model_validate(data)
            except ValidationError as err:
                raise CorpusError.from_pydantic(f"corpus record (line {lineno})", err, root=f"line{lineno}") from None


def call_events(call: Call, partials: bool = False, words_per_partial: int = 3
                ) -> Iterator[BotPrompt | CustomerUtterance | PartialUtterance]:
    """The call as the live engine would send it, optionally with streaming partials.

    Partials grow by `words_per_partial` words and carry the turn's prosody and pause,
    as a streaming recogniser reporting running features would.
    """
    for t in call.turns:
        if t.speaker == "bot":
            yield BotPrompt(text=t.text)
            continue
        if partials:
            words = t.text.split()
            for n in range(words_per_partial, len(words), words_per_partial):
                yield PartialUtterance(text=" ".join(words[:n]), asr_confidence=t.asr_confidence,
                                       prosody=t.prosody, silence_before_s=t.silence_before_s)
        yield CustomerUtterance(text=t.text, asr_confidence=t.asr_confidence, prosody=t.prosody,
                                silence_before_s=t.silence_before_s)
