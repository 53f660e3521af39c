"""The summary an agent hears before the caller is bridged (Queue's announce override)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from workers.audio import write_wav
from workers.tts.service import PromptSynthesizer

_SAFE = re.compile(r"[^A-Za-z0-9-]")


class WhisperFiles:
    """Synthesises the summary into a folder Asterisk can read (the chroot's view of it)."""

    def __init__(self, tts: PromptSynthesizer, host_dir: Path, asterisk_dir: str) -> None:
        self._tts = tts
        self._host_dir = host_dir
        self._asterisk_dir = asterisk_dir.rstrip("/")

    async def __call__(self, call_id: str, text: str) -> str | None:
        if not text.strip():
            return None
        prompt = await asyncio.get_running_loop().run_in_executor(None, self._tts.synthesize, text, 8000)
        name = "whisper-" + _SAFE.sub("", call_id)
        self._host_dir.mkdir(parents=True, exist_ok=True)
        # 8 kHz 16-bit mono .wav: what Asterisk's format_wav plays without transcoding.
        write_wav(self._host_dir / f"{name}.wav", prompt.audio)
        return f"{self._asterisk_dir}/{name}"
