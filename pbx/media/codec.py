"""The two ExternalMedia formats we speak: slin16 (16 kHz, 16-bit big-endian) and ulaw (8 kHz)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_ULAW_BIAS = 0x84


def _ulaw_decode_table() -> np.ndarray:
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = ((mantissa << 3) + _ULAW_BIAS) << exponent
    return np.where(sign, _ULAW_BIAS - magnitude, magnitude - _ULAW_BIAS).astype(np.int16)


_ULAW_TABLE = _ulaw_decode_table()


def ulaw_to_pcm(data: bytes) -> np.ndarray:
    return _ULAW_TABLE[np.frombuffer(data, dtype=np.uint8)]


def pcm_to_ulaw(samples: np.ndarray) -> bytes:
    x = samples.astype(np.int32)
    sign = np.where(x < 0, 0x80, 0)
    magnitude = np.minimum(np.abs(x), 32635) + _ULAW_BIAS
    exponent = np.floor(np.log2(magnitude)).astype(np.int32) - 7
    exponent = np.clip(exponent, 0, 7)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return (~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8).tobytes()


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
            return ulaw_to_pcm(payload)
        return np.frombuffer(payload[: len(payload) // 2 * 2], dtype=">i2").astype(np.int16)

    def encode(self, samples: np.ndarray) -> bytes:
        if self.name == "ulaw":
            return pcm_to_ulaw(samples)
        return samples.astype(">i2").tobytes()


SLIN16 = MediaFormat("slin16", 16000, 118)
ULAW = MediaFormat("ulaw", 8000, 0)
FORMATS = {f.name: f for f in (SLIN16, ULAW)}
