from tests.voicewatch.helpers import AGITATED, policy, state, view
from voicewatch.signals import vip

COMPLAINT = "I'm a platinum member and my last three deliveries were late, this is unacceptable."


def test_premium_complaint() -> None:
    hits = vip.detect(view(COMPLAINT), state(customer_tier="premium"), policy())
    assert hits and hits[0].reason == "vip_complaint" and hits[0].score >= 0.8


def test_regular_customer_is_not_vip() -> None:
    assert vip.detect(view(COMPLAINT), state(customer_tier="regular"), policy()) == ()


def test_premium_tiers_come_from_policy() -> None:
    assert vip.detect(view(COMPLAINT), state(customer_tier="gold"), policy()) != ()
    only_premium = policy(premium_tiers=["premium"])
    assert vip.detect(view(COMPLAINT), state(customer_tier="gold"), only_premium) == ()


def test_happy_premium_customer() -> None:
    assert vip.detect(view("No complaints, all good, go ahead"), state(customer_tier="premium"), policy()) == ()


def test_shouting_premium_customer_is_left_to_anger() -> None:
    hits = vip.detect(view(COMPLAINT, prosody=AGITATED), state(customer_tier="premium"), policy())
    assert hits and hits[0].score == 0.0
