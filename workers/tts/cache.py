"""Synthesised prompts on disk, keyed by (engine, voice, text), at the engine's native rate.

Native rate, because one entry then serves 8 kHz and 16 kHz calls alike (resampling a prompt
costs far less than synthesising it). Writes are atomic (temp file + rename), so concurrent
workers producing the same prompt never leave a half-written file for a reader.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from workers.audio import Audio, AudioError, read_wav, write_wav


def cache_key(engine: str, voice: str, text: str) -> str:
    return hashlib.sha256(json.dumps([engine, voice, text], ensure_ascii=False).encode()).hexdigest()


class PromptCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, engine: str, voice: str, text: str) -> Path:
        key = cache_key(engine, voice, text)
        return self.directory / engine / key[:2] / f"{key}.wav"

    def get(self, engine: str, voice: str, text: str) -> Audio | None:
        path = self.path(engine, voice, text)
        try:
            return read_wav(path)
        except FileNotFoundError:
            return None
        except AudioError:
            path.unlink(missing_ok=True)  # a damaged entry is a miss, and is replaced
            return None

    def put(self, engine: str, voice: str, text: str, audio: Audio) -> Path:
        path = self.path(engine, voice, text)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        os.close(fd)
        try:
            write_wav(tmp, audio)
            os.replace(tmp, path)
        finally:
            Path(tmp).unlink(missing_ok=True)
        return path
