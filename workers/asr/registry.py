"""ASR engines by name. Each factory imports its engine lazily: a deployment pays only for the one it uses."""

from __future__ import annotations

from collections.abc import Callable

from workers.asr.base import AsrEngine
from workers.models import VOSK_MODEL, WHISPER_MODEL, locate_moonshine
from workers.settings import SettingsError, SpeechSettings


def _vosk(settings: SpeechSettings) -> AsrEngine:
    from workers.asr.vosk_engine import VoskEngine

    return VoskEngine(VOSK_MODEL.locate(settings.vosk_model_path))


def _whisper(settings: SpeechSettings) -> AsrEngine:
    from workers.asr.whisper_engine import WhisperEngine

    return WhisperEngine(
        WHISPER_MODEL.locate(settings.whisper_model_path),
        compute_type=settings.whisper_compute_type,
        threads=settings.asr_threads,
        workers=settings.asr_workers,
        language=settings.asr_language,
        batch_seconds=settings.asr_batch_seconds,
    )


def _moonshine(settings: SpeechSettings) -> AsrEngine:
    from workers.asr.moonshine_engine import MoonshineEngine

    model = locate_moonshine(settings.moonshine_model_path, settings.model_cache_dir)
    return MoonshineEngine(model, threads=settings.asr_threads)


# Engines cheap enough to decode during speech (``AsrEngine.decodes_during_speech``), by name:
# pbx in celery mode loads no engine to ask, yet sends their guesses and live partials.
DECODES_DURING_SPEECH = frozenset({"moonshine"})

ASR_ENGINES: dict[str, Callable[[SpeechSettings], AsrEngine]] = {
    "moonshine": _moonshine,
    "vosk": _vosk,
    "whisper": _whisper,
    "faster-whisper": _whisper,
}


def create_asr_engine(settings: SpeechSettings, name: str | None = None) -> AsrEngine:
    name = (name or settings.asr_engine).lower()
    try:
        factory = ASR_ENGINES[name]
    except KeyError:
        raise SettingsError(
            f"CC_ASR_ENGINE={name!r}: known engines are {', '.join(sorted(ASR_ENGINES))}"
        ) from None
    return factory(settings)
