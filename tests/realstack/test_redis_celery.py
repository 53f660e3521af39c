"""Real round trips to Redis and through a Celery worker process."""

from __future__ import annotations

import uuid

import pytest
import redis

from ops.stack.celery_worker import CeleryWorker, client_app
from ops.stack.processes import child_pids
from ops.stack.redis_server import RedisServer

pytestmark = pytest.mark.realstack


def test_redis_ping_and_stream_round_trip(redis_server: RedisServer) -> None:
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    assert client.ping() is True
    entry_id = client.xadd("test:events", {"type": "ping"})
    [(stream, [(read_id, fields)])] = client.xread({"test:events": 0}, count=1)
    assert (stream, read_id, fields) == ("test:events", entry_id, {"type": "ping"})


def test_celery_ping_task_round_trip(celery_worker_process: CeleryWorker) -> None:
    client = client_app(celery_worker_process.broker_url)
    token = uuid.uuid4().hex
    try:
        reply = client.send_task("workers.ping", args=[token], queue="default").get(timeout=30)
    finally:
        client.close()
    assert reply["token"] == token
    # Answered by a pool process of our worker (prefork: the task runs in a child of its main process).
    assert celery_worker_process.pid is not None
    assert reply["pid"] in child_pids(celery_worker_process.pid)
