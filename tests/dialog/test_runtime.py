"""DialogSession semantics on small purpose-built flows."""

from __future__ import annotations

from typing import Any

import pytest

from pbx.api import CallOutcome, EscalationReason
from pbx.dialog.actions import Escalate, Hangup, Listen, Say, SetOutcome
from pbx.dialog.flow import Flow, load_flow
from pbx.dialog.library import SAMPLE_LEAD, available, library_flow
from pbx.dialog.runtime import DialogSession
from pbx.dialog.testing import BargeIn, Event, Press, Reply, Silence, play

LEAD = {"first_name": "Ravi"}
PROMPT = Say("Ravi, is that right?", "ask")
REPHRASE = Say("Please just say yes or no.", "ask")


def flow(**overrides: Any) -> Flow:
    data: dict[str, Any] = {
        "name": "mini",
        "version": 1,
        "greeting": "ask",
        "anywhere": {"opt_out": {"outcome": "opt_out"}},
        "steps": {
            "ask": {"say": "{first_name}, is that right?", "expect": {"yes": "done", "no": "why"},
                    "on_no_match": {"say": "Please just say yes or no."}},
            "why": {"say": "Why not?", "capture": {"slot": "reason", "next": "noted"}, "barge_in": False,
                    "listen_timeout_s": 9},
            "noted": {"end": {"outcome": "rejected", "detail": "{reason}"}},
            "done": {"end": {"outcome": "confirmed"}},
        },
    }  # fmt: skip
    data.update(overrides)
    return load_flow(data, LEAD)


def session(**overrides: Any) -> DialogSession:
    return DialogSession(flow(**overrides), LEAD)


def test_a_dumped_flow_reloads_unchanged() -> None:
    assert load_flow(flow().model_dump(mode="json")) == flow()


def test_start_prompts_and_listens() -> None:
    assert play(session()).last == (PROMPT, Listen(6.0))


def test_asr_confidence_below_half_counts_as_no_match() -> None:
    call = play(session(), Reply("yes", confidence=0.49), Reply("yes", confidence=0.5))
    assert call.turns[1] == (REPHRASE, Listen(6.0))
    assert call.outcome() == SetOutcome(CallOutcome.CONFIRMED)


def test_weak_intent_counts_as_no_match() -> None:
    call = play(session(), "okay so what is this about exactly, I did not get any message")
    assert call.last == (REPHRASE, Listen(6.0))


def test_empty_transcript_counts_as_no_match() -> None:
    assert play(session(), "  ").last == (REPHRASE, Listen(6.0))


def test_partial_results_are_ignored() -> None:
    s = session()
    call = play(s, Reply("yes", is_final=False), Reply("no, wait", is_final=False))
    assert call.turns[1:] == ((), ())
    assert s.state.turn_count == 0


def test_an_expected_intent_not_mapped_at_this_step_is_a_no_match() -> None:
    assert play(session(), "call me later").last == (REPHRASE, Listen(6.0))


def test_step_settings_reach_the_actions() -> None:
    call = play(session(), "no")
    assert call.last == (Say("Why not?", "why", barge_in_allowed=False), Listen(9.0))


def test_no_match_budget_resets_on_a_new_step() -> None:
    call = play(session(), "blue", "green", "no", "because")  # two misses at "ask", then move on
    assert call.outcome() == SetOutcome(CallOutcome.REJECTED, "because")


def test_no_input_and_no_match_are_counted_separately() -> None:
    call = play(session(), Silence(), "blue", Silence(), "green", "yes")
    assert call.outcome() == SetOutcome(CallOutcome.CONFIRMED)


def test_zero_reprompts_escalates_on_the_first_miss() -> None:
    steps = flow().model_dump(mode="json")["steps"]
    steps["ask"]["on_no_match"] = {"reprompts": 0}
    s = DialogSession(flow(steps=steps), LEAD)
    call = play(s, "blue")
    assert call.last[-1] == Escalate(EscalationReason.REPEATED_FAILURE,
                                     "step 'ask': not understood 1x (intent unknown (0.00)); last reply 'blue'")  # fmt: skip


def test_a_repeat_request_repeats_the_prompt_without_spending_the_no_match_budget() -> None:
    call = play(session(), "sorry?", "kya? phir se boliye", "blue", "green", "yes")
    assert call.turns[1] == (PROMPT, Listen(6.0))
    assert call.turns[2] == (PROMPT, Listen(6.0))
    assert call.outcome() == SetOutcome(CallOutcome.CONFIRMED)


def test_too_many_repeat_requests_become_no_matches() -> None:
    call = play(session(max_repeats=1), "sorry?", "sorry?", "sorry?", "sorry?")
    assert call.turns[1] == (PROMPT, Listen(6.0))
    assert call.turns[2] == (REPHRASE, Listen(6.0))
    assert isinstance(call.last[-1], Escalate)


