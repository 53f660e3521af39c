"""Prompts synthesised before the calls need them, in one background thread.

When pbx is told to dial a lead, the prompts its flow can say to that lead
(:func:`pbx.bot.prompt_plan.flow_prompts`) are queued here, so that by the time the customer
answers (seconds later: ringing) the greeting and the likely next prompts are in memory and a
turn costs no synthesis. Order: nearest first across all leads (every queued greeting before
any depth-1 prompt), so a burst of originates gets its greetings first. Prompts that are the
same for every lead are also kept on disk (made once per voice, ever); those naming lead
fields stay in memory only (bounded: CC_TTS_MEMORY_MB).

The thread runs at a lower CPU priority (nice +10) than pbx's event loop and the ASR threads:
live calls come first, and a prompt that is not ready in time is synthesised in pieces when
said (the caller hears its first sentence after ~50 ms of synthesis). A queue that falls far
behind drops its deepest prompts, and a prompt queued more than ``max_age_s`` ago is skipped
(its call is over).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import threading
import time
from collections.abc import Iterable, Mapping

from pbx.bot.prompt_plan import flow_prompts
from pbx.dialog import Flow
from workers.tts.service import PromptSynthesizer

log = logging.getLogger(__name__)

BACKGROUND_NICE = 10
# Prompts deeper than this into a flow are left for the call itself to synthesise when one
# lead's (a lead's prompts cost CPU per lead; prompts the same for every lead are made once).
MAX_LEAD_DEPTH = 2


class PromptPreparer:
    def __init__(self, tts: PromptSynthesizer, sample_rate: int, max_pending: int = 2000,
                 max_age_s: float = 120.0) -> None:  # fmt: skip
        self._tts = tts
        self._rate = sample_rate
        self._max_pending = max_pending
        self._max_age_s = max_age_s
        # (depth, order, queued at, text, persist): a heap, nearest prompts first, oldest first.
        self._pending: list[tuple[int, int, float, str, bool]] = []
        self._queued: set[str] = set()
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._closed = False
        self._busy = False
        self.stats = {"queued": 0, "made": 0, "ready": 0, "dropped": 0, "failed": 0}
        self._thread = threading.Thread(target=self._run, name="prompt-presynthesis", daemon=True)
        self._thread.start()

    def prepare_call(self, flow: Flow, lead: Mapping[str, str]) -> int:
        """Queue what ``flow`` can say to ``lead``; returns how many prompts were queued."""
        planned = [p for p in flow_prompts(flow, lead) if not p.per_lead or p.depth <= MAX_LEAD_DEPTH]
        return self._queue((p.depth, p.text, not p.per_lead) for p in planned)

    def prepare_phrases(self, texts: Iterable[str], depth: int = 1) -> int:
        """Fixed phrases (bridging, no agent): the same on every call, kept on disk too."""
        return self._queue((depth, text, True) for text in texts if text.strip())

    def _queue(self, jobs: Iterable[tuple[int, str, bool]]) -> int:
        now, count = time.monotonic(), 0
        with self._wake:
            for depth, text, persist in jobs:
                if text in self._queued:
                    continue
                self._queued.add(text)
                heapq.heappush(self._pending, (depth, next(self._order), now, text, persist))
                count += 1
            while len(self._pending) > self._max_pending:
                dropped = max(self._pending)  # the deepest, most recently queued
                self._pending.remove(dropped)
                heapq.heapify(self._pending)
                self._queued.discard(dropped[3])
                self.stats["dropped"] += 1
            self.stats["queued"] += count
            self._wake.notify()
        return count

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()

    def idle(self) -> bool:
        with self._wake:
            return not self._pending and not self._busy

    def _run(self) -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)  # this thread only (Linux)
        except (AttributeError, OSError) as exc:
            log.info("pre-synthesis runs at normal priority: %s", exc)
        while True:
            with self._wake:
                while not self._pending and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                _, _, queued_at, text, persist = heapq.heappop(self._pending)
                self._queued.discard(text)
                self._busy = True
            try:
                if time.monotonic() - queued_at > self._max_age_s:
                    self.stats["dropped"] += 1
                    continue
                prompt = self._tts.synthesize(text, self._rate, persist=persist)
                self.stats["ready" if prompt.cached else "made"] += 1
            except Exception as exc:  # the call will try again when it says it, and report then
                self.stats["failed"] += 1
                log.warning("pre-synthesis of %r failed: %s", text[:60], exc)
            finally:
                with self._wake:
                    self._busy = False
