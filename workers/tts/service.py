"""Prompts for a call: cached, with fallback engines, at the call's codec rate.

Three ways to ask, by how soon the audio is needed:

- :meth:`PromptSynthesizer.cached`: what is ready now (memory, then disk), never synthesising;
- :meth:`PromptSynthesizer.stream`: piece by piece (:mod:`.pieces`), so the call plays the
  first piece while the next ones are synthesised;
- :meth:`PromptSynthesizer.synthesize`: the whole prompt (pre-synthesis, files for Asterisk).

Whichever way a prompt was made, the next call that says it finds it in memory (bounded,
:mod:`.memory`) and, unless it was made for one lead only (``persist=False``), on disk.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from workers.audio import CALL_RATES, Audio, AudioError
from workers.storage import WriteFailures
from workers.tts.base import TtsEngine, TtsError, normalise_text
from workers.tts.cache import PromptCache
from workers.tts.memory import PromptKey, PromptMemory
from workers.tts.pieces import speech_pieces

log = logging.getLogger(__name__)

# Engines start a prompt with a little silence (piper: ~40 ms); the caller waits for it, so the
# first piece keeps only this much of it.
LEAD_SILENCE_KEPT_S = 0.01
SILENCE_LEVEL = 300  # |sample| below this (about -40 dBFS) counts as the engine's silence


@dataclass(frozen=True, eq=False)
class Prompt:
    audio: Audio  # at the requested call rate
    engine: str
    voice: str
    cached: bool


def trim_lead_silence(audio: Audio) -> Audio:
    loud = np.flatnonzero(np.abs(audio.samples.astype(np.int32)) >= SILENCE_LEVEL)
    if len(loud) == 0:
        return audio
    start = max(0, int(loud[0]) - int(LEAD_SILENCE_KEPT_S * audio.sample_rate))
    return Audio(audio.samples[start:], audio.sample_rate) if start else audio


class PromptSynthesizer:
    def __init__(self, engines: Sequence[TtsEngine], cache: PromptCache | None,
                 memory: PromptMemory | None = None) -> None:  # fmt: skip
        if not engines:
            raise ValueError("PromptSynthesizer needs at least one engine")
        self.engines = tuple(engines)
        self.cache = cache
        self.memory = memory
        self._cache_writes = WriteFailures(f"TTS cache ({cache.directory if cache else '-'})", log)

    def synthesize(self, text: str, sample_rate: int, engine: str | None = None, persist: bool = True) -> Prompt:
        """The prompt from the first engine that can say it (or only ``engine``, when named).

        ``persist=False``: kept in memory only (a prompt rendered for one lead is not worth a file)."""
        text = _checked(text, sample_rate)
        failures = []
        for candidate in self._chain(engine):
            hit = self._recall(candidate, text, sample_rate)
            if hit is not None:
                return hit
            try:
                native = self._speak_whole(candidate, text)
            except TtsError as exc:
                log.warning("TTS %s failed, trying the next engine: %s", candidate.name, exc)
                failures.append(f"{candidate.name}: {exc}")
                continue
            audio = self._keep(candidate, text, native, sample_rate, persist)
            return Prompt(audio, candidate.name, candidate.voice, False)
        raise TtsError("no TTS engine could say the prompt: " + "; ".join(failures))

    def cached(self, text: str, sample_rate: int) -> Prompt | None:
        """The prompt if it is ready (memory or disk); None rather than synthesising it."""
        text = _checked(text, sample_rate)
        for candidate in self.engines:
            hit = self._recall(candidate, text, sample_rate)
            if hit is not None:
                return hit
        return None

    def stream(self, text: str, sample_rate: int) -> Iterator[Audio]:
        """The prompt piece by piece at the call's rate, each as soon as it is synthesised.

        An engine failing on the first piece hands the prompt to the next one; failing later,
        the rest of the prompt (the caller has heard the beginning). The whole prompt is kept
        for the next call once all of it came from one engine."""
        text = _checked(text, sample_rate)
        hit = self.cached(text, sample_rate)
        if hit is not None:
            yield hit.audio
            return
        pieces = speech_pieces(text)
        chain = list(self.engines)
        made: list[tuple[TtsEngine, Audio]] = []
        failures: list[str] = []
        while len(made) < len(pieces):
            if not chain:
                raise TtsError("no TTS engine could say the prompt: " + "; ".join(failures))
            engine = chain[0]
            try:
                native = _speak(engine, pieces[len(made)])
            except TtsError as exc:
                log.warning("TTS %s failed, trying the next engine: %s", engine.name, exc)
                failures.append(f"{engine.name}: {exc}")
                chain.pop(0)
                continue
            if not made:
                native = trim_lead_silence(native)
            made.append((engine, native))
            yield native.resample(sample_rate)
        engines = {id(e) for e, _ in made}
        if len(engines) == 1:
            engine = made[0][0]
            whole = Audio(np.concatenate([a.samples for _, a in made]), made[0][1].sample_rate)
            self._keep(engine, text, whole, sample_rate, persist=True)

    # ------------------------------------------------------------ internals

    def _chain(self, engine: str | None) -> list[TtsEngine]:
        chain = [e for e in self.engines if engine is None or e.name == engine]
        if not chain:
            raise TtsError(
                f"TTS engine {engine!r} is not loaded here "
                f"(loaded: {', '.join(e.name for e in self.engines)})"
            )
        return chain

    def _recall(self, engine: TtsEngine, text: str, sample_rate: int) -> Prompt | None:
        key = PromptKey(engine.name, engine.voice, text, sample_rate)
        if self.memory is not None:
            samples = self.memory.get(key)
            if samples is not None:
                return Prompt(Audio(samples, sample_rate), engine.name, engine.voice, True)
        if self.cache is None:
            return None
        native = self.cache.get(engine.name, engine.voice, text)
        if native is None:
            return None
        audio = native.resample(sample_rate)
        if self.memory is not None:
            self.memory.put(key, audio.samples)
        return Prompt(audio, engine.name, engine.voice, True)

    def _speak_whole(self, engine: TtsEngine, text: str) -> Audio:
        # The same pieces as :meth:`stream`, so a prompt sounds the same however it was made.
        pieces = [_speak(engine, piece) for piece in speech_pieces(text)]
        pieces[0] = trim_lead_silence(pieces[0])
        return Audio(np.concatenate([p.samples for p in pieces]), pieces[0].sample_rate)

    def _keep(self, engine: TtsEngine, text: str, native: Audio, sample_rate: int, persist: bool) -> Audio:
        if persist and self.cache is not None:
            try:
                self.cache.put(engine.name, engine.voice, text, native)
                self._cache_writes.succeeded()
            except OSError as exc:  # a full disk costs the next call a synthesis, never this prompt
                self._cache_writes.failed(exc, "prompts are kept in memory only")
        audio = native.resample(sample_rate)
        if self.memory is not None:
            self.memory.put(PromptKey(engine.name, engine.voice, text, sample_rate), audio.samples)
        return audio


def _checked(text: str, sample_rate: int) -> str:
    if sample_rate not in CALL_RATES:
        raise AudioError(f"prompts are made for 8000 or 16000 Hz calls, not {sample_rate}")
    text = normalise_text(text)
    if not text:
        raise TtsError("empty prompt text")
    return text


def _speak(engine: TtsEngine, text: str) -> Audio:
    audio = engine.synthesize(text)
    if len(audio.samples) == 0:
        raise TtsError(f"{engine.name} produced no audio")
    return audio
