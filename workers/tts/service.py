"""Prompts for a call: cached, with fallback engines, at the call's codec rate."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from workers.audio import CALL_RATES, Audio, AudioError
from workers.tts.base import TtsEngine, TtsError, normalise_text
from workers.tts.cache import PromptCache

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Prompt:
    audio: Audio  # at the requested call rate
    engine: str
    voice: str
    cached: bool


class PromptSynthesizer:
    def __init__(self, engines: Sequence[TtsEngine], cache: PromptCache | None) -> None:
        if not engines:
            raise ValueError("PromptSynthesizer needs at least one engine")
        self.engines = tuple(engines)
        self.cache = cache

    def synthesize(self, text: str, sample_rate: int, engine: str | None = None) -> Prompt:
        """The prompt from the first engine that can say it (or only ``engine``, when named)."""
        if sample_rate not in CALL_RATES:
            raise AudioError(f"prompts are made for 8000 or 16000 Hz calls, not {sample_rate}")
        text = normalise_text(text)
        if not text:
            raise TtsError("empty prompt text")
        chain = [e for e in self.engines if engine is None or e.name == engine]
        if not chain:
            raise TtsError(
                f"TTS engine {engine!r} is not loaded here "
                f"(loaded: {', '.join(e.name for e in self.engines)})"
            )
        failures = []
        for candidate in chain:
            try:
                audio, cached = self._native(candidate, text)
            except TtsError as exc:
                log.warning("TTS %s failed, trying the next engine: %s", candidate.name, exc)
                failures.append(f"{candidate.name}: {exc}")
                continue
            return Prompt(audio.resample(sample_rate), candidate.name, candidate.voice, cached)
        raise TtsError("no TTS engine could say the prompt: " + "; ".join(failures))

    def _native(self, engine: TtsEngine, text: str) -> tuple[Audio, bool]:
        if self.cache is not None:
            hit = self.cache.get(engine.name, engine.voice, text)
            if hit is not None:
                return hit, True
        audio = engine.synthesize(text)
        if len(audio.samples) == 0:
            raise TtsError(f"{engine.name} produced no audio")
        if self.cache is not None:
            self.cache.put(engine.name, engine.voice, text, audio)
        return audio, False
