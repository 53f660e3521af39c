"""RemoteLiveSpeech over a real Redis: jobs out through Celery's wire format, replies back on the
pbx's stream. The worker here is a stand-in thread (the real task lives in workers.tasks); it
answers the way the contract says a worker does (workers.remote.messages)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from kombu import Connection, Consumer, Queue

from ops.stack.redis_server import RedisServer
from tests.workers.remote_fakes import Collector, voiced, worker_assessment
from workers.remote.client import MONITOR_BLIND, RemoteLiveSpeech
from workers.remote.messages import (
    JOB_TASK,
    REPLY_FIELD,
    REPLY_STREAM_MAXLEN,
    REPLY_STREAM_PREFIX,
    SpeechJob,
    SpeechReply,
)
from workers.remote.transport import RedisCeleryTransport
from workers.vad import Utterance

pytestmark = pytest.mark.realstack


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer.running_throwaway(tmp_path / "redis") as server:
        yield server


class StandInWorker:
    """Takes JOB_TASK messages off the asr queue and answers on the job's reply stream."""

    def __init__(self, url: str) -> None:
        self.url, self.tasks = url, []
        self._stop = threading.Event()
        self._redis = redis.Redis.from_url(url)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        with Connection(self.url) as conn:
            def on_message(body, message) -> None:  # noqa: ANN001 - kombu's callback
                self.tasks.append(message.headers.get("task"))
                args = body[0] if isinstance(body, (list, tuple)) else json.loads(body)[0]
                job = SpeechJob.model_validate(args[0])
                reply = SpeechReply(job_id=job.job_id, call_id=job.call_id, utterance_id=job.utterance_id,
                                    kind=job.kind, worker="stand-in:1",
                                    assessment=worker_assessment(job, "hello from the worker").model_dump(mode="json"))
                self._redis.xadd(job.reply_to, {REPLY_FIELD: reply.model_dump_json()}, maxlen=REPLY_STREAM_MAXLEN)
                message.ack()

            with Consumer(conn, queues=[Queue("asr")], callbacks=[on_message], accept=["json"]):
                while not self._stop.is_set():
                    try:
                        conn.drain_events(timeout=0.2)
                    except TimeoutError:
                        pass

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


def test_jobs_travel_through_redis_and_an_absent_worker_means_monitor_blind(redis_server: RedisServer) -> None:
    transport = RedisCeleryTransport(redis_server.url, REPLY_STREAM_PREFIX + "pbx-test")
    speech = RemoteLiveSpeech(transport, deadline_s=1.0)
    worker = StandInWorker(redis_server.url)
    sink = Collector()
    try:
        session = speech.open_call("call-r", 8000, "slin16le", sink)
        sent = time.monotonic()
        session.on_event(Utterance(0, 0.5, 1.5, voiced(1.0), voiced_s=1.0))
        [heard] = sink.wait(1, timeout=5.0)
        assert heard.text == "hello from the worker" and heard.is_final and heard.error is None
        assert worker.tasks == [JOB_TASK]
        print(f"round trip through Redis: {time.monotonic() - sent:.3f} s")

        # What one send costs the sending thread (Celery's send_task on a local Redis).
        job = SpeechJob(call_id="call-r", utterance_id="call-r-9999", kind="final", audio=transport_payload(),
                        start_s=0.0, reply_to=transport.reply_stream, deadline=time.time() + 60)  # fmt: skip
        start = time.perf_counter()
        for _ in range(50):
            transport._celery.send_task(JOB_TASK, args=[job.model_dump(mode="json")], queue="asr", retry=False)
        print(f"send_task: {(time.perf_counter() - start) / 50 * 1000:.2f} ms a job (2 s of audio)")

        worker.stop()  # no worker at all: the next final is unheard by its deadline, not later
        time.sleep(0.5)
        sent = time.monotonic()
        session.on_event(Utterance(1, 3.0, 4.0, voiced(1.0), voiced_s=1.0))
        blind = sink.wait(2, timeout=5.0)[1]
        waited = time.monotonic() - sent
        assert blind.error == MONITOR_BLIND and waited <= 1.0 + 1.0, waited
    finally:
        worker.stop()
        speech.close()


def transport_payload():
    from workers.audio import AudioPayload

    return AudioPayload.from_audio(voiced(2.0))


def test_partials_wait_behind_finals_and_guesses_on_the_broker(redis_server: RedisServer) -> None:
    # Nobody consumes: the jobs stay where kombu's Redis transport put them, one list per priority.
    transport = RedisCeleryTransport(redis_server.url, REPLY_STREAM_PREFIX + "prio")
    try:
        for kind in ("partial", "final", "guess"):
            transport.send(SpeechJob(call_id="c", utterance_id="c-0000", kind=kind, audio=transport_payload(),
                                     start_s=0.0, reply_to=transport.reply_stream, deadline=time.time() + 5))  # fmt: skip
        client = redis.Redis.from_url(redis_server.url)
        deadline = time.monotonic() + 5
        while client.llen("asr") + client.llen("asr\x06\x166") < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        first = [json.loads(m)["headers"]["argsrepr"] for m in client.lrange("asr", 0, -1)]
        assert len(first) == 2 and all("'partial'" not in args for args in first), first
        assert client.llen("asr\x06\x166") == 1  # served only when no final or guess waits
    finally:
        transport.close()


def test_an_utterance_marked_stale_is_raised_never_lowered(redis_server: RedisServer) -> None:
    from workers.remote.messages import LATEST_JOB_PREFIX

    transport = RedisCeleryTransport(redis_server.url, REPLY_STREAM_PREFIX + "stale")
    transport.supersede("c-0001", 5)
    transport.supersede("c-0001", 3)  # an older mark arriving late
    transport.close()  # the sender thread sends what it holds first
    client = redis.Redis.from_url(redis_server.url)
    assert client.get(LATEST_JOB_PREFIX + "c-0001") == b"5"
    assert 0 < client.ttl(LATEST_JOB_PREFIX + "c-0001") <= 120