def test_after_a_barge_in_the_reprompt_is_the_full_question() -> None:
    call = play(session(), BargeIn(), "blue", "green")
    assert call.turns[1] == ()
    assert call.turns[2] == (PROMPT, Listen(6.0))  # they talked over it: ask it again in full
    assert call.turns[3] == (REPHRASE, Listen(6.0))


def test_max_turns_bounds_a_flip_flopping_customer() -> None:
    steps = flow().model_dump(mode="json")["steps"]
    steps["ask"]["expect"] = {"yes": "sure", "no": "why"}
    steps["sure"] = {"say": "Sure?", "expect": {"yes": "done", "no": "ask"}}
    call = play(session(steps=steps, max_turns=4), "yes", "no", "yes", "no", "yes")
    assert call.last == (SetOutcome(CallOutcome.ESCALATED, "repeated_failure"),
                         Escalate(EscalationReason.REPEATED_FAILURE, "no outcome after 4 turns"))  # fmt: skip


def test_input_after_the_end_returns_nothing_and_changes_nothing() -> None:
    s = session()
    play(s, "yes")
    before = s.state
    assert s.on_utterance("no", 0.9) == []
    assert s.on_dtmf("2") == []
    assert s.on_no_input() == []
    assert s.on_barge_in() == []
    assert s.start() == []
    assert s.state == before
    assert before.ended and before.outcome is CallOutcome.CONFIRMED and before.step_id == "done"


def test_input_after_an_escalation_returns_nothing() -> None:
    s = session()
    play(s, "blue", "green", "red")
    assert s.state.outcome is CallOutcome.ESCALATED
    assert s.on_utterance("yes", 0.9) == []


def test_input_before_start_returns_nothing() -> None:
    s = session()
    assert s.on_utterance("yes", 0.9) == [] and s.on_no_input() == [] and s.on_dtmf("1") == []
    assert s.state.step_id is None and s.state.turn_count == 0


def test_start_twice_does_not_restart() -> None:
    s = session()
    s.start()
    assert s.start() == []


def test_a_malformed_key_is_an_engine_bug() -> None:
    s = session()
    s.start()
    with pytest.raises(ValueError, match="not a DTMF key"):
        s.on_dtmf("12")


def test_flow_wide_keypad_applies_where_a_step_does_not_override() -> None:
    s = session(dtmf={"1": "yes", "2": "no"})
    assert play(s, Press("1")).outcome() == SetOutcome(CallOutcome.CONFIRMED)


def test_state_counts_turns_and_exposes_read_only_slots() -> None:
    s = session()
    play(s, Silence(), "no", Press("4"))
    state = s.state
    assert state.turn_count == 2  # silences are not turns
    assert state.step_id == "why" and not state.ended
    call = play(DialogSession(flow(), LEAD), "no", "too expensive")
    assert call.outcome() == SetOutcome(CallOutcome.REJECTED, "too expensive")
    with pytest.raises(TypeError):
        s.state.slots["reason"] = "x"  # type: ignore[index]


def test_actions_are_frozen() -> None:
    action = play(session()).last[0]
    with pytest.raises(AttributeError):
        action.text = "changed"  # type: ignore[misc,union-attr]


# Replies that take each library flow to its end (a flow added without an entry fails).
TO_THE_END = {
    "order_confirmation": ("yes",),
    "payment_reminder": ("yes",),
    "address_verification": ("yes", "near the temple"),
}


def test_hangup_comes_last_and_closing_prompts_cannot_be_barged() -> None:
    for name, language in available():
        call = play(DialogSession(library_flow(name, language), SAMPLE_LEAD), *TO_THE_END[name])
        last = call.last
        assert isinstance(last[-1], Hangup), (name, language, last)
        kinds = [type(a) for a in last]
        assert SetOutcome in kinds and kinds.index(SetOutcome) < kinds.index(Say), (name, language, last)
        assert all(not a.barge_in_allowed for a in last if isinstance(a, Say))


SCRIPTS: list[tuple[str, tuple[Event, ...]]] = [
    ("order_confirmation", ("no", "change it", "deliver to 5 Lake View")),
    ("order_confirmation", (Silence(), "sorry?", "blue", Reply("yes", 0.3), "call me later", "tomorrow")),
    ("payment_reminder", ("hmm", "pata nahi", Press("2"), "no")),
    ("address_verification", (BargeIn(), "no", "42 Park Street", "haan")),
]


@pytest.mark.parametrize(("name", "events"), SCRIPTS)
def test_conversations_are_deterministic(name: str, events: tuple[Event, ...]) -> None:
    runs = [play(DialogSession(library_flow(name), SAMPLE_LEAD), *events) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]
    assert runs[0].turns[-1]  # every script reaches a reply
