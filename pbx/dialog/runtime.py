"""One bot conversation: consumes the call engine's events, returns actions to execute.

Pure and synchronous: no I/O, no clock. The engine owns timers (it calls
:meth:`DialogSession.on_no_input` when a :class:`Listen` times out) and executes the
returned actions in order. Given the same flow, lead and events, a session always
returns the same actions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from pbx.api import CallOutcome, EscalationReason
from pbx.dialog.actions import Action, CaptureSlot, Escalate, Hangup, Listen, Say, SetOutcome
from pbx.dialog.errors import MissingLeadFields
from pbx.dialog.flow import End, Flow, Step, Transition
from pbx.dialog.intents import DEFAULT_CLASSIFIER, IntentClassifier, IntentResult
from pbx.dialog.templates import render
from pbx.dialog.vocabulary import Intent

_DTMF_KEYS = frozenset("0123456789*#")


@dataclass(frozen=True)
class SessionState:
    step_id: str | None
    slots: Mapping[str, str]
    outcome: CallOutcome | None
    escalation: EscalationReason | None
    # Replies the customer gave (final utterances and keypresses); silences are not turns.
    turn_count: int
    ended: bool
    last_intent: IntentResult | None


@dataclass
class _Attempts:
    """Failures at the current step; a new step starts afresh."""

    no_input: int = 0
    no_match: int = 0
    repeats: int = 0


@dataclass
class _Progress:
    step_id: str | None = None
    slots: dict[str, str] = field(default_factory=dict)
    outcome: CallOutcome | None = None
    escalation: EscalationReason | None = None
    turns: int = 0
    ended: bool = False
    last_intent: IntentResult | None = None
    attempts: _Attempts = field(default_factory=_Attempts)
    # The customer cut the last prompt short, so a reprompt repeats it in full rather
    # than the shorter rephrase: they may never have heard the question.
    interrupted: bool = False


class DialogSession:
    def __init__(
        self, flow: Flow, lead: Mapping[str, str], classifier: IntentClassifier | None = None
    ) -> None:
        missing = tuple(f for f in flow.required_lead_fields() if f not in lead)
        if missing:
            raise MissingLeadFields(flow.name, missing)
        self._flow = flow
        self._lead = dict(lead)
        self._classifier = classifier or DEFAULT_CLASSIFIER
        self._p = _Progress()

    @property
    def flow(self) -> Flow:
        return self._flow

    @property
    def state(self) -> SessionState:
        p = self._p
        return SessionState(p.step_id, MappingProxyType(dict(p.slots)), p.outcome, p.escalation, p.turns, p.ended,
                            p.last_intent)  # fmt: skip

    # --- events from the call engine -----------------------------------------------

    def start(self) -> list[Action]:
        if self._p.step_id is not None or self._p.ended:
            return []
        return self._enter(self._flow.greeting)

    def on_utterance(self, text: str, confidence: float, is_final: bool = True) -> list[Action]:
        # Partials are ignored: answering them would reply to half a sentence. VoiceWatch
        # is the one that watches partials.
        if not self._listening() or not is_final:
            return []
        if over_limit := self._count_turn():
            return over_limit
        if not text.strip():
            return self._no_match(text, "empty transcript")
        if confidence < self._flow.min_asr_confidence:
            return self._no_match(text, f"ASR confidence {confidence:.2f}")
        result = self._classifier.classify(text)
        self._p.last_intent = result
        return self._on_intent(result, text)

    def on_dtmf(self, digit: str) -> list[Action]:
        if digit not in _DTMF_KEYS:
            raise ValueError(f"not a DTMF key: {digit!r}")
        if not self._listening():
            return []
        if over_limit := self._count_turn():
            return over_limit
        mapping = {**self._flow.dtmf, **self._step().dtmf}
        result = self._classifier.classify_dtmf(digit, mapping)
        self._p.last_intent = result
        return self._on_intent(result, None)

    def on_no_input(self) -> list[Action]:
        if not self._listening():
            return []
        step = self._step()
        attempts = self._p.attempts
        attempts.no_input += 1
        if attempts.no_input > step.on_no_input.reprompts:
            detail = f"step {self._p.step_id!r}: no reply {attempts.no_input}x"
            return self._follow(step.on_no_input.then, detail)
        return self._prompt(self._reprompt_text(step, step.on_no_input.say))

    def on_barge_in(self) -> list[Action]:
        if self._listening():
            self._p.interrupted = True
        return []

    # --- decisions -------------------------------------------------------------------

    def _listening(self) -> bool:
        return self._p.step_id is not None and not self._p.ended

    def _step(self) -> Step:
        assert self._p.step_id is not None
        return self._flow.steps[self._p.step_id]

    def _count_turn(self) -> list[Action]:
        self._p.turns += 1
        if self._p.turns > self._flow.max_turns:
            detail = f"no outcome after {self._flow.max_turns} turns"
            return self._finish(End(escalate=EscalationReason.REPEATED_FAILURE), detail)
        return []

    def _on_intent(self, result: IntentResult, text: str | None) -> list[Action]:
        step = self._step()
        confident = result.confidence >= self._flow.min_intent_confidence
        target = self._transition_for(step, result.intent) if confident else None
        if target is not None:
            return self._follow(target, text or ", ".join(result.matched))
        if confident and result.intent is Intent.REPEAT_REQUEST:
            return self._repeat(text)
        if step.capture is not None and text is not None:
            value = text.strip()
            self._p.slots[step.capture.slot] = value
            return [CaptureSlot(step.capture.slot, value), *self._follow(step.capture.next, value)]
        why = (
            f"intent {result.intent.value} ({result.confidence:.2f})" if text is not None else "unmapped key"
        )
        return self._no_match(text, why)

    def _transition_for(self, step: Step, intent: Intent) -> Transition | None:
        if intent in step.expect:
            return step.expect[intent]
        # A capture step takes free text ("call me tomorrow evening" is a time, not a
        # callback request); only an opt-out, which must always be honoured, interrupts it.
        if intent in self._flow.anywhere and (step.capture is None or intent is Intent.OPT_OUT):
            return self._flow.anywhere[intent]
        return None

    def _repeat(self, text: str | None) -> list[Action]:
        attempts = self._p.attempts
        attempts.repeats += 1
        if attempts.repeats > self._flow.max_repeats:
            return self._no_match(text, "asked for a repeat too often")
        step = self._step()
        assert step.say is not None
        return self._prompt(step.say)

    def _no_match(self, text: str | None, why: str) -> list[Action]:
        step = self._step()
        attempts = self._p.attempts
        attempts.no_match += 1
        if attempts.no_match > step.on_no_match.reprompts:
            heard = f"; last reply {text!r}" if text else ""
            detail = f"step {self._p.step_id!r}: not understood {attempts.no_match}x ({why}){heard}"
            return self._follow(step.on_no_match.then, detail)
        return self._prompt(self._reprompt_text(step, step.on_no_match.say))

    def _reprompt_text(self, step: Step, rephrase: str | None) -> str:
        assert step.say is not None
        return step.say if rephrase is None or self._p.interrupted else rephrase

    # --- moving on -------------------------------------------------------------------

    def _follow(self, target: Transition, detail: str | None) -> list[Action]:
        if isinstance(target, str):
            return self._enter(target, detail)
        return self._finish(target, detail)

    def _enter(self, step_id: str, detail: str | None = None) -> list[Action]:
        self._p.step_id = step_id
        self._p.attempts = _Attempts()
        step = self._flow.steps[step_id]
        if step.end is not None:
            return self._finish(step.end, detail)
        assert step.say is not None
        return self._prompt(step.say)

    def _prompt(self, template: str) -> list[Action]:
        step = self._step()
        self._p.interrupted = False
        timeout = step.listen_timeout_s or self._flow.listen_timeout_s
        assert self._p.step_id is not None
        return [Say(self._render(template), self._p.step_id, step.barge_in), Listen(timeout)]

    def _finish(self, end: End, default_detail: str | None) -> list[Action]:
        p = self._p
        assert p.step_id is not None
        p.ended = True
        detail = self._render(end.detail) if end.detail is not None else None
        closing = (
            [Say(self._render(end.say), p.step_id, barge_in_allowed=False)] if end.say is not None else []
        )
        if end.escalate is not None:
            # The lead's outcome records why it went to a person; Escalate carries the context.
            p.outcome, p.escalation = CallOutcome.ESCALATED, end.escalate
            return [SetOutcome(CallOutcome.ESCALATED, end.escalate.value), *closing,
                    Escalate(end.escalate, detail or default_detail)]  # fmt: skip
        assert end.outcome is not None
        p.outcome = end.outcome
        return [SetOutcome(end.outcome, detail), *closing, Hangup(end.outcome)]

    def _render(self, template: str) -> str:
        return render(template, {**self._lead, **self._p.slots})
