"""Typed call audio: what crosses a process boundary says its rate, encoding and channel count.

Inside a process audio is an :class:`Audio` (int16 mono samples + rate). Between processes
it is an :class:`AudioPayload` (JSON-safe, base64 PCM) that is validated on the way in, so a
truncated, mislabelled or oversized buffer fails here with a message, not deep in an engine.
"""

from __future__ import annotations

import base64
import binascii
import wave
from dataclasses import dataclass
from math import gcd
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

Encoding = Literal["slin16le", "slin16be", "ulaw"]
CallRate = Literal[8000, 16000]
CALL_RATES: tuple[int, ...] = (8000, 16000)
FRAME_MS = 20
# An utterance payload longer than this is a bug upstream (the VAD cuts at 15 s by default).
MAX_PAYLOAD_SECONDS = 120.0
SILENCE_DBFS = -55.0
CLIPPED_FRACTION = 0.01


class AudioError(ValueError):
    """Audio we cannot use as given; the message says what is wrong with it."""


def bytes_per_sample(encoding: Encoding) -> int:
    return 1 if encoding == "ulaw" else 2


def frame_bytes(sample_rate: int, encoding: Encoding, frame_ms: int = FRAME_MS) -> int:
    return sample_rate * frame_ms // 1000 * bytes_per_sample(encoding)


# --- G.711 mu-law -------------------------------------------------------------------------
_ULAW_BIAS = 0x84


def _build_ulaw_decode_table() -> np.ndarray:
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    sign = codes & 0x80
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = (((mantissa << 3) + _ULAW_BIAS) << exponent) - _ULAW_BIAS
    return np.where(sign != 0, -magnitude, magnitude).astype(np.int16)


_ULAW_DECODE = _build_ulaw_decode_table()
_ULAW_DECODE.setflags(write=False)


def ulaw_decode(data: bytes) -> np.ndarray:
    return _ULAW_DECODE[np.frombuffer(data, dtype=np.uint8)]


def ulaw_encode(samples: np.ndarray) -> bytes:
    # The classic Sun g711.c algorithm on 14-bit magnitudes, bit-exact with audioop.lin2ulaw.
    x = samples.astype(np.int32) >> 2
    negative = x < 0
    magnitude = np.minimum(np.where(negative, -x, x), 8159) + (_ULAW_BIAS >> 2)
    segment = np.searchsorted(_ULAW_SEGMENT_ENDS, magnitude)  # first end >= magnitude
    code = (np.minimum(segment, 7) << 4) | ((magnitude >> (segment + 1)) & 0x0F)
    code = np.where(segment >= 8, 0x7F, code)  # beyond the last segment: the largest code
    mask = np.where(negative, 0x7F, 0xFF)
    return ((code ^ mask) & 0xFF).astype(np.uint8).tobytes()


_ULAW_SEGMENT_ENDS = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])


# --- Audio inside a process ---------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Audio:
    """Mono int16 samples at a known rate. The array is read-only so it can be shared freely."""

    samples: np.ndarray
    sample_rate: int

    def __post_init__(self) -> None:
        # A writeable array that owns its data is taken over (made read-only in place, no copy:
        # this runs 50 times a second per call); a writeable view is copied, as its base may change.
        if self.sample_rate <= 0:
            raise AudioError(f"sample rate must be positive, got {self.sample_rate}")
        if self.samples.dtype != np.int16 or self.samples.ndim != 1:
            raise AudioError(
                f"samples must be a 1-D int16 array, got {self.samples.dtype} {self.samples.shape}"
            )
        if self.samples.flags.writeable:
            frozen = self.samples.copy() if self.samples.base is not None else self.samples
            frozen.setflags(write=False)
            object.__setattr__(self, "samples", frozen)

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate

    @classmethod
    def from_bytes(cls, data: bytes, sample_rate: int, encoding: Encoding) -> Audio:
        if encoding == "ulaw":
            return cls(ulaw_decode(data), sample_rate)
        if len(data) % 2:
            raise AudioError(f"truncated audio: {len(data)} bytes is not a whole number of 16-bit samples")
        dtype = "<i2" if encoding == "slin16le" else ">i2"
        return cls(np.frombuffer(data, dtype=dtype).astype(np.int16), sample_rate)

    def to_bytes(self, encoding: Encoding) -> bytes:
        if encoding == "ulaw":
            return ulaw_encode(self.samples)
        return self.samples.astype("<i2" if encoding == "slin16le" else ">i2").tobytes()

    def to_float(self) -> np.ndarray:
        return self.samples.astype(np.float32) / 32768.0

    def resample(self, sample_rate: int) -> Audio:
        return Audio(resample_int16(self.samples, self.sample_rate, sample_rate), sample_rate)

    def slice(self, start_s: float, end_s: float) -> Audio:
        a = max(0, int(round(start_s * self.sample_rate)))
        b = max(a, int(round(end_s * self.sample_rate)))
        return Audio(self.samples[a:b], self.sample_rate)

    def frames(self, frame_ms: int = FRAME_MS) -> list[np.ndarray]:
        """Whole frames only: a trailing partial frame is dropped, as a live stream would never send it."""
        n = self.sample_rate * frame_ms // 1000
        usable = len(self.samples) - len(self.samples) % n
        return [self.samples[i : i + n] for i in range(0, usable, n)]


