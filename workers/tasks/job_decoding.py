"""How a worker decodes the audio of a :class:`~workers.remote.messages.SpeechJob`.

An engine that gains nothing from packing (Moonshine: its encoder takes the audio as long as
it is) decodes each job in the task's own thread: several task threads (``--pool threads``)
decode side by side on one copy of the weights. An engine that packs (Whisper: its encoder
always sees 30 s) gets the jobs of all the process's task threads through one
:class:`~workers.asr.batcher.UtteranceBatcher`, which takes whatever is waiting into one pass.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace

from workers.asr.base import AsrEngine, Transcript, transcribe_one
from workers.asr.batcher import LatencyObserver, UtteranceBatcher
from workers.asr.results import to_engine_rate
from workers.audio import Audio, inspect_quality
from workers.metrics import asr_metrics

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Decoded:
    transcript: Transcript
    error: str | None = None  # the engine failed: the transcript is empty, not "nothing said"


class JobDecoder:
    def __init__(self, engine: AsrEngine, batch_seconds: float = 24.0, batch_threads: int = 1,
                 latency: LatencyObserver | None = None) -> None:  # fmt: skip
        """``latency``: each final's decode time (cc_asr_latency_seconds by default)."""
        self.engine = engine
        self._latency = latency if latency is not None else asr_metrics().decoded
        self._batcher = (
            UtteranceBatcher(engine, batch_seconds, threads=batch_threads, latency=self._latency)
            if engine.packs_utterances else None
        )  # fmt: skip

    @property
    def packs(self) -> bool:
        return self._batcher is not None

    def decode(self, key: str, audio: Audio, is_final: bool, timeout: float) -> Decoded:
        """``audio`` at the call's rate; ``timeout``: how long a packed decode may keep the task waiting."""
        if inspect_quality(audio).silent:  # nothing to hear: an empty result, not an engine call
            return Decoded(Transcript.empty(self.engine.name, is_final))
        engine_audio = to_engine_rate(audio, self.engine)
        if self._batcher is None:
            started = time.monotonic()
            try:
                transcript = transcribe_one(self.engine, engine_audio)
            except Exception as exc:  # the assessment (prosody) is still worth sending
                log.exception("ASR failed on job %s", key)
                return Decoded(Transcript.empty(self.engine.name, is_final), f"{type(exc).__name__}: {exc}")
            if is_final:
                self._latency(self.engine.name, time.monotonic() - started)
            return Decoded(replace(transcript, is_final=is_final))
        return self._decode_packed(key, engine_audio, is_final, timeout)

    def _decode_packed(self, key: str, audio: Audio, is_final: bool, timeout: float) -> Decoded:
        assert self._batcher is not None
        done = threading.Event()
        outcome: list[Decoded] = []

        def deliver(transcript: Transcript | None, error: BaseException | None) -> None:
            empty = Transcript.empty(self.engine.name, is_final)
            if transcript is None or error is not None:
                outcome.append(Decoded(empty, None if error is None else f"{type(error).__name__}: {error}"))
            else:
                outcome.append(Decoded(replace(transcript, is_final=is_final)))
            done.set()

        # A key of its own per job: the batcher must not let one job's audio replace another's.
        self._batcher.submit((key, 0), audio, True, deliver)
        if not done.wait(timeout):
            self._batcher.cancel((key, 0))
            return Decoded(Transcript.empty(self.engine.name, is_final), "asr: no result before the deadline")
        return outcome[0]

    def close(self) -> None:
        if self._batcher is not None:
            self._batcher.close()
