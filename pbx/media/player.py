"""Send a prompt's audio as 20 ms RTP packets at real-time pace, stoppable at once (barge-in)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import numpy as np

from pbx.media.codec import MediaFormat
from pbx.media.rtp import RtpSender


class PromptPlayer:
    def __init__(self, fmt: MediaFormat, send: Callable[[bytes], None],
                 on_frame: Callable[[np.ndarray], None] | None = None) -> None:  # fmt: skip
        self._fmt = fmt
        self._send = send
        self._sender = RtpSender(fmt.payload_type, fmt.samples_per_frame)
        self._on_frame = on_frame  # lets the echo guard know what the line is playing
        self._task: asyncio.Task[float] | None = None

    @property
    def playing(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, samples: np.ndarray) -> asyncio.Task[float]:
        """Play ``samples`` (int16 at the format's rate); the task returns seconds played."""
        self.stop()
        self._task = asyncio.get_running_loop().create_task(self._play(samples))
        return self._task

    def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def _play(self, samples: np.ndarray) -> float:
        loop = asyncio.get_running_loop()
        n = self._fmt.samples_per_frame
        frames = [samples[i : i + n] for i in range(0, len(samples), n)]
        start = loop.time()
        played = 0
        try:
            for index, frame in enumerate(frames):
                if len(frame) < n:
                    frame = np.pad(frame, (0, n - len(frame)))
                self._send(self._sender.packet(self._fmt.encode(frame), marker=index == 0))
                if self._on_frame is not None:
                    self._on_frame(frame)
                played += 1
                # Absolute deadlines: a late wake-up is caught up, so timing never drifts.
                delay = start + played * 0.02 - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
        except asyncio.CancelledError:
            pass
        return played * 0.02
