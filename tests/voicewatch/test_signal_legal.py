import pytest

from tests.voicewatch.helpers import policy, state, view
from voicewatch.signals import legal


@pytest.mark.parametrize("text", ["My lawyer will hear about this", "I will take you to consumer court",
                                  "Police complaint karunga", "I'll sue you", "Legal notice bhejunga"])
def test_legal_threats(text: str) -> None:
    hits = legal.detect(view(text), state(), policy())
    assert hits and hits[0].reason == "legal_threat" and hits[0].score >= 0.9


@pytest.mark.parametrize("text", ["Yes, deliver it to my office", "I live in Thane, near the station",
                                  "Call me later, I'm in a meeting"])
def test_no_threat_no_hit(text: str) -> None:
    assert legal.detect(view(text), state(), policy()) == ()


def test_negated_threat() -> None:
    assert legal.detect(view("I'm not going to sue anyone, relax"), state(), policy()) == ()
