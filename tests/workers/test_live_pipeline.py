"""The in-process live path: ulaw frames of several calls in, assessments out, batched ASR."""

from __future__ import annotations

import threading

import pytest

from tests.workers.synth import concat, espeak, flite, silence, telephone, words_of
from workers.asr.pipeline import UtteranceResult
from workers.asr.whisper_engine import WhisperEngine
from workers.assessment import UtteranceAssessment
from workers.audio import Audio, AudioError
from workers.live import LiveSpeech
from workers.settings import VadSettings


class Collector:
    def __init__(self) -> None:
        self.items: list[tuple[UtteranceAssessment, UtteranceResult]] = []
        self._lock = threading.Lock()

    def __call__(self, assessment: UtteranceAssessment, result: UtteranceResult) -> None:
        with self._lock:
            self.items.append((assessment, result))

    def finals(self, call_id: str) -> list[UtteranceAssessment]:
        return sorted(
            (a for a, _ in self.items if a.call_id == call_id and a.is_final), key=lambda a: a.utterance_id
        )


def feed(session, audio: Audio) -> None:
    for frame in audio.frames():
        session.feed_frame(Audio(frame, 8000).to_bytes("ulaw"))


@pytest.fixture(scope="module")
def calls() -> dict[str, Audio]:
    a = telephone(espeak("I want to speak to a manager right now."))
    b = telephone(flite("Thank you, that was very helpful."))
    c = telephone(espeak("My payment did not go through."))
    return {
        "call-a": concat(silence(0.6), a, silence(1.2), c, silence(1.0)),
        "call-b": concat(silence(1.0), b, silence(1.5)),
        "call-silent": silence(3.0),
    }


def test_concurrent_calls_each_get_their_own_assessments(
    whisper: WhisperEngine, calls: dict[str, Audio]
) -> None:
    batches: list[int] = []
    live = LiveSpeech(
        whisper,
        sentiment=lambda text: -0.5 if "speak" in text.lower() else 0.5,
        observer=lambda audios: batches.append(len(audios)),
    )
    sink = Collector()
    try:
        sessions = {cid: live.open_call(cid, 8000, "ulaw", sink) for cid in calls}
        frames = {cid: audio.frames() for cid, audio in calls.items()}
        # Interleave frames as a media gateway would: one 20 ms tick at a time for every call.
        for tick in range(max(len(f) for f in frames.values())):
            for cid, fs in frames.items():
                if tick < len(fs):
                    sessions[cid].feed_frame(Audio(fs[tick], 8000).to_bytes("ulaw"))
        for session in sessions.values():
            session.close()
        assert live.drain(timeout=60)
    finally:
        live.close()

    a_first, a_second = sink.finals("call-a")
    # How the batcher packs the three utterances depends on thread timing, and the packing sways
    # Whisper on single words ("a manager" came back "my dear" packed beside call-b's), so only
    # words it got in every packing tried are asserted: this test is about routing, not accuracy.
    assert {"speak", "right", "now"} <= words_of(a_first.text) and a_first.sentiment == -0.5
    assert {"did", "through"} <= words_of(a_second.text)
    [b] = sink.finals("call-b")
    assert {"thank", "helpful"} <= words_of(b.text) and b.sentiment == 0.5
    assert sink.finals("call-silent") == []
    assert [a.utterance_id for a in sink.finals("call-a")] == ["call-a-0000", "call-a-0001"]
    # The caller's baseline grows with each final, and its z-scores are measured against it.
    assert a_second.baseline.utterances == 2 and b.baseline.utterances == 1
    for a in (a_first, a_second, b):
        assert (
            a.prosody is not None
            and a.prosody_z is not None
            and a.quality is not None
            and not a.quality.silent
        )
        assert a.words and a.asr_confidence is not None and a.end_s > a.start_s
    assert sum(batches) == 3


def test_long_speech_gets_partial_assessments_before_it_ends(whisper: WhisperEngine) -> None:
    sentence = telephone(espeak("This is unacceptable, I have been waiting on hold for over an hour today."))
    vad = VadSettings(partial_every_ms=2000, max_utterance_ms=15000)
    live = LiveSpeech(whisper, sentiment=lambda text: -0.9, vad=vad)
    sink = Collector()
    try:
        session = live.open_call("call-long", 8000, "ulaw", sink)
        feed(session, concat(silence(0.5), sentence))
        # Frames arrive here far faster than on a call: let the partials be recognised before the
        # end of speech, as real time would (a final supersedes a partial still waiting).
        assert live.drain(timeout=60)
        feed(session, silence(1.0))
        session.close()
        assert live.drain(timeout=60)
    finally:
        live.close()
    partials = [a for a, _ in sink.items if not a.is_final]
    [final] = sink.finals("call-long")
    assert partials and all(p.utterance_id == final.utterance_id for p in partials)
    assert all(p.baseline.utterances == 0 for p in partials), "partials do not teach the baseline"
    assert {"waiting", "hour"} <= words_of(final.text), final.text


def test_frames_at_the_wrong_rate_are_refused_clearly(whisper: WhisperEngine) -> None:
    live = LiveSpeech(whisper, sentiment=lambda text: 0.0)
    try:
        session = live.open_call("call-x", 8000, "slin16le", lambda a, r: None)
        with pytest.raises(AudioError, match="16000 Hz"):
            session.feed_frame(b"\0" * 640)
        with pytest.raises(AudioError, match="8000 or 16000"):
            live.open_call("call-y", 44100, "slin16le", lambda a, r: None)
    finally:
        live.close()


def test_an_engine_failure_reaches_the_call_as_an_error_not_a_crash(calls: dict[str, Audio]) -> None:
    class Broken:
        name, mode, sample_rates = "broken", "batch", (16000,)
        packs_utterances, decodes_during_speech = True, False

        def transcribe_many(self, utterances):
            raise RuntimeError("model file vanished")

        def open_stream(self, sample_rate):
            raise NotImplementedError

        def warm(self) -> None:
            pass

    live = LiveSpeech(Broken(), sentiment=lambda text: 0.0)  # type: ignore[arg-type]
    sink = Collector()
    try:
        session = live.open_call("call-err", 8000, "ulaw", sink)
        feed(session, calls["call-b"])
        session.close()
        assert live.drain(timeout=30)
    finally:
        live.close()
    [a] = sink.finals("call-err")
    assert a.text == "" and a.error is not None and "model file vanished" in a.error and a.sentiment is None


def test_wideband_big_endian_call_as_asterisk_slin16_sends_it(whisper: WhisperEngine) -> None:
    speech = espeak("Please call me back tomorrow morning.").resample(16000)
    audio = concat(silence(0.5, 16000), speech, silence(1.0, 16000))
    live = LiveSpeech(whisper, sentiment=lambda text: 0.0)
    sink = Collector()
    try:
        session = live.open_call("call-wb", 16000, "slin16be", sink)
        for frame in audio.frames():
            session.feed_frame(Audio(frame, 16000).to_bytes("slin16be"))
        session.close()
        assert live.drain(timeout=60)
    finally:
        live.close()
    [a] = sink.finals("call-wb")
    assert {"call", "back", "tomorrow", "morning"} <= words_of(a.text)
    assert a.prosody is not None and a.prosody.pitch_hz is not None
