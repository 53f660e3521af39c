import pytest

from tests.voicewatch.helpers import policy, state, view
from voicewatch.signals import ambiguity


@pytest.mark.parametrize("text", ["I guess, maybe, I'm not sure", "Pata nahi, dekhte hain",
                                  "Haan, shayad, sochna padega", "Yes but no, I don't know"])
def test_hedges_are_non_committal(text: str) -> None:
    hits = ambiguity.detect(view(text), state(), policy())
    assert hits and hits[0].reason == "ambiguity" and hits[0].score >= 0.6


@pytest.mark.parametrize("text", ["Theek hai", "Haan theek hai, bhej dijiye", "Yes, that's right", "Okay fine",
                                  "Koi baat nahi, kar dijiye"])
def test_plain_yes_is_not_ambiguous(text: str) -> None:
    assert ambiguity.detect(view(text), state(), policy()) == ()


def test_single_soft_hedge_is_weak() -> None:
    hits = ambiguity.detect(view("I think so"), state(), policy())
    assert hits and hits[0].score < 0.5


def test_hedged_yes_is_labelled_as_such() -> None:
    hits = ambiguity.detect(view("Haan, shayad, pata nahi"), state(), policy())
    assert "hedged yes" in hits[0].evidence
