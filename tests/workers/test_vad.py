"""VAD segmentation on real synthesised speech: hangover, minimum speech, maximum length, partials."""

from __future__ import annotations

import numpy as np
import pytest

from tests.workers.synth import concat, espeak, silence, telephone
from workers.audio import Audio, AudioError
from workers.settings import VadSettings
from workers.vad import (
    PartialSegment,
    SpeechDiscarded,
    SpeechFrames,
    SpeechStarted,
    Utterance,
    UtteranceSegmenter,
)


def run(audio: Audio, config: VadSettings | None = None, emit_frames: bool = False) -> list:
    segmenter = UtteranceSegmenter(audio.sample_rate, config, emit_frames=emit_frames)
    events = []
    for frame in audio.frames():
        events += segmenter.feed(frame)
    return events + segmenter.flush()


@pytest.fixture(scope="module")
def phrase() -> Audio:
    return telephone(espeak("Hello, I would like to check my order status please."))


@pytest.mark.parametrize("rate", [8000, 16000])
def test_two_turns_give_two_utterances_at_the_right_times(phrase: Audio, rate: int) -> None:
    speech = phrase.resample(rate)
    audio = concat(silence(1.0, rate), speech, silence(1.5, rate), speech, silence(1.0, rate))
    utterances = [e for e in run(audio) if isinstance(e, Utterance)]
    assert [u.index for u in utterances] == [0, 1]
    first, second = utterances
    assert first.start_s == pytest.approx(1.0, abs=0.35)
    assert second.start_s == pytest.approx(1.0 + speech.duration_s + 1.5, abs=0.35)
    for u in utterances:
        assert u.audio.sample_rate == rate
        assert abs(u.audio.duration_s - speech.duration_s) < 0.6
        assert not u.cut


def test_speech_started_comes_before_its_utterance(phrase: Audio) -> None:
    events = run(concat(silence(0.5), phrase, silence(1.0)))
    kinds = [type(e) for e in events]
    assert kinds == [SpeechStarted, Utterance]  # ~3 s: shorter than partial_every_ms


def test_pauses_shorter_than_the_hangover_stay_in_one_utterance(phrase: Audio) -> None:
    # espeak ends a phrase with ~0.4 s of its own silence: the pause here is ~0.7 s.
    audio = concat(silence(0.5), phrase, silence(0.3), phrase, silence(2.0))
    assert len([e for e in run(audio, VadSettings(hangover_ms=1200)) if isinstance(e, Utterance)]) == 1
    assert len([e for e in run(audio, VadSettings(hangover_ms=300)) if isinstance(e, Utterance)]) >= 2


def test_a_click_shorter_than_min_speech_is_not_an_utterance() -> None:
    click = telephone(espeak("t")).slice(0, 0.12)
    events = run(concat(silence(1.0), click, silence(1.0)), VadSettings(min_speech_ms=250), emit_frames=True)
    assert not [e for e in events if isinstance(e, (Utterance, SpeechStarted))]
    # A streaming consumer that already saw frames is told to forget them.
    if any(isinstance(e, SpeechFrames) for e in events):
        assert isinstance(events[-1], SpeechDiscarded)


def test_long_speech_is_cut_at_max_length_with_partials_in_between(phrase: Audio) -> None:
    long_speech = concat(*[phrase] * 4)  # ~12 s without a pause long enough to end it
    config = VadSettings(max_utterance_ms=5000, partial_every_ms=2000, hangover_ms=800)
    events = run(concat(silence(0.5), long_speech, silence(1.5)), config)
    utterances = [e for e in events if isinstance(e, Utterance)]
    partials = [e for e in events if isinstance(e, PartialSegment)]
    assert len(utterances) >= 3
    assert all(u.audio.duration_s <= 5.0 + 1e-6 for u in utterances)
    assert any(u.cut for u in utterances) and not utterances[-1].cut
    # Cut utterances join without a gap: nothing the caller said is lost between them.
    for a, b in zip(utterances, utterances[1:], strict=False):
        if a.cut:
            assert b.start_s == pytest.approx(a.end_s, abs=0.021)
    assert partials and all(p.audio.duration_s >= 2.0 for p in partials)
    # A partial carries the audio of its utterance so far, and comes before that utterance ends.
    first_partial = partials[0]
    owner = next(u for u in utterances if u.index == first_partial.index)
    assert events.index(first_partial) < events.index(owner)


def test_streaming_frames_cover_the_whole_utterance(phrase: Audio) -> None:
    events = run(concat(silence(0.5), phrase, silence(1.0)), emit_frames=True)
    utterance = next(e for e in events if isinstance(e, Utterance))
    streamed = np.concatenate([e.audio.samples for e in events if isinstance(e, SpeechFrames)])
    # The stream saw everything the utterance holds (plus the hangover silence after it).
    assert np.array_equal(streamed[: len(utterance.audio.samples)], utterance.audio.samples)


def test_silence_gives_no_events_and_bad_input_a_clear_error() -> None:
    assert run(silence(3.0)) == []
    segmenter = UtteranceSegmenter(8000)
    with pytest.raises(AudioError, match="expected 160"):
        segmenter.feed(np.zeros(320, np.int16))
    with pytest.raises(AudioError, match="VAD needs"):
        UtteranceSegmenter(11025)
