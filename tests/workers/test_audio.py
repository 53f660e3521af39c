"""Typed audio: codecs, resampling, and validation of what crosses a process boundary."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from tests.workers.synth import silence
from workers.audio import (
    Audio,
    AudioError,
    AudioPayload,
    check_frame,
    inspect_quality,
    read_wav,
    ulaw_decode,
    ulaw_encode,
    write_wav,
)


def tone(freq: float, seconds: float, rate: int, amplitude: float = 8000) -> Audio:
    t = np.arange(int(seconds * rate)) / rate
    return Audio((amplitude * np.sin(2 * np.pi * freq * t)).astype(np.int16), rate)


def test_ulaw_round_trip_is_within_codec_precision() -> None:
    x = np.linspace(-32000, 32000, 4001).astype(np.int16)
    y = ulaw_decode(ulaw_encode(x))
    # mu-law keeps ~3% relative precision (plus a small step near zero).
    assert np.all(np.abs(y.astype(int) - x) <= np.abs(x.astype(int)) * 0.035 + 8)
    assert ulaw_encode(np.zeros(4, np.int16)) == b"\xff" * 4


@pytest.mark.parametrize("encoding", ["slin16le", "slin16be", "ulaw"])
def test_payload_round_trip(encoding: str) -> None:
    audio = tone(440, 0.5, 8000)
    payload = AudioPayload.from_audio(audio, encoding)  # type: ignore[arg-type]
    back = AudioPayload.parse(payload.model_dump(mode="json")).to_audio()
    assert back.sample_rate == 8000 and len(back.samples) == 4000
    tolerance = 300 if encoding == "ulaw" else 0
    assert np.max(np.abs(back.samples.astype(int) - audio.samples)) <= tolerance


def test_slin16be_is_big_endian_as_asterisk_sends_it() -> None:
    audio = Audio(np.array([1, -2], dtype=np.int16), 16000)
    assert audio.to_bytes("slin16be") == b"\x00\x01\xff\xfe"
    assert Audio.from_bytes(b"\x00\x01\xff\xfe", 16000, "slin16be").samples.tolist() == [1, -2]


def test_resample_8k_16k_keeps_length_and_tone() -> None:
    audio = tone(500, 1.0, 8000)
    up = audio.resample(16000)
    assert len(up.samples) == 16000
    spectrum = np.abs(np.fft.rfft(up.samples))
    assert abs(np.argmax(spectrum) * 16000 / len(up.samples) - 500) < 2
    assert len(up.resample(8000).samples) == 8000


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            {"sample_rate": 8000, "encoding": "slin16le", "pcm_b64": base64.b64encode(b"abc").decode()},
            "truncated",
        ),
        ({"sample_rate": 44100, "encoding": "slin16le", "pcm_b64": ""}, "sample_rate"),
        ({"sample_rate": 8000, "encoding": "mp3", "pcm_b64": ""}, "encoding"),
        ({"sample_rate": 8000, "encoding": "ulaw", "channels": 2, "pcm_b64": ""}, "channels"),
        ({"sample_rate": 8000, "encoding": "ulaw", "pcm_b64": "not base64!"}, "base64"),
        (
            {
                "sample_rate": 8000,
                "encoding": "ulaw",
                "pcm_b64": base64.b64encode(b"\xff" * 8000 * 121).decode(),
            },
            "120 s",
        ),
    ],
)
def test_invalid_payloads_raise_audio_error_naming_the_problem(payload: dict, message: str) -> None:
    with pytest.raises(AudioError, match=message):
        AudioPayload.parse(payload)


def test_a_frame_of_the_wrong_size_names_the_rate_it_really_has() -> None:
    check_frame(b"\0" * 320, 8000, "slin16le")
    with pytest.raises(AudioError, match="16000 Hz — is the call's rate mislabelled"):
        check_frame(b"\0" * 640, 8000, "slin16le")
    with pytest.raises(AudioError, match="expected 160"):
        check_frame(b"\0" * 100, 8000, "ulaw")


def test_quality_flags_silence_and_clipping() -> None:
    assert inspect_quality(silence(1.0)).silent
    assert not inspect_quality(tone(300, 1.0, 8000)).silent
    square = Audio(np.where(tone(300, 1.0, 8000).samples >= 0, 32767, -32768).astype(np.int16), 8000)
    assert inspect_quality(square).clipped and not inspect_quality(tone(300, 1.0, 8000)).clipped
    assert inspect_quality(Audio(np.zeros(0, np.int16), 8000)).silent


def test_audio_is_read_only_and_wav_round_trips(tmp_path) -> None:
    audio = tone(300, 0.2, 16000)
    with pytest.raises(ValueError):
        audio.samples[0] = 1
    write_wav(tmp_path / "a.wav", audio)
    back = read_wav(tmp_path / "a.wav")
    assert back.sample_rate == 16000 and np.array_equal(back.samples, audio.samples)
    (tmp_path / "bad.wav").write_bytes(b"RIFF....nonsense")
    with pytest.raises(AudioError, match="not a PCM WAV"):
        read_wav(tmp_path / "bad.wav")
