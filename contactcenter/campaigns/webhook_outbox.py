"""The dialer's part in webhooks: hand due deliveries to a worker, read back what it answered.

Each pass costs the dialer's loop a few Redis and database round trips, never an HTTP call:
the posts happen in a Celery worker (``workers.tasks.webhooks``, default queue). The database
row stays the record of truth (an outbox): a row is marked ``sending`` with its task's id and
a lease before the task is queued, and

- the worker's answer (in Celery's result store) is written back as a try: delivered, or
  retried after the back-off (:func:`webhooks.record`);
- no answer when the lease ends (no worker running, Redis lost the task) puts the row back to
  ``pending`` without counting a try, and the task expires unsent, so a worker that comes back
  late never posts it twice from that task; nothing is lost while the worker is down.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from typing import Protocol

from django.conf import settings
from django.db import transaction

from contactcenter.campaigns import webhooks
from contactcenter.campaigns.models import WebhookDelivery, WebhookStatus
from workers.webhooks.messages import WebhookPost, WebhookResult

log = logging.getLogger(__name__)

TASK_NAME = "workers.webhooks.post_batch"  # workers.tasks.webhooks: not imported (it builds the worker's app)
BATCH = 20  # the task's own cap
# Longer than a batch can take in the worker (its hard time limit is 90 s).
LEASE_S = 180


class WorkerGone(Exception):
    """The task could not be queued or its answer read (Redis down): try again next pass."""


class TaskQueue(Protocol):
    def send(self, task_id: str, posts: list[WebhookPost], expires_s: float) -> None: ...

    def answer(self, task_id: str) -> list[WebhookResult] | str | None:
        """The results, an error text if the task failed, or None while there is no answer."""


class CeleryTaskQueue:
    """Celery over the site's Redis, with short socket timeouts: Redis down costs a pass 2 s at most."""

    def __init__(self, redis_url: str | None = None) -> None:
        from celery import Celery

        url = redis_url or settings.REDIS_URL
        self.app = Celery("contactcenter-webhooks", broker=url, backend=url, set_as_current=False)
        self.app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                             redis_socket_timeout=2, redis_socket_connect_timeout=2,
                             broker_transport_options={"socket_timeout": 2, "socket_connect_timeout": 2})  # fmt: skip

    def send(self, task_id: str, posts: list[WebhookPost], expires_s: float) -> None:
        try:
            self.app.send_task(TASK_NAME, args=[[p.model_dump() for p in posts]], task_id=task_id,
                               queue="default", expires=expires_s, retry=False)  # fmt: skip
        except Exception as exc:  # kombu's and redis's errors both: the caller keeps the rows pending
            raise WorkerGone(f"could not queue webhooks: {exc}") from exc

    def answer(self, task_id: str) -> list[WebhookResult] | str | None:
        result = self.app.AsyncResult(task_id)
        try:
            state = result.state
            if state == "SUCCESS":
                answer = [WebhookResult.model_validate(r) for r in result.result]
                result.forget()
                return answer
            if state == "FAILURE":
                return f"the worker's task failed: {result.result!s}"[:300]
        except Exception as exc:
            raise WorkerGone(f"could not read webhook results: {exc}") from exc
        return None  # queued, running, or expired unsent (REVOKED): the lease decides


class WebhookOutbox:
    def __init__(self, queue: TaskQueue, batch: int = BATCH, lease_s: float = LEASE_S) -> None:
        self.queue = queue
        self.batch = batch
        self.lease_s = lease_s

    def tick(self, now: dt.datetime) -> None:
        """One pass: answers first (they free rows), then the due rows, one batch per pass."""
        try:
            self.collect(now)
            self.dispatch(now)
        except WorkerGone as exc:
            log.warning("webhooks: %s; trying again next pass", exc)

    def dispatch(self, now: dt.datetime) -> int:
        rows = webhooks.due(now, self.batch)
        if not rows:
            return 0
        posts = [webhooks.request_for(row, now) for row in rows]
        task_id = f"webhooks-{uuid.uuid4().hex}"
        ids = [row.pk for row in rows]
        with transaction.atomic():  # marked first: a task is never out there for a row still "pending"
            WebhookDelivery.objects.filter(pk__in=ids, status=WebhookStatus.PENDING).update(
                status=WebhookStatus.SENDING, task_id=task_id, next_try_at=now + dt.timedelta(seconds=self.lease_s))
        try:
            self.queue.send(task_id, posts, expires_s=self.lease_s)
        except WorkerGone:
            WebhookDelivery.objects.filter(task_id=task_id).update(status=WebhookStatus.PENDING, task_id="",
                                                                   next_try_at=now)  # fmt: skip
            raise
        return len(rows)

    def collect(self, now: dt.datetime) -> int:
        """Write back the answers that came; returns how many deliveries got one."""
        sending = WebhookDelivery.objects.filter(status=WebhookStatus.SENDING).select_related("campaign")
        by_task: dict[str, list[WebhookDelivery]] = {}
        for row in sending:
            by_task.setdefault(row.task_id, []).append(row)
        answered = 0
        for task_id, rows in by_task.items():
            answer = self.queue.answer(task_id)
            if answer is None:
                self._release_if_lease_ended(rows, now)
                continue
            answered += len(rows)
            self._write(rows, answer, now)
        return answered

    def _write(self, rows: Iterable[WebhookDelivery], answer: list[WebhookResult] | str, now: dt.datetime) -> None:
        results = {r.event_id: r for r in answer} if isinstance(answer, list) else {}
        for row in rows:
            error = answer if isinstance(answer, str) else "the worker gave no result for it"
            webhooks.record(row, results.get(row.event_id) or WebhookResult(event_id=row.event_id, error=error), now)

    def _release_if_lease_ended(self, rows: list[WebhookDelivery], now: dt.datetime) -> None:
        ended = [row.pk for row in rows if row.next_try_at <= now]
        if ended:
            log.warning("webhooks: no worker answered for %d deliveries in %.0f s; queued again",
                        len(ended), self.lease_s)  # fmt: skip
            WebhookDelivery.objects.filter(pk__in=ended, status=WebhookStatus.SENDING).update(
                status=WebhookStatus.PENDING, task_id="", next_try_at=now,
                last_error=f"no worker answered within {self.lease_s:.0f} s (is a Celery worker consuming "
                           f"the default queue?); not counted as a try")  # fmt: skip
