"""The two ExternalMedia formats we speak: slin16 (16 kHz, 16-bit big-endian) and ulaw (8 kHz)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workers.audio import ulaw_decode, ulaw_encode


@dataclass(frozen=True)
class MediaFormat:
    """What ExternalMedia is asked for and how its payloads map to 16-bit samples."""

    name: str  # the ARI ``format`` parameter
    sample_rate: int
    payload_type: int

    @property
    def samples_per_frame(self) -> int:
        return self.sample_rate // 50  # 20 ms

    def decode(self, payload: bytes) -> np.ndarray:
        if self.name == "ulaw":
            return ulaw_decode(payload)
        return np.frombuffer(payload[: len(payload) // 2 * 2], dtype=">i2").astype(np.int16)

    def encode(self, samples: np.ndarray) -> bytes:
        if self.name == "ulaw":
            return ulaw_encode(samples)
        return samples.astype(">i2").tobytes()


SLIN16 = MediaFormat("slin16", 16000, 118)
ULAW = MediaFormat("ulaw", 8000, 0)
FORMATS = {f.name: f for f in (SLIN16, ULAW)}
