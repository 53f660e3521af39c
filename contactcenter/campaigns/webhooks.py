"""One signed webhook per completed lead, retried with back-off until acknowledged.

The delivery row is written in the same transaction that completes the lead (an outbox), so
a result is never lost between the database and the HTTP call; the dialer's loop hands the due
rows to a Celery worker (:mod:`.webhook_outbox`), which posts them (``workers.tasks.webhooks``)
under the site's address rules (:mod:`workers.webhooks.guard`: https, public addresses, no
redirects, unless the site allows otherwise).

Each POST carries ``X-CC-Event-Id`` (the same on every retry, for de-duplication),
``X-CC-Timestamp`` and ``X-CC-Signature: sha256=<hex>``, the HMAC-SHA256 of
``"<timestamp>.<body>"`` keyed with the campaign's webhook secret. A 2xx answer delivers;
anything else (or no answer) is retried after 10 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h,
6 h, then given up (status ``failed``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
from collections.abc import Callable

from django.db import transaction

from contactcenter.campaigns.models import Lead, WebhookDelivery, WebhookStatus
from contactcenter.campaigns.webhook_rules import site_rules
from workers.webhooks.messages import WebhookPost, WebhookResult
from workers.webhooks.post import post as post_webhook

log = logging.getLogger(__name__)

BACKOFF_S = (10, 30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600)

Post = Callable[[WebhookPost], WebhookResult]


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """For receivers (and tests): constant-time check of ``X-CC-Signature``."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def lead_result(lead: Lead) -> dict:
    """The result of one lead, as exported (CSV) and posted (webhook)."""
    last = max(lead.call_attempts.all(), key=lambda a: a.number, default=None)  # uses a prefetch if there is one
    return {
        "campaign_id": lead.campaign_id,
        "lead_id": lead.pk,
        "external_id": lead.external_id,
        "phone": lead.phone,
        "first_name": lead.first_name,
        "status": lead.status,
        "outcome": lead.outcome,
        "detail": lead.outcome_detail,
        "disposition": lead.disposition.code if lead.disposition_id else "",
        "attempts": lead.attempts,
        "last_call_id": last.call_id if last else "",
        "escalated": bool(last and last.escalated_at),
        "escalation_reason": last.escalation_reason if last else "",
        "agent": last.agent if last else "",
        "completed_at": lead.completed_at.isoformat() if lead.completed_at else "",
        "fields": lead.fields,
    }


def enqueue(lead: Lead, now: dt.datetime, revision: int = 0) -> WebhookDelivery | None:
    """Record the webhook for a just-completed lead; call inside the completing transaction.

    ``revision`` distinguishes later results of the same lead (a human disposition after the
    bot's outcome); the same (lead, attempt, revision) is only ever enqueued once.
    """
    campaign = lead.campaign
    if not campaign.webhook_url:
        return None
    event_id = f"lead-{lead.pk}-a{lead.attempts}-r{revision}"
    delivery, _ = WebhookDelivery.objects.get_or_create(
        event_id=event_id,
        defaults={"campaign": campaign, "lead": lead, "url": campaign.webhook_url, "next_try_at": now,
                  "payload": {"event": "lead.completed", "event_id": event_id, "lead": lead_result(lead)}},
    )  # fmt: skip
    return delivery


def request_for(delivery: WebhookDelivery, now: dt.datetime) -> WebhookPost:
    """The signed POST of one delivery, with the site's address rules for the worker to apply."""
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True)
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "contactcenter-webhooks/1",
        "X-CC-Event-Id": delivery.event_id,
        "X-CC-Timestamp": timestamp,
        "X-CC-Signature": sign(delivery.campaign.webhook_secret, timestamp, body.encode()),
    }
    rules = site_rules()
    return WebhookPost(event_id=delivery.event_id, url=delivery.url, body=body, headers=headers,
                       allow_http=rules.allow_http, allow_private=rules.allow_private)  # fmt: skip


def record(delivery: WebhookDelivery, result: WebhookResult, now: dt.datetime) -> bool:
    """Write one try's result: delivered, or the next try after the back-off, or failed for good."""
    with transaction.atomic():
        delivery.tries += 1
        delivery.last_status_code = result.status
        delivery.task_id = ""
        if result.delivered:
            delivery.status = WebhookStatus.DELIVERED
            delivery.delivered_at = now
            delivery.last_error = ""
        else:
            delivery.last_error = (result.error or f"HTTP {result.status}")[:300]
            if delivery.tries > len(BACKOFF_S):
                delivery.status = WebhookStatus.FAILED
                log.warning("webhook %s failed for good: %s", delivery.event_id, delivery.last_error)
            else:
                delivery.status = WebhookStatus.PENDING
                delivery.next_try_at = now + dt.timedelta(seconds=BACKOFF_S[delivery.tries - 1])
        delivery.save()
    return result.delivered


def due(now: dt.datetime, limit: int) -> list[WebhookDelivery]:
    return list(WebhookDelivery.objects.filter(status=WebhookStatus.PENDING, next_try_at__lte=now)
                .select_related("campaign").order_by("next_try_at", "id")[:limit])  # fmt: skip


def deliver_due(now: dt.datetime, post: Post = post_webhook, limit: int = 20) -> int:
    """Send the due webhooks from this process, one after the other; returns how many were delivered.

    For tests and tools: the dialer hands them to a worker instead (:mod:`.webhook_outbox`).
    """
    return sum(record(delivery, post(request_for(delivery, now)), now) for delivery in due(now, limit))
