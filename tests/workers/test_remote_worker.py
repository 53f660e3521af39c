"""A speech worker as another host runs one: its own process and environment (the Redis URL and
the model settings, nothing of Django), speech jobs in through the broker, replies read back
from the reply stream as pbx reads them."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from contactcenter.site.config import REPO_DIR
from ops.stack.celery_worker import client_app
from ops.stack.redis_server import RedisServer
from tests.workers.remote_fakes import Collector
from tests.workers.synth import concat, flite, silence, telephone, words_of
from workers.audio import AudioPayload
from workers.remote.client import RemoteLiveSpeech
from workers.remote.messages import JOB_TASK, REPLY_FIELD, REPLY_STREAM_PREFIX, SpeechJob, SpeechReply
from workers.remote.transport import RedisCeleryTransport
from workers.settings import SpeechSettings

pytestmark = pytest.mark.realstack

STREAM = "cc:speech:replies:pbx-remote-test"
# `celery -A workers worker`, which writes the modules it had imported when it exits (with the
# solo pool, tasks run in that very process: their imports are in the list).
RUN_WORKER = """
import atexit, json, runpy, sys
dump = sys.argv.pop(1)
atexit.register(lambda: open(dump, "w").write(json.dumps(sorted(sys.modules))))
sys.argv[0] = "celery"
runpy.run_module("celery", run_name="__main__", alter_sys=True)
"""
# What kombu's JSON module imports to probe for Django's lazy strings, when Django is installed
# (a worker host without Django skips it): not Django set up, nor any of the management plane.
KOMBU_DJANGO_PROBE = {"django", "django.utils", "django.utils.functional", "django.utils.regex_helper",
                      "django.utils.version"}  # fmt: skip
NEVER_ON_A_WORKER = ("contactcenter", "pbx", "ops", "channels", "rest_framework", "django")


class RemoteWorker:
    def __init__(self, process: subprocess.Popen[bytes], log: Path, modules: Path) -> None:
        self.process, self.log, self.modules = process, log, modules

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # a warm shutdown: the process exits normally
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def imported(self) -> list[str]:
        """The modules the worker had imported when it stopped."""
        return json.loads(self.modules.read_text())


def worker_env(redis_url: str) -> dict[str, str]:
    """Only what a worker on another host is given: PATH, HOME, the Redis URL and where models are."""
    settings = SpeechSettings.from_env()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ["HOME"],
        "CC_REDIS_URL": redis_url,
        "CC_MODEL_CACHE_DIR": str(settings.model_cache_dir),
    }
    if settings.moonshine_model_path is not None:
        env["CC_MOONSHINE_MODEL_PATH"] = str(settings.moonshine_model_path)
    return env


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    # A Redis of its own: another worker of the session (on redis_server or speech_redis) would
    # take these asr jobs too. With a password, as the stack's Redis has: the worker sends it.
    with RedisServer.running_throwaway(tmp_path_factory.mktemp("remote-redis"), uuid.uuid4().hex) as server:
        yield server


@pytest.fixture(scope="module")
def remote_worker(broker: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteWorker]:
    base = tmp_path_factory.mktemp("remote-worker")
    log, modules = base / "worker.log", base / "modules.json"
    # What docs/operations.md tells a host to run, with --pool solo: one process, tasks in it.
    argv = [sys.executable, "-c", RUN_WORKER, str(modules), "-A", "workers", "worker", "-Q", "asr",
            "--pool", "solo", "--loglevel", "INFO", "--without-mingle", "--without-gossip", "-n", "remote@%h"]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(argv, cwd=REPO_DIR, env=worker_env(broker.url), stdout=out, stderr=out)
    worker = RemoteWorker(process, log, modules)
    client = client_app(broker.url)
    try:
        # Answered once the models are loaded (the solo pool loads them before consuming).
        ping = client.send_task("workers.ping", args=["ready"], queue="asr")
        deadline = time.monotonic() + 120
        while not ping.ready():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the worker did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield worker
    finally:
        client.close()
        worker.stop()


def ask(broker: RedisServer, job: SpeechJob, timeout: float = 30.0) -> SpeechReply:
    """Send ``job`` as pbx does and read its reply from the stream (a blocking XREAD, no polling)."""
    streams = redis.Redis.from_url(broker.url)
    client = client_app(broker.url)
    try:
        last = streams.xinfo_stream(STREAM)["last-generated-id"] if streams.exists(STREAM) else b"0-0"
        client.send_task(JOB_TASK, args=[job.model_dump(mode="json")], queue="asr")
        answered = streams.xread({STREAM: last}, count=1, block=int(timeout * 1000))
        assert answered, f"no reply within {timeout} s"
        [(_, [(_, fields)])] = answered
        return SpeechReply.model_validate_json(fields[REPLY_FIELD.encode()])
    finally:
        client.close()
        streams.close()


def speech_job(text: str, **fields: object) -> SpeechJob:
    audio = concat(telephone(flite(text)), silence(0.6))
    defaults: dict[str, object] = dict(
        call_id="call-remote", utterance_id="call-remote-0000", kind="final", start_s=0.0,
        audio=AudioPayload.from_audio(audio, "ulaw"), reply_to=STREAM, deadline=time.time() + 30,
    )  # fmt: skip
    return SpeechJob(**{**defaults, **fields})  # type: ignore[arg-type]


def test_pbx_side_and_a_real_worker_carry_a_callers_utterance(broker: RedisServer, remote_worker: RemoteWorker) -> None:
    """(Before the test that stops the worker.) CC_SPEECH_MODE=celery end to end, but for Asterisk: the caller's audio through pbx's own
    VAD (RemoteLiveSpeech), the utterance as a SpeechJob through Celery to the worker process,
    its assessment back on pbx's reply stream, named by the worker that made it."""
    transport = RedisCeleryTransport(broker.url, REPLY_STREAM_PREFIX + "pbx-integration")
    speech = RemoteLiveSpeech(transport, deadline_s=10.0)
    sink = Collector()
    try:
        session = speech.open_call("call-int", 8000, "slin16le", sink)
        audio = concat(silence(0.5), telephone(flite("I want to change the delivery date.")), silence(1.5, seed=1))
        for start in range(0, len(audio.samples) - 159, 160):  # whole 20 ms frames, as the media leg delivers them
            session.feed_samples(audio.samples[start:start + 160])
        deadline = time.monotonic() + 30
        while not any(a.is_final for a, _ in sink.items) and time.monotonic() < deadline:
            time.sleep(0.05)
        [final] = [a for a, _ in sink.items if a.is_final]
        assert final.error is None, final.error
        assert {"change", "delivery", "date"} <= words_of(final.text), final.text
        assert final.engine == "moonshine"
    finally:
        speech.close()


def test_a_worker_with_only_redis_and_models_answers_speech_jobs(
    broker: RedisServer, remote_worker: RemoteWorker
) -> None:
    reply = ask(broker, speech_job("Please cancel my subscription today."))
    assert reply.error == "" and reply.worker == f"{socket.gethostname()}:{remote_worker.process.pid}"
    assert reply.assessment is not None and reply.assessment["engine"] == "moonshine"
    assert {"cancel", "subscription", "today"} <= words_of(reply.assessment["text"])
    assert reply.assessment["baseline"]["utterances"] == 1

    expired = ask(broker, speech_job("This one comes too late.", utterance_id="call-remote-0001",
                                     deadline=time.time() - 1))  # fmt: skip
    assert (expired.error, expired.assessment, expired.utterance_id) == ("expired", None, "call-remote-0001")

    remote_worker.stop()
    imported = set(remote_worker.imported())
    assert {"workers.tasks.live_speech", "onnxruntime", "voicewatch"} <= imported  # the list is complete
    foreign = {m for m in imported - KOMBU_DJANGO_PROBE if m.split(".")[0] in NEVER_ON_A_WORKER}
    assert foreign == set()

