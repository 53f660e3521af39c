"""Cut incoming audio into exact 20 ms frames, whatever packet sizes the far end sends."""

from __future__ import annotations

import numpy as np


class Reframer:
    def __init__(self, samples_per_frame: int) -> None:
        self._n = samples_per_frame
        self._pending = np.zeros(0, dtype=np.int16)

    def push(self, samples: np.ndarray) -> list[np.ndarray]:
        if len(self._pending) == 0 and len(samples) == self._n:
            return [samples]  # the usual case: one 20 ms packet, nothing to copy
        self._pending = np.concatenate([self._pending, samples.astype(np.int16, copy=False)])
        count = len(self._pending) // self._n
        frames = [self._pending[i * self._n : (i + 1) * self._n] for i in range(count)]
        self._pending = self._pending[count * self._n :]
        return frames

    def flush(self) -> list[np.ndarray]:
        """What is left, padded with silence to a whole frame (before a gap is filled)."""
        if len(self._pending) == 0:
            return []
        frame = np.pad(self._pending, (0, self._n - len(self._pending)))
        self._pending = np.zeros(0, dtype=np.int16)
        return [frame]
