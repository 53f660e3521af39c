"""Speech made at test time with the Debian synthesisers (espeak-ng, flite), as telephone audio."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import numpy as np

from workers.audio import Audio, read_wav


def espeak(text: str, *args: str) -> Audio:
    """espeak-ng speech at its native 22050 Hz; ``args`` are espeak-ng options (-v ko, -a 180, -s 220)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speech.wav"
        subprocess.run(["espeak-ng", *args, "-w", str(out), text], check=True, capture_output=True)
        return read_wav(out)


def flite(text: str, voice: str = "kal") -> Audio:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speech.wav"
        subprocess.run(
            ["flite", "-voice", voice, "-t", text, "-o", str(out)], check=True, capture_output=True
        )
        return read_wav(out)


def telephone(audio: Audio, rate: int = 8000) -> Audio:
    """Through a mu-law phone line: resampled, encoded and decoded as Asterisk would carry it."""
    return Audio.from_bytes(audio.resample(rate).to_bytes("ulaw"), rate, "ulaw")


def silence(seconds: float, rate: int = 8000, noise: float = 20.0, seed: int = 0) -> Audio:
    """Line noise around -64 dBFS: what a quiet caller's channel carries between turns."""
    samples = np.random.default_rng(seed).normal(0.0, noise, int(seconds * rate))
    return Audio(np.clip(samples, -32768, 32767).astype(np.int16), rate)


def concat(*parts: Audio) -> Audio:
    rate = parts[0].sample_rate
    assert all(p.sample_rate == rate for p in parts)
    return Audio(np.concatenate([p.samples for p in parts]), rate)


def words_of(text: str) -> set[str]:
    return {w.strip(".,!?;:\"'").lower() for w in text.split() if w.strip(".,!?;:\"'")}
