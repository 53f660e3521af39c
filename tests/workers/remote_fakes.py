"""A transport without Redis or Celery, and a worker's answer made the way a worker makes it."""

from __future__ import annotations

import itertools
import queue
import threading
import time

import numpy as np

from workers.asr.base import Transcript
from workers.assessment import UtteranceAssessment, assess
from workers.audio import Audio
from workers.prosody import CallerBaseline
from workers.remote.messages import REPLY_FIELD, SpeechJob, SpeechReply
from workers.remote.transport import ReplyEntry


class FakeTransport:
    reply_stream = "cc:speech:replies:test-pbx"

    def __init__(self) -> None:
        self.sent: list[SpeechJob] = []
        self.superseded: list[tuple[str, int]] = []
        self._inbox: queue.Queue[ReplyEntry] = queue.Queue()
        self._ids = itertools.count(1)
        self._sent_cond = threading.Condition()
        self.closed = False

    def send(self, job: SpeechJob) -> None:
        with self._sent_cond:
            self.sent.append(job)
            self._sent_cond.notify_all()

    def supersede(self, utterance_id: str, seq: int) -> None:
        self.superseded.append((utterance_id, seq))

    def receive(self, block_s: float) -> list[ReplyEntry]:
        try:  # short waits (the reader just asks again): close() in a test's teardown is quick
            entries = [self._inbox.get(timeout=min(block_s, 0.05))]
        except queue.Empty:
            return []
        while True:
            try:
                entries.append(self._inbox.get_nowait())
            except queue.Empty:
                return entries

    def close(self) -> None:
        self.closed = True

    def push(self, fields: dict[str, str]) -> None:
        self._inbox.put((f"{next(self._ids)}-0", fields))

    def answer(self, job: SpeechJob, text: str = "hello there", *, error: str = "", with_assessment: bool = True,
               baseline: CallerBaseline | None = None, worker: str = "w1:100") -> None:  # fmt: skip
        assessment = worker_assessment(job, text, baseline) if with_assessment else None
        reply = SpeechReply(job_id=job.job_id, call_id=job.call_id, utterance_id=job.utterance_id, kind=job.kind,
                            assessment=None if assessment is None else assessment.model_dump(mode="json"),
                            error=error, worker=worker)  # fmt: skip
        self.push({REPLY_FIELD: reply.model_dump_json()})

    def wait_sent(self, n: int, timeout: float = 2.0) -> list[SpeechJob]:
        with self._sent_cond:
            assert self._sent_cond.wait_for(lambda: len(self.sent) >= n, timeout), f"{len(self.sent)} jobs sent"
            return list(self.sent)


def worker_assessment(job: SpeechJob, text: str, baseline: CallerBaseline | None = None) -> UtteranceAssessment:
    """What a worker answers: the job's audio assessed against the baseline it carried."""
    before = baseline or CallerBaseline.model_validate(job.baseline or {})
    audio = job.audio.to_audio()
    assessment = assess(call_id=job.call_id, utterance_id=job.utterance_id, audio=audio,
                        transcript=Transcript(text, (), job.kind != "partial", "fake"), baseline=before,
                        sentiment=lambda t: -0.6 if "angry" in t else 0.2, start_s=job.start_s)  # fmt: skip
    if baseline is not None:  # a scripted baseline "after" this utterance
        assessment = assessment.model_copy(update={"baseline": baseline})
    return assessment


def voiced(seconds: float, rate: int = 8000, pitch: float = 180.0) -> Audio:
    """A vowel-like buzz loud enough to measure (prosody needs voiced frames)."""
    t = np.arange(int(seconds * rate)) / rate
    wave = sum(np.sin(2 * np.pi * pitch * k * t) / k for k in range(1, 6)) * 4000
    return Audio(wave.astype(np.int16), rate)


class Collector:
    def __init__(self) -> None:
        self.items: list[tuple[UtteranceAssessment, object]] = []
        self._cond = threading.Condition()

    def __call__(self, assessment: UtteranceAssessment, result: object) -> None:
        with self._cond:
            self.items.append((assessment, result))
            self._cond.notify_all()

    def wait(self, n: int, timeout: float = 2.0) -> list[UtteranceAssessment]:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.items) >= n, timeout), f"{len(self.items)} delivered"
            return [a for a, _ in self.items]

    def quiet_for(self, seconds: float) -> list[UtteranceAssessment]:
        time.sleep(seconds)
        with self._cond:
            return [a for a, _ in self.items]
