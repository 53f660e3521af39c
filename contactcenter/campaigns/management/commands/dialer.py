"""``python manage.py dialer``: the outbound dialer, the event consumer, webhook delivery and the
sweep of pre-alert reservations pbx never ended.

One loop, three jobs, each bounded so none starves the others: read pbx's events (blocking
at most ``--poll-ms``), then once per ``--tick-s`` pace and dial every running campaign,
then hand due webhooks to a worker. Run one dialer per site: a Redis lock (``cc:dialer:lock``) makes a
second one wait instead of dialling twice.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import socket
import time
from typing import Any

import redis
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from contactcenter.campaigns.dialer import Dialer
from contactcenter.campaigns.pbx_events import EVENT_LINGER_MS, EventConsumer
from contactcenter.campaigns.pbx_link import RedisPbxLink
from contactcenter.campaigns.webhook_outbox import CeleryTaskQueue, WebhookOutbox
from contactcenter.console import prealert
from contactcenter.console import services as console_services
from contactcenter.core.redis_lock import RedisLock
from contactcenter.site.config import DIALER_LOCK_KEY

log = logging.getLogger("contactcenter.dialer")

LOCK_KEY = DIALER_LOCK_KEY
# Outlives a tick, so a dead dialer frees the site soon.
LOCK_TTL_S = 10.0


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


class Command(BaseCommand):
    help = "Run the outbound dialer (pacing, compliance, originate commands), pbx event consumer and webhooks."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--tick-s", type=float, default=1.0)
        parser.add_argument("--poll-ms", type=int, default=300)
        parser.add_argument("--linger-ms", type=int, default=EVENT_LINGER_MS,
                            help="after pbx's first event, wait this long for more before applying them")  # fmt: skip
        parser.add_argument("--site-max-ai-lines", type=int,
                            default=int(os.environ["DIALER_SITE_MAX_AI_LINES"]) if os.environ.get("DIALER_SITE_MAX_AI_LINES") else None)  # fmt: skip
        parser.add_argument("--once", action="store_true", help="one pass of each job, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        # Django and the app, loaded for the process's life: kept out of full collections (see pbx;
        # ``python -m benchmarks dialer`` freezes the same way, so its figures include this).
        gc.freeze()
        client = redis_client()
        # A stable name: after a crash, the restarted dialer is re-delivered what it had not acknowledged.
        name = os.environ.get("DIALER_NAME", f"dialer-{socket.gethostname()}")
        dialer = Dialer(RedisPbxLink(client), site_max_ai_lines=options["site_max_ai_lines"])
        consumer = EventConsumer(client, consumer=name)
        outbox = WebhookOutbox(CeleryTaskQueue())  # posted by a worker: a slow receiver never holds this loop
        # Made in the loop, not before it: a dialer started while Redis is down waits for it like
        # any other pass instead of exiting, and a Redis that lost the group gets it again.
        group_ready = False
        # The name is the token: a dialer restarted under its name takes the lock back at once.
        lock = RedisLock(client, LOCK_KEY, name, LOCK_TTL_S)
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        next_tick = 0.0
        while not stopping:
            try:
                if not group_ready:
                    consumer.ensure_group()
                    group_ready = True
                consumer.poll(block_ms=options["poll_ms"], linger_ms=options["linger_ms"])
                if time.monotonic() >= next_tick:
                    next_tick = time.monotonic() + options["tick_s"]
                    if lock.acquire():  # only the lock holder dials
                        dialer.tick()
                    outbox.tick(timezone.now())
                    prealert.sweep(timezone.now())  # reservations pbx never ended (pbx gone)
                    console_services.sweep_wrap_ups(timezone.now())  # wrap-ups no console ended (browser closed)
            except (DatabaseError, redis.RedisError) as exc:
                # A busy database or a Redis restart: nothing was acknowledged or sent half-way
                # (events are acked after commit, commands sent after commit), so try again.
                if isinstance(exc, DatabaseError):
                    dialer.outage.failed(exc)  # dialling paused, said once (db_outage)
                else:
                    group_ready = group_ready and "NOGROUP" not in str(exc)
                    log.warning("dialer pass failed (%s); retrying in 1 s", exc)
                close_old_connections()
                time.sleep(1)
            if options["once"]:
                break
        try:
            lock.release()
        except redis.RedisError:
            pass  # Redis is down: the lock lapses by itself after LOCK_TTL_S
        log.info("dialer stopped")
