"""CallMonitor: feed it a call's events one at a time, get a Decision after each.

The monitor owns the per-call state and wires events to signals; the signals, the
scoring and the policy each live in their own module. It does no I/O and uses no
clock or randomness, so the same events always give the same decisions.
"""

from __future__ import annotations

from typing import Any, Iterable

from voicewatch.decision import Decision
from voicewatch.events import (
    BotPrompt,
    CallContext,
    CustomerUtterance,
    PartialUtterance,
    Silence,
    Unheard,
    parse_context,
    parse_event,
)
from voicewatch.policy import Policy
from voicewatch.scoring import Verdict, decide
from voicewatch.sentiment import analyse_sentiment
from voicewatch.signals import ALL_SIGNALS, SignalHit, TurnView, misunderstanding, prosody
from voicewatch.state import CallState
from voicewatch.text import normalise

_MAX_REASONS_IN_TEXT = 3


class CallMonitor:
    """Decides, after every event of one call, whether the bot should hand over.

    `policy` may be a Policy, a dict (e.g. a Django JSONField) or JSON text;
    `context` a CallContext or a dict with order_value, currency, customer_tier, ...
    """

    def __init__(self, policy: Policy | dict[str, Any] | str | None = None,
                 context: CallContext | dict[str, Any] | None = None) -> None:
        self.policy = Policy.coerce(policy)
        self.state = CallState(context=parse_context(context))
        self._events = 0
        self._last: Decision | None = None

    @property
    def decision(self) -> Decision | None:
        """The latest decision (None before the first event)."""
        return self._last

    def observe(self, event: Any) -> Decision:
        ev = parse_event(event)
        index = self._events
        self._events += 1
        if isinstance(ev, (CustomerUtterance, PartialUtterance)):
            decision = self._on_speech(ev, index)
        elif isinstance(ev, Silence):
            decision = self._on_silence(ev, index)
        elif isinstance(ev, Unheard):
            decision = self._on_unheard(ev, index)
        else:
            if isinstance(ev, BotPrompt):
                self.state.note_bot(ev.text)
            else:
                self.state.context = self.state.context.merged(ev)
            decision = self._restate(index, self._last_turn())
        self._last = decision
        return decision

    def observe_all(self, events: Iterable[Any]) -> list[Decision]:
        return [self.observe(e) for e in events]

    # -- event handlers ------------------------------------------------------------
    def _on_speech(self, ev: CustomerUtterance | PartialUtterance, index: int) -> Decision:
        state = self.state
        partial = isinstance(ev, PartialUtterance)
        turn = state.current_turn
        silence = ev.silence_before_s
        if silence is None and state.pending_silence_s > 0:
            silence = state.pending_silence_s
        view = TurnView(turn=turn, text=ev.text, norm=normalise(ev.text), sentiment=analyse_sentiment(ev.text),
                        asr_confidence=ev.asr_confidence, prosody=ev.prosody, silence_before_s=silence,
                        partial=partial)
        if state.escalation is not None:
            decision = self._restate(index, turn, partial)
        else:
            hits = tuple(h for signal in ALL_SIGNALS for h in signal(view, state, self.policy))
            decision = self._decide(hits, index, turn, partial)
        if not partial:
            # Committed only on finals: partials are provisional and must leave no trace.
            failed = misunderstanding.failure_cause(view, self.policy) is not None
            agitation = prosody.agitation(ev.prosody) if ev.prosody is not None else None
            state.commit_turn(view.sentiment.score, agitation, failed)
        return decision

    def _on_silence(self, ev: Silence, index: int) -> Decision:
        state = self.state
        dead_air = ev.duration_s >= self.policy.thresholds.dead_air_s
        state.note_silence(ev.duration_s, counts_as_failure=dead_air)
        turn = state.current_turn
        if state.escalation is not None:
            return self._restate(index, turn)
        hits = misunderstanding.after_dead_air(state, self.policy, ev.duration_s)
        return self._decide(hits, index, turn, False)

    def _on_unheard(self, ev: Unheard, index: int) -> Decision:
        turn = self.state.current_turn
        if self.state.escalation is not None:
            return self._restate(index, turn)
        why = f"caller unheard: no speech assessment within {ev.waited_s:.1f} s"
        if ev.detail:
            why += f" ({ev.detail})"
        hit = SignalHit("monitor_blind", "monitor_blind", ev.waited_s, 1.0, why)
        return self._decide((hit,), index, turn, False)

    # -- decisions -----------------------------------------------------------------
    def _last_turn(self) -> int:
        return self.state.customer_turns - 1

    def _decide(self, hits: tuple[SignalHit, ...], index: int, turn: int, partial: bool) -> Decision:
        verdict = decide(hits, self.policy)
        if verdict.reason is None:
            return Decision(False, None, None, verdict.top_score, hits, _keep_text(verdict, self.policy),
                            turn, index, partial, reason_scores=verdict.scores)
        queue = self.policy.rule(verdict.reason).queue
        decision = Decision(True, queue, verdict.reason, verdict.score, hits,
                            _escalate_text(verdict, hits, queue, turn, partial), turn, index, partial,
                            escalated_at_turn=turn, reason_scores=verdict.scores)
        self.state.escalation = decision
        return decision

    def _restate(self, index: int, turn: int, partial: bool = False) -> Decision:
        esc = self.state.escalation
        if esc is None:
            return Decision(False, None, None, 0.0, (), "keep bot: nothing to decide on yet" if turn < 0
                            else "keep bot: no new customer speech", turn, index, partial)
        # Sticky: the call is already on its way to a person; never flip back.
        return Decision(True, esc.queue, esc.reason, esc.score, esc.signals,
                        f"already escalated at customer turn {esc.turn}: {esc.explanation}", turn, index,
                        partial, sticky=True, escalated_at_turn=esc.turn, reason_scores=esc.reason_scores)


def _escalate_text(verdict: Verdict, hits: tuple[SignalHit, ...], queue: str | None, turn: int,
                   partial: bool) -> str:
    evidence = [h.evidence for h in hits if h.reason == verdict.reason and h.score > 0]
    others = [f"{r} {s:.2f}" for r, s in verdict.scores if r != verdict.reason][:_MAX_REASONS_IN_TEXT]
    when = f"turn {turn}" + (" (partial result)" if partial else "")
    text = f"escalate to {queue} for {verdict.reason} (score {verdict.score:.2f}) at {when}: " + "; ".join(evidence)
    if others:
        text += f" [also: {', '.join(others)}]"
    return text


def _keep_text(verdict: Verdict, policy: Policy) -> str:
    if verdict.top_reason is None:
        return "keep bot: no escalation signal"
    rule = policy.rule(verdict.top_reason)
    limit = f"< {rule.threshold:.2f}" if rule.escalate else "(reason does not escalate in this policy)"
    return f"keep bot: strongest was {verdict.top_reason} {verdict.top_score:.2f} {limit}"
