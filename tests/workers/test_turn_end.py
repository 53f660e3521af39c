"""End of turn from the words: complete answers end it early, hesitations keep it open."""

from __future__ import annotations

import pytest

from workers.turn_end import TurnEnd, classify


@pytest.mark.parametrize(
    "text",
    [
        "Yes.", "yes", "Yeah, sure.", "No.", "Nope", "OK.", "Okay", "Correct.", "That's right.",
        "that is correct",
        "Yes please.", "No thanks.", "Yes, I do.", "Haan.", "Haan ji", "Ji haan.", "Theek hai.", "Bilkul.",
        "Nahi.", "Nahi chahiye.", "Haan theek hai, bhej dijiye.", "Thank you.", "Sounds good.",
    ],
)
def test_short_complete_answers_end_the_turn(text: str) -> None:
    assert classify(text) is TurnEnd.COMPLETE


@pytest.mark.parametrize(
    "text",
    [
        "Umm", "uh", "Hmm...", "Theek hai…", "theek hai...", "Yes, and", "So", "I want to", "Yes but",
        "Haan, matlab", "well", "My account number is", "Okay so", "Yeah,", "aur",
    ],
)
def test_hesitations_and_trailing_words_keep_the_turn_open_longer(text: str) -> None:
    assert classify(text) is TurnEnd.UNFINISHED


@pytest.mark.parametrize(
    "text",
    [
        "", "I would like to check the status of my order.", "Can you call me back tomorrow?",
        "Is that right?",
        "Yes yes yes yes yes yes yes yes", "I think so.", "Please send a technician tomorrow morning.",
        "Mujhe refund chahiye.",
        # Moonshine ends whole sentences with a comma now and then: not a hesitation.
        "Tomorrow evening after six,",
    ],
)
def test_other_sentences_leave_the_end_to_the_silence(text: str) -> None:
    assert classify(text) is TurnEnd.OPEN
