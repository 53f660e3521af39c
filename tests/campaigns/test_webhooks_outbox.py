"""The dialer's side of webhooks: due rows handed to a worker, its answers written back, and
nothing lost while no worker runs (a fake task queue here; the real worker in the realstack test)."""

from __future__ import annotations

import datetime as dt

import pytest

from contactcenter.campaigns import services
from contactcenter.campaigns.models import WebhookDelivery, WebhookStatus
from contactcenter.campaigns.webhook_outbox import WebhookOutbox, WorkerGone
from tests.campaigns.conftest import NOW
from workers.webhooks.messages import WebhookPost, WebhookResult

pytestmark = pytest.mark.django_db


class FakeTaskQueue:
    def __init__(self) -> None:
        self.sent: dict[str, list[WebhookPost]] = {}
        self.answers: dict[str, list[WebhookResult] | str] = {}
        self.down = False

    def send(self, task_id: str, posts: list[WebhookPost], expires_s: float) -> None:
        if self.down:
            raise WorkerGone("Redis refused the connection")
        self.sent[task_id] = posts

    def answer(self, task_id: str) -> list[WebhookResult] | str | None:
        if self.down:
            raise WorkerGone("Redis refused the connection")
        return self.answers.get(task_id)

    def work(self, status: int | None) -> None:
        """What a worker would do: answer every task sent so far."""
        for task_id, posts in self.sent.items():
            self.answers.setdefault(task_id, [WebhookResult(event_id=p.event_id, status=status) for p in posts])


@pytest.fixture
def three_results(make_campaign, make_lead) -> None:
    campaign = make_campaign(webhook_url="https://crm.example.test/hook")
    for i in range(3):
        services.complete_lead(make_lead(campaign, f"+91980000000{i}"), "confirmed", "", NOW)


def statuses() -> list[str]:
    return list(WebhookDelivery.objects.values_list("status", flat=True))


def test_handed_to_the_worker_then_written_back(three_results) -> None:
    queue = FakeTaskQueue()
    outbox = WebhookOutbox(queue)
    outbox.tick(NOW)
    assert statuses() == [WebhookStatus.SENDING] * 3
    [(task_id, posts)] = queue.sent.items()
    assert {p.url for p in posts} == {"https://crm.example.test/hook"} and not posts[0].allow_private
    outbox.tick(NOW + dt.timedelta(seconds=1))  # no answer yet: nothing sent twice
    assert len(queue.sent) == 1 and statuses() == [WebhookStatus.SENDING] * 3
    queue.work(status=200)
    outbox.tick(NOW + dt.timedelta(seconds=2))
    assert statuses() == [WebhookStatus.DELIVERED] * 3
    assert set(WebhookDelivery.objects.values_list("tries", "task_id")) == {(1, "")}


def test_a_receivers_failure_is_a_try_with_back_off(three_results) -> None:
    queue = FakeTaskQueue()
    outbox = WebhookOutbox(queue)
    outbox.tick(NOW)
    queue.work(status=503)
    outbox.tick(NOW + dt.timedelta(seconds=2))
    delivery = WebhookDelivery.objects.first()
    assert (delivery.status, delivery.tries, delivery.last_error) == (WebhookStatus.PENDING, 1, "HTTP 503")
    assert delivery.next_try_at == NOW + dt.timedelta(seconds=12)


def test_nothing_is_lost_while_redis_or_the_worker_is_down(three_results) -> None:
    queue = FakeTaskQueue()
    outbox = WebhookOutbox(queue, lease_s=180)
    queue.down = True
    outbox.tick(NOW)  # Redis down: logged, rows stay due, the dialer's pass goes on
    assert statuses() == [WebhookStatus.PENDING] * 3 and not queue.sent
    queue.down = False
    outbox.tick(NOW + dt.timedelta(seconds=1))  # queued, but no worker takes it
    assert statuses() == [WebhookStatus.SENDING] * 3
    outbox.tick(NOW + dt.timedelta(seconds=200))  # the lease ended: handed over again, no try counted
    assert len(queue.sent) == 2
    delivery = WebhookDelivery.objects.first()
    assert (delivery.status, delivery.tries) == (WebhookStatus.SENDING, 0)
    assert "no worker answered within 180 s" in delivery.last_error
    queue.answers[next(iter(queue.sent))] = "too late"  # the first task's late answer is ignored
    queue.work(status=200)
    outbox.tick(NOW + dt.timedelta(seconds=202))
    assert statuses() == [WebhookStatus.DELIVERED] * 3


def test_a_failed_task_counts_as_a_failed_try(three_results) -> None:
    queue = FakeTaskQueue()
    outbox = WebhookOutbox(queue)
    outbox.tick(NOW)
    [task_id] = queue.sent
    queue.answers[task_id] = "the worker's task failed: SoftTimeLimitExceeded()"
    outbox.tick(NOW + dt.timedelta(seconds=1))
    delivery = WebhookDelivery.objects.first()
    assert (delivery.status, delivery.tries) == (WebhookStatus.PENDING, 1)
    assert delivery.last_error == "the worker's task failed: SoftTimeLimitExceeded()"
