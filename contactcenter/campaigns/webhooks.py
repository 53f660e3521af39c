"""One signed webhook per completed lead, retried with back-off until acknowledged.

The delivery row is written in the same transaction that completes the lead (an outbox), so
a result is never lost between the database and the HTTP call; the dialer loop (or any
worker) sends the due rows later with :func:`deliver_due`.

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
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from contactcenter.campaigns.models import Lead, WebhookDelivery, WebhookStatus

log = logging.getLogger(__name__)

BACKOFF_S = (10, 30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600)


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


@dataclass(frozen=True)
class HttpResult:
    status: int | None
    error: str = ""


Post = Callable[[str, bytes, dict[str, str]], HttpResult]


def urllib_post(url: str, body: bytes, headers: dict[str, str], timeout_s: float = 5.0) -> HttpResult:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return HttpResult(response.status)
    except urllib.error.HTTPError as exc:
        return HttpResult(exc.code, f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError) as exc:
        return HttpResult(None, str(getattr(exc, "reason", exc))[:300])


def deliver_due(now: dt.datetime, post: Post = urllib_post, limit: int = 20) -> int:
    """Send the webhooks that are due; returns how many were delivered."""
    delivered = 0
    due = list(WebhookDelivery.objects.filter(status=WebhookStatus.PENDING, next_try_at__lte=now)
               .select_related("campaign").order_by("next_try_at", "id")[:limit])  # fmt: skip
    for delivery in due:
        body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
        timestamp = str(int(now.timestamp()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "contactcenter-webhooks/1",
            "X-CC-Event-Id": delivery.event_id,
            "X-CC-Timestamp": timestamp,
            "X-CC-Signature": sign(delivery.campaign.webhook_secret, timestamp, body),
        }
        result = post(delivery.url, body, headers)
        ok = result.status is not None and 200 <= result.status < 300
        with transaction.atomic():
            delivery.tries += 1
            delivery.last_status_code = result.status
            if ok:
                delivery.status = WebhookStatus.DELIVERED
                delivery.delivered_at = now
                delivery.last_error = ""
                delivered += 1
            else:
                delivery.last_error = result.error or f"HTTP {result.status}"
                if delivery.tries > len(BACKOFF_S):
                    delivery.status = WebhookStatus.FAILED
                    log.warning("webhook %s failed for good: %s", delivery.event_id, delivery.last_error)
                else:
                    delivery.next_try_at = now + dt.timedelta(seconds=BACKOFF_S[delivery.tries - 1])
            delivery.save()
    return delivered
