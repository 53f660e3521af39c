"""Call audio → VAD → ASR engine: the one code path shared by live calls and the file CLI.

A :class:`CallSpeechPipeline` belongs to one call. It validates and decodes each 20 ms frame,
segments it with the VAD and hands speech to a per-call recognizer:

- streaming engines (Vosk) get the frames of each utterance as they arrive, and answer
  partials at once and a final when the VAD closes the utterance;
- batch engines (Whisper) get whole utterances and long-speech partial segments through an
  :class:`~workers.asr.batcher.UtteranceBatcher` shared by all calls of the process;
- batch engines cheap enough to decode during speech (Moonshine) also get partials every
  ``live_partial_every_ms`` and a speculative final at each pause
  (:class:`~workers.asr.speculative.SpeculativeRecognizer`), so the final is ready when the
  VAD declares the end.

Either way results reach the call's sink as :class:`UtteranceResult`; silence never reaches
an engine, which is most of what makes many calls per core possible.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from workers.asr.base import AsrEngine, AsrStream, Transcript
from workers.asr.batcher import LatencyObserver, UtteranceBatcher
from workers.asr.results import CallRecognizer, ResultSink, UtteranceResult, to_engine_rate
from workers.asr.speculative import SpeculativeRecognizer
from workers.asr.streaming import StreamingPool
from workers.audio import CALL_RATES, Audio, AudioError, Encoding, check_frame
from workers.metrics import asr_metrics
from workers.settings import VadSettings
from workers.vad import (
    PartialSegment,
    SpeechDiscarded,
    SpeechFrames,
    SpeechStarted,
    Utterance,
    UtteranceSegmenter,
    VadEvent,
)


class StreamingRecognizer:
    """Per-call streams of a streaming engine, one per utterance (decoded on the pool's thread, if given)."""

    def __init__(
        self,
        engine: AsrEngine,
        call_id: str,
        sample_rate: int,
        sink: ResultSink,
        pool: StreamingPool | None = None,
        latency: LatencyObserver | None = None,
    ) -> None:
        """``latency``: each final's time from the end of speech (cc_asr_latency_seconds by default)."""
        self._engine, self._call_id, self._sink, self._pool = engine, call_id, sink, pool
        self._latency = latency if latency is not None else asr_metrics().decoded
        self._stream_rate = sample_rate if sample_rate in engine.sample_rates else engine.sample_rates[0]
        self._streams: dict[int, AsrStream] = {}
        self._started: dict[int, float] = {}

    def on_event(self, event: VadEvent) -> None:
        if self._pool is None:
            self._handle(event, time.monotonic())
        else:
            ended_at = time.monotonic()
            self._pool.submit(self._call_id, lambda: self._handle(event, ended_at))

    def _handle(self, event: VadEvent, ended_at: float) -> None:
        if isinstance(event, SpeechFrames):
            stream = self._streams.get(event.index)
            if stream is None:
                stream = self._streams[event.index] = self._engine.open_stream(self._stream_rate)
            audio = event.audio
            if audio.sample_rate != self._stream_rate:
                audio = audio.resample(self._stream_rate)
            partial = stream.feed(audio)
            if partial is not None and partial.text:
                start = self._started.get(event.index, 0.0)
                self._sink(UtteranceResult(self._call_id, event.index, start, start, partial, None))
        elif isinstance(event, SpeechStarted):
            self._started[event.index] = event.start_s
        elif isinstance(event, SpeechDiscarded):
            self._streams.pop(event.index, None)
            self._started.pop(event.index, None)
        elif isinstance(event, Utterance):
            self._started.pop(event.index, None)
            stream = self._streams.pop(event.index, None)
            final = stream.finish() if stream is not None else Transcript.empty(self._engine.name)
            if stream is not None:
                self._latency(self._engine.name, time.monotonic() - ended_at)
            self._sink(
                UtteranceResult(
                    self._call_id,
                    event.index,
                    event.start_s,
                    event.end_s,
                    final,
                    event.audio,
                    cut=event.cut,
                    ended_at=ended_at,
                )
            )


class BatchedRecognizer:
    """Whole utterances (and long-speech partials) go to the process's shared batcher."""

    def __init__(self, batcher: UtteranceBatcher, call_id: str, sink: ResultSink) -> None:
        self._batcher, self._call_id, self._sink = batcher, call_id, sink

    def on_event(self, event: VadEvent) -> None:
        if isinstance(event, Utterance):
            self._submit(event.index, event.start_s, event.end_s, event.audio, True, event.cut)
        elif isinstance(event, PartialSegment):
            self._submit(event.index, event.start_s, event.end_s, event.audio, False, False)

    def _submit(self, index: int, start: float, end: float, audio: Audio, is_final: bool, cut: bool) -> None:
        ended_at = time.monotonic()
        engine = self._batcher.engine

        def deliver(transcript: Transcript | None, error: BaseException | None) -> None:
            if transcript is None:
                transcript = Transcript.empty(engine.name, is_final)
            self._sink(
                UtteranceResult(
                    self._call_id,
                    index,
                    start,
                    end,
                    transcript,
                    audio,
                    cut,
                    error=None if error is None else f"{type(error).__name__}: {error}",
                    ended_at=ended_at,
                )
            )

        self._batcher.submit((self._call_id, index), to_engine_rate(audio, engine), is_final, deliver)


class Recognition:
    """How this process's engine meets calls: streaming per call, or batched across calls."""

    def __init__(
        self, engine: AsrEngine, batcher: UtteranceBatcher | None = None, pool: StreamingPool | None = None
    ) -> None:
        """``pool`` moves streaming decodes off the feeding thread; without one they run inline."""
        self.engine = engine
        self.batcher = batcher
        self.pool = pool
        if engine.mode == "batch" and batcher is None:
            raise ValueError(f"{engine.name} is a batch engine: give Recognition an UtteranceBatcher")

    @property
    def streaming(self) -> bool:
        return self.engine.mode == "streaming"

    @property
    def speculative(self) -> bool:
        return self.engine.mode == "batch" and self.engine.decodes_during_speech

    def for_call(self, call_id: str, sample_rate: int, sink: ResultSink) -> CallRecognizer:
        if self.streaming:
            return StreamingRecognizer(self.engine, call_id, sample_rate, sink, self.pool)
        assert self.batcher is not None
        plain = BatchedRecognizer(self.batcher, call_id, sink)
        return SpeculativeRecognizer(self.batcher, call_id, sink, plain) if self.speculative else plain

    def drain(self, timeout: float | None = None) -> bool:
        if self.pool is not None:
            self.pool.drain()
        return True if self.batcher is None else self.batcher.drain(timeout)


class CallSpeechPipeline:
    def __init__(
        self,
        call_id: str,
        sample_rate: int,
        encoding: Encoding,
        recognition: Recognition,
        sink: ResultSink,
        vad: VadSettings | None = None,
    ) -> None:
        if sample_rate not in CALL_RATES:
            raise AudioError(f"call audio must be 8000 or 16000 Hz, got {sample_rate}")
        self.call_id = call_id
        self.sample_rate = sample_rate
        self.encoding: Encoding = encoding
        vad = vad or VadSettings()
        if recognition.speculative:
            vad = dataclasses.replace(vad, partial_every_ms=vad.live_partial_every_ms)
        self._segmenter = UtteranceSegmenter(
            sample_rate, vad, emit_frames=recognition.streaming, speculate=recognition.speculative
        )
        self._recognizer = recognition.for_call(call_id, sample_rate, sink)

    def feed_frame(self, frame: bytes) -> list[VadEvent]:
        """One 20 ms frame exactly as it came off the wire."""
        check_frame(frame, self.sample_rate, self.encoding)
        return self.feed_samples(Audio.from_bytes(frame, self.sample_rate, self.encoding).samples)

    def feed_samples(self, samples: np.ndarray) -> list[VadEvent]:
        events = self._segmenter.feed(samples)
        for event in events:
            self._recognizer.on_event(event)
        return events

    def close(self) -> list[VadEvent]:
        """End of call: the utterance in progress (if long enough) is recognised too."""
        events = self._segmenter.flush()
        for event in events:
            self._recognizer.on_event(event)
        return events


def call_rate_for(sample_rate: int) -> int:
    """The call rate a recording is treated as: wideband if it has the bandwidth, else narrowband."""
    return 16000 if sample_rate >= 16000 else 8000


def transcribe_recording(
    audio: Audio,
    recognition: Recognition,
    *,
    call_id: str = "file",
    call_rate: int | None = None,
    encoding: Encoding = "slin16le",
    vad: VadSettings | None = None,
) -> list[UtteranceResult]:
    """A whole recording through the live path: to the call rate and codec, 20 ms frames, VAD, engine."""
    rate = call_rate or call_rate_for(audio.sample_rate)
    call_audio = audio.resample(rate)
    results: list[UtteranceResult] = []
    pipeline = CallSpeechPipeline(call_id, rate, encoding, recognition, results.append, vad)
    for frame in call_audio.frames():
        pipeline.feed_frame(Audio(frame, rate).to_bytes(encoding))
    pipeline.close()
    recognition.drain()
    return sorted((r for r in results if r.is_final), key=lambda r: r.index)
