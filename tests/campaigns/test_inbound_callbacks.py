"""An after-hours callback request from pbx becomes a lead in the route's campaign, due at opening."""

from __future__ import annotations

import datetime as dt

import pytest

from contactcenter.campaigns.models import Lead, LeadStatus
from contactcenter.campaigns.pbx_events import apply_event
from pbx.api import CallbackRequested

pytestmark = pytest.mark.django_db

OPENS = dt.datetime(2026, 3, 3, 3, 30, tzinfo=dt.UTC)  # 09:00 in Kolkata


def request(campaign_id: int | None, caller: str = "+919800000009") -> CallbackRequested:
    return CallbackRequested(call_id="in-1", caller=caller, did="5551234", queue="support", campaign_id=campaign_id,
                             opens_at=OPENS.timestamp())  # fmt: skip


def test_a_callback_request_is_a_lead_due_when_the_business_opens(make_campaign) -> None:
    campaign = make_campaign()
    assert apply_event(request(campaign.pk)) == "lead_created"
    lead = Lead.objects.get(campaign=campaign)
    assert (lead.phone, lead.status, lead.next_attempt_at) == ("+919800000009", LeadStatus.PENDING, OPENS)
    assert lead.not_before_reason == "callback_requested" and lead.time_zones == ["Asia/Calcutta"]
    assert apply_event(request(campaign.pk)) == "lead_reopened"  # asked twice: still one lead
    assert Lead.objects.filter(campaign=campaign).count() == 1


def test_a_finished_lead_is_reopened_and_one_being_dialled_is_left_alone(make_campaign, make_lead) -> None:
    campaign = make_campaign()
    lead = make_lead(campaign, "+919800000009")
    Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.DONE, outcome="confirmed")
    assert apply_event(request(campaign.pk)) == "lead_reopened"
    lead.refresh_from_db()
    assert (lead.status, lead.next_attempt_at) == (LeadStatus.PENDING, OPENS)
    Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.DIALING)
    assert apply_event(request(campaign.pk)) == "lead_busy"


def test_without_a_campaign_or_a_dialable_number_nothing_is_dialled(make_campaign) -> None:
    campaign = make_campaign()
    assert apply_event(request(None)) == "no_campaign"
    assert apply_event(request(campaign.pk, caller="09800000009")) == "invalid_number"
    assert apply_event(request(campaign.pk + 100)) == "no_campaign"
    assert not Lead.objects.exists()
