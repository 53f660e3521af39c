"""Utterance segmentation over 20 ms frames with webrtcvad.

One :class:`UtteranceSegmenter` per call direction. It turns frames into events:

- :class:`SpeechStarted` once an utterance holds ``min_speech_ms`` of voiced audio (so a
  cough or a click never starts one, and barge-in can trust it);
- :class:`PartialSegment` every ``partial_every_ms`` of a long utterance, carrying the audio
  so far, so a long angry sentence can be judged before it ends;
- :class:`Utterance` after ``hangover_ms`` of silence, or when ``max_utterance_ms`` is
  reached (``cut=True``; the next utterance continues seamlessly).

With ``emit_frames=True`` (for streaming engines) it also passes the audio of an utterance on
as it arrives (:class:`SpeechFrames`, the first one with the pre-roll), and says
:class:`SpeechDiscarded` when what looked like speech ended too short to count.

With ``speculate=True`` (for engines cheap enough to decode during speech) it says
:class:`SpeechPaused` as soon as ``TAIL_MS`` of silence follows speech, with exactly the audio
the :class:`Utterance` will carry if the caller does not go on (so a decode started then is
the final one, done by the time the hangover ends), and :class:`SpeechResumed` if they do.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import webrtcvad

from workers.audio import FRAME_MS, Audio, AudioError
from workers.settings import VadSettings

# webrtcvad judges 10/20/30 ms frames at these rates only.
VAD_RATES = (8000, 16000, 32000, 48000)
# Speech starts when this share of the last START_WINDOW_MS of frames is voiced.
START_WINDOW_MS = 100
START_RATIO = 0.6
# Silence kept after the last voiced frame: word endings (stops, fricatives) are often unvoiced.
TAIL_MS = 120


@dataclass(frozen=True)
class SpeechStarted:
    index: int
    start_s: float


@dataclass(frozen=True, eq=False)
class PartialSegment:
    index: int
    start_s: float
    end_s: float
    audio: Audio


@dataclass(frozen=True, eq=False)
class Utterance:
    index: int
    start_s: float
    end_s: float
    audio: Audio
    voiced_s: float
    cut: bool = False  # ended by max_utterance_ms, not by silence


@dataclass(frozen=True, eq=False)
class SpeechFrames:
    index: int
    audio: Audio


@dataclass(frozen=True)
class SpeechDiscarded:
    index: int


@dataclass(frozen=True, eq=False)
class SpeechPaused:
    index: int
    start_s: float
    end_s: float
    audio: Audio  # what the Utterance will hold if no speech follows within the hangover


@dataclass(frozen=True)
class SpeechResumed:
    index: int


VadEvent = (
    SpeechStarted | PartialSegment | Utterance | SpeechFrames | SpeechDiscarded | SpeechPaused | SpeechResumed
)


class UtteranceSegmenter:
    def __init__(
        self,
        sample_rate: int,
        config: VadSettings | None = None,
        frame_ms: int = FRAME_MS,
        emit_frames: bool = False,
        speculate: bool = False,
    ) -> None:
        if sample_rate not in VAD_RATES:
            raise AudioError(f"VAD needs {', '.join(map(str, VAD_RATES))} Hz audio, got {sample_rate}")
        self.config = config or VadSettings()
        self.sample_rate = sample_rate
        self.frame_ms = frame_ms
        self.frame_samples = sample_rate * frame_ms // 1000
        self.emit_frames = emit_frames
        self.speculate = speculate
        self._vad = webrtcvad.Vad(self.config.aggressiveness)
        c = self.config
        self._start_frames = max(1, START_WINDOW_MS // frame_ms)
        self._pre_roll_frames = c.pre_roll_ms // frame_ms
        self._hangover_frames = max(1, c.hangover_ms // frame_ms)
        self._min_speech_frames = max(1, c.min_speech_ms // frame_ms)
        self._max_frames = max(self._start_frames + 1, c.max_utterance_ms // frame_ms)
        self._partial_frames = c.partial_every_ms // frame_ms if c.partial_every_ms > 0 else 0
        self._tail_frames = TAIL_MS // frame_ms
        # Mean square of int16 samples at the energy floor: compared without a log per frame.
        self._floor_power = (32768.0 * 10 ** (c.energy_floor_dbfs / 20)) ** 2
        self._frame_no = 0
        self._next_index = 0
        self._reset_idle()

    def _reset_idle(self) -> None:
        self._in_speech = False
        self._ring: deque[np.ndarray] = deque(maxlen=self._pre_roll_frames + self._start_frames)
        self._window: deque[bool] = deque(maxlen=self._start_frames)
        self._frames: list[np.ndarray] = []
        self._voiced = 0
        self._trailing = 0
        self._announced = False
        self._since_partial = 0
        self._paused = False

    @property
    def in_speech(self) -> bool:
        return self._in_speech

    def feed(self, frame: np.ndarray) -> list[VadEvent]:
        """One frame of int16 samples at the segmenter's rate; returns the events it completes."""
        if len(frame) != self.frame_samples:
            raise AudioError(
                f"VAD frame of {len(frame)} samples, expected {self.frame_samples} "
                f"({self.frame_ms} ms at {self.sample_rate} Hz)"
            )
        x = frame.astype(np.float32)
        loud = float(np.dot(x, x)) / len(x) >= self._floor_power
        voiced = loud and self._vad.is_speech(frame.astype("<i2", copy=False).tobytes(), self.sample_rate)
        self._frame_no += 1
        if not self._in_speech:
            return self._idle(frame, voiced)
        return self._speech(frame, voiced)

    def flush(self) -> list[VadEvent]:
        """End of stream: an utterance in progress ends here if it holds enough speech."""
        if not self._in_speech:
            return []
        events = self._finish(cut=False, keep_trailing=True)
        self._reset_idle()
        return events

    def _idle(self, frame: np.ndarray, voiced: bool) -> list[VadEvent]:
        self._ring.append(frame)
        self._window.append(voiced)
        if len(self._window) < self._start_frames or sum(self._window) < START_RATIO * self._start_frames:
            return []
        self._in_speech = True
        self._frames = list(self._ring)
        self._voiced = sum(self._window)
        self._trailing = 0
        self._since_partial = 0
        events: list[VadEvent] = []
        if self.emit_frames:
            events.append(SpeechFrames(self._next_index, self._audio(self._frames)))
        return events + self._maybe_announce()

    def _speech(self, frame: np.ndarray, voiced: bool) -> list[VadEvent]:
        self._frames.append(frame)
        self._since_partial += 1
        events: list[VadEvent] = []
        if voiced:
            self._voiced += 1
            self._trailing = 0
            if self._paused:
                self._paused = False
                events.append(SpeechResumed(self._next_index))
        else:
            self._trailing += 1
        if self.emit_frames:
            events.append(SpeechFrames(self._next_index, Audio(frame, self.sample_rate)))
        events += self._maybe_announce()
        if (
            self.speculate
            and not self._paused
            and self._trailing == self._tail_frames
            and self._voiced >= self._min_speech_frames
            and self._trailing < self._hangover_frames
        ):
            # The frames so far are exactly what _finish(keep_trailing=False) will keep.
            self._paused = True
            audio = self._audio(self._frames)
            events.append(SpeechPaused(self._next_index, self._start_s(), self._now_s(), audio))
        if self._trailing >= self._hangover_frames:
            events += self._finish(cut=False, keep_trailing=False)
            self._reset_idle()
        elif len(self._frames) >= self._max_frames:
            events += self._finish(cut=True, keep_trailing=True)
            # Speech goes on: the next utterance starts now, with nothing lost between the two.
            self._frames, self._voiced, self._trailing, self._since_partial = [], 0, 0, 0
            self._announced = False
            self._paused = False
        elif (
            self._partial_frames
            and self._announced
            and not self._paused  # nothing new said since the speculative decode began
            and self._since_partial >= self._partial_frames
        ):
            self._since_partial = 0
            audio = self._audio(self._frames)
            events.append(PartialSegment(self._next_index, self._start_s(), self._now_s(), audio))
        return events

    def _maybe_announce(self) -> list[VadEvent]:
        if self._announced or self._voiced < self._min_speech_frames:
            return []
        self._announced = True
        return [SpeechStarted(self._next_index, self._start_s())]

    def _finish(self, cut: bool, keep_trailing: bool) -> list[VadEvent]:
        frames = self._frames
        if not keep_trailing:
            frames = frames[: len(frames) - max(0, self._trailing - self._tail_frames)]
        if self._voiced < self._min_speech_frames:
            # A click or a breath: never announced; only a streaming consumer saw its audio.
            return [SpeechDiscarded(self._next_index)] if self.emit_frames else []
        start = self._start_s()
        utterance = Utterance(
            index=self._next_index,
            start_s=start,
            end_s=start + len(frames) * self.frame_ms / 1000,
            audio=self._audio(frames),
            voiced_s=self._voiced * self.frame_ms / 1000,
            cut=cut,
        )
        self._next_index += 1
        return [utterance]

    def _audio(self, frames: list[np.ndarray]) -> Audio:
        return Audio(np.concatenate(frames).astype(np.int16, copy=False), self.sample_rate)

    def _now_s(self) -> float:
        return self._frame_no * self.frame_ms / 1000

    def _start_s(self) -> float:
        return (self._frame_no - len(self._frames)) * self.frame_ms / 1000
