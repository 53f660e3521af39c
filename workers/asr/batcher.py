"""ASR worker threads shared by all calls of a process, batching whatever is waiting.

Adaptive batching: when every thread is idle a lone utterance goes straight in (lowest
latency); while one is busy, utterances from all calls pile up and the next pass takes them
together (highest throughput — Whisper packs them into one window). So batches grow as fast
as load does. With more than one thread, an extra thread starts only on a well-filled batch
or when the oldest utterance has waited ``max_wait_s`` — otherwise two half-idle threads
would split the load into small, expensive batches.

Control overtakes data: a newer partial of an utterance replaces an older one still waiting,
and its final removes it — a stale partial is worth nothing once the engine can say more.
Finals go before partials (a caller waiting for the bot's answer matters more than a caller
still talking), and an engine that gains nothing from packing (``packs_utterances`` false)
gets one utterance a pass, and any idle thread takes it at once, so no final waits for the
others of its batch nor behind a partial another thread is decoding.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from workers.asr.base import AsrEngine, Transcript
from workers.audio import Audio
from workers.metrics import asr_metrics

log = logging.getLogger(__name__)

Deliver = Callable[[Transcript | None, BaseException | None], None]
BatchObserver = Callable[[Sequence[Audio]], None]
# (engine name, seconds from submit to transcript) of each final decoded (cc_asr_latency_seconds).
LatencyObserver = Callable[[str, float], None]


# (call id, utterance index) for an utterance's partials and final; a speculative decode has a
# key of its own (it must not replace, nor be replaced by, the partials of its utterance).
RequestKey = tuple[str, int] | tuple[str, int, str]


@dataclass(eq=False)
class _Request:
    key: RequestKey
    audio: Audio
    is_final: bool
    deliver: Deliver
    submitted: float = field(default_factory=time.monotonic)


# An extra thread starts on a batch at least this full (of max_batch_seconds).
EXTRA_THREAD_FILL = 0.6


class UtteranceBatcher:
    def __init__(
        self,
        engine: AsrEngine,
        max_batch_seconds: float = 24.0,
        observer: BatchObserver | None = None,
        threads: int = 1,
        max_wait_s: float = 1.0,
        latency: LatencyObserver | None = None,
    ) -> None:
        """``latency``: told each final's time in the batcher (wait and decode); by default the
        process's ``cc_asr_latency_seconds``."""
        self.engine = engine
        self.max_batch_seconds = max_batch_seconds
        self._one_at_a_time = not engine.packs_utterances
        self.max_wait_s = max_wait_s
        # Lets a benchmark replay exactly the batches the engine saw; None in production.
        self._observer = observer
        self._latency = latency if latency is not None else asr_metrics().decoded
        self._pending: list[_Request] = []
        self._busy = 0
        self._closed = False
        self._cond = threading.Condition()
        self._threads = [
            threading.Thread(target=self._run, name=f"asr-{engine.name}-{i}", daemon=True)
            for i in range(max(1, threads))
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, key: RequestKey, audio: Audio, is_final: bool, deliver: Deliver) -> None:
        with self._cond:
            if self._closed:
                raise RuntimeError("batcher is closed")
            if is_final:
                self._pending = [r for r in self._pending if r.key != key or r.is_final]
            else:
                for i, r in enumerate(self._pending):
                    if r.key == key and not r.is_final:
                        self._pending[i] = _Request(key, audio, False, deliver, r.submitted)
                        return
            self._pending.append(_Request(key, audio, is_final, deliver))
            self._cond.notify_all()

    def cancel(self, key: RequestKey) -> None:
        """Forget a request still waiting (one already being decoded is delivered: check it is wanted)."""
        with self._cond:
            self._pending = [r for r in self._pending if r.key != key]
            self._cond.notify_all()

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until everything submitted so far has been delivered."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and self._busy == 0, timeout)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join()

    def _ready(self) -> bool:
        if self._closed or not self._pending:
            return self._closed
        if self._busy == 0 or self._one_at_a_time:
            return True  # nothing to gain from waiting when the engine does not pack
        waiting = sum(r.audio.duration_s for r in self._pending)
        oldest = time.monotonic() - self._pending[0].submitted
        return waiting >= EXTRA_THREAD_FILL * self.max_batch_seconds or oldest >= self.max_wait_s

    def _take(self) -> list[_Request] | None:
        with self._cond:
            while not self._ready():
                # Idle threads sleep until woken; with work pending, an extra thread also wakes
                # exactly when the oldest utterance will have waited max_wait_s.
                timeout = None
                if self._pending:
                    timeout = max(0.0, self._pending[0].submitted + self.max_wait_s - time.monotonic())
                self._cond.wait(timeout)
            if not self._pending:
                return None
            self._pending.sort(key=lambda r: not r.is_final)  # stable: FIFO within finals and partials
            batch: list[_Request] = []
            seconds = 0.0
            while self._pending and (
                not batch
                or (
                    not self._one_at_a_time
                    and seconds + self._pending[0].audio.duration_s <= self.max_batch_seconds
                )
            ):
                request = self._pending.pop(0)
                seconds += request.audio.duration_s
                batch.append(request)
            self._busy += 1
            return batch

    def _run(self) -> None:
        while (batch := self._take()) is not None:
            try:
                self._process(batch)
            finally:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def _process(self, batch: list[_Request]) -> None:
        try:
            audios = [r.audio for r in batch]
            if self._observer is not None:
                self._observer(audios)
            results = self.engine.transcribe_many(audios)
        except Exception as exc:  # one bad batch must not kill ASR for every call
            log.exception("ASR batch of %d utterances failed", len(batch))
            outcomes: list[tuple[Transcript | None, BaseException | None]] = [(None, exc)] * len(batch)
        else:
            outcomes = [
                (t if r.is_final else Transcript(t.text, t.words, False, t.engine), None)
                for r, t in zip(batch, results, strict=True)
            ]
            self._observe_latency(batch, time.monotonic())
        for r, (transcript, error) in zip(batch, outcomes, strict=True):
            try:
                r.deliver(transcript, error)
            except Exception:  # a failing sink is that call's problem, not the other calls'
                log.exception("delivering the transcript of %s failed", r.key)

    def _observe_latency(self, batch: list[_Request], decoded_at: float) -> None:
        try:
            for r in batch:
                if r.is_final:
                    self._latency(self.engine.name, decoded_at - r.submitted)
        except Exception:  # a metric must never stop recognition
            log.exception("ASR latency not recorded")
