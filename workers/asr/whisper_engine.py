"""faster-whisper engine (CTranslate2), offline, from a local model directory only.

Whisper's encoder always processes a 30 s window, however short the audio: one 2 s
utterance costs nearly as much as 30 s of speech. So utterances are *packed*: several
(from any calls) go into one window, separated by short silences, and the words that come
back are split between them by their timestamps. Measured here on 8 kHz telephone speech:
0.24 CPU-s per speech second one by one, 0.09 packed, with the same or better accuracy.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workers.asr.base import AsrError, EngineMode, Transcript, Word
from workers.audio import Audio
from workers.models import enforce_offline

RATE = 16000
# Silence between packed utterances: long enough that Whisper's word timestamps (±0.2 s) fall
# on the right side of the boundary, short enough to waste little of the window.
PACK_GAP_S = 0.4
# Whisper can only time words inside its 30 s window; leave room for timestamp drift.
WINDOW_LIMIT_S = 28.0
MIN_UTTERANCE_S = 0.1
# A streaming Whisper re-decodes the whole buffer, so it answers partials no more often than this.
STREAM_PARTIAL_EVERY_S = 2.0


@dataclass(frozen=True, eq=False)
class PackedWindow:
    samples: np.ndarray  # float32 at 16 kHz, ready for the model
    members: tuple[int, ...]  # indices into the utterance list
    offsets: tuple[float, ...]  # where each member starts in the window, seconds
    durations: tuple[float, ...]


def plan_windows(durations: Sequence[float], batch_seconds: float) -> list[list[int]]:
    """Greedy, order-preserving groups whose packed length stays within the window."""
    limit = min(batch_seconds, WINDOW_LIMIT_S)
    groups: list[list[int]] = []
    current: list[int] = []
    length = 0.0
    for i, d in enumerate(durations):
        extra = d + (PACK_GAP_S if current else 0.0)
        if current and length + extra > limit:
            groups.append(current)
            current, length, extra = [], 0.0, d
        current.append(i)
        length += extra
    if current:
        groups.append(current)
    return groups


def pack(utterances: Sequence[np.ndarray], members: Sequence[int]) -> PackedWindow:
    gap = np.zeros(int(PACK_GAP_S * RATE), dtype=np.float32)
    parts: list[np.ndarray] = []
    offsets, durations = [], []
    position = 0
    for k, i in enumerate(members):
        if k:
            parts.append(gap)
            position += len(gap)
        offsets.append(position / RATE)
        durations.append(len(utterances[i]) / RATE)
        parts.append(utterances[i])
        position += len(utterances[i])
    return PackedWindow(np.concatenate(parts), tuple(members), tuple(offsets), tuple(durations))


def split_words(window: PackedWindow, words: Sequence[Word]) -> list[list[Word]]:
    """Give each word to the utterance its midpoint falls in, with times relative to that utterance."""
    out: list[list[Word]] = [[] for _ in window.members]
    half_gap = PACK_GAP_S / 2
    for w in words:
        mid = (w.start + w.end) / 2
        for k, (offset, duration) in enumerate(zip(window.offsets, window.durations, strict=True)):
            if mid < offset + duration + half_gap or k == len(window.members) - 1:
                start = min(max(w.start - offset, 0.0), duration)
                end = min(max(w.end - offset, start), duration)
                out[k].append(Word(word=w.word, conf=w.conf, start=round(start, 3), end=round(end, 3)))
                break
    return out


def _text(words: Sequence[Word]) -> str:
    return " ".join(w.word for w in words).strip()


class WhisperStream:
    def __init__(self, engine: WhisperEngine, sample_rate: int) -> None:
        self._engine = engine
        self._sample_rate = sample_rate
        self._chunks: list[np.ndarray] = []
        self._samples = 0
        self._decoded_at = 0
        self._last_text = ""

    def feed(self, samples: Audio) -> Transcript | None:
        if samples.sample_rate != self._sample_rate:
            raise AsrError(f"stream opened at {self._sample_rate} Hz was fed {samples.sample_rate} Hz audio")
        self._chunks.append(samples.samples)
        self._samples += len(samples.samples)
        if (self._samples - self._decoded_at) / self._sample_rate < STREAM_PARTIAL_EVERY_S:
            return None
        self._decoded_at = self._samples
        partial = self._decode(is_final=False)
        if partial.text == self._last_text:
            return None
        self._last_text = partial.text
        return partial

    def finish(self) -> Transcript:
        return self._decode(is_final=True)

    def _decode(self, is_final: bool) -> Transcript:
        if not self._chunks:
            return Transcript.empty(self._engine.name, is_final)
        audio = Audio(np.concatenate(self._chunks), self._sample_rate)
        t = self._engine.transcribe_many([audio])[0]
        return Transcript(text=t.text, words=t.words, is_final=is_final, engine=t.engine)


class WhisperEngine:
    name: str = "whisper"
    mode: EngineMode = "batch"
    sample_rates: tuple[int, ...] = (RATE,)
    packs_utterances: bool = True
    decodes_during_speech: bool = False

    def __init__(
        self,
        model_path: Path,
        *,
        compute_type: str = "int8",
        threads: int = 1,
        workers: int = 1,
        language: str = "en",
        batch_seconds: float = 24.0,
    ) -> None:
        enforce_offline()
        from faster_whisper import WhisperModel

        # faster-whisper logs every call at INFO: at dozens of utterances a second that drowns worker logs.
        logging.getLogger("faster_whisper").setLevel(logging.WARNING)

        self.model_path = model_path
        self.batch_seconds = batch_seconds
        # local_files_only + a directory path: faster-whisper never resolves a hub name.
        self.model = WhisperModel(
            str(model_path),
            device="cpu",
            compute_type=compute_type,
            cpu_threads=threads,
            num_workers=workers,  # concurrent transcribe() calls from that many threads
            local_files_only=True,
        )
        # Greedy, no fallback temperatures: bounded CPU per window matters more on a live box
        # than the rare recovery a temperature retry buys. Our own VAD ran already.
        self.options = dict(
            language=language if self.model.model.is_multilingual else None,
            beam_size=1,
            temperature=0.0,
            condition_on_previous_text=False,
            vad_filter=False,
            word_timestamps=True,
        )

    def open_stream(self, sample_rate: int) -> WhisperStream:
        if sample_rate not in self.sample_rates:
            raise AsrError(f"whisper takes {RATE} Hz audio, not {sample_rate}")
        return WhisperStream(self, sample_rate)

    def warm(self) -> None:
        noise = np.random.default_rng(0).normal(0, 300, RATE).astype(np.int16)
        self.transcribe_many([Audio(noise, RATE)])

    def build_windows(self, utterances: Sequence[Audio]) -> list[PackedWindow]:
        for a in utterances:
            if a.sample_rate != RATE:
                raise AsrError(f"whisper takes {RATE} Hz audio, not {a.sample_rate}")
        floats = [a.to_float() for a in utterances]
        groups = plan_windows([len(f) / RATE for f in floats], self.batch_seconds)
        return [pack(floats, g) for g in groups]

    def decode(self, samples: np.ndarray) -> list[Word]:
        segments, _info = self.model.transcribe(samples, **self.options)
        return [
            Word(
                word=w.word.strip(),
                conf=round(float(w.probability), 4),
                start=float(w.start),
                end=float(w.end),
            )
            for s in segments
            for w in (s.words or ())
            if w.word.strip()
        ]

    def transcribe_many(self, utterances: Sequence[Audio]) -> list[Transcript]:
        results: list[Transcript | None] = [None] * len(utterances)
        # Too short to hold a word: not worth a place in a window (and Whisper invents text for it).
        audible = [i for i, a in enumerate(utterances) if a.duration_s >= MIN_UTTERANCE_S]
        for window in self.build_windows([utterances[i] for i in audible]):
            for member, words in zip(
                window.members, split_words(window, self.decode(window.samples)), strict=True
            ):
                results[audible[member]] = Transcript(
                    _text(words), tuple(words), is_final=True, engine=self.name
                )
        return [r if r is not None else Transcript.empty(self.name) for r in results]
