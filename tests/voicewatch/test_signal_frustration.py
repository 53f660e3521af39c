import pytest

from tests.voicewatch.helpers import policy, state, view
from voicewatch.signals import frustration


@pytest.mark.parametrize("text", ["Stop calling me every day", "Kitni baar bolun, dimaag kharab mat karo",
                                  "Are you even listening to me?", "I'm sick and tired of this"])
def test_frustration_phrases(text: str) -> None:
    hits = frustration.detect(view(text), state(), policy())
    assert hits and hits[0].reason == "anger" and hits[0].score >= 0.5


def test_weak_cue_is_weak() -> None:
    hits = frustration.detect(view("I already told you"), state(), policy())
    assert hits and hits[0].score < 0.4


def test_negated_anger_does_not_count() -> None:
    assert frustration.detect(view("I am not angry at all"), state(), policy()) == ()
    assert frustration.detect(view("Yes please confirm"), state(), policy()) == ()
