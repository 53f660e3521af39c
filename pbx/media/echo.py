"""Tell the caller talking over a prompt from the prompt's own echo on the line.

Phone lines return part of what we send (hybrid echo, speakerphones). Asterisk does no echo
cancellation on an ExternalMedia leg, so VAD alone would hear the bot's own prompt and
"barge in" on it. Caller speech counts as barge-in only if it is clearly louder than the echo
of what was just sent could be, for long enough to be speech and not a click.
"""

from __future__ import annotations

from collections import deque

import numpy as np


def rms(frame: np.ndarray) -> float:
    if len(frame) == 0:
        return 0.0
    return float(np.sqrt(np.mean(frame.astype(np.float64) ** 2)))


class EchoGuard:
    def __init__(self, echo_return_loss_db: float = 10.0, floor_rms: float = 150.0, confirm_frames: int = 12,
                 echo_window_frames: int = 15) -> None:  # fmt: skip
        # Echo arrives up to ~300 ms after the audio that caused it, at least this many dB down.
        self._loss = 10 ** (-echo_return_loss_db / 20)
        self._floor = floor_rms
        self._confirm = confirm_frames
        self._sent: deque[float] = deque(maxlen=echo_window_frames)
        self._run = 0

    def on_output(self, level: float) -> None:
        self._sent.append(level)

    def on_silence_out(self) -> None:
        self._sent.append(0.0)

    def threshold(self) -> float:
        loudest = max(self._sent, default=0.0)
        return max(self._floor, loudest * self._loss)

    def barge_in(self, frame: np.ndarray) -> bool:
        """Feed one caller frame heard while the bot talks; True once it is confirmed speech."""
        if rms(frame) > self.threshold():
            self._run += 1
        else:
            self._run = 0
        if self._run >= self._confirm:
            self._run = 0
            return True
        return False

    def reset(self) -> None:
        self._run = 0
