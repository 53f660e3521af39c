"""Whole calls through the library flows, as the call engine would drive them."""

from __future__ import annotations

from pbx.api import CallOutcome, EscalationReason
from pbx.dialog.actions import CaptureSlot, Escalate, Hangup, Listen, Say, SetOutcome
from pbx.dialog.library import SAMPLE_LEAD, library_flow
from pbx.dialog.runtime import DialogSession
from pbx.dialog.testing import Press, Reply, Silence, play
from pbx.dialog.vocabulary import Intent


def order(language: str = "en-IN") -> DialogSession:
    return DialogSession(library_flow("order_confirmation", language), SAMPLE_LEAD)


def payment() -> DialogSession:
    return DialogSession(library_flow("payment_reminder"), SAMPLE_LEAD)


def address() -> DialogSession:
    return DialogSession(library_flow("address_verification"), SAMPLE_LEAD)


def ended(outcome: CallOutcome, detail: str | None = None) -> tuple[SetOutcome, Hangup]:
    return SetOutcome(outcome, detail), Hangup(outcome)


def outcome_and_hangup(turn: tuple[object, ...]) -> tuple[object, ...]:
    return tuple(a for a in turn if isinstance(a, SetOutcome | Hangup))


# --- order confirmation ----------------------------------------------------------------


def test_greeting_names_the_customer_and_the_order() -> None:
    call = play(order())
    assert call.last == (
        Say("Hello Asha, this is an automated call about your order A1234: a steel water bottle for 499 rupees. "
            "Shall we go ahead and deliver it? Please say yes or no, or press 1 for yes and 2 for no.",
            "confirm_order"),
        Listen(6.0),
    )  # fmt: skip


def test_confirm_path() -> None:
    call = play(order(), "haan ji, theek hai")
    assert call.last == (
        SetOutcome(CallOutcome.CONFIRMED),
        Say("Thank you, Asha. Your order A1234 is confirmed. Goodbye.", "confirmed", barge_in_allowed=False),
        Hangup(CallOutcome.CONFIRMED),
    )


def test_reject_after_being_asked_cancel_or_change() -> None:
    call = play(order(), "no", "cancel it")
    assert call.turns[1][0] == Say(
        "Okay. Would you like to cancel the order, or change something, like the address or the delivery date?",
        "cancel_or_change",
    )
    assert outcome_and_hangup(call.last) == ended(CallOutcome.REJECTED)
    assert "cancel order A1234" in call.said[-1]


def test_an_outright_refusal_rejects_without_the_extra_question() -> None:
    assert play(order(), "mujhe nahi chahiye").outcome() == SetOutcome(CallOutcome.REJECTED)


def test_change_with_captured_detail() -> None:
    session = order()
    call = play(session, "deliver tomorrow instead", "Please deliver on Saturday after 5 pm")
    assert call.turns[1] == (
        Say("Please tell me what you would like to change, for example a new address or a different delivery date.",
            "ask_change"),
        Listen(10.0),
    )  # fmt: skip
    detail = "Please deliver on Saturday after 5 pm"
    assert call.last[0] == CaptureSlot("change_detail", detail)
    assert outcome_and_hangup(call.last) == ended(CallOutcome.CHANGED, detail)
    assert f"I have noted: {detail}." in call.said[-1]
    assert session.state.slots == {"change_detail": detail}


def test_callback_asks_when_and_captures_the_time() -> None:
    call = play(order(), "abhi busy hoon, call me later", "call me tomorrow evening")
    assert call.turns[1][0].text == "No problem. When would be a good time to call you back?"  # type: ignore[union-attr]
    # The answer sounds like another callback request, but a capture step takes it as the time.
    assert call.last[0] == CaptureSlot("callback_time", "call me tomorrow evening")
    assert outcome_and_hangup(call.last) == ended(CallOutcome.CALLBACK, "call me tomorrow evening")


def test_callback_without_a_time_still_ends_as_callback() -> None:
    call = play(order(), "not a good time", Silence(), Silence())
    assert outcome_and_hangup(call.last) == ended(CallOutcome.CALLBACK)
    assert call.said[-1] == "We will try again later. Goodbye."


def test_wrong_number() -> None:
    call = play(order(), "sorry, wrong number")
    assert call.last == (
        SetOutcome(CallOutcome.WRONG_NUMBER),
        Say("Sorry to have disturbed you. Goodbye.", "confirm_order", barge_in_allowed=False),
        Hangup(CallOutcome.WRONG_NUMBER),
    )


