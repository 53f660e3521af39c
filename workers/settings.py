"""Speech settings, read from the environment once and passed down explicitly.

Engines are chosen by name here, so swapping Vosk for Whisper (or piper for flite) is a
deployment decision, not a code change. Nothing below reads the environment again.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


class SettingsError(ValueError):
    """A speech setting has a value we cannot use; the message names the variable."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not an integer") from None


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number") from None


def _path(env: Mapping[str, str], name: str) -> Path | None:
    raw = env.get(name)
    return Path(raw).expanduser() if raw else None


def _default_cache(env: Mapping[str, str] | None = None) -> Path:
    """The set-up's cache folder (deploy/local/setup.sh: CONTACTCENTER_CACHE, else ~/.cache/contactcenter)."""
    raw = (os.environ if env is None else env).get("CONTACTCENTER_CACHE")
    return Path(raw).expanduser() if raw else Path.home() / ".cache" / "contactcenter"


def _names(raw: str) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in raw.split(",") if part.strip())


@dataclass(frozen=True)
class VadSettings:
    # 3: webrtcvad's modes 1-2 keep calling steady line hiss "speech" for seconds after a turn.
    aggressiveness: int = 3
    # Frames quieter than this are never speech, whatever webrtcvad says (hiss, comfort noise).
    energy_floor_dbfs: float = -55.0
    hangover_ms: int = 500
    min_speech_ms: int = 250
    max_utterance_ms: int = 15000
    partial_every_ms: int = 4000
    # The same for engines that decode during speech (Moonshine re-decodes the audio so far: a
    # partial of L seconds costs about a tenth of L, and the final comes from the pause's guess).
    live_partial_every_ms: int = 2000
    pre_roll_ms: int = 200


SPEECH_MODES = ("in-process", "celery")


