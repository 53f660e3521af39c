from tests.voicewatch.helpers import policy, state, view
from voicewatch.signals import high_value

CHANGE = "Actually I want to change the model and the delivery date"


def test_change_on_high_value_order() -> None:
    hits = high_value.detect(view(CHANGE), state(order_value=64999, currency="INR"), policy())
    assert hits and hits[0].reason == "high_value_change" and hits[0].score >= 0.9
    assert "64,999 INR" in hits[0].evidence


def test_change_on_cheap_order_is_informational_only() -> None:
    hits = high_value.detect(view(CHANGE), state(order_value=899, currency="INR"), policy())
    assert hits and hits[0].score == 0.0 and "below" in hits[0].evidence


def test_threshold_is_per_currency_and_from_policy() -> None:
    assert high_value.detect(view(CHANGE), state(order_value=812, currency="USD"), policy())[0].score > 0.8
    custom = policy(high_value={"USD": 5000})
    assert high_value.detect(view(CHANGE), state(order_value=812, currency="USD"), custom)[0].score == 0.0
    assert high_value.detect(view(CHANGE), state(order_value=99999, currency="JPY"), policy())[0].score == 0.0


def test_hinglish_change_and_negated_change() -> None:
    ctx = state(order_value=89999, currency="INR")
    assert high_value.detect(view("Bada wala kar do aur insurance bhi add karo"), ctx, policy())[0].score >= 0.9
    assert high_value.detect(view("No, don't change anything, same address"), ctx, policy()) == ()


def test_cancellation_alone_is_weak() -> None:
    hits = high_value.detect(view("Please cancel this order"), state(order_value=89999, currency="INR"), policy())
    assert hits and 0 < hits[0].score < 0.6
