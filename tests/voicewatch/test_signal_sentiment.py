from tests.voicewatch.helpers import policy, state, view
from voicewatch.signals import sentiment


def test_negative_wording_is_anger_evidence() -> None:
    hits = sentiment.detect(view("This is pathetic, worst service ever, I hate it"), state(), policy())
    assert [h.name for h in hits] == ["sentiment"]
    assert hits[0].reason == "anger" and hits[0].value < -0.5 and hits[0].score > 0.5


def test_positive_and_neutral_wording_give_no_hit() -> None:
    assert sentiment.detect(view("Yes, that's fine, thank you"), state(), policy()) == ()
    assert sentiment.detect(view("The pincode is 560001"), state(), policy()) == ()


def test_sustained_negativity_adds_a_trend_hit() -> None:
    s = state()
    s.commit_turn(-0.6, None, False)
    hits = sentiment.detect(view("This is terrible and useless"), s, policy())
    assert "sentiment_trend" in [h.name for h in hits]


def test_sharp_drop_from_a_happy_start_is_a_trend() -> None:
    s = state()
    s.commit_turn(0.7, None, False)
    trend = [h for h in sentiment.detect(view("This is awful, I am really angry"), s, policy())
             if h.name == "sentiment_trend"]
    assert trend and trend[0].value > 0.6


def test_threshold_comes_from_policy() -> None:
    text = "That is a bit annoying"
    assert sentiment.detect(view(text), state(), policy()) != ()
    strict = policy(thresholds={"negative_sentiment": -0.9})
    assert sentiment.detect(view(text), state(), strict) == ()
