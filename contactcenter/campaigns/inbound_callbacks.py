"""An inbound caller who found the business closed asked to be called back: a lead in the
route's campaign, due when the business opens (``call.callback_requested`` from pbx).

A route without a campaign has nowhere to put the lead: the request is logged, and stays in
the call ledger as the call's ``call.callback_requested`` event (with the caller's number),
where a supervisor finds it. So does a caller ID that is not an E.164 number (a carrier that
sends national numbers): dialling a guess would reach the wrong person.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction

from contactcenter.campaigns import compliance
from contactcenter.campaigns.models import Campaign, Lead, LeadStatus
from pbx.api import CallbackRequested

log = logging.getLogger(__name__)

# Why the dialer waits for the lead until the business opens (Lead.not_before_reason).
CALLBACK_REASON = "callback_requested"


def request_callback(event: CallbackRequested) -> str:
    """Make or reopen the caller's lead in the route's campaign; a word for logs and tests."""
    if event.campaign_id is None:
        log.warning("callback requested by %r on %s (call %s): the route has no campaign; see the call ledger",
                    event.caller, event.did, event.call_id)  # fmt: skip
        return "no_campaign"
    if not compliance.is_valid_e164(event.caller):
        log.warning("callback requested by %r (call %s): not an E.164 number, not dialled", event.caller,
                    event.call_id)  # fmt: skip
        return "invalid_number"
    due = dt.datetime.fromtimestamp(event.opens_at if event.opens_at is not None else event.at, tz=dt.UTC)
    with transaction.atomic(savepoint=False):
        campaign = Campaign.objects.filter(pk=event.campaign_id).first()
        if campaign is None:
            log.warning("callback requested for campaign %s, which does not exist", event.campaign_id)
            return "no_campaign"
        lead, created = Lead.objects.select_for_update().get_or_create(
            campaign=campaign, phone=event.caller,
            defaults={"time_zones": list(compliance.zones_for_number(event.caller)), "next_attempt_at": due,
                      "not_before_reason": CALLBACK_REASON},
        )  # fmt: skip
        if created:
            return "lead_created"
        # Being dialled already, or blocked (do-not-call): nothing to add.
        if lead.status not in (LeadStatus.PENDING, LeadStatus.DONE):
            return "lead_busy"
        already_due = lead.next_attempt_at if lead.status == LeadStatus.PENDING else None
        lead.next_attempt_at = min(already_due, due) if already_due is not None else due
        lead.status = LeadStatus.PENDING
        lead.not_before_reason = CALLBACK_REASON
        lead.completed_at = None
        lead.save(update_fields=["status", "next_attempt_at", "not_before_reason", "completed_at", "updated_at"])
        return "lead_reopened"
