"""pbx's live path when speech runs on Celery workers (``CC_SPEECH_MODE=celery``).

:class:`RemoteLiveSpeech` is :class:`workers.live.LiveSpeech` for a pbx that loads no speech
model: the framing, the VAD and its turn events (SpeechStarted, SpeechPaused, SpeechResumed,
Utterance) stay here, next to the media, exactly as in-process; what the in-process path
would decode (each final, the partial windows of long speech, the guess at each pause) goes
to the workers as a :class:`~workers.remote.messages.SpeechJob`, and their replies come back
as the same :class:`UtteranceAssessment` + :class:`UtteranceResult` a call's sink gets
in-process (see :mod:`workers.remote.session` for one call's side).

One thread reads every call's replies (a blocking read, woken by the next reply or the
next deadline). A final nobody answered by its deadline (no worker, all busy, a worker
killed and its job not redelivered in time) reaches the sink as an assessment whose
``error`` is :data:`MONITOR_BLIND`: the caller is unheard, and the bot must not wait in silence.

A job the caller waits on (a final, or the guess a final waits for) still unanswered at half
its deadline is sent once more, with the same id: a worker killed as a whole (not just a pool
process, which Celery notices and redelivers at once) leaves its unacked message in Redis until
the broker's visibility timeout, an hour, so without this the utterance it held would be lost.
Whichever reply comes first is taken; the other is dropped as answered already.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from pydantic import ValidationError

from workers.audio import Encoding
from workers.live import AssessmentSink
from workers.remote.messages import REPLY_FIELD, SpeechReply
from workers.remote.session import MONITOR_BLIND, RemoteCallSession, SentJob
from workers.remote.transport import ReplyEntry, SpeechTransport
from workers.settings import VadSettings

log = logging.getLogger(__name__)

__all__ = ["MONITOR_BLIND", "REPLY_GRACE_S", "RemoteLiveSpeech", "SentJob"]

# A reply may be on its way when the deadline passes (a worker that checked the deadline just
# in time): this much longer before the caller counts as unheard.
REPLY_GRACE_S = 0.25
# Of the deadline, how much passes before an awaited job is sent again.
RESEND_AFTER = 0.5
# With nothing outstanding the reader still wakes this often (to notice close()), or once a
# deadline if that is shorter.
IDLE_WAKE_S = 1.0


class RemoteLiveSpeech:
    def __init__(
        self,
        transport: SpeechTransport,
        *,
        deadline_s: float = 2.0,
        vad: VadSettings | None = None,
        speculate: bool = True,
        grace_s: float = REPLY_GRACE_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``speculate``: the workers' engine decodes during speech (Moonshine), so send a guess
        at every pause and partials every ``live_partial_every_ms``, as in-process would."""
        self.transport = transport
        self.deadline_s = deadline_s
        self.speculate = speculate
        self._vad = vad
        self._grace_s = grace_s
        self._clock = clock
        self._pending: dict[str, SentJob] = {}
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._read_replies, name="speech-replies", daemon=True)
        self._reader.start()

    @property
    def reply_stream(self) -> str:
        return self.transport.reply_stream

    def open_call(
        self, call_id: str, sample_rate: int, encoding: Encoding, sink: AssessmentSink
    ) -> RemoteCallSession:
        return RemoteCallSession(self, call_id, sample_rate, encoding, sink, self._vad, self.speculate)

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every job sent is answered or past its deadline."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending, timeout)

    def close(self) -> None:
        self._stop.set()
        self._reader.join(timeout=IDLE_WAKE_S + 1.0)
        self.transport.close()

    # ------------------------------------------------------------ for the sessions

    def now(self) -> float:
        return self._clock()

    def track(self, job: SentJob) -> None:
        with self._cond:
            self._pending[job.job_id] = job

    def await_reply(self, job_id: str) -> bool:
        """Mark a job's reply as awaited (a final waits on its guess); False if it is no longer pending."""
        with self._cond:
            job = self._pending.get(job_id)
            if job is not None:
                job.awaited = True
            return job is not None

    # ------------------------------------------------------------ the reader thread

    def _read_replies(self) -> None:
        failing = False
        while not self._stop.is_set():
            try:
                entries = self.transport.receive(self._block_s())
                if failing:
                    log.warning("speech replies: reading %s again", self.reply_stream)
                failing = False
            except Exception as exc:  # Redis gone: the deadlines still run, replies resume when it is back
                (log.debug if failing else log.error)("speech replies: read failed: %s", exc)
                failing, entries = True, []
                self._stop.wait(min(self._block_s(), 0.5))
            for entry in entries:
                try:
                    self._on_entry(entry)
                except Exception:  # one call's sink failing must not stop every call's replies
                    log.exception("speech reply %s not handled", entry[0])
            self._expire()

    def _block_s(self) -> float:
        with self._cond:
            first = min((self._next_due(job) for job in self._pending.values()), default=None)
        # Idle, no longer than half a deadline: a job sent meanwhile is due after the wake-up, never before.
        idle = min(IDLE_WAKE_S, self.deadline_s * RESEND_AFTER)
        if first is None:
            return idle
        return min(idle, max(0.001, first - self._clock()))

    def _next_due(self, job: SentJob) -> float:
        """When the reader must next look at ``job``: to resend it, or to give up on it."""
        if job.awaited and not job.resent:
            return self._resend_at(job)
        return job.deadline + self._grace_s

    def _resend_at(self, job: SentJob) -> float:
        return job.deadline - self.deadline_s * (1 - RESEND_AFTER)

    def _on_entry(self, entry: ReplyEntry) -> None:
        entry_id, fields = entry
        raw = fields.get(REPLY_FIELD)
        try:
            if raw is None:
                raise ValueError(f"no {REPLY_FIELD!r} field (fields: {sorted(fields)[:5]})")
            reply = SpeechReply.model_validate_json(raw)
        except (ValueError, ValidationError) as exc:
            log.warning("speech reply %s on %s ignored, malformed: %s", entry_id, self.reply_stream,
                        str(exc).replace("\n", " ")[:300])  # fmt: skip
            return
        with self._cond:
            job = self._pending.pop(reply.job_id, None)
            self._cond.notify_all()
        if job is None:  # answered already (a redelivered job), or past its deadline
            log.debug("speech reply to job %s (%s) from %s: nobody waits for it", reply.job_id,
                      reply.utterance_id, reply.worker)  # fmt: skip
            return
        job.session.on_reply(job, reply)

    def _expire(self) -> None:
        now = self._clock()
        limit = now - self._grace_s
        with self._cond:
            late = [job for job in self._pending.values() if job.deadline < limit]
            again = [job for job in self._pending.values()
                     if job.awaited and not job.resent and job.deadline >= limit and self._resend_at(job) <= now]  # fmt: skip
            for job in again:
                job.resent = True
            for job in late:
                del self._pending[job.job_id]
            if late:
                self._cond.notify_all()
        for job in again:
            log.info("call %s: %s job %s unanswered after %.1f s: sent again", job.session.call_id, job.kind,
                     job.job_id, self.deadline_s * RESEND_AFTER)  # fmt: skip
            self.transport.send(job.message)
        for job in late:
            if job.awaited:
                log.warning("call %s: no speech reply to %s job %s within %.1f s: caller unheard",
                            job.session.call_id, job.kind, job.job_id, self.deadline_s)  # fmt: skip
            try:
                job.session.on_timeout(job)
            except Exception:
                log.exception("call %s: speech timeout not handled", job.session.call_id)
