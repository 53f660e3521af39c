"""Every write of the campaigns domain: one transaction each, side effects after commit.

The admin, the API, the dialer and the event consumer all call these; none writes models
directly for anything with rules attached.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from contactcenter.campaigns import webhooks
from contactcenter.campaigns.models import (
    CallAttempt,
    Campaign,
    CampaignStatus,
    Disposition,
    Lead,
    LeadStatus,
)

log = logging.getLogger(__name__)


class ActionError(Exception):
    """A request that the current state does not allow; the message says why."""


_TRANSITIONS = {
    "start": ({CampaignStatus.DRAFT, CampaignStatus.PAUSED, CampaignStatus.STOPPED, CampaignStatus.COMPLETED},
              CampaignStatus.RUNNING),
    "pause": ({CampaignStatus.RUNNING}, CampaignStatus.PAUSED),
    "stop": ({CampaignStatus.RUNNING, CampaignStatus.PAUSED, CampaignStatus.DRAFT}, CampaignStatus.STOPPED),
}  # fmt: skip


def do_change_campaign_status(campaign_id: int, action: str) -> Campaign:
    """start / pause / stop. Calls in progress finish either way; only new dialling stops."""
    allowed, target = _TRANSITIONS[action]
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.status not in allowed:
            raise ActionError(f"cannot {action} a campaign that is {campaign.status}")
        if action == "start":
            try:
                campaign.full_clean()
            except ValidationError as exc:
                raise ActionError(f"campaign is not valid: {exc.message_dict}") from None
        campaign.status = target
        campaign.save(update_fields=["status", "updated_at"])
    log.info("campaign %s: %s → %s", campaign.pk, action, target)
    return campaign


def complete_lead(lead: Lead, outcome: str, detail: str, now: dt.datetime, status: str = LeadStatus.DONE) -> None:
    """Finish a lead with its outcome and queue its webhook (inside the caller's transaction)."""
    lead.status = status
    lead.outcome = outcome
    lead.outcome_detail = detail[:300]
    lead.completed_at = now
    lead.next_attempt_at = None
    lead.not_before_reason = ""
    lead.save()
    webhooks.enqueue(lead, now)


def schedule_retry(lead: Lead, outcome: str, detail: str, when: dt.datetime, reason: str = "retry") -> None:
    lead.status = LeadStatus.PENDING
    lead.outcome = outcome
    lead.outcome_detail = detail[:300]
    lead.next_attempt_at = when
    lead.not_before_reason = reason
    lead.save()


def disposition_by_code(code: str) -> Disposition:
    try:
        return Disposition.objects.get(code=code)
    except Disposition.DoesNotExist:
        raise ActionError(f"unknown disposition {code!r}") from None


def do_set_disposition(attempt_id: int, code: str, note: str = "", user: AbstractBaseUser | None = None,
                       now: dt.datetime | None = None) -> CallAttempt:  # fmt: skip
    """A human's verdict on a call: final dispositions finish the lead, others call it again."""
    from django.utils import timezone

    now = now or timezone.now()
    disposition = disposition_by_code(code)
    with transaction.atomic():
        attempt = CallAttempt.objects.select_for_update().select_related("lead", "campaign").get(pk=attempt_id)
        if attempt.disposition_id is not None:
            raise ActionError("this call already has a disposition")
        attempt.disposition = disposition
        attempt.disposition_note = note[:300]
        attempt.disposed_by = user if user is not None and user.is_authenticated else None
        attempt.save(update_fields=["disposition", "disposition_note", "disposed_by"])
        lead = Lead.objects.select_for_update().get(pk=attempt.lead_id)
        lead.disposition = disposition
        if disposition.final or lead.attempts >= attempt.campaign.max_attempts_total:
            lead.status = LeadStatus.DONE
            lead.completed_at = lead.completed_at or now
            lead.next_attempt_at = None
            lead.save()
            webhooks.enqueue(lead, now, revision=1)
        else:
            schedule_retry(lead, lead.outcome, note or disposition.label,
                           now + dt.timedelta(minutes=disposition.retry_after_minutes), reason="disposition")  # fmt: skip
    return attempt
