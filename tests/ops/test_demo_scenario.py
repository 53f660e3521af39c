"""The demo follows each lead to its latest call: a retry due within the run is waited for,
one due after it is left to the campaign (``--retry-failed-after-s`` makes failed calls the first kind)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from contactcenter.campaigns import compliance
from contactcenter.campaigns.models import AttemptStatus, CallAttempt, Campaign, Lead, LeadStatus
from ops.demo import scenario
from pbx.api import CallOutcome

pytestmark = pytest.mark.django_db


def _attempt(campaign: Campaign, lead: Lead, number: int, status: str, outcome: str = "") -> CallAttempt:
    return CallAttempt.objects.create(
        campaign=campaign, lead=lead, number=number, call_id=str(uuid.uuid4()), command_id=str(uuid.uuid4()),
        dial_mode="ai_first", endpoint="Local/x@cc-sim-reactive", status=status, outcome=outcome,
        created_at=timezone.now(),
    )  # fmt: skip


def test_failed_calls_are_retried_within_the_run_when_asked() -> None:
    leads = scenario.demo_leads(2)
    campaign = scenario.create_demo_campaign(leads, retry_failed_after_s=6)
    now = timezone.now()
    step = compliance.after_attempt(CallOutcome.FAILED, 1, campaign.attempt_rules(), now)
    assert not step.final and step.next_attempt_at == now + dt.timedelta(seconds=6)
    # Only failed calls: the others keep the campaign's usual delays, a dropped call stays final.
    assert compliance.after_attempt(CallOutcome.NO_ANSWER, 1, campaign.attempt_rules(), now).next_attempt_at == (
        now + dt.timedelta(minutes=compliance.DEFAULT_RETRY_MINUTES[CallOutcome.NO_ANSWER]))
    assert compliance.after_attempt(CallOutcome.DROPPED, 1, campaign.attempt_rules(), now).final
    usual = scenario.create_demo_campaign(leads)
    assert compliance.after_attempt(CallOutcome.FAILED, 1, usual.attempt_rules(), now).next_attempt_at >= (
        now + dt.timedelta(minutes=30))


def test_a_lead_is_settled_when_its_latest_call_ended_and_no_retry_is_due_in_the_run() -> None:
    retried, reached = scenario.demo_leads(2)
    campaign = scenario.create_demo_campaign([retried, reached], retry_failed_after_s=5)
    lead, other = Lead.objects.get(phone=retried.phone), Lead.objects.get(phone=reached.phone)
    now = timezone.now()
    _attempt(campaign, lead, 1, AttemptStatus.ENDED, CallOutcome.FAILED)
    Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.PENDING, outcome=CallOutcome.FAILED,
                                           next_attempt_at=now + dt.timedelta(seconds=5))  # fmt: skip
    _attempt(campaign, other, 1, AttemptStatus.ENDED, CallOutcome.DROPPED)
    Lead.objects.filter(pk=other.pk).update(status=LeadStatus.DONE, outcome=CallOutcome.DROPPED)

    def settled(run_ends_at: dt.datetime) -> dict[str, tuple[int | None, bool]]:
        return {c.lead.phone: (c.attempt.number if c.attempt else None, c.settled)
                for c in scenario.latest_calls(campaign, [retried, reached], run_ends_at)}  # fmt: skip

    # The retry comes within the run: not settled yet; after the run: left to the campaign.
    assert settled(now + dt.timedelta(seconds=60)) == {retried.phone: (1, False), reached.phone: (1, True)}
    assert settled(now + dt.timedelta(seconds=1)) == {retried.phone: (1, True), reached.phone: (1, True)}
    # The retry dialled: its call (the second) is the lead's, live until it ends.
    second = _attempt(campaign, lead, 2, AttemptStatus.WITH_BOT)
    Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.DIALING, next_attempt_at=None)
    assert settled(now + dt.timedelta(seconds=60))[retried.phone] == (2, False)
    CallAttempt.objects.filter(pk=second.pk).update(status=AttemptStatus.ENDED, outcome=CallOutcome.CONFIRMED)
    assert settled(now + dt.timedelta(seconds=60))[retried.phone] == (2, False)  # the lead not settled yet
    Lead.objects.filter(pk=lead.pk).update(status=LeadStatus.DONE, outcome=CallOutcome.CONFIRMED)
    summary = scenario.summarise(campaign, scenario.latest_calls(campaign, [retried, reached], now), 1.0)
    assert summary["calls"] == 3 and summary["lost"] == 0 and summary["still_live"] == 0
    assert summary["outcomes"] == {retried.first_name: CallOutcome.CONFIRMED, reached.first_name: CallOutcome.DROPPED}
