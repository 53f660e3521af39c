"""Vosk (Kaldi) engine: streams natively at 8 or 16 kHz, so the live path feeds it speech frames."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from workers.asr.base import AsrError, EngineMode, Transcript, Word
from workers.audio import Audio


def _words(result: dict, key: str) -> tuple[Word, ...]:
    return tuple(
        Word(
            word=str(w["word"]), conf=float(w.get("conf", 1.0)), start=float(w["start"]), end=float(w["end"])
        )
        for w in result.get(key, ())
    )


class VoskStream:
    def __init__(self, model: object, sample_rate: int, engine: str) -> None:
        import vosk

        self._engine = engine
        self._sample_rate = sample_rate
        self._recognizer = vosk.KaldiRecognizer(model, sample_rate)
        self._recognizer.SetWords(True)
        self._recognizer.SetPartialWords(True)
        # Kaldi may endpoint inside what our VAD calls one utterance; keep those pieces.
        self._done: list[dict] = []
        self._last_partial = ""

    def feed(self, samples: Audio) -> Transcript | None:
        if samples.sample_rate != self._sample_rate:
            raise AsrError(f"stream opened at {self._sample_rate} Hz was fed {samples.sample_rate} Hz audio")
        if self._recognizer.AcceptWaveform(samples.to_bytes("slin16le")):
            self._done.append(json.loads(self._recognizer.Result()))
            partial: dict = {}
        else:
            partial = json.loads(self._recognizer.PartialResult())
        text = " ".join(filter(None, [*(r.get("text", "") for r in self._done), partial.get("partial", "")]))
        if text == self._last_partial:
            return None
        self._last_partial = text
        words = tuple(w for r in self._done for w in _words(r, "result")) + _words(partial, "partial_result")
        return Transcript(text=text, words=words, is_final=False, engine=self._engine)

    def finish(self) -> Transcript:
        self._done.append(json.loads(self._recognizer.FinalResult()))
        words = tuple(w for r in self._done for w in _words(r, "result"))
        text = " ".join(filter(None, (r.get("text", "") for r in self._done)))
        return Transcript(text=text, words=words, is_final=True, engine=self._engine)


class VoskEngine:
    name: str = "vosk"
    mode: EngineMode = "streaming"
    sample_rates: tuple[int, ...] = (8000, 16000)
    packs_utterances: bool = False
    decodes_during_speech: bool = False

    def __init__(self, model_path: Path) -> None:
        import vosk

        vosk.SetLogLevel(-1)
        self.model_path = model_path
        self._model = vosk.Model(str(model_path))

    def open_stream(self, sample_rate: int) -> VoskStream:
        if sample_rate not in self.sample_rates:
            raise AsrError(f"vosk streams at {self.sample_rates} Hz, not {sample_rate}")
        return VoskStream(self._model, sample_rate, self.name)

    def warm(self) -> None:
        noise = np.random.default_rng(0).normal(0, 300, 8000).astype(np.int16)
        self.transcribe_many([Audio(noise, 8000)])

    def transcribe_many(self, utterances: Sequence[Audio]) -> list[Transcript]:
        out = []
        for audio in utterances:
            stream = self.open_stream(audio.sample_rate)
            stream.feed(audio)
            out.append(stream.finish())
        return out
