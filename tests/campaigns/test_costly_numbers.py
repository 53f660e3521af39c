"""Premium-rate and shared-cost numbers: dialled only through a trunk whose patterns name their
range, whether the lead came by import (refused there, per row) or otherwise (refused by the dialer)."""

from __future__ import annotations

import pytest

from contactcenter.campaigns import compliance
from contactcenter.campaigns.dial_targets import allowed_on_trunk, costly_kind, names_range
from contactcenter.campaigns.models import LeadStatus
from contactcenter.telephony.models import Trunk

US_PREMIUM = "+19005551234"
UK_PREMIUM = "+449098790000"


@pytest.mark.parametrize(("phone", "kind"), [(US_PREMIUM, "premium-rate"), (UK_PREMIUM, "premium-rate"),
                                             ("+14155550100", None), ("+919800000001", None),
                                             ("+18005551234", None)])  # toll-free costs the caller nothing
def test_costly_kinds(phone: str, kind: str | None) -> None:
    assert costly_kind(phone) == kind


@pytest.mark.parametrize(("patterns", "allowed"), [
    ((), False),  # "any E.164 number" is not a premium-rate range
    (("_+1NXXNXXXXXX",), False),  # the whole country: names no range
    (("_+1X.",), False),
    (("_+1900NXXXXXX",), True),
    (("_+1NXXNXXXXXX", "_+19XXNXXXXXX"), True),
    (("_+1800NXXXXXX",), False),  # names a range, not this one
])  # fmt: skip
def test_a_premium_number_needs_a_pattern_that_names_its_range(patterns: tuple[str, ...], allowed: bool) -> None:
    assert allowed_on_trunk(US_PREMIUM, patterns) is allowed
    assert allowed_on_trunk("+14155550100", ("_+1NXXNXXXXXX",))  # an ordinary number: as before


def test_names_range_counts_digits_past_the_country_code() -> None:
    assert names_range("_+449XXXXXXXXX", UK_PREMIUM) and not names_range("_+44XXXXXXXXXX", UK_PREMIUM)


@pytest.mark.parametrize(("raw", "region"), [("112", "IN"), ("911", "US"), ("100", "IN"), ("+91112", None)])
def test_short_codes_are_named_and_refused(raw: str, region: str | None) -> None:
    with pytest.raises(compliance.PhoneError, match="a short code .* campaigns dial full E.164 numbers only"):
        compliance.normalise_phone(raw, region)


@pytest.mark.django_db(transaction=True)  # the dialer sends commands on commit
def test_the_dialer_finishes_a_premium_lead_that_came_another_way(dialer, pbx, make_campaign, make_lead) -> None:
    campaign = make_campaign(max_concurrent_calls=5, escalation_rate_prior=0.01, calling_windows=[
        {"days": [0, 1, 2, 3, 4, 5, 6], "start": "00:00", "end": "23:59"}])  # fmt: skip
    premium = make_lead(campaign, US_PREMIUM, time_zones=["Asia/Kolkata"])
    make_lead(campaign, "+919800000001")
    dialer.tick()
    assert [c.endpoint for c in pbx.commands] == ["PJSIP/+919800000001@trunk"]
    premium.refresh_from_db()
    assert (premium.status, premium.outcome) == (LeadStatus.BLOCKED, "not_on_trunk")
    Trunk.objects.filter(name="trunk").update(destination_patterns=["_+91XXXXXXXXXX", "_+1900NXXXXXX"])
    other = make_lead(make_campaign(max_concurrent_calls=5, escalation_rate_prior=0.01), "+19005551235",
                      time_zones=["Asia/Kolkata"])  # fmt: skip
    pbx.commands.clear()
    dialer.tick()
    assert [c.endpoint for c in pbx.commands] == ["PJSIP/+19005551235@trunk"] and other.pk
