"""The contract between the call engine (ARI, media) and what it is given from outside.

The engine owns channels, bridges and RTP; a ``Conversation`` owns the dialog, speech and
VoiceWatch. They meet here so either side can be tested with the other scripted. The
callables the engine is built with (where events go, how prompt files are made, how a
conversation is made for a call) are named here too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from asterisk_config.music import Opening
from pbx.api import CallOutcome, Event, OriginateCall

if TYPE_CHECKING:
    from pbx.calls.live import LiveCall


class CallIO(Protocol):
    """What a conversation may do to its call (implemented by the engine)."""

    call_id: str
    sample_rate: int

    async def play(self, samples: np.ndarray) -> float:
        """Play int16 audio to the caller; returns seconds played (less if stopped)."""
        ...

    async def play_stream(self, pieces: AsyncIterator[np.ndarray]) -> float:
        """Play a prompt whose pieces are still being made: each as soon as it comes."""
        ...

    def stop_playback(self) -> None: ...

    def on_output(self, listener: Callable[[np.ndarray | None], None]) -> None:
        """Be told each 20 ms frame the line sends to the caller (None: silence), e.g. for an echo guard."""
        ...

    @property
    def playing(self) -> bool: ...

    async def escalate(self, queue: str, reason: str, score: float, summary: str,
                       decided_at: float | None = None, opening: Opening = Opening.BRIDGE) -> None:
        """``decided_at``: time.time() of the decision, so its latency includes the bridging phrase;
        ``opening``: what Asterisk says to the caller first in the queue."""
        ...

    async def hangup(self, outcome: CallOutcome, detail: str = "") -> None: ...

    async def publish(self, event: Event) -> None: ...


class Conversation(Protocol):
    async def start(self, io: CallIO) -> None:
        """The caller is connected: greet and begin listening."""
        ...

    def on_audio(self, samples: np.ndarray) -> None:
        """One 20 ms frame of the caller's audio (int16 at ``io.sample_rate``)."""
        ...

    def on_dtmf(self, digit: str) -> None: ...

    async def on_queue_timeout(self, queue: str, status: str) -> None:
        """No human answered in time and the call is back with the bot."""
        ...

    @property
    def outcome(self) -> tuple[str, str]:
        """(outcome, detail) so far."""
        ...

    async def close(self) -> None: ...


Publish = Callable[[Event], Awaitable[None]]
# (file name, text) -> the file Asterisk plays (no extension), or None
PromptFileMaker = Callable[[str, str], Awaitable[str | None]]
ConversationFactory = Callable[["LiveCall"], Conversation]
# Told of each call pbx has just dialled (it rings for seconds): e.g. synthesise its prompts in
# the background. Must return at once.
CallPreparer = Callable[[OriginateCall], None]


@runtime_checkable
class PreparesCalls(Protocol):
    """A conversation factory that can get ready for a call before it is answered."""

    def prepare(self, command: OriginateCall) -> None: ...
