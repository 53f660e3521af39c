"""Prosody from PCM: a calm and an agitated rendering of the same words must score apart."""

from __future__ import annotations

import numpy as np
import pytest

from tests.workers.synth import espeak, silence, telephone
from workers.asr.base import Transcript, Word
from workers.assessment import UtteranceAssessment, assess
from workers.audio import Audio
from workers.prosody import CallerBaseline, RunningStat, measure
from workers.sentiment import load_sentiment

SENTENCE = "I have been waiting for two weeks and nobody has called me back"
OTHER = "Please tell me when the technician will arrive at my house"
CALM = ("-a", "70", "-p", "35", "-s", "140")
AGITATED = ("-a", "190", "-p", "80", "-s", "230")


@pytest.fixture(scope="module")
def renderings() -> dict[str, Audio]:
    return {
        "calm": telephone(espeak(SENTENCE, *CALM)),
        "calm_other": telephone(espeak(OTHER, *CALM)),
        "agitated": telephone(espeak(SENTENCE, *AGITATED)),
    }


def test_features_of_calm_and_agitated_speech_differ_the_right_way(renderings: dict[str, Audio]) -> None:
    calm, agitated = measure(renderings["calm"]), measure(renderings["agitated"])
    assert calm is not None and agitated is not None
    assert agitated.energy_db > calm.energy_db + 6
    assert (
        agitated.pitch_hz is not None
        and calm.pitch_hz is not None
        and agitated.pitch_hz > calm.pitch_hz * 1.2
    )
    assert agitated.speaking_rate > calm.speaking_rate * 1.2
    assert 60 < calm.pitch_hz < 200 and 2.0 < calm.speaking_rate < 7.0


def test_against_a_calm_baseline_the_agitated_rendering_scores_high(renderings: dict[str, Audio]) -> None:
    baseline = CallerBaseline()
    for key in ("calm_other", "calm"):
        baseline = baseline.updated(measure(renderings[key]))  # type: ignore[arg-type]
    calm_z = baseline.zscores(measure(renderings["calm"]))  # type: ignore[arg-type]
    agitated_z = baseline.zscores(measure(renderings["agitated"]))  # type: ignore[arg-type]
    assert agitated_z.energy_z > 2 and agitated_z.rate_z > 1
    assert (
        agitated_z.pitch_z is not None
        and calm_z.pitch_z is not None
        and agitated_z.pitch_z > calm_z.pitch_z + 1
    )
    assert agitated_z.arousal > calm_z.arousal + 1.5
    assert abs(calm_z.arousal) < 1.0


@pytest.mark.parametrize("rate", [8000, 16000])
def test_prosody_does_not_depend_on_the_call_rate(renderings: dict[str, Audio], rate: int) -> None:
    narrow = measure(renderings["agitated"])
    other = measure(renderings["agitated"].resample(rate))
    assert narrow is not None and other is not None
    assert other.energy_db == pytest.approx(narrow.energy_db, abs=1.0)
    assert other.pitch_hz == pytest.approx(narrow.pitch_hz, rel=0.05)


def test_running_stat_matches_numpy() -> None:
    xs = [3.0, 5.0, 4.0, 10.0, -1.0]
    stat = RunningStat(weight=0.0, mean=0.0, m2=0.0)
    for x in xs:
        stat = stat.add(x)
    assert stat.mean == pytest.approx(np.mean(xs)) and stat.std == pytest.approx(np.std(xs))


def test_assessment_is_typed_deterministic_and_uses_voicewatch_sentiment(
    renderings: dict[str, Audio],
) -> None:
    transcript = Transcript(
        "nobody has called me back, this is terrible", (Word("nobody", 0.9, 0.1, 0.4),), True, "test"
    )
    kwargs = dict(
        call_id="c1",
        utterance_id="c1-0000",
        audio=renderings["agitated"],
        transcript=transcript,
        baseline=CallerBaseline(),
        sentiment=load_sentiment(),
    )
    first, again = assess(**kwargs), assess(**kwargs)  # type: ignore[arg-type]
    assert first == again, "a retried task must give the same answer"
    assert first.sentiment is not None and first.sentiment < -0.3
    assert first.baseline.utterances == 1 and first.prosody is not None and first.quality is not None
    back = UtteranceAssessment.model_validate_json(first.model_dump_json())
    assert back == first
    event = first.voicewatch_event()
    assert event["type"] == "utterance" and set(event["prosody"]) == {"energy_z", "pitch_z", "rate_z"}  # type: ignore[arg-type]


def test_silent_and_clipped_audio_give_an_assessment_not_a_crash() -> None:
    empty = Transcript.empty("test")
    quiet = assess(
        call_id="c",
        utterance_id="c-1",
        audio=silence(1.0),
        transcript=empty,
        baseline=CallerBaseline(),
        sentiment=lambda t: 0.0,
    )
    assert quiet.prosody is None and quiet.prosody_z is None and quiet.sentiment is None
    assert quiet.quality is not None and quiet.quality.silent and quiet.baseline.utterances == 0

    t = np.arange(8000) / 8000
    square = Audio(np.where(np.sin(2 * np.pi * 150 * t) >= 0, 32767, -32768).astype(np.int16), 8000)
    loud = assess(
        call_id="c",
        utterance_id="c-2",
        audio=square,
        transcript=empty,
        baseline=CallerBaseline(),
        sentiment=lambda t: 0.0,
    )
    assert loud.quality is not None and loud.quality.clipped

    tiny = assess(
        call_id="c",
        utterance_id="c-3",
        audio=Audio(np.zeros(10, np.int16), 8000),
        transcript=empty,
        baseline=CallerBaseline(),
        sentiment=lambda t: 0.0,
    )
    assert tiny.prosody is None


def test_a_failing_sentiment_scorer_is_reported_not_raised(renderings: dict[str, Audio]) -> None:
    def broken(text: str) -> float:
        raise RuntimeError("lexicon missing")

    a = assess(
        call_id="c",
        utterance_id="c-1",
        audio=renderings["calm"],
        transcript=Transcript("hello", (), True, "t"),
        baseline=CallerBaseline(),
        sentiment=broken,
    )
    assert a.sentiment is None and a.error is not None and "lexicon missing" in a.error
