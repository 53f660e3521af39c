"""The bot's side of the line: one RTP packet every 20 ms for the whole call.

Prompts are queued onto a continuous stream; between prompts the line carries silence, as
a phone does. Far ends rely on that: talk detection, jitter buffers and some carriers'
media timeouts all expect a steady stream, not bursts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import numpy as np

from pbx.media.codec import MediaFormat
from pbx.media.rtp import RtpSender


class PromptPlayer:
    def __init__(self, fmt: MediaFormat, send: Callable[[bytes], None],
                 on_frame: Callable[[np.ndarray | None], None] | None = None,
                 on_tick: Callable[[], None] | None = None) -> None:  # fmt: skip
        self._fmt = fmt
        self._send = send
        self._sender = RtpSender(fmt.payload_type, fmt.samples_per_frame)
        self._on_frame = on_frame  # lets an echo guard know what the line is playing
        self._on_tick = on_tick  # the call's 20 ms clock, for work that must happen even without audio in
        self._silence = fmt.encode(np.zeros(fmt.samples_per_frame, dtype=np.int16))
        self._prompt: np.ndarray | None = None
        self._position = 0
        self._done: asyncio.Future[float] | None = None
        self._clock: asyncio.Task[None] | None = None

    @property
    def playing(self) -> bool:
        return self._prompt is not None

    def run(self) -> asyncio.Task[None]:
        """Start the line's clock (once per call)."""
        if self._clock is None:
            self._clock = asyncio.get_running_loop().create_task(self._tick())
        return self._clock

    def close(self) -> None:
        self.stop()
        if self._clock is not None:
            self._clock.cancel()

    def start(self, samples: np.ndarray) -> asyncio.Future[float]:
        """Queue ``samples`` (int16 at the format's rate) now; resolves to the seconds played."""
        self.stop()
        self.run()
        self._prompt = samples
        self._position = 0
        self._done = asyncio.get_running_loop().create_future()
        return self._done

    def stop(self) -> None:
        """Cut the prompt short (barge-in); its future resolves with what was played."""
        if self._prompt is not None:
            self._finish()

    def _finish(self) -> None:
        played = self._position / self._fmt.sample_rate
        self._prompt = None
        if self._done is not None and not self._done.done():
            self._done.set_result(played)
        self._done = None

    def _next_payload(self) -> tuple[bytes, bool]:
        n = self._fmt.samples_per_frame
        if self._prompt is None:
            if self._on_frame is not None:
                self._on_frame(None)
            return self._silence, False
        frame = self._prompt[self._position : self._position + n]
        first = self._position == 0
        self._position += n
        if len(frame) < n:
            frame = np.pad(frame, (0, n - len(frame)))
        if self._on_frame is not None:
            self._on_frame(frame)
        if self._position >= len(self._prompt):
            self._finish()
        return self._fmt.encode(frame), first

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        sent = 0
        while True:
            payload, marker = self._next_payload()
            self._send(self._sender.packet(payload, marker=marker))
            if self._on_tick is not None:
                self._on_tick()
            sent += 1
            # Absolute deadlines: a late wake-up is caught up, so the clock never drifts.
            delay = start + sent * 0.02 - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -1.0:
                start, sent = loop.time(), 0  # the loop stalled for a second: do not burst to catch up
