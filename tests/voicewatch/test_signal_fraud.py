import pytest

from tests.voicewatch.helpers import policy, state, view
from voicewatch.signals import fraud


@pytest.mark.parametrize("text", ["I never placed this order", "Someone is using my account",
                                  "That payment was not made by me", "Yeh order maine kiya hi nahi",
                                  "I was charged twice", "My card was stolen and misused"])
def test_fraud_claims(text: str) -> None:
    hits = fraud.detect(view(text), state(), policy())
    assert hits and hits[0].reason == "dispute_fraud" and hits[0].score >= 0.85


@pytest.mark.parametrize("text", ["Ji haan, maine hi order kiya tha", "Yes, I did order it",
                                  "It's not a fraud, I ordered it", "Maine abhi payment nahi kiya, kal karunga"])
def test_not_fraud(text: str) -> None:
    assert fraud.detect(view(text), state(), policy()) == ()
