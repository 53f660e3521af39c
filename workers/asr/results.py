"""What the live path hands a call for each utterance: partials, speculative guesses and finals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from workers.asr.base import AsrEngine, Transcript
from workers.audio import Audio
from workers.vad import VadEvent


def utterance_id(call_id: str, index: int) -> str:
    return f"{call_id}-{index:04d}"


@dataclass(frozen=True, eq=False)
class UtteranceResult:
    call_id: str
    index: int
    start_s: float
    end_s: float
    transcript: Transcript
    audio: Audio | None  # at the call's rate; None for streaming partials
    cut: bool = False
    error: str | None = None  # the engine failed: the transcript is empty, not "nothing said"
    ended_at: float = 0.0  # time.monotonic() when the VAD closed the segment (for latency)
    # A partial decoded at the first pause, of all the caller said so far: the final will say
    # the same unless they go on (see speculative.py).
    speculative: bool = False

    @property
    def utterance_id(self) -> str:
        return utterance_id(self.call_id, self.index)

    @property
    def is_final(self) -> bool:
        return self.transcript.is_final


ResultSink = Callable[[UtteranceResult], None]


class CallRecognizer(Protocol):
    """One call's side of an engine: VAD events in, results to the call's sink."""

    def on_event(self, event: VadEvent) -> None: ...


def to_engine_rate(audio: Audio, engine: AsrEngine) -> Audio:
    return audio if audio.sample_rate in engine.sample_rates else audio.resample(engine.sample_rates[0])
