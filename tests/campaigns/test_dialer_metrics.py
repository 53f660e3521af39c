"""``cc_dialer_originates_total`` as the dialer moves: counted per campaign when pbx's command
stream took the commands, not when the attempts were recorded (a failed send is not counted;
its resend is, once)."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from contactcenter.campaigns.dialer import Dialer
from contactcenter.metrics.instruments import DialerMetrics

pytestmark = pytest.mark.django_db(transaction=True)  # the dialer sends commands on commit


def test_originates_are_counted_per_campaign_once_sent(pbx, clock, make_campaign, make_lead) -> None:
    registry = CollectorRegistry()
    dialer = Dialer(pbx, clock=clock, metrics=DialerMetrics(registry))
    big, small = make_campaign(), make_campaign()  # three calls at a time each
    for i in range(5):
        make_lead(big, f"+9198000001{i:02d}")
    for i in range(2):
        make_lead(small, f"+9198000002{i:02d}")

    def originates(campaign) -> float | None:
        return registry.get_sample_value("cc_dialer_originates_total", {"campaign": str(campaign.pk)})

    pbx.fail_sends = 1
    dialer.tick()  # big: 3 recorded (its limit), but Redis refused them; small: 2, sent
    assert (originates(big), originates(small)) == (None, 2)
    dialer.tick()  # big's 3 sent again: counted now, once
    assert (originates(big), originates(small)) == (3, 2)
    dialer.tick()  # nothing new while the five calls are in progress
    assert (originates(big), originates(small)) == (3, 2)
    assert sorted(c.campaign_id for c in pbx.commands) == [big.pk] * 3 + [small.pk] * 2
