"""piper-tts: natural offline voice (ONNX), ~7x faster than real time on one core here."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from workers.audio import Audio
from workers.models import PiperVoiceFiles
from workers.tts.base import TtsError


class PiperEngine:
    name = "piper"

    def __init__(self, files: PiperVoiceFiles, threads: int = 1, work_dir: Path | None = None) -> None:
        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig

        options = onnxruntime.SessionOptions()
        # Prompts are short and cached; a second thread would only take CPU from live ASR.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(
            str(files.model), sess_options=options, providers=["CPUExecutionProvider"]
        )
        config = PiperConfig.from_dict(json.loads(files.config.read_text(encoding="utf-8")))
        # download_dir is only used by non-espeak phonemisers (Chinese); keep it out of the cwd anyway.
        self._voice = PiperVoice(session=session, config=config, download_dir=work_dir or Path.cwd())
        self.voice = files.name
        self.sample_rate = config.sample_rate

    def synthesize(self, text: str) -> Audio:
        chunks = [chunk.audio_int16_array for chunk in self._voice.synthesize(text)]
        if not chunks:
            raise TtsError(f"piper produced no audio for {text!r}")
        return Audio(np.concatenate(chunks).astype(np.int16), self.sample_rate)
