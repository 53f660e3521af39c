"""The ASR interface every engine implements, and the results it returns.

Two modes:
- utterance mode: ``transcribe_many`` takes whole utterances (an engine may pack several
  into one decoder pass — Whisper does, because its encoder always sees 30 s);
- streaming mode: ``open_stream`` returns a per-utterance :class:`AsrStream` fed 20 ms frames,
  which answers partial results as they change and a final one at the end.

Audio handed to an engine is already at a rate in ``engine.sample_rates``; resampling is the
pipeline's job, so every engine sees the same audio the live path would give it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from workers.audio import Audio


class AsrError(RuntimeError):
    """The engine failed on audio that passed validation."""


@dataclass(frozen=True)
class Word:
    word: str
    conf: float  # 0..1, the engine's own confidence
    start: float  # seconds from the start of the utterance
    end: float


@dataclass(frozen=True)
class Transcript:
    text: str
    words: tuple[Word, ...]
    is_final: bool
    engine: str

    @property
    def confidence(self) -> float | None:
        if not self.words:
            return None
        return sum(w.conf for w in self.words) / len(self.words)

    @classmethod
    def empty(cls, engine: str, is_final: bool = True) -> Transcript:
        return cls(text="", words=(), is_final=is_final, engine=engine)


# "streaming": cheapest fed frame by frame during speech (Vosk/Kaldi decode incrementally).
# "batch": cheapest fed whole utterances, several at a time (Whisper).
EngineMode = Literal["streaming", "batch"]


@runtime_checkable
class AsrStream(Protocol):
    def feed(self, samples: Audio) -> Transcript | None:
        """More audio of this utterance; returns a partial transcript when the hypothesis changed."""
        ...

    def finish(self) -> Transcript:
        """The final transcript; the stream is spent afterwards."""
        ...


@runtime_checkable
class AsrEngine(Protocol):
    name: str
    mode: EngineMode
    sample_rates: tuple[int, ...]  # rates accepted as-is; the first is preferred
    # Batch engines: several utterances in one pass cost less than one by one (Whisper's 30 s window).
    packs_utterances: bool
    # Cheap enough to re-decode the audio so far while the caller talks: the live path then asks
    # for partials every second and a speculative final at the first pause (see pipeline.py).
    decodes_during_speech: bool

    def transcribe_many(self, utterances: Sequence[Audio]) -> list[Transcript]:
        """Final transcripts, one per utterance, in order."""
        ...

    def open_stream(self, sample_rate: int) -> AsrStream: ...

    def warm(self) -> None:
        """Decode a moment of noise once, so the first caller does not pay for lazy initialisation."""
        ...


def transcribe_one(engine: AsrEngine, audio: Audio) -> Transcript:
    return engine.transcribe_many([audio])[0]


# --- JSON form, for results that cross processes -----------------------------------------
class WordPayload(BaseModel):
    model_config = ConfigDict(frozen=True)
    word: str
    conf: float
    start: float
    end: float


class TranscriptPayload(BaseModel):
    model_config = ConfigDict(frozen=True)
    call_id: str
    utterance_id: str
    text: str
    words: list[WordPayload]
    is_final: bool
    engine: str
    confidence: float | None

    @classmethod
    def from_transcript(cls, call_id: str, utterance_id: str, t: Transcript) -> TranscriptPayload:
        return cls(
            call_id=call_id,
            utterance_id=utterance_id,
            text=t.text,
            words=[WordPayload(word=w.word, conf=w.conf, start=w.start, end=w.end) for w in t.words],
            is_final=t.is_final,
            engine=t.engine,
            confidence=t.confidence,
        )
