"""CC_SPEECH_MODE picks where pbx's calls are recognised; celery mode loads no speech model in pbx."""

from __future__ import annotations

import os

import pytest

import workers.asr.registry as registry
from pbx.bot.runtime import load_bot_runtime
from pbx.settings import PbxSettings
from workers.asr.registry import DECODES_DURING_SPEECH
from workers.remote.client import RemoteLiveSpeech
from workers.settings import SettingsError, SpeechSettings


def test_the_mode_defaults_to_in_process_and_is_validated() -> None:
    assert SpeechSettings.from_env({}).speech_mode == "in-process"
    celery = SpeechSettings.from_env({"CC_SPEECH_MODE": " Celery ", "CC_SPEECH_DEADLINE_S": "1.5"})
    assert (celery.speech_mode, celery.speech_deadline_s) == ("celery", 1.5)
    with pytest.raises(SettingsError, match="CC_SPEECH_MODE"):
        SpeechSettings.from_env({"CC_SPEECH_MODE": "gpu"})
    with pytest.raises(SettingsError, match="CC_SPEECH_DEADLINE_S"):
        SpeechSettings.from_env({"CC_SPEECH_DEADLINE_S": "0"})


def test_celery_mode_builds_remote_speech_without_loading_an_asr_model(monkeypatch) -> None:
    def no_model(*args, **kwargs):
        raise AssertionError("pbx loads no ASR model in celery mode")

    monkeypatch.setattr(registry, "create_asr_engine", no_model)
    settings = PbxSettings(ari_url="http://127.0.0.1:1/ari", ari_user="u", ari_password="p", ami_user="a",
                           ami_secret="s", redis_url="redis://127.0.0.1:1/0", consumer_name="pbx 7")  # fmt: skip
    runtime = load_bot_runtime(settings, {**os.environ, "CC_SPEECH_MODE": "celery", "CC_SPEECH_DEADLINE_S": "1.2"})
    assert runtime.status["ready"] and runtime.status["speech_mode"] == "celery", runtime.status
    speech = runtime.conversations._speech  # type: ignore[attr-defined]
    try:
        assert isinstance(speech, RemoteLiveSpeech) and speech.deadline_s == 1.2
        assert speech.reply_stream == "cc:speech:replies:pbx-7" and speech.speculate
    finally:
        speech.close()


def test_the_engines_said_to_decode_during_speech_are_the_ones_that_do() -> None:
    from workers.asr.moonshine_engine import MoonshineEngine
    from workers.asr.vosk_engine import VoskEngine
    from workers.asr.whisper_engine import WhisperEngine

    engines = {"moonshine": MoonshineEngine, "vosk": VoskEngine, "whisper": WhisperEngine}
    assert DECODES_DURING_SPEECH == {name for name, cls in engines.items() if cls.decodes_during_speech}
