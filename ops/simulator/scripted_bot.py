"""A bot that says and hears nothing on its own, for tests and benchmarks that script one move
(escalate mid-sentence, say the call is at risk) through pbx's real call engine."""

from __future__ import annotations

import numpy as np

from pbx.calls.protocols import CallIO


class QuietConversation:
    """A ``Conversation`` that ignores everything; subclasses override what they script."""

    outcome: tuple[str, str] = ("confirmed", "")

    async def start(self, io: CallIO) -> None:
        pass

    def on_audio(self, samples: np.ndarray) -> None:
        pass

    def on_dtmf(self, digit: str) -> None:
        pass

    async def on_queue_timeout(self, queue: str, status: str) -> None:
        pass

    async def close(self) -> None:
        pass
