import pytest

from tests.voicewatch.helpers import policy, state, view
from voicewatch.signals import distress


@pytest.mark.parametrize("text", ["I just lost my job", "My father is in hospital",
                                  "Meri naukri chali gayi hai", "My husband passed away last month",
                                  "Ghar mein bahut problem hai", "Mummy bimaar hain"])
def test_distress(text: str) -> None:
    hits = distress.detect(view(text), state(), policy())
    assert hits and hits[0].reason == "distress" and hits[0].score >= 0.85


@pytest.mark.parametrize("text", ["I'm sick of this", "My father will receive the parcel", "I ordered it by accident"])
def test_not_distress(text: str) -> None:
    hits = distress.detect(view(text), state(), policy())
    assert not hits or hits[0].score < 0.6
