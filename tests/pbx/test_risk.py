"""Pre-alert's risk: ``call.at_risk`` once when VoiceWatch's escalating score crosses the policy's
threshold, once when it falls back (clearly, for two customer turns), never per utterance."""

from __future__ import annotations

from pbx.api import CallAtRisk
from pbx.bot.context import monitor_context
from pbx.bot.conversation import BotCallSpec, BotConversation
from pbx.bot.risk import CallOfRisk, RiskWatch
from pbx.dialog.library import SAMPLE_LEAD, library_flow
from tests.pbx.fakes import FakeCallIO, FakeSpeech, FakeTts
from voicewatch import Decision, Policy

CALL = CallOfRisk("call-1", escalation_queue="support", campaign_id=7, lead_id=42)


def decision(turn: int, *scores: tuple[str, float], partial: bool = False, escalate: bool = False) -> Decision:
    return Decision(escalate, None, None, max((s for _, s in scores), default=0.0), (), "", turn, turn, partial,
                    reason_scores=tuple(scores))  # fmt: skip


def watch(**policy) -> RiskWatch:
    return RiskWatch(Policy.coerce(policy or None), CALL)


def test_crossing_the_threshold_is_one_event_with_the_reason_its_queue_and_the_lead() -> None:
    risk = watch()
    assert risk.after(decision(0, ("anger", 0.2))) is None
    event = risk.after(decision(1, ("anger", 0.45), ("ambiguity", 0.1)))
    assert isinstance(event, CallAtRisk) and event.active
    assert (event.reason, event.score, event.queue) == ("anger", 0.45, "supervisor")  # the policy's queue for anger
    assert (event.call_id, event.campaign_id, event.lead_id) == ("call-1", 7, 42)
    assert "anger 0.45" in event.explanation and "0.35" in event.explanation
    # Still at risk, even higher: nothing new to say.
    assert risk.after(decision(2, ("anger", 0.5))) is None and risk.at_risk


def test_a_partial_result_may_raise_the_alert_but_never_lower_it() -> None:
    risk = watch()
    assert risk.after(decision(0, ("anger", 0.4), partial=True)) is not None
    for turn in (1, 2, 3):
        assert risk.after(decision(turn, ("anger", 0.0), partial=True)) is None
    assert risk.at_risk


def test_the_alert_falls_back_after_two_clearly_calmer_turns_in_a_row() -> None:
    risk = watch()
    risk.after(decision(0, ("anger", 0.5)))
    assert risk.after(decision(1, ("anger", 0.1))) is None  # one calm turn is not a calmer call
    assert risk.after(decision(2, ("anger", 0.3))) is None  # below the threshold, not clearly: starts again
    assert risk.after(decision(3)) is None
    assert risk.after(decision(3)) is None  # the same turn twice (a bot prompt's decision) is one turn
    fell = risk.after(decision(4))
    assert isinstance(fell, CallAtRisk) and not fell.active and fell.reason == "anger" and fell.queue == "supervisor"
    assert not risk.at_risk
    assert risk.after(decision(5, ("anger", 0.6 - 0.01))).active  # and can rise again


def test_only_reasons_the_policy_escalates_for_count() -> None:
    risk = watch(reasons={"anger": {"escalate": False}})
    assert risk.after(decision(0, ("anger", 0.9))) is None
    assert risk.after(decision(1, ("anger", 0.9), ("negotiation", 0.4))).reason == "negotiation"


def test_pre_alert_off_and_escalation_itself_say_nothing() -> None:
    assert watch(prealert_threshold=None).after(decision(0, ("anger", 0.5))) is None
    assert watch().after(decision(0, ("anger", 0.9), escalate=True)) is None


async def test_the_bot_publishes_the_risk_of_what_the_caller_says() -> None:
    speech, tts, io = FakeSpeech(), FakeTts(), FakeCallIO()
    flow, lead = library_flow("order_confirmation"), dict(SAMPLE_LEAD)
    spec = BotCallSpec(call_id="call-1", flow=flow, lead=lead, policy=Policy.coerce(None),
                       context=monitor_context(lead, campaign=flow.name), escalation_queue="support",
                       campaign_id=3, lead_id=9)  # fmt: skip
    conversation = BotConversation(spec, speech, tts)
    await conversation.start(io)
    speech.hear("this is really annoying")  # anger about 0.5: below escalation (0.6), past pre-alert (0.35)
    await io.until(lambda: any(isinstance(e, CallAtRisk) for e in io.events))
    [at_risk] = [e for e in io.events if isinstance(e, CallAtRisk)]
    assert at_risk.active and at_risk.reason == "anger" and (at_risk.campaign_id, at_risk.lead_id) == (3, 9)
    assert io.escalations == []
    await conversation.close()
