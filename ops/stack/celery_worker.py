"""``celery -A workers worker``: its command line, and a throwaway worker for tests and benchmarks.

The stack runner starts its worker with :func:`worker_args` like any of its processes; tests
and benchmarks start a :class:`CeleryWorker` on a Redis of their own (for instance
:meth:`RedisServer.throwaway <ops.stack.redis_server.RedisServer.throwaway>`):

    worker = CeleryWorker(redis.url, work_dir, env={"CC_ASR_ENGINE": "whisper"}).start()
    client = client_app(redis.url)
    client.send_task("workers.ping", args=["x"], queue="default").get(timeout=30)
    ...
    worker.stop()
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeout

from contactcenter.site.config import REPO_DIR, ConfigError
from ops.stack.processes import ManagedProcess, ProcessSpec
from workers.app import QUEUES

ALL_QUEUES = ",".join(QUEUES)


@dataclass(frozen=True)
class StackWorker:
    """What the stack's own worker consumes, by where speech runs (``CC_SPEECH_MODE``)."""

    queues: str
    concurrency: int

    @property
    def ping_queue(self) -> str:
        """A ping here proves a consumer of the queue the live calls need."""
        return self.queues.split(",")[0]


def stack_worker(speech_mode: str, concurrency: int | None = None) -> StackWorker:
    """in-process: pbx recognises speech itself, so the worker serves only the default queue
    (health, and the site's background jobs) and loads no model. celery: it also takes the
    asr queue, a pool process per core (``CC_WORKER_CONCURRENCY``), each loading ASR and
    sentiment once; workers on other hosts add to it (docs/operations.md)."""
    if speech_mode == "celery":
        return StackWorker("asr,default", concurrency or os.cpu_count() or 1)
    return StackWorker("default", 1)


def worker_args(node: str, concurrency: int, queues: str = ALL_QUEUES) -> tuple[str, ...]:
    """``python`` arguments for one worker node consuming ``queues``."""
    return ("-m", "celery", "-A", "workers", "worker", "-Q", queues, "--concurrency", str(concurrency),
            "--loglevel", "INFO", "-n", f"{node}@%h")  # fmt: skip


def client_app(broker_url: str) -> Celery:
    """A Celery client of its own for ``broker_url``: ``workers.app`` is not reconfigured."""
    client = Celery("speech-client", broker=broker_url, backend=broker_url)
    client.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                       broker_connection_retry_on_startup=True)  # fmt: skip
    return client


class CeleryWorker:
    """A worker as production runs it (prefork, ``concurrency`` pool processes whose models load
    there), with its log and pid file in ``directory``; ready once it has answered a ping."""

    def __init__(self, broker_url: str, directory: Path, env: Mapping[str, str] | None = None,
                 queues: str = ALL_QUEUES, concurrency: int = 1) -> None:  # fmt: skip
        self.broker_url = broker_url
        names = queues.split(",")
        self.ping_queue = "default" if "default" in names else names[0]
        # Mingle and gossip only slow the start of a worker that is alone on its broker.
        argv = (sys.executable, *worker_args(f"test-{uuid.uuid4().hex[:8]}", concurrency, queues),
                "--without-mingle", "--without-gossip")  # fmt: skip
        self.process = ManagedProcess(
            ProcessSpec("celery", argv, directory / "celery.log", directory / "celery.pid", REPO_DIR,
                        env={**(env or {}), "CC_REDIS_URL": broker_url}),
        )  # fmt: skip

    @property
    def pid(self) -> int | None:
        """The worker's main process (the pool processes that run tasks are its children)."""
        return self.process.pid()

    def start(self, timeout: float = 120.0) -> CeleryWorker:
        self.process.start()
        client = client_app(self.broker_url)
        try:
            self._wait_ready(client, timeout)
        except Exception as exc:  # not ready, or Redis refused the ping: no worker left behind
            tail = self.process.log_tail(40)
            self.process.stop()
            raise ConfigError(f"{exc}; last lines of {self.process.spec.log_file}:\n{tail}") from None
        finally:
            client.close()
        return self

    def _wait_ready(self, client: Celery, timeout: float) -> None:
        # The first ping is answered once the pool process has loaded its models: wait for that
        # reply, looking up now and then only to fail early if the worker died.
        reply = client.send_task("workers.ping", args=["ready"], queue=self.ping_queue)
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply.get(timeout=2)
                return
            except CeleryTimeout:
                if not self.process.running():
                    raise ConfigError("celery worker: the process exited while starting") from None
                if time.monotonic() > deadline:
                    raise ConfigError(f"celery worker: no answer to a ping after {timeout:.0f} s") from None

    def log_tail(self, lines: int = 40) -> str:
        return self.process.log_tail(lines)

    def stop(self) -> bool:
        return self.process.stop(timeout=30)
