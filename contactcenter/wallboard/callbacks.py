"""The wallboard's "Call back" button: a caller who left a queue unanswered gets called again.

The page names the call by its board key (a pbx call id); the number comes from our own
records, never from the request, and is checked to be E.164 before anything is scheduled:

- a campaign's call (a :class:`CallAttempt` with that call id): its lead is due again now,
  through the campaigns' own :func:`~contactcenter.campaigns.services.schedule_retry`;
- an inbound caller (the ledger's call: caller number, the DID they dialled): a callback
  request in the route's campaign, due now, through
  :func:`~contactcenter.campaigns.inbound_callbacks.request_callback`, as if they had asked.

Either way the dialer places the call with every check it always makes (do-not-call, calling
windows, attempts); what it would refuse for good is refused here, with the reason, and what
must wait (outside the calling window) is scheduled and says until when.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Literal

from django.db import transaction

from contactcenter.campaigns import compliance, services
from contactcenter.campaigns.inbound_callbacks import request_callback
from contactcenter.campaigns.models import CallAttempt, CampaignStatus, Lead, LeadStatus
from contactcenter.people.models import DoNotCall
from pbx.api import CallbackRequested

log = logging.getLogger(__name__)

# Why the dialer waits for the lead (Lead.not_before_reason): a supervisor asked for this call.
CALLBACK_REASON = "wallboard_callback"

Outcome = Literal["scheduled", "unknown_call", "no_campaign", "invalid_number", "busy", "refused"]


@dataclass(frozen=True)
class CallbackResult:
    outcome: Outcome
    detail: str  # for the supervisor, on the page
    lead_id: int | None = None
    campaign_id: int | None = None
    waits_until: dt.datetime | None = None  # scheduled, but the dialer must wait (calling window, gap)

    @property
    def ok(self) -> bool:
        return self.outcome == "scheduled"

    def to_json(self) -> dict[str, object]:
        return {"ok": self.ok, "outcome": self.outcome, "detail": self.detail, "lead_id": self.lead_id,
                "campaign_id": self.campaign_id,
                "waits_until": self.waits_until.isoformat() if self.waits_until else None}  # fmt: skip


def call_back(key: str, who: str, now: dt.datetime) -> CallbackResult:
    """Schedule a call back to the caller of ``key``; ``who`` (the supervisor) goes to the log."""
    attempt = CallAttempt.objects.filter(call_id=key).only("lead_id").first()
    if attempt is not None:
        result = _lead_again(attempt.lead_id, who, now)
    else:
        result = _inbound_caller(key, now)
    log.info("wallboard call-back of %s asked by %s: %s (%s)", key, who, result.outcome, result.detail)
    return result


def _lead_again(lead_id: int, who: str, now: dt.datetime) -> CallbackResult:
    with transaction.atomic():
        lead = Lead.objects.select_for_update().select_related("campaign").get(pk=lead_id)
        campaign = lead.campaign
        ids = {"lead_id": lead.pk, "campaign_id": campaign.pk}
        if not compliance.is_valid_e164(lead.phone):
            return CallbackResult("invalid_number", "the lead's number is not a valid E.164 number", **ids)
        if lead.status == LeadStatus.DIALING:
            return CallbackResult("busy", "the lead is being called now", **ids)
        if lead.status == LeadStatus.BLOCKED:
            return CallbackResult("refused", f"the lead is blocked ({lead.outcome or 'never dialled'})", **ids)
        facts = compliance.LeadFacts(
            phone=lead.phone, time_zones=tuple(lead.time_zones or [campaign.default_time_zone]),
            on_dnc=DoNotCall.objects.filter(phone=lead.phone).exists(),
            attempt_times=tuple(CallAttempt.objects.filter(lead=lead).values_list("created_at", flat=True)),
        )  # fmt: skip
        verdict = compliance.may_dial(facts, campaign.windows(), campaign.attempt_rules(), now)
        if verdict.final:
            return CallbackResult("refused", f"the dialer would not call: {verdict.refusal}", **ids)
        lead.completed_at = None
        services.schedule_retry(lead, lead.outcome, f"call back asked by {who} on the wallboard"[:300], now,
                                reason=CALLBACK_REASON)  # fmt: skip
    waits = None if verdict.ok else verdict.retry_at
    detail = "due now"
    if waits is not None:
        detail += f"; the dialer waits ({verdict.refusal}) until {waits:%Y-%m-%d %H:%M} UTC"
    if campaign.status != CampaignStatus.RUNNING:
        detail += f"; campaign {campaign.name!r} is {campaign.status}: dialled when it runs"
    return CallbackResult("scheduled", detail, waits_until=waits, **ids)


def _inbound_caller(key: str, now: dt.datetime) -> CallbackResult:
    from contactcenter.ledger.models import Call
    from contactcenter.telephony.models import InboundRoute

    call = Call.objects.filter(pk=key).only("caller_number", "called_number", "campaign_id").first()
    if call is None or not call.caller_number:
        return CallbackResult("unknown_call", "no record of this call's number (a caller pbx never saw)")
    route = InboundRoute.objects.filter(did=call.called_number or "").first() if call.called_number else None
    campaign_id = call.campaign_id if call.campaign_id is not None else (route.campaign_id if route else None)
    queue = route.queue.name if route is not None and route.queue is not None else ""
    request = CallbackRequested(call_id=key, at=now.timestamp(), caller=call.caller_number,
                                did=call.called_number or "", queue=queue, campaign_id=campaign_id,
                                opens_at=now.timestamp())  # fmt: skip
    word = request_callback(request)
    if word in ("lead_created", "lead_reopened"):
        lead = Lead.objects.filter(campaign_id=campaign_id, phone=call.caller_number).only("pk").first()
        return CallbackResult("scheduled", "due now (a callback request in the route's campaign)",
                              lead_id=lead.pk if lead else None, campaign_id=campaign_id)  # fmt: skip
    if word == "lead_busy":
        return CallbackResult("busy", "the caller's lead is being called now, or is blocked",
                              campaign_id=campaign_id)
    if word == "invalid_number":
        return CallbackResult("invalid_number", "the caller's number is not a valid E.164 number")
    return CallbackResult("no_campaign", "the call's route has no campaign to call back from")
