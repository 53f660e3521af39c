"""A real round trip: utterance audio → Redis → a ``celery worker`` process → assessment back."""

from __future__ import annotations

import pytest

from ops.stack.celery_worker import CeleryWorker, client_app
from tests.workers.synth import espeak, telephone, words_of
from workers.assessment import UtteranceAssessment
from workers.audio import AudioPayload

pytestmark = pytest.mark.realstack


def test_utterance_audio_in_assessment_out(speech_worker: CeleryWorker) -> None:
    client = client_app(speech_worker.broker_url)
    calm = AudioPayload.from_audio(
        telephone(espeak("Can you tell me when my order will arrive?", "-a", "70", "-p", "35", "-s", "140")),
        "ulaw",
    )
    angry = AudioPayload.from_audio(
        telephone(espeak("This is terrible service and I am furious.", "-a", "190", "-p", "80", "-s", "230")),
        "ulaw",
    )
    try:
        first = client.send_task(
            "workers.asr.assess_utterance", args=["call-rt", "call-rt-0000", calm.model_dump()], queue="asr"
        ).get(timeout=120)
        second = client.send_task(
            "workers.asr.assess_utterance",
            args=["call-rt", "call-rt-0001", angry.model_dump()],
            kwargs={"baseline": first["baseline"]},
            queue="asr",
        ).get(timeout=120)
        prompt = client.send_task(
            "workers.tts.synthesize_prompt", args=["call-rt", "bridge", "One moment please."], queue="tts"
        ).get(timeout=120)
    finally:
        client.close()
    a, b = UtteranceAssessment.model_validate(first), UtteranceAssessment.model_validate(second)
    assert (a.call_id, a.utterance_id, b.utterance_id) == ("call-rt", "call-rt-0000", "call-rt-0001")
    assert {"order", "arrive"} <= words_of(a.text) and {"service", "furious"} <= words_of(b.text)
    assert a.engine == "whisper" and b.baseline.utterances == 2
    assert (
        b.prosody_z is not None and a.prosody_z is not None and b.prosody_z.arousal > a.prosody_z.arousal + 1
    )
    assert b.sentiment is not None and a.sentiment is not None and b.sentiment < a.sentiment
    assert AudioPayload.parse(prompt["audio"]).sample_rate == 8000 and prompt["engine"] == "piper"
