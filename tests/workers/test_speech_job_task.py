"""The asr queue's speech-job task without a broker: called directly, replies caught by a fake Redis."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Sequence
from typing import Any

import pytest

from tests.workers.synth import concat, flite, silence, telephone, words_of
from workers.asr.base import Transcript
from workers.asr.moonshine_engine import MoonshineEngine
from workers.audio import Audio, AudioPayload
from workers.remote.messages import REPLY_FIELD, REPLY_STREAM_MAXLEN, SpeechJob, SpeechReply
from workers.runtime import SpeechRuntime
from workers.settings import SettingsError, SpeechSettings, WorkerSettings
from workers.tasks import live_speech
from workers.tasks.job_decoding import JobDecoder
from workers.tasks.live_speech import answer, read_job, speech_job

STREAM = "cc:speech:replies:pbx-test"


class FakeStreams:
    def __init__(self) -> None:
        self.entries: list[tuple[str, dict[str, str], int, bool]] = []
        self.values: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.values.get(key)

    def xadd(self, name: str, fields: dict[str, str], *, maxlen: int, approximate: bool) -> bytes:
        self.entries.append((name, fields, maxlen, approximate))
        return b"1-0"

    def replies(self) -> list[SpeechReply]:
        return [SpeechReply.model_validate_json(fields[REPLY_FIELD]) for _, fields, _, _ in self.entries]


class CountingEngine:
    """An engine that says what it was given: how many samples, in batches as the decoder packed them."""

    name = "counting"
    mode = "batch"
    sample_rates = (16000,)
    decodes_during_speech = False

    def __init__(self, packs: bool, seconds_a_pass: float = 0.0) -> None:
        self.packs_utterances = packs
        self.batches: list[int] = []
        self._seconds = seconds_a_pass

    def transcribe_many(self, utterances: Sequence[Audio]) -> list[Transcript]:
        self.batches.append(len(utterances))
        time.sleep(self._seconds)
        return [Transcript(f"n{len(a.samples)}", (), True, self.name) for a in utterances]

    def warm(self) -> None: ...

    def open_stream(self, sample_rate: int) -> Any:
        raise NotImplementedError


def job(audio: Audio, **fields: Any) -> SpeechJob:
    defaults: dict[str, Any] = dict(
        call_id="call-1", utterance_id="call-1-0000", kind="final", reply_to=STREAM,
        audio=AudioPayload.from_audio(audio, "ulaw"), start_s=1.5, deadline=time.time() + 10,
    )  # fmt: skip
    return SpeechJob(**{**defaults, **fields})


def runtime_with(engine: Any) -> SpeechRuntime:
    return SpeechRuntime(SpeechSettings(), asr=engine, sentiment=lambda text: -0.8 if "never" in text else 0.4)


@pytest.fixture(scope="module")
def speech() -> Audio:
    return telephone(flite("I have been waiting for my refund for three weeks."))


def test_a_final_is_transcribed_by_moonshine_and_assessed_with_the_jobs_baseline(
    moonshine: MoonshineEngine, speech: Audio
) -> None:
    runtime = runtime_with(moonshine)
    decoder = JobDecoder(moonshine)
    padded = concat(speech, silence(0.9))  # the hangover's silence: trimmed before decoding
    first = answer(job(padded), runtime, decoder)
    assert first.error == "" and first.worker == f"{socket.gethostname()}:{os.getpid()}"
    assert (first.call_id, first.utterance_id, first.kind) == ("call-1", "call-1-0000", "final")
    assessment = first.assessment
    assert assessment is not None
    assert {"waiting", "refund", "three", "weeks"} <= words_of(assessment["text"])
    assert assessment["engine"] == "moonshine" and assessment["is_final"] and assessment["sentiment"] == 0.4
    assert assessment["start_s"] == 1.5 and assessment["end_s"] == pytest.approx(1.5 + padded.duration_s)
    assert assessment["baseline"]["utterances"] == 1
    # The next job carries the baseline back: the caller's history lives with pbx, not here.
    second = answer(job(speech, utterance_id="call-1-0001", baseline=assessment["baseline"]), runtime, decoder)
    assert second.assessment is not None and second.assessment["baseline"]["utterances"] == 2


def test_a_partial_does_not_teach_the_baseline_and_a_guess_is_assessed_as_a_final(
    moonshine: MoonshineEngine, speech: Audio
) -> None:
    runtime, decoder = runtime_with(moonshine), JobDecoder(moonshine)
    partial = answer(job(speech, kind="partial"), runtime, decoder).assessment
    guess = answer(job(speech, kind="guess"), runtime, decoder).assessment
    assert partial is not None and guess is not None
    assert not partial["is_final"] and partial["baseline"]["utterances"] == 0
    assert guess["is_final"] and guess["baseline"]["utterances"] == 1
    assert words_of(partial["text"]) == words_of(guess["text"])


def test_a_job_past_its_deadline_is_answered_expired_without_decoding(speech: Audio) -> None:
    engine = CountingEngine(packs=False)
    reply = answer(job(speech, deadline=time.time() - 0.01), runtime_with(engine), JobDecoder(engine))
    assert reply.error == "expired" and reply.assessment is None and engine.batches == []


def test_silence_is_assessed_without_an_engine_call() -> None:
    engine = CountingEngine(packs=False)
    quiet = Audio.from_bytes(bytes(8000), 8000, "slin16le")
    reply = answer(job(quiet), runtime_with(engine), JobDecoder(engine))
    assert reply.assessment is not None and reply.assessment["text"] == "" and engine.batches == []


def test_bad_audio_is_answered_with_the_reason_on_the_jobs_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    streams = FakeStreams()
    monkeypatch.setattr(live_speech, "reply_streams", lambda: streams)
    monkeypatch.setattr(live_speech, "process_decoder", lambda: pytest.fail("bad audio reached the decoder"))
    raw = job(silence(0.5)).model_dump(mode="json")
    raw["audio"] = {"sample_rate": 8000, "encoding": "slin16le", "pcm_b64": "AAAA"}  # 3 bytes: half a sample
    speech_job(raw)
    [reply] = streams.replies()
    assert reply.error.startswith("bad audio:") and "truncated" in reply.error and reply.assessment is None
    assert reply.job_id == raw["job_id"]
    # Not a job at all: nobody to answer, and nothing raised for Celery to retry.
    assert read_job({"call_id": "x"}) == (None, None)
    speech_job({"kind": "final"})
    assert len(streams.entries) == 1


def test_the_task_appends_its_reply_to_the_jobs_stream_capped(
    monkeypatch: pytest.MonkeyPatch, speech: Audio
) -> None:
    streams, engine = FakeStreams(), CountingEngine(packs=False)
    monkeypatch.setattr(live_speech, "reply_streams", lambda: streams)
    monkeypatch.setattr(live_speech, "process_runtime", lambda: runtime_with(engine))
    monkeypatch.setattr(live_speech, "process_decoder", lambda: JobDecoder(engine))
    sent = job(speech)
    speech_job(json.loads(sent.model_dump_json()))
    [(stream, fields, maxlen, approximate)] = streams.entries
    assert (stream, maxlen, approximate) == (STREAM, REPLY_STREAM_MAXLEN, True) and list(fields) == [REPLY_FIELD]
    [reply] = streams.replies()
    assert reply.job_id == sent.job_id and reply.assessment is not None
    assert reply.assessment["text"] == f"n{2 * len(speech.samples)}"  # resampled to the engine's 16 kHz


def test_a_partial_with_jobs_waiting_behind_it_is_answered_expired_undecoded(
    monkeypatch: pytest.MonkeyPatch, speech: Audio
) -> None:
    streams, engine = FakeStreams(), CountingEngine(packs=False)
    waiting = {"asr": 3}
    monkeypatch.setattr(live_speech, "reply_streams", lambda: streams)
    monkeypatch.setattr(live_speech, "jobs_waiting", lambda queue: waiting.get(queue, 0))
    monkeypatch.setattr(live_speech, "process_runtime", lambda: runtime_with(engine))
    monkeypatch.setattr(live_speech, "process_decoder", lambda: JobDecoder(engine))
    for kind in ("partial", "guess", "final"):
        speech_job.apply(args=[json.loads(job(speech, kind=kind).model_dump_json())], routing_key="asr")
    waiting["asr"] = 0  # an idle queue: the partial is worth its decode
    speech_job.apply(args=[json.loads(job(speech, kind="partial").model_dump_json())], routing_key="asr")
    replies = streams.replies()
    assert [(r.kind, r.error) for r in replies] == [("partial", "expired"), ("guess", ""), ("final", ""),
                                                    ("partial", "")]  # fmt: skip
    assert len(engine.batches) == 3


def test_an_engine_that_packs_gets_the_jobs_of_concurrent_tasks_in_one_pass(speech: Audio) -> None:
    engine = CountingEngine(packs=True, seconds_a_pass=0.3)
    decoder = JobDecoder(engine, batch_seconds=24.0)
    replies: dict[int, SpeechReply] = {}

    def task(i: int) -> None:
        replies[i] = answer(job(speech, utterance_id=f"call-1-{i:04d}"), runtime_with(engine), decoder)

    threads = [threading.Thread(target=task, args=(i,)) for i in range(4)]
    try:
        threads[0].start()
        time.sleep(0.1)  # the first is being decoded: the others wait for the next pass, together
        for thread in threads[1:]:
            thread.start()
        for thread in threads:
            thread.join(10)
    finally:
        decoder.close()
    assert engine.batches == [1, 3]
    assert {r.utterance_id for r in replies.values()} == {f"call-1-{i:04d}" for i in range(4)}
    assert all(r.assessment is not None and r.assessment["text"] for r in replies.values())


def test_a_failing_engine_still_answers_with_prosody_and_the_error(speech: Audio) -> None:
    class BrokenEngine(CountingEngine):
        def transcribe_many(self, utterances: Sequence[Audio]) -> list[Transcript]:
            raise RuntimeError("onnx broke")

    engine = BrokenEngine(packs=False)
    reply = answer(job(speech), runtime_with(engine), JobDecoder(engine))
    assert reply.assessment is not None and reply.assessment["error"] == "RuntimeError: onnx broke"
    assert reply.assessment["text"] == "" and reply.assessment["prosody"] is not None


def test_the_workers_pool_and_concurrency_are_settings() -> None:
    assert WorkerSettings.from_env({}) == WorkerSettings("prefork", None)
    assert WorkerSettings.from_env({"CC_WORKER_POOL": "Threads", "CC_WORKER_CONCURRENCY": "3"}) == WorkerSettings(
        "threads", 3
    )
    with pytest.raises(SettingsError, match="CC_WORKER_POOL"):
        WorkerSettings.from_env({"CC_WORKER_POOL": "gevent"})
    with pytest.raises(SettingsError, match="CC_WORKER_CONCURRENCY"):
        WorkerSettings.from_env({"CC_WORKER_CONCURRENCY": "-1"})


def test_a_job_older_than_the_newest_of_its_utterance_is_answered_expired_undecoded(
    monkeypatch: pytest.MonkeyPatch, speech: Audio
) -> None:
    from workers.remote.messages import LATEST_JOB_PREFIX

    streams, engine = FakeStreams(), CountingEngine(packs=False)
    monkeypatch.setattr(live_speech, "reply_streams", lambda: streams)
    monkeypatch.setattr(live_speech, "jobs_waiting", lambda queue: 0)
    monkeypatch.setattr(live_speech, "process_runtime", lambda: runtime_with(engine))
    monkeypatch.setattr(live_speech, "process_decoder", lambda: JobDecoder(engine))
    older, newest = job(speech, kind="partial"), job(speech, kind="guess")
    older, newest = older.model_copy(update={"seq": 3}), newest.model_copy(update={"seq": 4})
    streams.values[LATEST_JOB_PREFIX + newest.utterance_id] = b"4"
    for sent in (older, newest):
        speech_job.apply(args=[json.loads(sent.model_dump_json())], routing_key="asr")
    assert [(r.kind, r.error) for r in streams.replies()] == [("partial", "expired"), ("guess", "")]
    assert len(engine.batches) == 1
