"""The in-process live path: call frames in, :class:`UtteranceAssessment` out.

This is what pbx's media gateway runs (see README "Speech workers" for why in-process and not
through Celery): one :class:`LiveSpeech` per process owns the engine and its ASR threads (a
batcher for batch engines, a streaming pool for streaming ones); one :class:`CallSession` per
call owns its VAD state and its caller baseline. The feeding thread only decodes and runs the
VAD (~20 µs a frame); assessments are delivered from an ASR thread, so an asyncio owner hands
them to its loop with ``call_soon_threadsafe``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import numpy as np

from workers.asr.base import AsrEngine
from workers.asr.batcher import BatchObserver, UtteranceBatcher
from workers.asr.pipeline import CallSpeechPipeline, Recognition, UtteranceResult
from workers.asr.streaming import StreamingPool
from workers.assessment import UtteranceAssessment, assess
from workers.audio import AudioError, Encoding
from workers.prosody import CallerBaseline
from workers.sentiment import SentimentFn
from workers.settings import VadSettings
from workers.vad import VadEvent

AssessmentSink = Callable[[UtteranceAssessment, UtteranceResult], None]


class FramedCallSession:
    """What pbx's media gateway feeds, in or out of process: 20 ms frames into the call's
    pipeline (VAD, framing), and the caller's prosody baseline as the last final left it.
    Subclasses set ``_pipeline``, ``_lock`` and ``_baseline``."""

    _pipeline: CallSpeechPipeline
    _lock: threading.Lock
    _baseline: CallerBaseline

    @property
    def baseline(self) -> CallerBaseline:
        with self._lock:
            return self._baseline

    def feed_frame(self, frame: bytes) -> list[VadEvent]:
        """One 20 ms frame as it came off the wire, in the session's encoding."""
        return self._pipeline.feed_frame(frame)

    def feed_samples(self, samples: np.ndarray) -> list[VadEvent]:
        """One 20 ms frame already decoded (pbx's media gateway): no round trip through bytes."""
        if samples.dtype.kind not in "iu":
            # Float samples (-1..1) cast to int16 would be heard as silence, not as the error they are.
            raise AudioError(f"call samples must be 16-bit integers, got {samples.dtype}")
        return self._pipeline.feed_samples(samples.astype(np.int16, copy=False))

    def close(self) -> list[VadEvent]:
        return self._pipeline.close()


class CallSession(FramedCallSession):
    def __init__(
        self,
        call_id: str,
        sample_rate: int,
        encoding: Encoding,
        recognition: Recognition,
        sentiment: SentimentFn,
        sink: AssessmentSink,
        vad: VadSettings | None = None,
        baseline: CallerBaseline | None = None,
    ) -> None:
        self.call_id = call_id
        self._sentiment = sentiment
        self._sink = sink
        # Results of one call arrive in order from one thread; the lock only guards readers elsewhere.
        self._lock = threading.Lock()
        self._baseline = baseline or CallerBaseline()
        # With several ASR threads a partial can finish after its own final: it is stale then.
        self._last_final = -1
        self._pipeline = CallSpeechPipeline(call_id, sample_rate, encoding, recognition, self._on_result, vad)

    def _on_result(self, result: UtteranceResult) -> None:
        with self._lock:
            if not result.is_final and result.index <= self._last_final:
                return
            if result.is_final:
                self._last_final = max(self._last_final, result.index)
            assessment = assess(
                call_id=self.call_id,
                utterance_id=result.utterance_id,
                audio=result.audio,
                transcript=result.transcript,
                baseline=self._baseline,
                sentiment=self._sentiment,
                start_s=result.start_s,
                end_s=result.end_s,
                error=result.error,
            )
            self._baseline = assessment.baseline
        self._sink(assessment, result)


class LiveSpeech:
    def __init__(
        self,
        engine: AsrEngine,
        sentiment: SentimentFn,
        vad: VadSettings | None = None,
        batch_seconds: float = 24.0,
        observer: BatchObserver | None = None,
        asr_workers: int | None = None,
    ) -> None:
        """``asr_workers``: ASR threads sharing the engine. By default one, or one a core (at most
        two) for an engine that decodes during speech, so a pause's guess never waits behind a
        partial already being decoded for another call or this one."""
        if asr_workers is None:
            asr_workers = min(2, os.cpu_count() or 1) if engine.decodes_during_speech else 1
        self.engine = engine
        self._sentiment = sentiment
        self._vad = vad
        batch = engine.mode == "batch"
        self.batcher = (
            UtteranceBatcher(engine, batch_seconds, observer, threads=asr_workers) if batch else None
        )
        self.pool = None if batch else StreamingPool(asr_workers)
        self.recognition = Recognition(engine, self.batcher, self.pool)

    def open_call(
        self, call_id: str, sample_rate: int, encoding: Encoding, sink: AssessmentSink
    ) -> CallSession:
        return CallSession(call_id, sample_rate, encoding, self.recognition, self._sentiment, sink, self._vad)

    def drain(self, timeout: float | None = None) -> bool:
        return self.recognition.drain(timeout)

    def close(self) -> None:
        if self.batcher is not None:
            self.batcher.close()
        if self.pool is not None:
            self.pool.close()
