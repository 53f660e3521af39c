"""The Celery tasks as functions (no broker): typed payloads in, JSON out, idempotent."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from tests.workers.synth import espeak, silence, telephone, words_of
from workers.app import app
from workers.assessment import UtteranceAssessment
from workers.audio import AudioError, AudioPayload
from workers.runtime import process_runtime
from workers.tasks import speech


@pytest.fixture(scope="module", autouse=True)
def whisper_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CC_ASR_ENGINE", "whisper")
        mp.setenv("CC_TTS_CACHE_DIR", str(tmp_path_factory.mktemp("tts")))
        process_runtime.cache_clear()
        yield
    process_runtime.cache_clear()


def test_tasks_are_registered_with_names_queues_and_expiry() -> None:
    expected = {
        "workers.asr.transcribe_utterance": "asr",
        "workers.asr.assess_utterance": "asr",
        "workers.nlp.score_sentiment": "nlp",
        "workers.tts.synthesize_prompt": "tts",
    }
    for name, queue in expected.items():
        task = app.tasks[name]
        # Routed by the app's task_routes (a queue set on the task itself is deprecated in Celery).
        assert app.amqp.router.route({}, name)["queue"].name == queue
        assert task.expires and task.expires <= 120
    assert app.amqp.router.route({}, "workers.ping")["queue"].name == "default"


def test_assess_utterance_round_trip_and_idempotence() -> None:
    audio = AudioPayload.from_audio(
        telephone(espeak("Stop wasting my time and get me a manager!")), "ulaw"
    ).model_dump()
    args = ("call-7", "call-7-0003", audio)
    first = speech.assess_utterance.apply(args=args).get()
    again = speech.assess_utterance.apply(args=args).get()
    assert first == again
    result = UtteranceAssessment.model_validate(first)
    assert result.call_id == "call-7" and result.utterance_id == "call-7-0003"
    assert (
        {"stop", "time", "manager"} <= words_of(result.text)
        and result.sentiment is not None
        and result.sentiment < 0
    )
    # The next utterance carries the updated baseline, and the task stays stateless.
    follow = speech.assess_utterance.apply(
        args=("call-7", "call-7-0004", audio), kwargs={"baseline": first["baseline"]}
    ).get()
    assert follow["baseline"]["utterances"] == 2


def test_transcribe_utterance_carries_ids_and_word_timings() -> None:
    audio = AudioPayload.from_audio(
        telephone(espeak("Please call me back tomorrow morning.")), "slin16le"
    ).model_dump()
    out = speech.transcribe_utterance.apply(args=("c1", "c1-0000", audio)).get()
    assert out["call_id"] == "c1" and out["utterance_id"] == "c1-0000" and out["is_final"]
    assert {"tomorrow", "morning"} <= words_of(out["text"])
    assert all(0 <= w["start"] <= w["end"] for w in out["words"])


def test_silent_audio_gives_an_empty_result_and_bad_audio_a_clear_error() -> None:
    quiet = speech.assess_utterance.apply(
        args=("c", "c-0", AudioPayload.from_audio(silence(1.0)).model_dump())
    ).get()
    assert quiet["text"] == "" and quiet["prosody"] is None and quiet["quality"]["silent"]
    truncated = {
        "sample_rate": 8000,
        "encoding": "slin16le",
        "pcm_b64": base64.b64encode(b"\x01\x02\x03").decode(),
    }
    with pytest.raises(AudioError, match="truncated"):
        speech.assess_utterance.apply(args=("c", "c-1", truncated)).get()
    wrong_rate = {"sample_rate": 11025, "encoding": "slin16le", "pcm_b64": ""}
    with pytest.raises(AudioError, match="sample_rate"):
        speech.transcribe_utterance.apply(args=("c", "c-2", wrong_rate)).get()


def test_sentiment_task_wraps_voicewatch() -> None:
    from voicewatch import score_sentiment

    out = speech.score_sentiment.apply(args=("c", "c-1", "this is the worst service ever")).get()
    assert out == {
        "call_id": "c",
        "utterance_id": "c-1",
        "sentiment": round(score_sentiment("this is the worst service ever"), 4),
    }
    assert speech.score_sentiment.apply(args=("c", "c-2", "  ")).get()["sentiment"] is None


def test_synthesize_prompt_returns_call_rate_audio() -> None:
    out = speech.synthesize_prompt.apply(
        args=("c", "greeting", "Hello, how can I help?"), kwargs={"sample_rate": 8000, "encoding": "ulaw"}
    ).get()
    audio = AudioPayload.parse(out["audio"]).to_audio()
    assert out["engine"] == "piper" and audio.sample_rate == 8000 and audio.duration_s > 0.5
    again = speech.synthesize_prompt.apply(args=("c", "greeting", "Hello, how can I help?")).get()
    assert again["cached"] and again["audio"] == out["audio"]
    with pytest.raises(AudioError, match="encoding"):
        speech.synthesize_prompt.apply(args=("c", "g", "Hi"), kwargs={"encoding": "opus"}).get()
