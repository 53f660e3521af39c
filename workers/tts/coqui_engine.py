"""Coqui TTS, used when the optional ``coqui-tts`` package imports and a local model is configured.

No model is ever downloaded: CC_COQUI_MODEL_PATH must name a directory holding the model
checkpoint and its ``config.json``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from workers.audio import Audio
from workers.models import ModelNotFound, enforce_offline
from workers.tts.base import TtsError, TtsUnavailable


class CoquiEngine:
    name = "coqui"

    def __init__(self, model_path: Path | None) -> None:
        enforce_offline()
        try:
            from TTS.api import TTS
        except Exception as exc:  # ImportError, or torch failing to load inside it
            raise TtsUnavailable(
                f"coqui-tts is not usable here ({type(exc).__name__}: {exc}); pip install coqui-tts"
            ) from None
        if model_path is None or not (model_path / "config.json").is_file():
            raise ModelNotFound(
                "no Coqui model: set CC_COQUI_MODEL_PATH to a local model directory "
                "(checkpoint + config.json); Coqui models are not packaged, and nothing is downloaded"
            )
        checkpoints = sorted(p for p in model_path.iterdir() if p.suffix in (".pth", ".pt", ".onnx"))
        if not checkpoints:
            raise ModelNotFound(f"CC_COQUI_MODEL_PATH={model_path} holds no model checkpoint (.pth)")
        self._tts = TTS(
            model_path=str(checkpoints[0]), config_path=str(model_path / "config.json"), progress_bar=False
        )
        self.voice = model_path.name
        self.sample_rate = int(self._tts.synthesizer.output_sample_rate)

    def synthesize(self, text: str) -> Audio:
        try:
            wav = np.asarray(self._tts.tts(text), dtype=np.float32)
        except Exception as exc:
            raise TtsError(f"coqui failed: {exc}") from None
        return Audio(np.clip(np.rint(wav * 32767), -32768, 32767).astype(np.int16), self.sample_rate)
