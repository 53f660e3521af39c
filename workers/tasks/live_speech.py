"""The asr queue's side of speech on Celery: a :class:`SpeechJob` in, a :class:`SpeechReply` out.

pbx sends each stretch of a caller's speech (a final, a long-speech partial, or a pause's
guess) as task ``JOB_TASK``. A worker decodes it with its process's engine, assesses it
against the baseline the job carries, and appends the reply to the stream the job names
(``reply_to``), which pbx reads with a blocking XREAD: no polling, no result backend.

- A job past its deadline is answered ``expired`` without being decoded: nobody waits for
  it any more. A job redelivered after its worker died (acks late, and rejected when the
  pool process is lost) is usually one of those, so a job that kills its worker cannot go
  on killing workers past its deadline.
- A partial taken while finals or guesses wait on its queue is answered ``expired`` undecoded:
  under load they matter more, and pbx has most likely sent a newer job of the same utterance
  already (the in-process batcher likewise runs finals first and drops a partial that a newer
  job of its utterance covers). pbx sends partials at a lower priority, so the queue's own list
  (priority 0) holds only finals and guesses.
- A job older than the newest pbx sent for its utterance (``LATEST_JOB_PREFIX``: a partial
  followed by a later partial or the pause's guess, a guess the caller talked on after) is
  answered ``expired`` undecoded too: pbx would drop its answer.
- Bad audio is answered with the reason and never retried: it would fail the same way.
- A guess is assessed as a final (it is the audio the utterance holds if the caller says no
  more), so its baseline is the one to keep if pbx takes it as the final; pbx keeps its own
  baseline when it shows the guess as a speculative partial.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import Any, Protocol

import redis
from pydantic import ValidationError

from workers.app import app, redis_url
from workers.assessment import assess
from workers.audio import AudioError
from workers.prosody import CallerBaseline
from workers.remote.messages import (
    JOB_TASK,
    LATEST_JOB_PREFIX,
    REPLY_FIELD,
    REPLY_STREAM_MAXLEN,
    SpeechJob,
    SpeechReply,
)
from workers.runtime import SpeechRuntime, process_runtime
from workers.tasks.job_decoding import JobDecoder

log = logging.getLogger(__name__)

EXPIRED = "expired"
# A packed decode still running at the deadline may finish this much later and still be sent:
# pbx drops a late reply, but a reply (even late) is better than a task stuck on its batch.
DECODE_GRACE_S = 5.0


class ReplyStreams(Protocol):
    """What a worker asks of Redis: replies out, and how the queue and the utterance stand."""

    def xadd(self, name: str, fields: dict[str, str], *, maxlen: int, approximate: bool) -> Any: ...

    def llen(self, name: str) -> Any: ...

    def get(self, name: str) -> Any: ...


def worker_name() -> str:
    # Read at each reply: a prefork pool process has its own pid.
    return f"{socket.gethostname()}:{os.getpid()}"


def answer(job: SpeechJob, runtime: SpeechRuntime, decoder: JobDecoder, now: float | None = None) -> SpeechReply:
    """What the worker says to ``job``: its assessment, or why there is none."""
    now = time.time() if now is None else now
    if job.expired(now):
        return _reply(job, error=EXPIRED)
    try:
        audio = job.audio.to_audio()
    except (AudioError, ValueError) as exc:
        return _reply(job, error=f"bad audio: {exc}")
    utterance = f"{job.call_id}/{job.utterance_id}/{job.kind}"
    decoded = decoder.decode(
        f"{job.job_id}", audio, job.kind != "partial", max(0.0, job.deadline - now) + DECODE_GRACE_S
    )
    log.debug("decoded %s: %r", utterance, decoded.transcript.text)
    assessment = assess(
        call_id=job.call_id,
        utterance_id=job.utterance_id,
        audio=audio,
        transcript=decoded.transcript,
        baseline=CallerBaseline.model_validate(job.baseline) if job.baseline else CallerBaseline(),
        sentiment=runtime.sentiment,
        start_s=job.start_s,
        error=decoded.error,
    )
    return _reply(job, assessment=assessment.model_dump(mode="json"))


def _reply(job: SpeechJob, **outcome: Any) -> SpeechReply:
    return SpeechReply(
        job_id=job.job_id,
        call_id=job.call_id,
        utterance_id=job.utterance_id,
        kind=job.kind,
        worker=worker_name(),
        **outcome,
    )


def send_reply(streams: ReplyStreams, stream: str, reply: SpeechReply) -> None:
    streams.xadd(stream, {REPLY_FIELD: reply.model_dump_json()}, maxlen=REPLY_STREAM_MAXLEN, approximate=True)


# --- the process's engine, decoder and Redis connection (built on first use, after the fork)
_lock = threading.Lock()
_decoders: dict[int, JobDecoder] = {}
_clients: dict[int, redis.Redis] = {}


def process_decoder() -> JobDecoder:
    with _lock:  # thread pools may race to the first job: one batcher a process
        decoder = _decoders.get(os.getpid())
        if decoder is None:
            runtime = process_runtime()
            settings = runtime.settings
            decoder = JobDecoder(runtime.asr, settings.asr_batch_seconds, settings.asr_workers)
            _decoders[os.getpid()] = decoder
        return decoder


def reply_streams() -> ReplyStreams:
    with _lock:  # keyed by pid: a connection must not cross a fork
        client = _clients.get(os.getpid())
        if client is None:
            client = _clients[os.getpid()] = redis.Redis.from_url(redis_url(), socket_timeout=5)
        return client


def jobs_waiting(queue: str) -> int:
    """How many jobs wait on ``queue``'s first priority step (the broker's list of that name: the
    finals and guesses), 0 if it cannot tell."""
    try:
        return int(reply_streams().llen(queue))
    except Exception:  # the broker unreachable: decode as if idle, the reply will say if it fails
        return 0


def superseded(job: SpeechJob) -> bool:
    """pbx has sent a newer job of the same utterance since this one (``LATEST_JOB_PREFIX``)."""
    if not job.seq:
        return False
    try:
        latest = reply_streams().get(LATEST_JOB_PREFIX + job.utterance_id)
    except Exception:  # the broker unreachable: decode, the reply will say if it fails
        return False
    return latest is not None and int(latest) > job.seq


def shed(job: SpeechJob, queue: str | None) -> bool:
    if job.kind == "partial" and queue is not None and jobs_waiting(queue) > 0:
        return True
    return superseded(job)


def read_job(job: dict[str, Any]) -> tuple[SpeechJob | None, SpeechReply | None]:
    """The job, or the reply that says its audio is bad, or neither (nobody to tell)."""
    try:
        return SpeechJob.model_validate(job), None
    except ValidationError as exc:
        if not all(error["loc"][:1] == ("audio",) for error in exc.errors()):
            log.error("speech job dropped, not a SpeechJob: %s", exc)  # no valid reply_to to answer on
            return None, None
        bad_audio = describe_audio_errors(exc)
    # Everything but the audio is sound: answer on the job's stream why it cannot be heard.
    header = SpeechJob.model_validate({**job, "audio": _NO_AUDIO})
    return header, _reply(header, error=f"bad audio: {bad_audio}")


def describe_audio_errors(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())


_NO_AUDIO = {"sample_rate": 8000, "encoding": "slin16le", "pcm_b64": ""}


@app.task(name=JOB_TASK, bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def speech_job(self: Any, job: dict[str, Any]) -> None:
    """Decode and assess one :class:`SpeechJob`; the answer goes to the job's reply stream."""
    parsed, reply = read_job(job)
    if parsed is None:
        return
    if reply is None and shed(parsed, (self.request.delivery_info or {}).get("routing_key")):
        reply = _reply(parsed, error=EXPIRED)
    if reply is None:
        reply = answer(parsed, process_runtime(), process_decoder())
    send_reply(reply_streams(), parsed.reply_to, reply)
