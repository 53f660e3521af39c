"""CallMonitor behaviour: determinism, no lookahead, streaming partials, stickiness, explanations."""

from __future__ import annotations

import pytest

from voicewatch import CallMonitor, Decision, EventError, Policy

ANGRY = {"energy_z": 2.6, "pitch_z": 2.2, "rate_z": 1.9}
CALM = {"energy_z": 0.0, "pitch_z": 0.1, "rate_z": -0.1}
CONTEXT = {"order_value": 12999, "currency": "INR", "customer_tier": "regular", "language": "en-IN"}


def bot(text: str) -> dict:
    return {"type": "bot", "text": text}


def said(text: str, prosody: dict = CALM, asr: float = 0.9, silence: float = 0.6) -> dict:
    return {"type": "utterance", "text": text, "asr_confidence": asr, "prosody": prosody, "silence_before_s": silence}


CALL = [
    bot("Can you confirm you placed this order?"), said("Yes, I did order it."),
    bot("Should we deliver it to the address ending in 1234?"), said("sorry what?", asr=0.55),
    bot("Should we deliver it to the address ending in 1234?"), said("Yes, same address."),
    bot("Will you pay cash on delivery?"), said("I'm sick of this, stop wasting my time!", ANGRY),
    bot("I understand."), said("Are you even listening?!", ANGRY),
]


def run(events: list[dict], policy: Policy | None = None) -> list[Decision]:
    return CallMonitor(policy or Policy.default(), CONTEXT).observe_all(events)


def test_same_input_same_decisions() -> None:
    first, second = run(CALL), run(CALL)
    assert first == second
    assert [d.to_dict() for d in first] == [d.to_dict() for d in second]


def test_no_lookahead() -> None:
    full = run(CALL)
    for t in range(1, len(CALL) + 1):
        assert run(CALL[:t]) == full[:t]


def test_escalates_at_the_angry_turn_and_stays_escalated() -> None:
    decisions = run(CALL)
    first = next(i for i, d in enumerate(decisions) if d.escalate)
    assert decisions[first].turn == 3 and decisions[first].reason == "anger"
    assert decisions[first].queue == "supervisor"
    assert all(d.escalate for d in decisions[first:])
    assert all(d.sticky and d.escalated_at_turn == 3 for d in decisions[first + 1:])
    assert not any(d.escalate for d in decisions[:first])


def test_turn_indices_count_customer_turns_only() -> None:
    decisions = run(CALL)
    assert [d.turn for d in decisions] == [-1, 0, 0, 1, 1, 2, 2, 3, 3, 4]


def test_explanation_is_readable() -> None:
    d = CallMonitor(Policy.default()).observe(said("I want to talk to a person"))
    assert d.escalate and d.reason == "human_request" and d.queue == "general"
    assert "customer asked for a human: 'I want to talk to a person'" in d.explanation
    assert d.signals and d.signals[0].evidence.startswith("customer asked for a human")
    assert d.to_dict()["signals"][0]["name"] == "human_request"


def test_keep_decision_explains_the_closest_reason() -> None:
    d = CallMonitor(Policy.default()).observe(said("I think so", silence=0.5))
    assert not d.escalate and d.queue is None and d.reason is None
    assert d.explanation.startswith("keep bot")


def test_partial_result_escalates_before_the_final() -> None:
    m = CallMonitor(Policy.default(), CONTEXT)
    m.observe(bot("Will you pay by the 10th?"))
    words = "I am so sick of this useless company calling me every single day about the same thing".split()
    first_escalation = None
    for n in range(2, len(words), 2):
        d = m.observe({"type": "partial", "text": " ".join(words[:n]), "prosody": ANGRY})
        if d.escalate and first_escalation is None:
            first_escalation = n
            assert d.partial and d.turn == 0
    assert first_escalation is not None and first_escalation < len(words)
    final = m.observe(said(" ".join(words), ANGRY))
    assert final.escalate and final.sticky and final.turn == 0


