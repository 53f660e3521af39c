import pytest

from tests.voicewatch.helpers import policy, state, view
from voicewatch.signals import human_request


@pytest.mark.parametrize("text", ["I want to talk to a person", "Can I speak to a real human please?",
                                  "Transfer me to an agent", "Mujhe kisi insaan se baat karni hai",
                                  "Agent se baat karao", "No, I want a human being"])
def test_requests_for_a_human(text: str) -> None:
    hits = human_request.detect(view(text), state(), policy())
    assert hits and hits[0].reason == "human_request" and hits[0].score >= 0.9
    assert hits[0].evidence.startswith("customer asked for a human: '")


@pytest.mark.parametrize("text", ["I don't need to talk to an agent, just confirm", "Yes, same address",
                                  "The courier person can call me"])
def test_not_a_request(text: str) -> None:
    assert human_request.detect(view(text), state(), policy()) == ()


def test_asking_if_it_is_a_robot_is_only_a_weak_cue() -> None:
    hits = human_request.detect(view("Are you a robot?"), state(), policy())
    assert hits and hits[0].score < 0.6
