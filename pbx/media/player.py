"""The bot's side of the line: one RTP packet every 20 ms for the whole call.

Prompts are queued onto a continuous stream; between prompts the line carries silence, as
a phone does. A prompt may arrive in pieces (:meth:`PromptPlayer.play_stream`): its first
piece plays while the next are still being synthesised, and a piece that is late leaves a
moment of silence, never the end of the prompt. Far ends rely on that: talk detection, jitter buffers and some carriers'
media timeouts all expect a steady stream, not bursts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

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
        self._played = 0  # samples of the prompt sent so far
        self._more = False  # more pieces of the prompt are coming
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

    def start(self, samples: np.ndarray, more: bool = False) -> asyncio.Future[float]:
        """Queue ``samples`` (int16 at the format's rate) now; resolves to the seconds played.

        ``more``: the prompt goes on (:meth:`append`) until :meth:`end_of_prompt`."""
        self.stop()
        self.run()
        self._prompt = samples
        self._position = 0
        self._played = 0
        self._more = more
        self._done = asyncio.get_running_loop().create_future()
        return self._done

    def append(self, samples: np.ndarray) -> None:
        """The next piece of the prompt playing now."""
        if self._prompt is not None and self._more:
            self._prompt = np.concatenate((self._prompt[self._position :], samples))
            self._position = 0

    def end_of_prompt(self) -> None:
        """No more pieces: the prompt ends once what it holds has played."""
        self._more = False
        if self._prompt is not None and self._position >= len(self._prompt):
            self._finish()

    async def play_stream(self, pieces: AsyncIterator[np.ndarray]) -> float:
        """Play ``pieces`` as they come; returns the seconds played (less if stopped)."""
        done: asyncio.Future[float] | None = None
        try:
            async for piece in pieces:
                if done is None:
                    done = self.start(piece, more=True)
                elif done.done():
                    break  # stopped (barge-in), or another prompt took the line
                else:
                    self.append(piece)
        finally:
            if done is not None and not done.done():
                self.end_of_prompt()
        return await done if done is not None else 0.0

    def stop(self) -> None:
        """Cut the prompt short (barge-in); its future resolves with what was played."""
        if self._prompt is not None:
            self._finish()

    def _finish(self) -> None:
        played = self._played / self._fmt.sample_rate
        self._prompt = None
        self._more = False
        if self._done is not None and not self._done.done():
            self._done.set_result(played)
        self._done = None

    def _next_payload(self) -> tuple[bytes, bool]:
        n = self._fmt.samples_per_frame
        if self._prompt is None:
            if self._on_frame is not None:
                self._on_frame(None)
            return self._silence, False
        n_left = len(self._prompt) - self._position
        if n_left <= 0 or (self._more and n_left < n):  # the next piece is late: a moment of silence
            if self._on_frame is not None:
                self._on_frame(None)
            return self._silence, False
        frame = self._prompt[self._position : self._position + n]
        first = self._played == 0
        self._position += n
        self._played += len(frame)
        if len(frame) < n:
            frame = np.pad(frame, (0, n - len(frame)))
        if self._on_frame is not None:
            self._on_frame(frame)
        if self._position >= len(self._prompt) and not self._more:
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
