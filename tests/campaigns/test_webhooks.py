"""One signed webhook per completed lead, retried with back-off, delivered once."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from contactcenter.campaigns import services, webhooks
from contactcenter.campaigns.models import LeadStatus, WebhookDelivery, WebhookStatus
from tests.campaigns.conftest import NOW
from workers.webhooks.messages import WebhookPost, WebhookResult

pytestmark = pytest.mark.django_db


class Receiver:
    def __init__(self, answers: list[int | None]) -> None:
        self.answers = answers
        self.received: list[tuple[str, bytes, dict[str, str]]] = []

    def __call__(self, request: WebhookPost) -> WebhookResult:
        self.received.append((request.url, request.body.encode(), request.headers))
        status = self.answers.pop(0) if self.answers else 200
        return WebhookResult(event_id=request.event_id, status=status, error="" if status else "connection refused")


def test_signed_retried_with_backoff_then_delivered_once(make_campaign, make_lead) -> None:
    campaign = make_campaign(webhook_url="https://crm.example.test/hooks/leads")
    lead = make_lead(campaign, "+919800000001", external_id="CRM-7")
    services.complete_lead(lead, "confirmed", "", NOW)
    services.complete_lead(lead, "confirmed", "", NOW)  # the same completion again: one delivery
    assert WebhookDelivery.objects.count() == 1
    receiver = Receiver([None, 503])
    assert webhooks.deliver_due(NOW, receiver) == 0
    delivery = WebhookDelivery.objects.get()
    assert (delivery.tries, delivery.status, delivery.next_try_at) == (1, "pending", NOW + dt.timedelta(seconds=10))
    assert webhooks.deliver_due(NOW + dt.timedelta(seconds=5), receiver) == 0  # not due yet
    assert webhooks.deliver_due(NOW + dt.timedelta(seconds=10), receiver) == 0
    delivery.refresh_from_db()
    assert (delivery.tries, delivery.last_status_code) == (2, 503)
    assert delivery.next_try_at == NOW + dt.timedelta(seconds=40)
    assert webhooks.deliver_due(NOW + dt.timedelta(seconds=40), receiver) == 1
    assert webhooks.deliver_due(NOW + dt.timedelta(hours=1), receiver) == 0
    assert len(receiver.received) == 3
    url, body, headers = receiver.received[-1]
    assert url == "https://crm.example.test/hooks/leads"
    assert webhooks.verify(campaign.webhook_secret, headers["X-CC-Timestamp"], body, headers["X-CC-Signature"])
    assert not webhooks.verify("wrong", headers["X-CC-Timestamp"], body, headers["X-CC-Signature"])
    # Every try carries the same event id, so the receiver can drop repeats.
    assert len({h["X-CC-Event-Id"] for _, _, h in receiver.received}) == 1
    payload = json.loads(body)
    assert payload["event"] == "lead.completed"
    assert payload["lead"]["external_id"] == "CRM-7" and payload["lead"]["outcome"] == "confirmed"
    assert payload["lead"]["status"] == LeadStatus.DONE


def test_gives_up_after_the_last_retry(make_campaign, make_lead) -> None:
    campaign = make_campaign(webhook_url="https://crm.example.test/hook")
    services.complete_lead(make_lead(campaign, "+919800000001"), "rejected", "", NOW)
    receiver = Receiver([500] * 20)
    at = NOW
    for _ in range(len(webhooks.BACKOFF_S) + 1):
        webhooks.deliver_due(at, receiver)
        at += dt.timedelta(days=1)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookStatus.FAILED and delivery.tries == len(webhooks.BACKOFF_S) + 1
    webhooks.deliver_due(at, receiver)
    assert len(receiver.received) == len(webhooks.BACKOFF_S) + 1


def test_no_webhook_without_a_url(make_campaign, make_lead) -> None:
    services.complete_lead(make_lead(make_campaign(), "+919800000001"), "confirmed", "", NOW)
    assert WebhookDelivery.objects.count() == 0