def resample_int16(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    if from_rate == to_rate or len(samples) == 0:
        return samples.astype(np.int16, copy=False)
    # Polyphase resampling: exact for 8k<->16k and cheap enough per utterance for odd rates.
    from scipy.signal import resample_poly

    g = gcd(from_rate, to_rate)
    y = resample_poly(samples.astype(np.float32), to_rate // g, from_rate // g)
    return np.clip(np.rint(y), -32768, 32767).astype(np.int16)


def resample_float(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    if from_rate == to_rate or len(samples) == 0:
        return samples.astype(np.float32, copy=False)
    from scipy.signal import resample_poly

    g = gcd(from_rate, to_rate)
    return resample_poly(samples, to_rate // g, from_rate // g).astype(np.float32)


# --- Quality ------------------------------------------------------------------------------
@dataclass(frozen=True)
class AudioQuality:
    rms_dbfs: float
    peak: int
    clipped_fraction: float

    @property
    def silent(self) -> bool:
        return self.rms_dbfs < SILENCE_DBFS

    @property
    def clipped(self) -> bool:
        return self.clipped_fraction > CLIPPED_FRACTION


def inspect_quality(audio: Audio) -> AudioQuality:
    if len(audio.samples) == 0:
        return AudioQuality(rms_dbfs=-120.0, peak=0, clipped_fraction=0.0)
    x = audio.samples.astype(np.float64)
    rms = float(np.sqrt(np.mean(x * x)))
    peak = int(np.max(np.abs(x)))
    # mu-law's largest code decodes to 32124, so "clipped" means near the top of either codec.
    clipped = float(np.mean(np.abs(x) >= 32000))
    return AudioQuality(rms_dbfs=20 * np.log10(max(rms, 1e-3) / 32768.0), peak=peak, clipped_fraction=clipped)


def check_frame(frame: bytes, sample_rate: int, encoding: Encoding, frame_ms: int = FRAME_MS) -> None:
    """A live frame must be exactly ``frame_ms`` long; the length of a wrong one often tells its real rate."""
    expected = frame_bytes(sample_rate, encoding, frame_ms)
    if len(frame) == expected:
        return
    width = bytes_per_sample(encoding)
    implied = len(frame) // width * 1000 // frame_ms
    hint = (
        f"; that is {frame_ms} ms at {implied} Hz — is the call's rate mislabelled?"
        if implied in (8000, 16000, 32000, 48000)
        else ""
    )
    raise AudioError(
        f"frame of {len(frame)} bytes, expected {expected} "
        f"for {frame_ms} ms of {encoding} at {sample_rate} Hz{hint}"
    )


# --- Audio between processes --------------------------------------------------------------
class AudioPayload(BaseModel):
    """Call audio as JSON: base64 PCM plus everything needed to read it back."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sample_rate: CallRate
    encoding: Encoding
    channels: Literal[1] = 1
    pcm_b64: str

    @field_validator("pcm_b64")
    @classmethod
    def _is_base64(cls, value: str) -> str:
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("pcm_b64 is not valid base64") from None
        return value

    @model_validator(mode="after")
    def _whole_samples_and_bounded(self) -> AudioPayload:
        n = len(self.pcm())
        width = bytes_per_sample(self.encoding)
        if n % width:
            raise ValueError(f"truncated audio: {n} bytes is not a whole number of {self.encoding} samples")
        seconds = n / width / self.sample_rate
        if seconds > MAX_PAYLOAD_SECONDS:
            raise ValueError(
                f"{seconds:.1f} s of audio is more than the {MAX_PAYLOAD_SECONDS:.0f} s one payload may carry"
            )
        return self

    def pcm(self) -> bytes:
        return base64.b64decode(self.pcm_b64)

    def to_audio(self) -> Audio:
        return Audio.from_bytes(self.pcm(), self.sample_rate, self.encoding)

    @classmethod
    def from_audio(cls, audio: Audio, encoding: Encoding = "slin16le") -> AudioPayload:
        if audio.sample_rate not in CALL_RATES:
            raise AudioError(f"call audio must be 8000 or 16000 Hz, got {audio.sample_rate}; resample first")
        data = audio.to_bytes(encoding)
        pcm_b64 = base64.b64encode(data).decode("ascii")
        return cls.model_validate(
            {"sample_rate": audio.sample_rate, "encoding": encoding, "pcm_b64": pcm_b64}
        )

    @classmethod
    def parse(cls, data: object) -> AudioPayload:
        """Validate untrusted input (a task argument); every failure becomes an :class:`AudioError`."""
        if isinstance(data, AudioPayload):
            return data
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'audio'}: {e['msg']}" for e in exc.errors()
            )
            raise AudioError(f"invalid audio payload: {problems}") from None


# --- Files --------------------------------------------------------------------------------
def read_wav(path: str | Path) -> Audio:
    """A 16-bit PCM WAV file as mono audio at the file's own rate (stereo is averaged)."""
    try:
        with wave.open(str(path), "rb") as wav:
            width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
            data = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as exc:
        raise AudioError(f"{path}: not a PCM WAV file we can read ({exc})") from None
    if width != 2:
        raise AudioError(f"{path}: {8 * width}-bit samples; only 16-bit PCM WAV is supported")
    usable = len(data) - len(data) % (2 * channels)  # a file cut mid-sample loses only that sample
    samples = np.frombuffer(data[:usable], dtype="<i2")
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return Audio(np.asarray(samples, dtype=np.int16), rate)


def write_wav(path: str | Path, audio: Audio) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(audio.sample_rate)
        wav.writeframes(audio.to_bytes("slin16le"))
