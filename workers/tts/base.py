"""The TTS interface: text in, mono audio at the engine's own rate out."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from workers.audio import Audio


class TtsError(RuntimeError):
    """Synthesis failed for this text with this engine."""


class TtsUnavailable(TtsError):
    """The engine cannot run here (not installed, no model); the message says what to install or set."""


@runtime_checkable
class TtsEngine(Protocol):
    name: str
    voice: str

    def synthesize(self, text: str) -> Audio: ...


def normalise_text(text: str) -> str:
    """Whitespace differences must not make a different prompt (or a different cache entry)."""
    return " ".join(text.split())