def test_opt_out_at_the_greeting() -> None:
    call = play(order(), "don't call me again")
    assert outcome_and_hangup(call.last) == ended(CallOutcome.OPT_OUT)
    assert call.said[-1] == "Understood. We will not call you again. Goodbye."


def test_opt_out_interrupts_a_capture_step_instead_of_being_captured() -> None:
    session = order()
    call = play(session, "change the address", "dobara call mat karna")
    assert outcome_and_hangup(call.last) == ended(CallOutcome.OPT_OUT)
    assert not any(isinstance(a, CaptureSlot) for a in call.actions)
    assert session.state.slots == {}


def test_repeated_no_match_rephrases_then_escalates_repeated_failure() -> None:
    session = order()
    call = play(session, "what's the weather like", "hmm the thing is", "purple elephants")
    rephrase = ("Sorry, I did not get that. Is your order of a steel water bottle for 499 rupees correct? "
                "Please say yes or no.")  # fmt: skip
    assert call.turns[1] == (Say(rephrase, "confirm_order"), Listen(6.0))
    assert call.turns[2] == (Say(rephrase, "confirm_order"), Listen(6.0))
    assert call.last[0] == SetOutcome(CallOutcome.ESCALATED, "repeated_failure")
    escalate = call.last[-1]
    assert isinstance(escalate, Escalate) and escalate.reason is EscalationReason.REPEATED_FAILURE
    assert "step 'confirm_order': not understood 3x" in (escalate.detail or "")
    assert "purple elephants" in (escalate.detail or "")
    assert not call.hung_up()  # the engine transfers the call instead
    assert session.state.escalation is EscalationReason.REPEATED_FAILURE


def test_hesitation_is_not_taken_as_yes() -> None:
    call = play(order("hi-Latn"), "theek hai... pata nahi")
    assert call.last[0] == Say(
        "Maaf kijiye, samajh nahi aaya. Kya a steel water bottle, 499 rupees ka order sahi hai? Haan ya nahi boliye.",
        "confirm_order",
    )


def test_no_input_reprompts_then_ends_as_no_response() -> None:
    call = play(order(), Silence(), Silence(), Silence())
    reprompt = Say("Hello Asha, are you there? Please say yes to confirm your order, or no.", "confirm_order")
    assert call.turns[1] == (reprompt, Listen(6.0))
    assert call.turns[2] == (reprompt, Listen(6.0))
    assert call.last == ended(CallOutcome.NO_RESPONSE)  # no closing prompt to an empty line


def test_dtmf_confirm_path() -> None:
    assert play(order(), Press("1")).outcome() == SetOutcome(CallOutcome.CONFIRMED)


def test_dtmf_reject_path_uses_the_step_keypad() -> None:
    call = play(order(), Press("2"), Press("1"))  # 2 = no; then at cancel_or_change, 1 = cancel
    assert outcome_and_hangup(call.last) == ended(CallOutcome.REJECTED)


def test_dtmf_zero_reaches_a_human_and_unmapped_keys_reprompt() -> None:
    call = play(order(), Press("5"), Press("0"))
    assert call.turns[1][0].text.startswith("Sorry, I did not get that.")  # type: ignore[union-attr]
    assert call.last[-1] == Escalate(EscalationReason.HUMAN_REQUEST, "dtmf:0")


def test_speech_and_keys_mix_in_one_call() -> None:
    call = play(order(), "sorry?", Press("2"), "change it", "new address is 5 Lake View, pincode 560001")
    assert call.turns[1][0].text.startswith("Hello Asha, this is an automated call")  # type: ignore[union-attr]
    assert call.outcome() == SetOutcome(CallOutcome.CHANGED, "new address is 5 Lake View, pincode 560001")


def test_human_request_escalates_with_a_bridging_phrase() -> None:
    call = play(order(), "I want to talk to a real person")
    assert call.last == (
        SetOutcome(CallOutcome.ESCALATED, "human_request"),
        Say("Sure, let me connect you to a colleague.", "confirm_order", barge_in_allowed=False),
        Escalate(EscalationReason.HUMAN_REQUEST, "I want to talk to a real person"),
    )


def test_hinglish_variant_confirm_and_callback() -> None:
    confirmed = play(order("hi-Latn"), "haan bhej do")
    assert confirmed.said[0].startswith("Namaste Asha ji")
    assert confirmed.said[-1] == "Dhanyavaad Asha ji. Aapka order A1234 confirm ho gaya hai."
    callback = play(order("hi-Latn"), "abhi busy hoon", "kal shaam ko")
    assert callback.outcome() == SetOutcome(CallOutcome.CALLBACK, "kal shaam ko")
    assert callback.said[-1] == "Theek hai, hum aapko kal shaam ko call karenge. Dhanyavaad."


