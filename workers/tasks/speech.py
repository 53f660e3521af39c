"""Thin Celery tasks over the speech code: ids and typed payloads in, JSON out.

Every task is a pure function of its arguments (the caller's prosody baseline travels with
the call), so a redelivered task (acks_late) gives the same answer. Bad audio raises
:class:`~workers.audio.AudioError` with its reason; it is never retried, being deterministic.
"""

from __future__ import annotations

from typing import Any, get_args

from celery.signals import worker_init, worker_process_init

from workers.app import app
from workers.asr.base import Transcript, TranscriptPayload, transcribe_one
from workers.asr.pipeline import to_engine_rate
from workers.assessment import assess
from workers.audio import Audio, AudioError, AudioPayload, Encoding, inspect_quality
from workers.prosody import CallerBaseline
from workers.runtime import process_runtime

# What each queue's tasks need loaded: assessing on the asr queue also scores sentiment.
_MODELS_FOR_QUEUE = {"asr": ("asr", "nlp"), "nlp": ("nlp",), "tts": ("tts",)}


def _models_to_preload() -> tuple[str, ...]:
    configured = process_runtime().settings.worker_preload
    if configured is not None:
        return configured
    consumed = app.amqp.queues.consume_from or app.amqp.queues  # set by `celery worker -Q ...`
    return tuple(dict.fromkeys(kind for queue in consumed for kind in _MODELS_FOR_QUEUE.get(queue, ())))


@worker_process_init.connect
def _load_models_in_pool_process(**_: Any) -> None:
    # Load after the fork, never before: CTranslate2/onnxruntime thread pools do not survive fork.
    process_runtime().preload(_models_to_preload())


@worker_init.connect
def _load_models_without_pool_processes(sender: Any = None, **_: Any) -> None:
    pool = getattr(sender, "pool_cls", None)
    name = f"{getattr(pool, '__module__', '')}.{getattr(pool, '__name__', pool)}".lower()
    if pool is not None and "prefork" not in name:  # solo/threads pools run tasks in this very process
        process_runtime().preload(_models_to_preload())


def _transcribe(audio: Audio) -> Transcript:
    engine = process_runtime().asr
    if inspect_quality(audio).silent:
        return Transcript.empty(engine.name)  # nothing to hear: an empty result, not an engine call
    return transcribe_one(engine, to_engine_rate(audio, engine))


@app.task(name="workers.asr.transcribe_utterance", expires=30)
def transcribe_utterance(call_id: str, utterance_id: str, audio: dict[str, Any]) -> dict[str, Any]:
    transcript = _transcribe(AudioPayload.parse(audio).to_audio())
    return TranscriptPayload.from_transcript(call_id, utterance_id, transcript).model_dump(mode="json")


@app.task(name="workers.asr.assess_utterance", expires=60)
def assess_utterance(
    call_id: str,
    utterance_id: str,
    audio: dict[str, Any],
    baseline: dict[str, Any] | None = None,
    text: str | None = None,
    start_s: float = 0.0,
) -> dict[str, Any]:
    """ASR (unless the text is known already) + prosody + sentiment for one utterance, in one hop."""
    pcm = AudioPayload.parse(audio).to_audio()
    runtime = process_runtime()
    transcript = _transcribe(pcm) if text is None else Transcript(text, (), True, "given")
    result = assess(
        call_id=call_id,
        utterance_id=utterance_id,
        audio=pcm,
        transcript=transcript,
        baseline=CallerBaseline.model_validate(baseline) if baseline else CallerBaseline(),
        sentiment=runtime.sentiment,
        start_s=start_s,
    )
    return result.model_dump(mode="json")


@app.task(name="workers.nlp.score_sentiment", expires=30)
def score_sentiment(call_id: str, utterance_id: str, text: str) -> dict[str, Any]:
    score = round(float(process_runtime().sentiment(text)), 4) if text.strip() else None
    return {"call_id": call_id, "utterance_id": utterance_id, "sentiment": score}


@app.task(name="workers.tts.synthesize_prompt", expires=120)
def synthesize_prompt(
    call_id: str,
    prompt_id: str,
    text: str,
    sample_rate: int = 8000,
    encoding: str = "ulaw",
    engine: str | None = None,
) -> dict[str, Any]:
    if encoding not in get_args(Encoding):
        raise AudioError(f"encoding {encoding!r}: expected one of {', '.join(get_args(Encoding))}")
    prompt = process_runtime().prompts.synthesize(text, sample_rate, engine)
    payload = AudioPayload.from_audio(prompt.audio, encoding)  # type: ignore[arg-type]
    return {
        "call_id": call_id,
        "prompt_id": prompt_id,
        "engine": prompt.engine,
        "voice": prompt.voice,
        "cached": prompt.cached,
        "audio": payload.model_dump(mode="json"),
    }
