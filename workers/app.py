"""The Celery application: broker and result backend are Redis, one queue per kind of work."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_process_shutdown
from kombu import Queue

from workers.metrics import mark_dead
from workers.settings import WorkerSettings

# Queues by kind of work, so ASR (CPU-heavy, latency-critical) never waits behind TTS batches.
QUEUES = ("asr", "nlp", "tts", "default")


def redis_url() -> str:
    return os.environ.get("CC_REDIS_URL") or f"redis://127.0.0.1:{os.environ.get('CC_REDIS_PORT', '6390')}/0"


worker_settings = WorkerSettings.from_env()
app = Celery("workers", include=["workers.tasks.health", "workers.tasks.speech", "workers.tasks.live_speech",
                               "workers.tasks.webhooks"])
app.conf.update(
    broker_url=redis_url(),
    result_backend=redis_url(),
    task_queues=[Queue(name) for name in QUEUES],
    task_default_queue="default",
    # Task names start with their kind of work, so one rule per queue routes them all.
    task_routes={
        "workers.asr.*": {"queue": "asr"},
        "workers.nlp.*": {"queue": "nlp"},
        "workers.tts.*": {"queue": "tts"},
    },
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    # Results of live-call tasks are useless after the call has moved on.
    result_expires=3600,
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    worker_pool=worker_settings.pool,
    **({"worker_concurrency": worker_settings.concurrency} if worker_settings.concurrency else {}),
)


@worker_process_shutdown.connect
def _pool_process_exits(pid: int | None = None, **_: object) -> None:
    """A pool process's metrics (multiprocess mode): its live gauges leave the sum."""
    mark_dead(pid or os.getpid())
