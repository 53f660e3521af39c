import pytest

from tests.voicewatch.helpers import policy, state, view
from voicewatch.signals import language


@pytest.mark.parametrize("text", ["Tamil la pesunga please", "Kannada mein maatadi", "Can you speak Telugu?",
                                  "Marathi madhe bola na", "தமிழில் பேசுங்கள்"])
def test_unserved_language(text: str) -> None:
    hits = language.detect(view(text, asr=0.5), state(language="en-IN"), policy())
    assert hits and hits[0].reason == "language_mismatch" and hits[0].score >= 0.6


def test_served_language_is_not_a_mismatch() -> None:
    assert language.detect(view("Hindi mein boliye please"), state(language="en-IN"), policy()) == ()


def test_policy_decides_what_is_served() -> None:
    tamil_too = policy(served_languages=["en", "hi", "ta"])
    assert language.detect(view("Tamil la pesunga please"), state(language="en-IN"), tamil_too) == ()


def test_cannot_follow_the_call_language() -> None:
    hits = language.detect(view("I don't understand English well", asr=0.5), state(language="en-IN"), policy())
    assert hits and hits[0].score >= 0.6


def test_place_names_are_not_requests() -> None:
    assert language.detect(view("I live in Tamil Nadu"), state(language="en-IN"), policy()) == ()
