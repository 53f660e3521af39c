"""How pbx's speech jobs reach the workers and their replies come back: Celery out, a Redis stream in.

Jobs go out as Celery tasks (``JOB_TASK`` on the ``asr`` queue, one argument: the job as JSON),
so workers anywhere take them with acks late (a worker killed mid-job: another gets it).
Replies come back on this pbx's own Redis stream (``SpeechJob.reply_to``), each entry one
field, ``REPLY_FIELD``, holding a :class:`~workers.remote.messages.SpeechReply` as JSON,
read with a blocking XREAD: nothing polls.

Sending happens on a thread of its own: the caller is pbx's event loop, which must never wait
on Redis (a broker that is down would stall every call's media). A job that cannot be sent
is simply never answered, and its deadline makes the caller unheard (monitor_blind).
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from typing import Protocol

from workers.remote.messages import JOB_TASK, LATEST_JOB_PREFIX, LATEST_JOB_TTL_S, SpeechJob

log = logging.getLogger(__name__)

ASR_QUEUE = "asr"
# Partials wait behind finals and guesses, which a caller's turn waits on (kombu's Redis
# transport keeps a list per priority step and serves the lowest number first; finals and
# guesses go at 0, the default). The in-process batcher likewise runs finals first.
PRIORITY = {"final": 0, "guess": 0, "partial": 6}

# Raises the utterance's newest seq, never lowers it (a job sent again is not newer than what followed it).
_RAISE_LATEST = """
if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
end
"""

# (stream entry id, the entry's fields) as Redis hands them over
ReplyEntry = tuple[str, dict[str, str]]


@dataclass(frozen=True)
class Supersede:
    """pbx has moved past an utterance's jobs without sending a newer one (the caller talked on
    after a pause: its guess is worth nothing), so workers skip them as if one had been sent."""

    utterance_id: str
    seq: int


class SpeechTransport(Protocol):
    reply_stream: str

    def send(self, job: SpeechJob) -> None:
        """Hand a job over; never blocks on the network."""
        ...

    def supersede(self, utterance_id: str, seq: int) -> None:
        """Jobs of ``utterance_id`` older than ``seq`` are stale; never blocks on the network."""
        ...

    def receive(self, block_s: float) -> list[ReplyEntry]:
        """Replies that arrived since the last call, waiting up to ``block_s`` for the first."""
        ...

    def close(self) -> None: ...


class RedisCeleryTransport:
    def __init__(self, redis_url: str, reply_stream: str) -> None:
        import redis
        from celery import Celery

        self.reply_stream = reply_stream
        # An app of its own on pbx's Redis URL (not workers.app's, read from the environment at
        # import): sending needs no task registry, only the broker and the serializer.
        self._celery = Celery("pbx-speech", broker=redis_url, set_as_current=False)
        self._celery.conf.update(task_serializer="json", accept_content=["json"],
                                 broker_connection_retry_on_startup=True)  # fmt: skip
        self._redis = redis.Redis.from_url(redis_url, decode_responses=True, health_check_interval=30)
        self._last_id = self._stream_end()
        self._raise_latest = self._redis.register_script(_RAISE_LATEST)
        self._outbox: queue.Queue[SpeechJob | Supersede | None] = queue.Queue()
        self._sender = threading.Thread(target=self._send_loop, name="speech-jobs-out", daemon=True)
        self._sender.start()

    def _stream_end(self) -> str:
        """Where reading starts: after what is there now (replies to an earlier pbx are not ours)."""
        try:
            last = self._redis.xrevrange(self.reply_stream, count=1)
        except Exception as exc:  # Redis down at start: read from the beginning once it is back
            log.warning("speech replies: cannot read %s yet: %s", self.reply_stream, exc)
            return "0-0"
        return last[0][0] if last else "0-0"

    def send(self, job: SpeechJob) -> None:
        self._outbox.put(job)

    def supersede(self, utterance_id: str, seq: int) -> None:
        self._outbox.put(Supersede(utterance_id, seq))  # in order with the jobs before it

    def _raise(self, utterance_id: str, seq: int) -> None:
        self._raise_latest(keys=[LATEST_JOB_PREFIX + utterance_id], args=[seq, LATEST_JOB_TTL_S])

    def _send_loop(self) -> None:
        while (job := self._outbox.get()) is not None:
            if isinstance(job, Supersede):
                try:
                    self._raise(job.utterance_id, job.seq)
                except Exception as exc:  # the stale job is then decoded, and its answer dropped
                    log.warning("speech jobs of %s not marked stale: %s", job.utterance_id, exc)
                continue
            try:
                if job.seq:  # before the job: a worker holding an older one of the utterance skips it
                    self._raise(job.utterance_id, job.seq)
                # retry=False: a broker that is down fails the job at once (its deadline then
                # makes the caller unheard) instead of holding up every job behind it.
                self._celery.send_task(JOB_TASK, args=[job.model_dump(mode="json")], queue=ASR_QUEUE,
                                       retry=False, task_id=job.job_id, priority=PRIORITY[job.kind])  # fmt: skip
            except Exception as exc:
                log.error("speech job %s of call %s not sent: %s", job.job_id, job.call_id, exc)

    def receive(self, block_s: float) -> list[ReplyEntry]:
        # BLOCK 0 would wait forever: at least a millisecond.
        answer = self._redis.xread({self.reply_stream: self._last_id}, count=256,
                                   block=max(1, int(block_s * 1000)))  # fmt: skip
        entries: list[ReplyEntry] = []
        for _stream, items in answer or []:
            for entry_id, fields in items:
                entries.append((entry_id, fields))
                self._last_id = entry_id
        return entries

    def close(self) -> None:
        self._outbox.put(None)
        self._sender.join(timeout=2.0)
        self._redis.close()
