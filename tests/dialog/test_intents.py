"""The intent classifier on a table of real-world English and Hinglish replies."""

from __future__ import annotations

import pytest

from pbx.dialog.intents import IntentClassifier, classify, classify_dtmf
from pbx.dialog.lexicon import INTENT_CUES, Cue
from pbx.dialog.vocabulary import Intent

# (reply, expected intent). Anything other than "unknown" must also clear the runtime's
# default confidence bar of 0.5.
CASES: list[tuple[str, str]] = [
    # yes
    ("yes", "yes"),
    ("Yes, that's correct", "yes"),
    ("yeah sure", "yes"),
    ("yup", "yes"),
    ("haan theek hai", "yes"),
    ("haan ji", "yes"),
    ("Haanji bilkul", "yes"),
    ("ji haan, sahi hai", "yes"),
    ("okay go ahead", "yes"),
    ("that's right", "yes"),
    ("correct", "yes"),
    ("of course", "yes"),
    ("no problem", "yes"),
    ("haan bhej do", "yes"),
    ("accha theek hai", "yes"),
    ("chalega", "yes"),
    ("yes please confirm it", "yes"),
    ("I will pay by then", "yes"),
    ("haan kar dunga", "yes"),
    ("sounds good", "yes"),
    ("no no, theek hai", "yes"),
    ("absolutely", "yes"),
    ("ok", "yes"),
    ("thik h", "yes"),
    ("it's fine", "yes"),
    ("Yes, it is mine", "yes"),
    ("I don't want to change anything", "yes"),
    ("हाँ ठीक है", "yes"),
    ("I can pay", "yes"),
    # no
    ("no", "no"),
    ("nahi", "no"),
    ("nahin ji", "no"),
    ("not really", "no"),
    ("nope", "no"),
    ("no, that's wrong", "no"),
    ("that's not correct", "no"),
    ("not okay", "no"),
    ("theek nahi hai", "no"),
    ("sahi nahi hai", "no"),
    ("I didn't order anything", "no"),
    ("maine koi order nahi kiya", "no"),
    ("bilkul nahi", "no"),
    ("I don't think so", "no"),
    ("no thanks", "no"),
    ("galat hai", "no"),
    ("not at all", "no"),
    ("haan nahi", "no"),
    ("नहीं", "no"),
    # unknown
    ("theek hai... pata nahi", "unknown"),
    ("I'm not sure", "unknown"),
    ("maybe", "unknown"),
    ("I don't know", "unknown"),
    ("haan shayad", "unknown"),
    ("let me think about it", "unknown"),
    ("what is this regarding", "unknown"),
    ("", "unknown"),
    ("the weather is nice today", "unknown"),
    ("okay... I'm not sure", "unknown"),
    ("sochna padega", "unknown"),
    ("busy nahi hoon", "unknown"),
    ("don't cancel it", "unknown"),
    ("cancel mat karo", "unknown"),
    ("change nahi karna", "unknown"),
    ("I know", "unknown"),
    ("hello, who is this?", "unknown"),
    # callback_request
    ("call me later", "callback_request"),
    ("abhi busy hoon", "callback_request"),
    ("shaam ko call karna", "callback_request"),
    ("I'm busy right now, call me back in an hour", "callback_request"),
    ("can you call tomorrow morning", "callback_request"),
    ("I'm driving", "callback_request"),
    ("not a good time", "callback_request"),
    ("baad mein baat karte hai", "callback_request"),
    ("abhi baat nahi kar sakta", "callback_request"),
    ("abhi call mat karo, baad mein karna", "callback_request"),
    ("don't call me now, call me later", "callback_request"),
    ("no, call me later", "callback_request"),
    ("meeting mein hoon", "callback_request"),
    ("thodi der baad call karna", "callback_request"),
    ("it's not a good time, call me after 6 pm", "callback_request"),
    # wrong_number
    ("wrong number", "wrong_number"),
    ("galat number hai", "wrong_number"),
    ("sorry, wrong number", "wrong_number"),
    ("there is no one by that name here", "wrong_number"),
    ("you have the wrong person", "wrong_number"),
    ("is naam ka koi nahi hai yahan", "wrong_number"),
    ("no, wrong number", "wrong_number"),
    # change_request
    ("change the address", "change_request"),
    ("deliver tomorrow instead", "change_request"),
    ("yes but change the delivery date", "change_request"),
    ("address badalna hai", "change_request"),
    ("I have moved to a new address", "change_request"),
    ("kal deliver karna", "change_request"),
    ("can you deliver it to my office instead", "change_request"),
    ("pincode galat hai", "change_request"),
    # cancel_request
    ("cancel it", "cancel_request"),
    ("no, cancel the order", "cancel_request"),
    ("mujhe nahi chahiye", "cancel_request"),
    ("cancel kar do", "cancel_request"),
    ("I don't want it anymore", "cancel_request"),
    ("mat bhejo", "cancel_request"),
    # repeat_request
    ("sorry?", "repeat_request"),
    ("kya? phir se boliye", "repeat_request"),
    ("what?", "repeat_request"),
    ("can you repeat that", "repeat_request"),
    ("I didn't catch that", "repeat_request"),
    ("samajh nahi aaya", "repeat_request"),
    ("awaz nahi aa rahi", "repeat_request"),
    ("pardon?", "repeat_request"),
    ("come again", "repeat_request"),
    ("haan boliye", "repeat_request"),
    # human_request
    ("I want to talk to a human", "human_request"),
    ("connect me to an agent", "human_request"),
    ("kisi insaan se baat karao", "human_request"),
    ("Kisi insan se baat karao", "human_request"),  # the spelling ASR tends to give
    ("agent se baat karni hai", "human_request"),
    ("let me speak to a real person", "human_request"),
    ("customer care please", "human_request"),
    ("I don't want to talk to a robot", "human_request"),
    # opt_out
    ("don't call me again", "opt_out"),
    ("call mat karna", "opt_out"),
    ("stop calling me", "opt_out"),
    ("please remove my number from your list", "opt_out"),
    ("dobara call mat karna", "opt_out"),
    ("no, and don't ever call this number again", "opt_out"),
    ("mujhe phone mat karo", "opt_out"),
    ("unsubscribe", "opt_out"),
    ("do not call me", "opt_out"),
    ("pareshan mat karo", "opt_out"),
    ("Yes. Don't call me again though.", "opt_out"),
    ("nahi chahiye, dobara call mat karna", "opt_out"),
    # negotiation
    ("I can't pay this month", "negotiation"),
    ("can I pay in installments", "negotiation"),
    ("I lost my job", "negotiation"),
    ("paise nahi hai abhi", "negotiation"),
    ("thoda time chahiye", "negotiation"),
    ("I need more time", "negotiation"),
    ("salary aane ke baad", "negotiation"),
    ("can you waive the penalty", "negotiation"),
    ("I will pay next month", "negotiation"),
    ("bhar nahi paunga", "negotiation"),
    # already_paid
    ("I already paid", "already_paid"),
    ("maine payment kar diya", "already_paid"),
    ("payment ho gaya hai", "already_paid"),
    ("I paid it yesterday", "already_paid"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_table(text: str, expected: str) -> None:
    result = classify(text)
    assert result.intent == Intent(expected), result
    if expected != "unknown":
        assert result.confidence >= 0.5, result


def test_table_is_large_and_covers_every_intent() -> None:
    assert len(CASES) >= 60
    assert {Intent(expected) for _text, expected in CASES} == set(Intent)


@pytest.mark.parametrize(
    ("text", "intent", "matched"),
    [
        ("not really", Intent.NO, ("not really",)),
        ("no problem", Intent.YES, ("no problem",)),
        ("theek nahi hai", Intent.NO, ("theek nahi",)),
        ("theek hai... pata nahi", Intent.UNKNOWN, ("pata nahi",)),
        ("wrong number", Intent.WRONG_NUMBER, ("wrong number",)),
    ],
)
def test_longest_phrase_wins_and_is_reported(text: str, intent: Intent, matched: tuple[str, ...]) -> None:
    result = classify(text)
    assert (result.intent, result.matched) == (intent, matched)


def test_no_problem_is_a_softer_yes_than_yes() -> None:
    assert classify("no problem").confidence < classify("yes").confidence


def test_hesitation_overrides_yes_but_not_a_specific_request() -> None:
    assert classify("okay... I'm not sure").intent is Intent.UNKNOWN
    assert classify("pata nahi, baad mein call karna").intent is Intent.CALLBACK_REQUEST


def test_opt_out_wins_over_everything_said_with_it() -> None:
    assert classify("yes yes, but please don't call me again").intent is Intent.OPT_OUT
    assert classify("no, call me later... actually stop calling me").intent is Intent.OPT_OUT


def test_bare_interjections_count_only_as_the_whole_reply() -> None:
    assert classify("sorry?").intent is Intent.REPEAT_REQUEST
    assert classify("sorry, wrong number").intent is Intent.WRONG_NUMBER
    assert classify("sorry, not interested").intent is Intent.NO


def test_a_bare_hmm_is_a_backchannel_not_a_commitment() -> None:
    assert classify("hmm").confidence < 0.5
    assert classify("uh huh").intent is Intent.YES and classify("uh huh").confidence >= 0.5


def test_matching_is_on_whole_words() -> None:
    assert classify("I know").intent is Intent.UNKNOWN  # "know" contains "no"
    assert classify("yesterday").intent is Intent.UNKNOWN  # contains "yes"
    assert classify("nowhere near").intent is Intent.UNKNOWN


def test_spelling_and_contraction_variants_are_folded() -> None:
    for text in (
        "don't call me again",
        "do not call me again",
        "Don\u2019t call me again!",
        "DONT CALL ME AGAIN",
    ):
        assert classify(text).intent is Intent.OPT_OUT, text
    for text in ("haan theek hai", "haa thik h", "Haanji, thik hai", "han ji theek hai"):
        assert classify(text).intent is Intent.YES, text


def test_conflicting_answers_take_the_last_with_less_confidence() -> None:
    result = classify("yes, no, I mean no")
    assert result.intent is Intent.NO
    assert result.confidence < classify("no").confidence


def test_a_yes_lost_in_an_unexplained_sentence_is_weak() -> None:
    result = classify("okay so what is this about exactly, I did not get any message")
    assert result.confidence < 0.5


def test_requests_stay_confident_inside_long_sentences() -> None:
    result = classify(
        "I don't want any more of these calls, remove my number from your database, it is annoying"
    )
    assert result.intent is Intent.OPT_OUT
    assert result.confidence >= 0.7


def test_empty_and_punctuation_only_replies_are_unknown_with_no_confidence() -> None:
    for text in ("", "   ", "...", "?!"):
        result = classify(text)
        assert (result.intent, result.confidence, result.matched) == (Intent.UNKNOWN, 0.0, ())


def test_dtmf_digits_map_through_the_given_keypad() -> None:
    keypad = {"1": Intent.YES, "2": Intent.NO}
    assert classify_dtmf("1", keypad).intent is Intent.YES
    assert classify_dtmf("2", keypad).confidence == 1.0
    unmapped = classify_dtmf("7", keypad)
    assert (unmapped.intent, unmapped.confidence, unmapped.matched) == (Intent.UNKNOWN, 0.0, ("dtmf:7",))


def test_classification_is_deterministic_across_instances() -> None:
    other = IntentClassifier()
    for text, _expected in CASES:
        assert classify(text) == classify(text) == other.classify(text)


def test_results_are_frozen() -> None:
    result = classify("yes")
    with pytest.raises(AttributeError):
        result.intent = Intent.NO  # type: ignore[misc]


def test_a_custom_lexicon_can_be_supplied() -> None:
    cues = {**INTENT_CUES, Intent.YES: (*INTENT_CUES[Intent.YES], Cue("roger that"))}
    assert IntentClassifier(cues).classify("roger that").intent is Intent.YES
    assert classify("roger that").intent is Intent.UNKNOWN
