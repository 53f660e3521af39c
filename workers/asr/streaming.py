"""Threads that run streaming decoders off the caller's thread, keeping each call's order.

A streaming engine (Vosk) decodes every speech frame; doing that on the thread that reads
media (pbx's event loop) would stall every other call. Each call is pinned to one worker
thread, so its frames and its final are handled in order without any per-call locking.
"""

from __future__ import annotations

import logging
import queue
import threading
import zlib
from collections.abc import Callable

log = logging.getLogger(__name__)

_STOP = object()


class StreamingPool:
    def __init__(self, threads: int = 1, name: str = "asr-stream") -> None:
        self._queues: list[queue.Queue[object]] = [queue.Queue() for _ in range(max(1, threads))]
        self._threads = [
            threading.Thread(target=self._run, args=(q,), name=f"{name}-{i}", daemon=True)
            for i, q in enumerate(self._queues)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, call_id: str, job: Callable[[], None]) -> None:
        # crc32, not hash(): stable across processes, so a call's thread is reproducible in logs.
        self._queues[zlib.crc32(call_id.encode()) % len(self._queues)].put(job)

    def drain(self) -> None:
        for q in self._queues:
            q.join()

    def close(self) -> None:
        for q in self._queues:
            q.put(_STOP)
        for thread in self._threads:
            thread.join()

    @staticmethod
    def _run(jobs: queue.Queue[object]) -> None:
        while True:
            job = jobs.get()
            try:
                if job is _STOP:
                    return
                job()  # type: ignore[operator]
            except Exception:  # one call's decoder failing must not stop the others on this thread
                log.exception("streaming ASR job failed")
            finally:
                jobs.task_done()