def test_hinglish_variant_opt_out_and_wrong_number() -> None:
    assert play(order("hi-Latn"), "mujhe call mat karo").outcome() == SetOutcome(CallOutcome.OPT_OUT)
    assert play(order("hi-Latn"), "galat number hai").outcome() == SetOutcome(CallOutcome.WRONG_NUMBER)


# --- payment reminder -------------------------------------------------------------------


def test_payment_promise_to_pay() -> None:
    call = play(payment(), "yes, I will pay by then")
    assert call.said[0].startswith("Hello Asha, this is a reminder that your payment of 499 rupees is due on")
    assert outcome_and_hangup(call.last) == ended(CallOutcome.PROMISE_TO_PAY, "the 5th of June")


def test_payment_hardship_escalates_as_negotiation() -> None:
    for reply in ("I lost my job, can I pay in installments?", "thoda time chahiye", "paise nahi hai abhi"):
        call = play(payment(), reply)
        assert call.last[0] == SetOutcome(CallOutcome.ESCALATED, "negotiation"), reply
        assert call.last[-1] == Escalate(EscalationReason.NEGOTIATION, reply)


def test_payment_no_offers_a_plan_then_escalates_or_ends() -> None:
    accepted = play(payment(), "no", "yes please")
    assert accepted.turns[1][0].text.startswith("I understand. Would you like to speak")  # type: ignore[union-attr]
    assert accepted.last[-1] == Escalate(EscalationReason.NEGOTIATION, "yes please")
    declined = play(payment(), "no", "no")
    assert outcome_and_hangup(declined.last) == ended(CallOutcome.REJECTED)
    assert "avoid late charges" in declined.said[-1]


def test_payment_already_paid() -> None:
    assert play(payment(), "maine payment kar diya").outcome() == SetOutcome(CallOutcome.ALREADY_PAID)


def test_payment_negotiation_during_callback_capture() -> None:
    call = play(payment(), "call me later", "honestly I can't pay at all")
    assert call.last[-1] == Escalate(EscalationReason.NEGOTIATION, "honestly I can't pay at all")


def test_payment_opt_out() -> None:
    assert play(payment(), "stop calling me").outcome() == SetOutcome(CallOutcome.OPT_OUT)


# --- address verification ---------------------------------------------------------------


def test_address_confirmed_with_a_landmark() -> None:
    call = play(address(), "yes", "near the Shiva temple")
    assert "Is your address 12 MG Road, Indiranagar, Bengaluru, pincode 560038, correct?" in call.said[0]
    assert call.last[0] == CaptureSlot("landmark", "near the Shiva temple")
    assert outcome_and_hangup(call.last) == ended(CallOutcome.VERIFIED, "landmark: near the Shiva temple")


def test_address_confirmed_without_a_landmark() -> None:
    assert play(address(), "haan", Silence(), Silence()).outcome() == SetOutcome(CallOutcome.VERIFIED)
    assert play(address(), "correct", "nahi").outcome() == SetOutcome(CallOutcome.VERIFIED)


def test_address_change_is_captured_read_back_and_corrected() -> None:
    call = play(address(), "no, I have moved", "42 Park Street, Kolkata 700016", "no", "42 Park Street, Kolkata 700017",
                "yes")  # fmt: skip
    assert call.turns[2][1] == Say(
        "I heard: 42 Park Street, Kolkata 700016. Is that correct?", "confirm_new_address"
    )
    assert call.turns[3][0] == Say("Please tell me the correct address, with the pincode.", "ask_new_address")
    assert outcome_and_hangup(call.last) == ended(CallOutcome.CHANGED, "42 Park Street, Kolkata 700017")


def test_address_wrong_number_by_keypad_then_speech() -> None:
    call = play(address(), Press("7"), "there is no one by that name here")
    assert call.outcome() == SetOutcome(CallOutcome.WRONG_NUMBER)
    assert call.turns[1][0].text.startswith("Sorry, I did not get that. Is the pincode 560038")  # type: ignore[union-attr]


def test_low_confidence_speech_is_not_trusted_even_for_an_opt_out() -> None:
    call = play(address(), Reply("don't call me again", confidence=0.3))
    assert call.outcome() is None
    assert call.last[0].text.startswith("Sorry, I did not get that.")  # type: ignore[union-attr]


def test_last_intent_is_kept_for_the_ledger() -> None:
    session = address()
    play(session, "yes")
    last = session.state.last_intent
    assert last is not None and last.intent is Intent.YES
