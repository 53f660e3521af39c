"""TTS engines by name, and the chain (default first, then fallbacks) a process uses."""

from __future__ import annotations

import logging
from collections.abc import Callable

from workers.models import ModelNotFound, locate_piper_voice
from workers.settings import SettingsError, SpeechSettings
from workers.tts.base import TtsEngine, TtsUnavailable
from workers.tts.cache import PromptCache
from workers.tts.memory import PromptMemory
from workers.tts.service import PromptSynthesizer

log = logging.getLogger(__name__)


def _piper(settings: SpeechSettings) -> TtsEngine:
    from workers.tts.piper_engine import PiperEngine

    return PiperEngine(locate_piper_voice(settings.piper_voice_path), work_dir=settings.tts_cache_dir)


def _flite(settings: SpeechSettings) -> TtsEngine:
    from workers.tts.flite_engine import FliteEngine

    return FliteEngine(settings.flite_voice)


def _coqui(settings: SpeechSettings) -> TtsEngine:
    from workers.tts.coqui_engine import CoquiEngine

    return CoquiEngine(settings.coqui_model_path)


TTS_ENGINES: dict[str, Callable[[SpeechSettings], TtsEngine]] = {
    "piper": _piper,
    "flite": _flite,
    "coqui": _coqui,
}


def create_tts_engine(settings: SpeechSettings, name: str) -> TtsEngine:
    try:
        factory = TTS_ENGINES[name]
    except KeyError:
        raise SettingsError(
            f"TTS engine {name!r}: known engines are {', '.join(sorted(TTS_ENGINES))}"
        ) from None
    return factory(settings)


def create_prompt_synthesizer(settings: SpeechSettings) -> PromptSynthesizer:
    """The configured engine plus fallbacks; one that cannot load is skipped (logged) if another can speak."""
    names = [settings.tts_engine, *(n for n in settings.tts_fallbacks if n != settings.tts_engine)]
    for name in names:
        if name not in TTS_ENGINES:
            raise SettingsError(
                f"CC_TTS_ENGINE/CC_TTS_FALLBACKS name {name!r}: "
                f"known engines are {', '.join(sorted(TTS_ENGINES))}"
            )
    engines, failures = [], []
    for name in names:
        try:
            engines.append(create_tts_engine(settings, name))
        except (TtsUnavailable, ModelNotFound) as exc:
            log.warning("TTS engine %s unavailable: %s", name, exc)
            failures.append(exc)
    if not engines:
        raise failures[0]
    memory = PromptMemory(settings.tts_memory_mb * 1024 * 1024) if settings.tts_memory_mb > 0 else None
    return PromptSynthesizer(engines, PromptCache(settings.tts_cache_dir), memory)
