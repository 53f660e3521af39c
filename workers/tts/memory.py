"""Prompts ready to play, in memory: int16 at the call's rate, bounded in bytes.

The disk cache (:mod:`.cache`) keeps every prompt at the engine's rate across restarts; this
one keeps what the next minutes of calls will say, already resampled, so a turn costs no
file read and no resampling. Entries are dropped least recently used first once their
samples pass ``max_bytes`` (about 16 KB a second of speech at 8 kHz: 64 MB hold an hour).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import NamedTuple

import numpy as np


class PromptKey(NamedTuple):
    engine: str
    voice: str
    text: str
    sample_rate: int


class PromptMemory:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[PromptKey, np.ndarray] = OrderedDict()
        self._bytes = 0
        # Filled by the pre-synthesis thread and the calls' executor threads, read by the event loop.
        self._lock = threading.Lock()

    def get(self, key: PromptKey) -> np.ndarray | None:
        with self._lock:
            samples = self._entries.get(key)
            if samples is not None:
                self._entries.move_to_end(key)
            return samples

    def __contains__(self, key: PromptKey) -> bool:
        with self._lock:
            return key in self._entries

    def put(self, key: PromptKey, samples: np.ndarray) -> None:
        if samples.nbytes > self.max_bytes:
            return  # one prompt larger than the whole budget would only evict everything else
        samples.setflags(write=False)  # shared by every call that says it
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= previous.nbytes
            self._entries[key] = samples
            self._bytes += samples.nbytes
            while self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped.nbytes

    @property
    def bytes(self) -> int:
        with self._lock:
            return self._bytes

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