@dataclass(frozen=True)
class SpeechSettings:
    # Moonshine base-en: half Whisper tiny.en's word errors on real read speech, a third of its
    # time per utterance, and cheap enough to decode during speech (see the README's speech section).
    asr_engine: str = "moonshine"
    asr_language: str = "en"
    vosk_model_path: Path | None = None
    whisper_model_path: Path | None = None
    # A folder of Moonshine .onnx (used as is) or .ort files (rebuilt into model_cache_dir).
    moonshine_model_path: Path | None = None
    # Models rebuilt from what packages ship (Moonshine's ONNX graphs): outside the clone, like the venv.
    model_cache_dir: Path = field(default_factory=lambda: _default_cache() / "models")
    whisper_compute_type: str = "int8"
    # One thread per engine: on a shared box, CPU time per call matters more than one call's latency.
    asr_threads: int = 1
    # Parallel ASR passes per process (each asr_threads wide); the model is loaded once and shared.
    asr_workers: int = 1
    # Packed Whisper windows: the encoder always sees 30 s, so fill it with several utterances.
    asr_batch_seconds: float = 24.0
    tts_engine: str = "piper"
    tts_fallbacks: tuple[str, ...] = ("flite",)
    piper_voice_path: Path | None = None
    flite_voice: str = "kal"
    coqui_model_path: Path | None = None
    tts_cache_dir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / "cc-tts-cache")
    # Prompts kept in memory at the call's rate (pre-synthesised for leads about to be dialled).
    tts_memory_mb: int = 64
    # None: load what the worker's queues need (-Q asr → ASR + sentiment, -Q tts → TTS, ...).
    worker_preload: tuple[str, ...] | None = None
    vad: VadSettings = field(default_factory=VadSettings)
    # Where pbx's calls are recognised: "in-process" (pbx loads the models; a laptop, one box) or
    # "celery" (pbx keeps the VAD and sends utterances to the asr queue's workers; a farm).
    speech_mode: str = "in-process"
    # celery mode: how long pbx waits for a worker's answer before the caller counts as unheard
    # (VoiceWatch's monitor_blind): past it, the caller goes to a human, told the bot cannot hear them.
    speech_deadline_s: float = 2.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SpeechSettings:
        env = os.environ if env is None else env
        defaults = cls()
        vad = VadSettings(
            aggressiveness=_int(env, "CC_VAD_AGGRESSIVENESS", defaults.vad.aggressiveness),
            hangover_ms=_int(env, "CC_VAD_HANGOVER_MS", defaults.vad.hangover_ms),
            min_speech_ms=_int(env, "CC_VAD_MIN_SPEECH_MS", defaults.vad.min_speech_ms),
            max_utterance_ms=_int(env, "CC_VAD_MAX_UTTERANCE_MS", defaults.vad.max_utterance_ms),
            partial_every_ms=_int(env, "CC_VAD_PARTIAL_EVERY_MS", defaults.vad.partial_every_ms),
            live_partial_every_ms=_int(
                env, "CC_VAD_LIVE_PARTIAL_EVERY_MS", defaults.vad.live_partial_every_ms
            ),
            pre_roll_ms=_int(env, "CC_VAD_PRE_ROLL_MS", defaults.vad.pre_roll_ms),
            energy_floor_dbfs=_float(env, "CC_VAD_ENERGY_FLOOR_DBFS", defaults.vad.energy_floor_dbfs),
        )
        if not 0 <= vad.aggressiveness <= 3:
            raise SettingsError(f"CC_VAD_AGGRESSIVENESS={vad.aggressiveness} must be 0..3")
        mode = (env.get("CC_SPEECH_MODE") or defaults.speech_mode).strip().lower()
        if mode not in SPEECH_MODES:
            raise SettingsError(f"CC_SPEECH_MODE={mode!r} must be one of {', '.join(SPEECH_MODES)}")
        deadline = _float(env, "CC_SPEECH_DEADLINE_S", defaults.speech_deadline_s)
        if not 0.2 <= deadline <= 30.0:
            raise SettingsError(f"CC_SPEECH_DEADLINE_S={deadline} must be between 0.2 and 30 seconds")
        fallbacks = env.get("CC_TTS_FALLBACKS")
        preload = env.get("CC_WORKER_PRELOAD")
        cache_dir = _path(env, "CC_TTS_CACHE_DIR")
        return cls(
            asr_engine=(env.get("CC_ASR_ENGINE") or defaults.asr_engine).strip().lower(),
            asr_language=env.get("CC_ASR_LANGUAGE") or defaults.asr_language,
            vosk_model_path=_path(env, "CC_VOSK_MODEL_PATH"),
            whisper_model_path=_path(env, "CC_WHISPER_MODEL_PATH"),
            moonshine_model_path=_path(env, "CC_MOONSHINE_MODEL_PATH"),
            model_cache_dir=_path(env, "CC_MODEL_CACHE_DIR") or _default_cache(env) / "models",
            whisper_compute_type=env.get("CC_WHISPER_COMPUTE_TYPE") or defaults.whisper_compute_type,
            asr_threads=_int(env, "CC_ASR_THREADS", defaults.asr_threads),
            asr_workers=_int(env, "CC_ASR_WORKERS", defaults.asr_workers),
            asr_batch_seconds=_float(env, "CC_ASR_BATCH_SECONDS", defaults.asr_batch_seconds),
            tts_engine=(env.get("CC_TTS_ENGINE") or defaults.tts_engine).strip().lower(),
            tts_fallbacks=defaults.tts_fallbacks if fallbacks is None else _names(fallbacks),
            piper_voice_path=_path(env, "CC_PIPER_VOICE_PATH"),
            flite_voice=env.get("CC_FLITE_VOICE") or defaults.flite_voice,
            coqui_model_path=_path(env, "CC_COQUI_MODEL_PATH"),
            tts_cache_dir=cache_dir or defaults.tts_cache_dir,
            tts_memory_mb=_int(env, "CC_TTS_MEMORY_MB", defaults.tts_memory_mb),
            worker_preload=defaults.worker_preload if preload is None else _names(preload),
            vad=vad,
            speech_mode=mode,
            speech_deadline_s=deadline,
        )


@dataclass(frozen=True)
class WorkerSettings:
    """How many jobs a ``celery worker`` runs at once, and how (its command line's
    ``--pool``/``--concurrency`` win over these).

    ``prefork`` runs each task in a child process of its own (one copy of the models each);
    ``threads`` runs them in threads of one process sharing one copy (onnxruntime and
    CTranslate2 decode outside the GIL), where an engine that packs utterances (Whisper)
    also packs the jobs of all the threads into one decode.
    """

    pool: str = "prefork"
    concurrency: int | None = None  # None: Celery's default, one per core

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WorkerSettings:
        env = os.environ if env is None else env
        pool = (env.get("CC_WORKER_POOL") or cls.pool).strip().lower()
        if pool not in ("prefork", "threads", "solo"):
            raise SettingsError(f"CC_WORKER_POOL={pool!r}: expected prefork, threads or solo")
        concurrency = _int(env, "CC_WORKER_CONCURRENCY", 0) or None
        if concurrency is not None and concurrency < 0:
            raise SettingsError(f"CC_WORKER_CONCURRENCY={concurrency} must be positive")
        return cls(pool=pool, concurrency=concurrency)
