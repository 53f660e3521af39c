"""The shared ASR batcher: batching under load, stale partials dropped, failures contained."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from workers.asr.base import Transcript
from workers.asr.batcher import UtteranceBatcher
from workers.audio import Audio


class GatedEngine:
    """Transcribes to the utterance's length; the first batch waits for the gate to open."""

    name, mode, sample_rates = "gated", "batch", (16000,)
    packs_utterances, decodes_during_speech = True, False

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.started = threading.Event()
        self.batches: list[int] = []

    def transcribe_many(self, utterances: Sequence[Audio]) -> list[Transcript]:
        self.started.set()
        self.gate.wait(10)
        self.batches.append(len(utterances))
        return [Transcript(str(len(u.samples)), (), True, self.name) for u in utterances]

    def open_stream(self, sample_rate: int):  # noqa: ANN201 - not used here
        raise NotImplementedError

    def warm(self) -> None:
        pass


def audio(n: int) -> Audio:
    return Audio(np.zeros(n, np.int16), 16000)


def test_load_builds_batches_and_stale_partials_are_replaced_or_dropped() -> None:
    engine = GatedEngine()
    batcher = UtteranceBatcher(engine)  # type: ignore[arg-type]
    got: list[tuple[tuple[str, int], str, bool]] = []

    def deliver(key: tuple[str, int]):  # noqa: ANN202
        return lambda t, e: got.append((key, t.text, t.is_final))

    try:
        batcher.submit(("a", 0), audio(100), True, deliver(("a", 0)))
        assert engine.started.wait(5)  # the engine is now busy with a batch of one
        batcher.submit(("b", 0), audio(200), False, deliver(("b", 0)))
        batcher.submit(("b", 0), audio(300), False, deliver(("b", 0)))  # replaces the waiting partial
        batcher.submit(("c", 0), audio(400), False, deliver(("c", 0)))
        batcher.submit(("c", 0), audio(500), True, deliver(("c", 0)))  # its final removes the partial
        engine.gate.set()
        assert batcher.drain(10)
    finally:
        batcher.close()
    assert engine.batches == [1, 2]
    # Finals go first: a caller waiting for an answer before a caller still talking.
    assert got == [(("a", 0), "100", True), (("c", 0), "500", True), (("b", 0), "300", False)]


def test_an_engine_that_does_not_pack_gets_one_utterance_a_pass_and_waiting_requests_can_go() -> None:
    engine = GatedEngine()
    engine.packs_utterances = False
    batcher = UtteranceBatcher(engine)  # type: ignore[arg-type]
    got: list[str] = []
    try:
        batcher.submit(("a", 0), audio(100), True, lambda t, e: got.append(t.text))
        assert engine.started.wait(5)
        batcher.submit(("b", 0, "guess"), audio(200), True, lambda t, e: got.append(t.text))
        batcher.submit(("c", 0), audio(300), True, lambda t, e: got.append(t.text))
        batcher.submit(("d", 0), audio(400), True, lambda t, e: got.append(t.text))
        batcher.cancel(("b", 0, "guess"))
        engine.gate.set()
        assert batcher.drain(10)
    finally:
        batcher.close()
    assert engine.batches == [1, 1, 1] and got == ["100", "300", "400"]


def test_a_failing_sink_does_not_stop_the_batcher() -> None:
    engine = GatedEngine()
    engine.gate.set()
    batcher = UtteranceBatcher(engine)  # type: ignore[arg-type]
    got: list[str] = []

    def broken(t: Transcript | None, e: BaseException | None) -> None:
        raise RuntimeError("sink bug")

    try:
        batcher.submit(("a", 0), audio(10), True, broken)
        batcher.submit(("a", 1), audio(20), True, lambda t, e: got.append(t.text if t else "?"))
        assert batcher.drain(10)
    finally:
        batcher.close()
    assert got == ["20"]
