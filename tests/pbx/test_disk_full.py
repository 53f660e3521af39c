"""A full (or read-only) disk under ``var/``: one clear log line, no caller left in silence
(issue 18). Unit tests inject the OSError; the last ones fill a real tiny filesystem."""

from __future__ import annotations

import errno
import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from pbx.bot.prompt_files import PromptFiles
from tests.pbx.fakes import FakeCallIO, FakeSpeech, FakeTts
from tests.pbx.test_bot_unheard import bot
from workers.audio import Audio
from workers.storage import storage_error
from workers.tts.cache import PromptCache
from workers.tts.service import PromptSynthesizer

ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class ToneEngine:
    """A TTS engine with no model: every text is a short tone."""

    name = "tone"
    voice = "a"
    sample_rate = 8000

    def synthesize(self, text: str) -> Audio:
        return Audio((np.sin(np.arange(1600) * 0.3) * 8000).astype(np.int16), 8000)


class FullCache(PromptCache):
    def __init__(self, error: OSError = ENOSPC) -> None:
        super().__init__(Path("/nonexistent-cache"))
        self.error = error
        self.tries = 0

    def get(self, engine: str, voice: str, text: str) -> Audio | None:
        return None

    def put(self, engine: str, voice: str, text: str, audio: Audio) -> Path:
        self.tries += 1
        raise self.error


def test_a_full_tts_cache_costs_the_next_call_a_synthesis_never_this_prompt(caplog) -> None:
    cache = FullCache()
    tts = PromptSynthesizer([ToneEngine()], cache)
    with caplog.at_level(logging.ERROR):
        for text in ("Hello there.", "Goodbye now.", "One more."):
            assert len(tts.synthesize(text, 8000).audio.samples) == 1600
            assert [len(a.samples) for a in tts.stream(text + " Again.", 8000)]
    assert cache.tries == 6
    [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert "TTS cache" in line and "disk is full" in line and "memory only" in line


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EROFS])
def test_prompt_files_on_a_full_disk_are_none_told_once(tmp_path: Path, caplog, monkeypatch, code) -> None:
    import pbx.bot.prompt_files as module

    files = PromptFiles(PromptSynthesizer([ToneEngine()], None), tmp_path / "media", "/var/lib/asterisk/sounds/cc")
    assert storage_error(OSError(code, "x"))
    failing = {"on": True}
    real_write = module.write_wav

    def write_wav(path, audio) -> None:
        if failing["on"]:
            Path(path).write_bytes(b"RIFF half")  # a partial file, as a write cut short leaves
            raise OSError(code, os.strerror(code))
        real_write(path, audio)

    monkeypatch.setattr(module, "write_wav", write_wav)
    with caplog.at_level(logging.WARNING, logger="pbx.bot.prompt_files"):
        assert files.write("whisper-call-1", "Angry caller.") is None
        assert files.write("whisper-call-2", "Angry caller.") is None
        failing["on"] = False
        assert files.write("whisper-call-3", "Angry caller.") == "/var/lib/asterisk/sounds/cc/whisper-call-3"
    assert sorted(p.name for p in (tmp_path / "media").iterdir()) == ["whisper-call-3.wav"]  # no half files
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2 and "prompt files" in lines[0] and "calls go on without them" in lines[0]
    assert "written again" in lines[1]
    assert files.failures.failures == 2


class FailingTts(FakeTts):
    def __init__(self, fail_after: int) -> None:
        super().__init__()
        self.fail_after = fail_after

    def stream(self, text: str, sample_rate: int):
        if len(self.said) >= self.fail_after:
            raise OSError(errno.ENOSPC, "No space left on device: '/var/tts-cache/x.wav.tmp'")
        yield from super().stream(text, sample_rate)


async def test_a_bot_that_cannot_say_its_greeting_hands_the_caller_to_a_human() -> None:
    speech, tts, io = FakeSpeech(), FailingTts(fail_after=0), FakeCallIO()
    conversation = bot(speech, tts)
    await conversation.start(io)
    [(queue, reason, score, summary)] = io.escalations
    assert (queue, reason, score) == ("support", "media_unavailable", 1.0)
    assert summary.startswith("Bot could not speak.")
    assert conversation.outcome == ("escalated", "media_unavailable") and io.hangups == []
    await conversation.close()


async def test_a_prompt_failing_mid_call_hands_over_rather_than_leaving_silence() -> None:
    speech, tts, io = FakeSpeech(), FailingTts(fail_after=1), FakeCallIO()
    conversation = bot(speech, tts)
    await conversation.start(io)
    assert len(io.plays) == 1 and io.escalations == []  # the greeting was said
    speech.hear("Yes, that is correct.")
    await io.until(lambda: io.escalations)
    assert io.escalations[0][1] == "media_unavailable"
    await conversation.close()


# ------------------------------------------------------------------ a real full filesystem


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs, filled: writes into it fail with the kernel's own ENOSPC (needs root,
    which the test machines have: the stack's Asterisk runs as root too)."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.fail(f"cannot mount a tiny tmpfs for the disk-full test: {done.stderr.decode().strip()}")
    try:
        (mount / "media").mkdir()
        (mount / "tts").mkdir()
        with open(mount / "filler", "wb") as filler:
            try:
                filler.write(b"\0" * 128 * 1024)
                filler.flush()
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def test_on_a_really_full_disk_prompts_are_still_made_and_files_told_once(full_disk: Path, caplog) -> None:
    tts = PromptSynthesizer([ToneEngine()], PromptCache(full_disk / "tts"))
    files = PromptFiles(tts, full_disk / "media", "/sounds/cc")
    with caplog.at_level(logging.ERROR):
        assert len(tts.synthesize("Hello, this is Shopkart.", 8000).audio.samples) == 1600
        assert files.write("whisper-a", "Angry caller.") is None
        assert files.write("whisper-b", "Distressed caller.") is None
    assert list((full_disk / "media").iterdir()) == []  # nothing half-written left behind
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 2 and all("No space left on device" in e for e in errors)
