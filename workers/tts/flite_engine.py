"""flite (Debian package): robotic but very fast, and 8 kHz native — the fallback voice."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from workers.audio import Audio, AudioError, read_wav
from workers.tts.base import TtsError, TtsUnavailable

TIMEOUT_S = 30


class FliteEngine:
    name = "flite"

    def __init__(self, voice: str = "kal") -> None:
        binary = shutil.which("flite")
        if binary is None:
            raise TtsUnavailable("flite is not installed: apt-get install flite")
        self._binary = binary
        self.voice = voice

    def synthesize(self, text: str) -> Audio:
        with tempfile.TemporaryDirectory(prefix="cc-flite-") as tmp:
            out = Path(tmp) / "prompt.wav"
            try:
                subprocess.run(
                    [self._binary, "-voice", self.voice, "-t", text, "-o", str(out)],
                    check=True,
                    capture_output=True,
                    timeout=TIMEOUT_S,
                )
                return read_wav(out)
            except subprocess.CalledProcessError as exc:
                raise TtsError(
                    f"flite failed ({exc.returncode}): {exc.stderr.decode(errors='replace').strip()}"
                ) from None
            except (subprocess.TimeoutExpired, AudioError) as exc:
                raise TtsError(f"flite failed: {exc}") from None
