"""Prompts Asterisk plays from a file: the summary an agent hears when answering an escalated
call, the bridging phrase callers hear while agents ring (``asterisk_config.music``), and the
message left on an answering machine."""

from __future__ import annotations

import asyncio
import logging
import os
import re
from pathlib import Path

from workers.audio import write_wav
from workers.storage import WriteFailures
from workers.tts.service import PromptSynthesizer

log = logging.getLogger(__name__)

_SAFE = re.compile(r"[^A-Za-z0-9-]")


class PromptFiles:
    """Synthesises text into a folder Asterisk can read (the chroot's view of it)."""

    def __init__(self, tts: PromptSynthesizer, host_dir: Path, asterisk_dir: str) -> None:
        self._tts = tts
        self._host_dir = host_dir
        self._asterisk_dir = asterisk_dir.rstrip("/")
        self.failures = WriteFailures(f"prompt files in {host_dir}", log)

    async def __call__(self, name: str, text: str) -> str | None:
        """``name``: the file's name (unsafe characters dropped); returns what to play, no extension."""
        return await asyncio.get_running_loop().run_in_executor(None, self.write, name, text)

    def write(self, name: str, text: str) -> str | None:
        """As calling it, in this thread (start-up: the bridging phrase). None when there is
        nothing to play: no text, or the folder cannot take the file (disk full, read-only)."""
        if not text.strip():
            return None
        prompt = self._tts.synthesize(text, 8000)
        name = _SAFE.sub("", name)
        # Asterisk may open the file at any moment (a summary rewritten for a second escalation,
        # the phrase at a restart): it finds the old one or the new one whole, never half.
        tmp = self._host_dir / f".{name}.wav.tmp"
        try:
            self._host_dir.mkdir(parents=True, exist_ok=True)
            # 8 kHz 16-bit mono .wav: what Asterisk's format_wav plays without transcoding.
            write_wav(tmp, prompt.audio)
            os.chmod(tmp, 0o644)
            os.replace(tmp, self._host_dir / f"{name}.wav")
        except OSError as exc:  # a full disk: each caller does without the file (None), none waits
            tmp.unlink(missing_ok=True)
            self.failures.failed(exc, "calls go on without them (agents hear a tone, callers stock sounds)")
            return None
        self.failures.succeeded()
        return f"{self._asterisk_dir}/{name}"
