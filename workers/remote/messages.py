"""What pbx and the speech workers say to each other when speech runs on Celery.

pbx keeps what must stay next to the media (20 ms framing, VAD, end of turn, barge-in) and
sends each stretch of a caller's speech as a :class:`SpeechJob` (task ``JOB_TASK`` on the
``asr`` queue). A worker decodes it (packing the jobs of many calls into one decode when its
engine packs), assesses prosody and sentiment, and appends a :class:`SpeechReply` to the
Redis stream the job names (``reply_to``: one stream per pbx process), which pbx reads with a
blocking XREAD: no polling. A job past its ``deadline`` is answered ``expired`` without being
decoded; pbx, hearing nothing by the deadline, treats the caller as unheard (VoiceWatch's
``monitor_blind``).

Both sides import this module only for these models and names: a worker needs the Redis URL
and the models, never Django or pbx.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from workers.audio import AudioPayload

JOB_TASK = "workers.asr.speech_job"
# pbx's replies stream: REPLY_STREAM_PREFIX + the pbx process's id.
REPLY_STREAM_PREFIX = "cc:speech:replies:"
# Replies nobody read (a pbx gone) do not pile up: the stream keeps about this many.
REPLY_STREAM_MAXLEN = 10_000
# The one field of a reply stream entry: the SpeechReply as JSON.
REPLY_FIELD = "reply"
# LATEST_JOB_PREFIX + an utterance id: the ``seq`` of the newest job pbx sent for it. A worker
# answers an older one ``expired`` undecoded: pbx has moved on (a later partial, the pause's
# guess, the final), as the in-process batcher drops a partial a newer job covers.
LATEST_JOB_PREFIX = "cc:speech:latest:"
LATEST_JOB_TTL_S = 120

JobKind = Literal["final", "partial", "guess"]  # guess: the speculative final of a pause


class SpeechJob(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: Literal[1] = 1
    job_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    call_id: str = Field(min_length=1, max_length=64)
    utterance_id: str = Field(min_length=1, max_length=64)
    kind: JobKind
    audio: AudioPayload
    start_s: float = Field(ge=0.0, description="where the audio starts on the call's audio clock")
    baseline: dict[str, Any] | None = Field(None, description="the caller's prosody baseline (CallerBaseline)")
    reply_to: str = Field(pattern=r"^cc:speech:replies:[A-Za-z0-9_.:-]{1,80}$")
    deadline: float = Field(description="Unix time after which the answer is useless")
    sent_at: float = Field(default_factory=time.time)
    seq: int = Field(0, ge=0, description="order of sending within the call (LATEST_JOB_PREFIX); 0: unknown")

    def expired(self, now: float | None = None) -> bool:
        return (time.time() if now is None else now) > self.deadline


class SpeechReply(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    schema_version: Literal[1] = 1
    job_id: str
    call_id: str
    utterance_id: str
    kind: JobKind
    assessment: dict[str, Any] | None = Field(None, description="UtteranceAssessment, as JSON")
    error: str = Field("", description="'expired', or why the audio could not be assessed")
    worker: str = Field(description="which worker answered (host:pid)")
    done_at: float = Field(default_factory=time.time)
