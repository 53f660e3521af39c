"""The ``CallIO`` one call's conversation gets: RTP playback through its media leg, escalation, hang-up."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import numpy as np

from asterisk_config.music import Opening
from pbx.api import CallOutcome, Event
from pbx.calls.live import LiveCall
from pbx.media.codec import MediaFormat
from pbx.media.player import PromptPlayer

log = logging.getLogger(__name__)

Escalate = Callable[[LiveCall, str, str, float, str, float | None, Opening], Awaitable[None]]


class EngineCallIO:
    def __init__(self, call: LiveCall, media_format: MediaFormat, escalate: Escalate,
                 hang_up: Callable[[str], Awaitable[None]], publish: Callable[[Event], Awaitable[None]],
                 on_tick: Callable[[], None]) -> None:  # fmt: skip
        """``hang_up``: takes the channel id; ``on_tick``: the line's 20 ms clock (see ``PromptPlayer``)."""
        self._call = call
        self._escalate = escalate
        self._hang_up = hang_up
        self._publish = publish
        self.call_id = call.call_id
        self.sample_rate = media_format.sample_rate
        self._output_listeners: list[Callable[[np.ndarray | None], None]] = []
        self._player = PromptPlayer(media_format, self._send, on_frame=self._sent, on_tick=on_tick)
        self._player.run()
        call.players.append(self._player)

    def _send(self, packet: bytes) -> None:
        if self._call.media is not None:
            self._call.media.rtp.send(packet)

    def _sent(self, frame: np.ndarray | None) -> None:
        for listener in self._output_listeners:
            listener(frame)

    def on_output(self, listener: Callable[[np.ndarray | None], None]) -> None:
        self._output_listeners.append(listener)

    async def play(self, samples: np.ndarray) -> float:
        return await self._player.start(samples)

    async def play_stream(self, pieces: AsyncIterator[np.ndarray]) -> float:
        return await self._player.play_stream(pieces)

    def stop_playback(self) -> None:
        self._player.stop()

    @property
    def playing(self) -> bool:
        return self._player.playing

    async def escalate(self, queue: str, reason: str, score: float, summary: str,
                       decided_at: float | None = None, opening: Opening = Opening.BRIDGE) -> None:  # fmt: skip
        await self._escalate(self._call, queue, reason, score, summary, decided_at, opening)

    async def hangup(self, outcome: CallOutcome, detail: str = "") -> None:
        # A word outside the contract fails here, in the conversation that said it (which hands
        # the call to a human), not later when the call's end is published.
        outcome = CallOutcome(outcome)
        # Kept on the call: when the line goes down (StasisEnd, ChannelDestroyed) this is its outcome.
        log.info("call %s: bot hangs up (%s)", self.call_id, outcome)
        self._call.hangup_outcome = (outcome, detail)
        await self._hang_up(self._call.channel_id)

    async def publish(self, event: Event) -> None:
        await self._publish(event)
