"""Session fixtures for the speech tests: real models, loaded once per test session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ops.stack.celery_worker import CeleryWorker
from ops.stack.redis_server import RedisServer
from workers.asr.moonshine_engine import MoonshineEngine
from workers.asr.vosk_engine import VoskEngine
from workers.asr.whisper_engine import WhisperEngine
from workers.models import VOSK_MODEL, WHISPER_MODEL, locate_moonshine, locate_piper_voice
from workers.settings import SpeechSettings
from workers.tts.piper_engine import PiperEngine


def _need(binary: str) -> None:
    if shutil.which(binary) is None:
        pytest.fail(f"{binary} is not installed: apt-get install {binary}")


@pytest.fixture(scope="session", autouse=True)
def _synthesisers() -> None:
    _need("espeak-ng")
    _need("flite")


@pytest.fixture(scope="session")
def whisper() -> WhisperEngine:
    engine = WhisperEngine(WHISPER_MODEL.locate(None), batch_seconds=24.0)
    engine.warm()
    return engine


@pytest.fixture(scope="session")
def moonshine() -> MoonshineEngine:
    """One instance for the session: ≈835 MB and a second to load."""
    engine = MoonshineEngine(locate_moonshine(None, SpeechSettings.from_env().model_cache_dir))
    engine.warm()
    return engine


@pytest.fixture(scope="session")
def vosk() -> VoskEngine:
    return VoskEngine(VOSK_MODEL.locate(None))


@pytest.fixture(scope="session")
def piper() -> PiperEngine:
    return PiperEngine(locate_piper_voice(None))


@pytest.fixture(scope="session")
def speech_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A Redis of the speech worker's own: the session's ``celery_worker_process`` (no models
    preloaded) consumes the same queues from ``redis_server`` and must not take these tasks."""
    _need("redis-server")
    with RedisServer.running_throwaway(tmp_path_factory.mktemp("speech-redis")) as server:
        yield server


@pytest.fixture(scope="session")
def speech_worker(
    speech_redis: RedisServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CeleryWorker]:
    base: Path = tmp_path_factory.mktemp("speech-worker")
    env = {
        "CC_ASR_ENGINE": "whisper",
        "CC_WORKER_PRELOAD": "asr,nlp,tts",
        "CC_TTS_CACHE_DIR": str(base / "tts"),
    }
    worker = CeleryWorker(speech_redis.url, base, env=env).start()
    yield worker
    worker.stop()
