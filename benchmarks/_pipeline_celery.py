"""``python -m benchmarks pipeline --mode celery --workers N``: the same calls through Celery workers.

pbx's side is built as ``pbx.bot.runtime`` builds it for ``CC_SPEECH_MODE=celery``: a
:class:`~workers.remote.client.RemoteLiveSpeech` on a :class:`RedisCeleryTransport` (VAD and
turn events here, every decode a job on the ``asr`` queue, replies on this process's stream),
here on a throwaway Redis with real ``celery -A workers worker -Q asr`` processes.

What ``--workers N`` starts (``--worker-layout``):
- ``pool`` (the default): one worker node, prefork, ``--concurrency N``: N pool processes, each
  with its own copy of the model, decoding one job at a time, under one main process that
  takes the jobs off Redis for all of them;
- ``nodes``: N worker nodes of one pool process each (N main processes polling Redis).
Measured on this 2-core box (``--workers 2 --no-reference --calls 8 --seconds 20``, one after
the other): ``pool`` 7.43 CPU-s in all (workers 6.96) and p95 0.45 s; ``nodes`` 8.19 CPU-s
(workers 7.68) and p95 0.58 s. A node's main process costs CPU of its own on every job
(Celery's consumer, its event loop and heartbeats), so one node of N is the cheaper way.

Like with like: in-process decodes on ``--asr-workers`` threads (2 on this box) sharing one
model in one process, each ``CC_ASR_THREADS`` wide; celery decodes on N pool processes, each
``CC_ASR_THREADS`` wide. The CPU counted is everything the box spends on the calls: this
(pbx-side) process, every worker process (main and pool children) and the Redis server.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks._cpu import process_cpu_s, wait_until_quiet
from benchmarks._pipeline_calls import (
    RATE,
    CallStats,
    cpu_s,
    feed_in_real_time,
    latency_fields,
    percentile,
    rss_mb,
    stats_detail,
    warm_up,
)
from ops.stack.celery_worker import CeleryWorker
from ops.stack.processes import child_pids
from ops.stack.redis_server import RedisServer
from workers.remote.messages import JOB_TASK, REPLY_FIELD, REPLY_STREAM_PREFIX, SpeechJob, SpeechReply
from workers.remote.transport import ASR_QUEUE, RedisCeleryTransport, ReplyEntry
from workers.settings import SpeechSettings
from workers.tasks.live_speech import EXPIRED

LAYOUTS = ("pool", "nodes")
# Past its deadline, a job the workers never answered still gets this long before the run ends.
DRAIN_MARGIN_S = 5.0


class CountingTransport:
    """The transport pbx uses, counting what goes out (jobs by kind, audio seconds, JSON bytes)
    and what comes back: each reply's time from sending to the worker's answer, and whether the
    worker decoded audio that was stale by then (pbx had sent a newer job of the same utterance:
    a later partial, the pause's guess, or its final), which in-process the batcher drops unheard."""

    def __init__(self, inner: RedisCeleryTransport) -> None:
        self.inner = inner
        self.reply_stream = inner.reply_stream
        self.reset()

    def reset(self) -> None:
        self.jobs: Counter[str] = Counter()
        self.audio_s: Counter[str] = Counter()
        self.json_bytes = 0
        self._sent: dict[str, tuple[str, str, float, float]] = {}  # job id: kind, utterance, sent at, audio s
        self._latest: dict[str, list[float]] = {}  # utterance: when each of its jobs was sent
        self.outcomes: Counter[str] = Counter()
        self.stale_audio_s = 0.0
        self.answered_s: dict[str, list[float]] = {}

    def send(self, job: SpeechJob) -> None:
        audio = job.audio
        seconds = len(audio.pcm_b64) * 3 / 4 / 2 / audio.sample_rate
        self.jobs[job.kind] += 1
        self.audio_s[job.kind] += seconds
        self.json_bytes += len(job.model_dump_json())
        self._sent[job.job_id] = (job.kind, job.utterance_id, job.sent_at, seconds)
        self._latest.setdefault(job.utterance_id, []).append(job.sent_at)
        self.inner.send(job)

    def supersede(self, utterance_id: str, seq: int) -> None:
        self.inner.supersede(utterance_id, seq)

    def receive(self, block_s: float) -> list[ReplyEntry]:
        entries = self.inner.receive(block_s)
        for _entry_id, fields in entries:
            try:
                self._count(SpeechReply.model_validate_json(fields[REPLY_FIELD]))
            except (KeyError, ValueError):
                self.outcomes["unreadable"] += 1
        return entries

    def _count(self, reply: SpeechReply) -> None:
        sent = self._sent.pop(reply.job_id, None)
        if sent is None:
            return  # a warm-up job, or a redelivery
        kind, utterance, sent_at, seconds = sent
        if reply.error == EXPIRED:
            self.outcomes[f"{kind}_expired"] += 1
            return
        self.answered_s.setdefault(kind, []).append(reply.done_at - sent_at)
        stale = any(sent_at < t < reply.done_at for t in self._latest.get(utterance, ()))
        self.outcomes[f"{kind}_{'stale' if stale else 'decoded'}"] += 1
        self.stale_audio_s += seconds if stale else 0.0

    def summary(self) -> dict:
        return {
            "jobs": dict(self.jobs),
            "job_audio_s": {kind: round(s, 1) for kind, s in self.audio_s.items()},
            "job_json_mb": round(self.json_bytes / 2**20, 2),
            "replies": dict(sorted(self.outcomes.items())),
            "stale_decoded_audio_s": round(self.stale_audio_s, 1),
            "sent_to_answered_s": {kind: {"p50": percentile(v, 50), "p95": percentile(v, 95)}
                                   for kind, v in sorted(self.answered_s.items())},  # fmt: skip
        }

    def close(self) -> None:
        self.inner.close()


def start_workers(broker_url: str, directory: Path, env: dict[str, str], n: int, layout: str) -> list[CeleryWorker]:
    if layout == "pool":
        directory.mkdir(parents=True, exist_ok=True)
        return [CeleryWorker(broker_url, directory, env=env, queues=ASR_QUEUE, concurrency=n).start()]
    started: list[CeleryWorker] = []
    try:
        for i in range(n):
            node_dir = directory / f"node{i}"
            node_dir.mkdir(parents=True, exist_ok=True)
            started.append(CeleryWorker(broker_url, node_dir, env=env, queues=ASR_QUEUE).start())
    except BaseException:
        for worker in started:
            worker.stop()
        raise
    return started


def _worker_pids(workers: list[CeleryWorker]) -> list[int]:
    pids = [w.pid for w in workers if w.pid is not None]
    return pids + [child for pid in pids for child in child_pids(pid)]


def _cpu_of(pids: list[int]) -> dict[int, float]:
    return {pid: process_cpu_s(pid) or 0.0 for pid in pids}


TASK_RAN = re.compile(rb"Task " + JOB_TASK.encode() + rb"\[[0-9a-f]+\] succeeded in ([0-9.]+)s")


def _log_sizes(workers: list[CeleryWorker]) -> dict[Path, int]:
    logs = [w.process.spec.log_file for w in workers]
    return {log: log.stat().st_size if log.exists() else 0 for log in logs}


def _task_run_s(since: dict[Path, int]) -> list[float]:
    """How long each job's task ran in its pool process (Celery logs it), since ``since``: the
    rest of a job's time from sending to answer is the wait on the queue."""
    ran: list[float] = []
    for log, offset in since.items():
        with log.open("rb") as f:
            f.seek(offset)
            ran += [float(m.group(1)) for m in TASK_RAN.finditer(f.read())]
    return ran


def _rss_of(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_celery(args: argparse.Namespace, settings: SpeechSettings, calls: list[bytes]) -> dict:
    from workers.asr.registry import DECODES_DURING_SPEECH
    from workers.remote.client import RemoteLiveSpeech

    engine = (args.engine or settings.asr_engine).strip().lower()
    layout = args.worker_layout
    env = {"CC_ASR_ENGINE": engine, "CC_WORKER_PRELOAD": "asr,nlp", "CC_ASR_THREADS": str(settings.asr_threads),
           "CC_ASR_WORKERS": "1", "CC_WORKER_POOL": "prefork"}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="cc-bench-celery-") as tmp, \
            RedisServer.running_throwaway(Path(tmp) / "redis") as redis:
        workers: list[CeleryWorker] = []
        try:
            workers = start_workers(redis.url, Path(tmp) / "celery", env, args.workers, layout)
            transport = CountingTransport(RedisCeleryTransport(redis.url, REPLY_STREAM_PREFIX + f"bench-{os.getpid()}"))
            remote = RemoteLiveSpeech(transport, deadline_s=settings.speech_deadline_s, vad=settings.vad,
                                      speculate=engine in DECODES_DURING_SPEECH)  # fmt: skip
            try:
                return _timed_run(args, settings, calls, engine, layout, remote, transport, workers, redis)
            finally:
                remote.close()
        finally:
            for worker in workers:
                worker.stop()


def _timed_run(args: argparse.Namespace, settings: SpeechSettings, calls: list[bytes], engine: str, layout: str,
               remote, transport: CountingTransport, workers: list[CeleryWorker], redis: RedisServer) -> dict:  # noqa: ANN001  # fmt: skip
    # Every pool process loads its model at start; a few calls' jobs get each decoding at working size.
    warm_up(remote, calls, sessions=min(4, len(calls)), seconds=10.0)
    pids = _worker_pids(workers)
    redis_pid = redis.process.pid()
    watched = {str(pid): (lambda pid=pid: pid) for pid in pids}
    wait_until_quiet(watched, timeout_s=60)
    transport.reset()

    stats = CallStats(speed=args.speed)
    rss_base = rss_mb()
    call_ids = [f"bench-{i:03d}" for i in range(args.calls)]
    sessions = [remote.open_call(call_id, RATE, "ulaw", stats.sink) for call_id in call_ids]
    logs = _log_sizes(workers)
    here0, workers0 = cpu_s(), _cpu_of(pids)
    redis0 = (process_cpu_s(redis_pid) or 0.0) if redis_pid else 0.0
    fed = feed_in_real_time(sessions, call_ids, calls, args.seconds, args.speed, stats)
    drained = remote.drain(timeout=settings.speech_deadline_s + DRAIN_MARGIN_S)
    drain_s = time.monotonic() - fed.last_frame_at
    here_cpu, workers1 = cpu_s() - here0, _cpu_of(pids)
    workers_cpu = sum(workers1.values()) - sum(workers0.values())
    mains = {w.pid for w in workers}
    by_role = {role: round(sum(workers1[p] - workers0[p] for p in pids if (p in mains) == (role == "main")), 2)
               for role in ("main", "pool")}  # fmt: skip
    redis_cpu = (process_cpu_s(redis_pid) or 0.0) - redis0 if redis_pid else 0.0
    workers_rss = {str(pid): round(_rss_of(pid), 1) for pid in _worker_pids(workers)}

    task_run_s = _task_run_s(logs)
    total_cpu = here_cpu + workers_cpu + redis_cpu
    speech_s = stats.final_speech_s
    detail = {
        "engine": engine,
        "calls": args.calls,
        "call_seconds": args.seconds,
        "speech_fraction_target": args.speech_fraction,
        "speech_seconds_to_asr": round(speech_s, 1),
        "cpu_s": {"total": round(total_cpu, 2), "pbx": round(here_cpu, 2), "workers": round(workers_cpu, 2),
                  "redis": round(redis_cpu, 2), "workers_main": by_role["main"], "workers_pool": by_role["pool"]},  # fmt: skip
        "wall_s": round(fed.wall_s, 1),
        "drain_after_last_frame_s": round(drain_s, 2),
        "drained": drained,
        "max_frame_lag_ms": round(fed.lag_max_s * 1000, 1),
        **stats_detail(stats),
        **transport.summary(),
        "task_run_s": {"n": len(task_run_s), "p50": percentile(task_run_s, 50), "p95": percentile(task_run_s, 95),
                       "sum": round(sum(task_run_s), 2)},  # fmt: skip
        "vad_hangover_ms": settings.vad.hangover_ms,
        "speech_deadline_s": settings.speech_deadline_s,
        "worker_layout": layout,
        "worker_processes": len(pids),
        "workers_rss_mb": workers_rss,
        "pbx_rss_base_mb": round(rss_base, 1),
        "cores": os.cpu_count(),
    }
    detail["realtime_ok"] = bool(fed.lag_max_s < 0.2 and drained)
    return {
        "calls_per_core": round(args.calls * args.seconds / total_cpu, 1),
        "overhead_ratio": None,
        "rtf": round(total_cpu / speech_s, 4) if speech_s else None,
        "mb_per_call": round(max(0.0, fed.rss_peak_mb - rss_base) / args.calls, 3),
        "mode": "celery",
        "workers": args.workers,
        **latency_fields(stats),
        "detail": detail,
    }
