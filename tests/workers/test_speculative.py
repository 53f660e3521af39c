"""The pause's guess: the final when the caller stops there, dropped when they go on."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from workers.asr.base import Transcript
from workers.asr.batcher import UtteranceBatcher
from workers.asr.results import UtteranceResult
from workers.asr.speculative import SpeculativeRecognizer
from workers.audio import Audio
from workers.vad import PartialSegment, SpeechPaused, SpeechResumed, Utterance


class CountingEngine:
    """Says how many samples it heard; counts its decodes; the gate holds decoding back."""

    name, mode, sample_rates = "counting", "batch", (16000,)
    packs_utterances, decodes_during_speech = False, True

    def __init__(self) -> None:
        self.decoded: list[int] = []
        self.gate = threading.Event()
        self.gate.set()

    def transcribe_many(self, utterances: Sequence[Audio]) -> list[Transcript]:
        self.gate.wait(10)
        self.decoded += [len(u.samples) for u in utterances]
        return [Transcript(f"heard {len(u.samples)}", (), True, self.name) for u in utterances]

    def open_stream(self, sample_rate: int):  # noqa: ANN201 - not used
        raise NotImplementedError

    def warm(self) -> None:
        pass


def audio(n: int) -> Audio:
    return Audio(np.ones(n, np.int16), 16000)


class Plain:
    def __init__(self) -> None:
        self.events: list[object] = []

    def on_event(self, event: object) -> None:
        self.events.append(event)


def run(events: list[object], gate_open: bool = True) -> tuple[list[UtteranceResult], CountingEngine, Plain]:
    engine = CountingEngine()
    if not gate_open:
        engine.gate.clear()
    batcher = UtteranceBatcher(engine)  # type: ignore[arg-type]
    results: list[UtteranceResult] = []
    plain = Plain()
    recognizer = SpeculativeRecognizer(batcher, "c", results.append, plain)
    try:
        for event in events:
            recognizer.on_event(event)
            if gate_open:
                assert batcher.drain(10)
        engine.gate.set()
        assert batcher.drain(10)
    finally:
        batcher.close()
    return results, engine, plain


def test_a_guess_that_holds_becomes_the_final_without_decoding_again() -> None:
    pause, end = SpeechPaused(0, 0.0, 1.0, audio(1600)), Utterance(0, 0.0, 1.0, audio(1600), 0.8)
    results, engine, plain = run([pause, end])
    guess, final = results
    assert guess.speculative and not guess.is_final and guess.transcript.text == "heard 1600"
    assert final.is_final and not final.speculative and final.transcript.text == "heard 1600"
    assert engine.decoded == [1600] and plain.events == []


def test_the_vad_closing_before_the_guess_is_decoded_delivers_the_final_when_it_is() -> None:
    results, engine, _ = run(
        [SpeechPaused(0, 0.0, 1.0, audio(1600)), Utterance(0, 0.0, 1.0, audio(1600), 0.8)], gate_open=False
    )
    [final] = results
    assert final.is_final and final.transcript.text == "heard 1600" and engine.decoded == [1600]


def test_a_resumed_pause_is_dropped_and_the_next_one_is_used() -> None:
    results, engine, _ = run(
        [
            SpeechPaused(0, 0.0, 1.0, audio(1600)),
            SpeechResumed(0),
            SpeechPaused(0, 0.0, 2.0, audio(3200)),
            Utterance(0, 0.0, 2.0, audio(3200), 1.5),
        ],
        gate_open=False,
    )
    # The first guess, cancelled or (if a thread had taken it already) decoded, is never delivered.
    assert [r.transcript.text for r in results] == ["heard 3200"] and results[0].is_final
    assert engine.decoded.count(3200) == 1


def test_a_final_with_other_audio_than_the_guess_goes_the_plain_way() -> None:
    cut = Utterance(0, 0.0, 15.0, audio(4000), 14.0, cut=True)
    partial = PartialSegment(0, 0.0, 2.0, audio(3000))
    results, _, plain = run([partial, SpeechPaused(0, 0.0, 1.0, audio(1600)), cut], gate_open=False)
    assert plain.events == [partial, cut] and results == []  # the plain recognizer decodes the cut