def test_partials_leave_no_trace_when_the_final_differs() -> None:
    a = CallMonitor(Policy.default(), CONTEXT)
    a.observe({"type": "partial", "text": "sorry", "asr_confidence": 0.2})
    a.observe(said("Yes that's right"))
    b = CallMonitor(Policy.default(), CONTEXT)
    b.observe(said("Yes that's right"))
    assert a.state.misunderstanding_streak == b.state.misunderstanding_streak == 0
    assert a.state.sentiment_history == b.state.sentiment_history


def test_repeated_misunderstanding_escalates_on_the_second_failure() -> None:
    decisions = run([bot("Confirm?"), said("uh the the... what", asr=0.3, silence=3.5),
                     bot("Sorry, I didn't catch that."), said("hello? hello? kya bola", asr=0.33, silence=3.0)])
    assert [d.escalate for d in decisions] == [False, False, False, True]
    assert decisions[-1].reason == "repeated_failure" and decisions[-1].turn == 1


def test_single_misheard_turn_recovers() -> None:
    decisions = run([bot("Confirm?"), said("sorry what?", asr=0.5), bot("Confirm?"), said("Yes, correct."),
                     bot("Pay by COD?"), said("hello, can you repeat?", asr=0.6), bot("Pay by COD?"),
                     said("Yes please go ahead.")])
    assert not any(d.escalate for d in decisions)


def test_dead_air_counts_as_a_failed_turn() -> None:
    m = CallMonitor(Policy.default(), CONTEXT)
    m.observe(bot("Can you confirm?"))
    assert not m.observe({"type": "silence", "duration_s": 10}).escalate
    m.observe(bot("Are you there?"))
    d = m.observe({"type": "silence", "duration_s": 10})
    assert d.escalate and d.reason == "repeated_failure"


def test_context_event_enables_high_value_rule() -> None:
    m = CallMonitor(Policy.default())
    assert not m.observe(said("I want to change the model")).escalate
    m2 = CallMonitor(Policy.default())
    m2.observe({"type": "context", "order_value": 89999, "currency": "INR"})
    d = m2.observe(said("I want to change the model"))
    assert d.escalate and d.reason == "high_value_change" and d.queue == "orders"


def test_loud_happy_caller_is_not_escalated() -> None:
    loud = {"energy_z": 2.4, "pitch_z": 1.2, "rate_z": 1.1}
    d = CallMonitor(Policy.default(), CONTEXT).observe(said("Sorry it's noisy here! Yes, confirm it, thanks!", loud))
    assert not d.escalate


def test_theek_hai_is_yes_unless_hesitant() -> None:
    plain = CallMonitor(Policy.default(), CONTEXT)
    plain.observe(bot("Kya main payment date 10th note kar loon?"))
    assert not plain.observe(said("Theek hai.")).escalate
    hesitant = CallMonitor(Policy.default(), CONTEXT)
    hesitant.observe(bot("Kya main payment date 10th note kar loon?"))
    d = hesitant.observe(said("Theek hai...", {"energy_z": -0.5, "pitch_z": 0.0, "rate_z": -1.2}, silence=2.7))
    assert d.escalate and d.reason == "ambiguity"


def test_priority_routes_an_angry_legal_threat_to_legal() -> None:
    d = CallMonitor(Policy.default(), CONTEXT).observe(said("I will drag you to consumer court, this is pathetic!",
                                                           ANGRY))
    assert d.reason == "legal_threat" and dict(d.reason_scores)["anger"] >= 0.6


def test_policy_as_dict_and_weights() -> None:
    muted = {"signal_weights": {"prosody_agitation": 0.0, "sentiment": 0.0, "frustration": 0.0,
                                "sentiment_trend": 0.0}}
    assert not run(CALL, Policy.coerce(muted))[-1].escalate


def test_bad_event_raises_with_field() -> None:
    with pytest.raises(EventError, match="asr_confidence"):
        CallMonitor().observe({"type": "utterance", "text": "hi", "asr_confidence": "high"})
