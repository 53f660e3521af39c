import pytest

from tests.voicewatch.helpers import policy, state, view
from voicewatch.signals import negotiation


@pytest.mark.parametrize("text", ["I can only pay half now", "Can you waive the late fee?",
                                  "I need more time to pay", "Abhi aadha de sakta hoon, baaki agle mahine",
                                  "I can't afford this EMI", "Penalty maaf kar do", "Can I pay in three installments?"])
def test_negotiation_and_hardship(text: str) -> None:
    hits = negotiation.detect(view(text), state(), policy())
    assert hits and hits[0].reason == "negotiation" and hits[0].score >= 0.8


@pytest.mark.parametrize("text", ["Yes, I will pay by the 10th", "Send the payment link", "Haan, link bhej do"])
def test_plain_payment_answers(text: str) -> None:
    assert negotiation.detect(view(text), state(), policy()) == ()
