"""The console's ringtone, made here rather than shipped: two seconds of a two-tone ring (the
UK's 400+450 Hz cadence, 0.4 s on, 0.2 s off, twice) and silence, as a WAV the page loops."""

from __future__ import annotations

import io
import wave
from functools import lru_cache

import numpy as np

RATE = 16_000
TONES_HZ = (400.0, 450.0)
CADENCE_S = ((0.4, True), (0.2, False), (0.4, True), (1.0, False))  # (length, sounding)
LEVEL = 0.35  # of full scale: a ring, not an alarm


def ring_samples() -> np.ndarray:
    """One cycle of the ring as 16-bit samples."""
    parts = []
    for length_s, sounding in CADENCE_S:
        t = np.arange(int(length_s * RATE)) / RATE
        if not sounding:
            parts.append(np.zeros_like(t))
            continue
        tone = sum(np.sin(2 * np.pi * f * t) for f in TONES_HZ) / len(TONES_HZ)
        # 10 ms ramps in and out: no click at each burst's edges.
        ramp = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.01)
        parts.append(tone * ramp)
    return (np.concatenate(parts) * LEVEL * 32767).astype("<i2")


@lru_cache(maxsize=1)
def ringtone_wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(ring_samples().tobytes())
    return out.getvalue()
