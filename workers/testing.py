"""Real servers for tests and benchmarks: a private redis-server and a ``celery worker`` process.

Both run on free loopback ports in their own temp directories and are stopped by pid (ours
only). Readiness is waited for on events — Redis's own "ready" line, a ``workers.ping``
round trip through the worker — never by sleeping.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path

from celery import Celery

REPO_DIR = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(process: subprocess.Popen[bytes], timeout: float) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


class LocalRedis:
    def __init__(self, directory: Path | None = None) -> None:
        self._own_directory = directory is None  # a temp dir we made is ours to remove
        self.directory = directory or Path(tempfile.mkdtemp(prefix="cc-redis-"))
        self.port = free_port()
        self.log_file = self.directory / "redis.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def start(self, timeout: float = 15.0) -> LocalRedis:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: apt-get install redis-server")
        self.directory.mkdir(parents=True, exist_ok=True)
        argv = [
            binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.directory),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--logfile",
            "",
        ]
        self._process = subprocess.Popen(
            argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=self.directory
        )
        ready = threading.Event()
        threading.Thread(target=self._copy_log, args=(ready,), daemon=True).start()
        if not ready.wait(timeout) or self._process.poll() is not None:
            log = self.log_file.read_text(errors="replace")[-2000:] if self.log_file.exists() else ""
            self.stop()
            raise RuntimeError(f"redis-server did not become ready:\n{log}")
        return self

    def _copy_log(self, ready: threading.Event) -> None:
        assert self._process is not None and self._process.stdout is not None
        with self.log_file.open("wb") as log:
            for line in self._process.stdout:
                log.write(line)
                log.flush()
                if b"Ready to accept connections" in line:
                    ready.set()

    def stop(self) -> None:
        if self._process is not None:
            _stop(self._process, 10)
            self._process = None
        if self._own_directory:
            shutil.rmtree(self.directory, ignore_errors=True)


def client_app(broker_url: str) -> Celery:
    """A Celery client of its own for ``broker_url``: nothing global is reconfigured."""
    client = Celery("speech-client", broker=broker_url, backend=broker_url)
    client.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
    )
    return client


class CeleryWorkerProcess:
    """``python -m celery -A workers worker`` as production runs it (prefork; models load in the pool)."""

    def __init__(
        self,
        broker_url: str,
        env: Mapping[str, str] | None = None,
        queues: str = "asr,nlp,tts,default",
        pool: str = "prefork",
        directory: Path | None = None,
    ) -> None:
        self.broker_url = broker_url
        self._own_directory = directory is None
        self.directory = directory or Path(tempfile.mkdtemp(prefix="cc-celery-"))
        self.log_file = self.directory / "celery.log"
        names = queues.split(",")
        self.ping_queue = "default" if "default" in names else names[0]
        self.env = {**os.environ, **(env or {}), "CC_REDIS_URL": broker_url}
        self.argv = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "workers",
            "worker",
            "-Q",
            queues,
            "--pool",
            pool,
            "--concurrency",
            "1",
            "--loglevel",
            "INFO",
            "--without-mingle",
            "--without-gossip",
            "-n",
            f"speech-{uuid.uuid4().hex[:8]}@%h",
        ]
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def start(self, timeout: float = 120.0) -> CeleryWorkerProcess:
        self.directory.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("wb") as log:
            self._process = subprocess.Popen(
                self.argv, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_DIR, env=self.env
            )
        client = client_app(self.broker_url)
        try:
            # The first ping is answered only once the pool process has loaded its models.
            reply = client.send_task("workers.ping", args=["ready"], queue=self.ping_queue).get(
                timeout=timeout
            )
            assert reply["token"] == "ready"
        except Exception:
            tail = self.log_tail()
            self.stop()
            raise RuntimeError(f"celery worker did not answer a ping; last log lines:\n{tail}") from None
        finally:
            client.close()
        return self

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""

    def stop(self) -> None:
        if self._process is not None:
            _stop(self._process, 30)
            self._process = None
        if self._own_directory:
            shutil.rmtree(self.directory, ignore_errors=True)
