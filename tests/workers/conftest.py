"""Session fixtures for the speech tests: real models, loaded once per test session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from workers.asr.vosk_engine import VoskEngine
from workers.asr.whisper_engine import WhisperEngine
from workers.models import VOSK_MODEL, WHISPER_MODEL, locate_piper_voice
from workers.testing import CeleryWorkerProcess, LocalRedis
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
def vosk() -> VoskEngine:
    return VoskEngine(VOSK_MODEL.locate(None))


@pytest.fixture(scope="session")
def piper() -> PiperEngine:
    return PiperEngine(locate_piper_voice(None))


@pytest.fixture(scope="session")
def speech_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRedis]:
    _need("redis-server")
    server = LocalRedis(tmp_path_factory.mktemp("speech-redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def speech_worker(
    speech_redis: LocalRedis, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CeleryWorkerProcess]:
    base: Path = tmp_path_factory.mktemp("speech-worker")
    env = {
        "CC_ASR_ENGINE": "whisper",
        "CC_WORKER_PRELOAD": "asr,nlp,tts",
        "CC_TTS_CACHE_DIR": str(base / "tts"),
    }
    worker = CeleryWorkerProcess(speech_redis.url, env=env, directory=base).start()
    yield worker
    worker.stop()
