"""The AI agent on real calls with speech on Celery workers (``CC_SPEECH_MODE=celery``).

pbx (here the test process) keeps the VAD and sends each stretch of a caller's speech to the
``asr`` queue; real worker processes (Moonshine) decode and assess it and answer on pbx's
reply stream in Redis, each reply naming its worker (host:pid of the pool process). Every
reply stays in that stream, which is how these tests see who decoded what.

- Two workers: a calm caller confirms, an angry one is escalated by VoiceWatch and answered
  by the simulated agent (sipp); every utterance the calls heard was decoded by one of them.
- A worker SIGKILLed (main process and pool) while the caller speaks, the other running: the
  call carries on and the next utterance is still heard.
- No worker at all: the caller is escalated as ``monitor_blind`` and joins the queue within
  the speech deadline plus a second of the end of their speech, and an agent answers.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from ops.simulator.customer import CustomerScript
from ops.simulator.sip_agent import SippAgent
from ops.stack.asterisk import AsteriskInstance
from ops.stack.celery_worker import CeleryWorker
from ops.stack.processes import child_pids
from ops.stack.redis_server import RedisServer
from pbx.api import (
    AgentConnected,
    CallEnded,
    CallEscalated,
    CallOutcome,
    CallQueued,
    DecisionMade,
    EscalationReason,
    Event,
    UtteranceHeard,
)
from pbx.bot.runtime import BotRuntime, load_bot_runtime
from pbx.settings import PbxSettings
from tests.realstack.bot_calls import CallsInProgress, bot_pbx_settings, events_of, run_bot_calls
from workers.remote.messages import JOB_TASK, REPLY_FIELD, REPLY_STREAM_PREFIX, SpeechReply

pytestmark = pytest.mark.realstack

# How long pbx waits for a worker's reply before the caller counts as unheard (the default).
DEADLINE_S = 2.0
MONITOR_BLIND = EscalationReason.MONITOR_BLIND
ANGRY = CustomerScript(
    "angry",
    ("This is ridiculous! I never ordered this and I am sick of your useless calls. "
     "I want to speak to a real person right now!",),
    interrupt_after_s=2.0,
)  # fmt: skip
CALM = CustomerScript("calm", ("Yes, please deliver it.",))


# ------------------------------------------------------------------ servers and runtimes


def _throwaway_redis(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[RedisServer]:
    # A Redis of its own: the session's celery worker (redis_server) consumes asr too.
    with RedisServer.running_throwaway(tmp_path_factory.mktemp(name)) as server:
        yield server


@pytest.fixture(scope="module")
def asr_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    yield from _throwaway_redis(tmp_path_factory, "asr-redis")


@pytest.fixture(scope="module")
def workerless_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A broker no worker consumes from: every speech job waits there unanswered."""
    yield from _throwaway_redis(tmp_path_factory, "workerless-redis")


@pytest.fixture(scope="module")
def tts_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tts")


def _celery_runtime(asterisk: AsteriskInstance, broker: RedisServer,
                    tts_cache: Path) -> Iterator[tuple[PbxSettings, BotRuntime]]:  # fmt: skip
    settings = bot_pbx_settings(asterisk, redis_url=broker.url, consumer_name=f"pbx-{uuid.uuid4().hex[:6]}")
    env = {**os.environ, "CC_SPEECH_MODE": "celery", "CC_ASR_ENGINE": "moonshine", "CC_REDIS_URL": broker.url,
           "CC_SPEECH_DEADLINE_S": str(DEADLINE_S), "CC_TTS_CACHE_DIR": str(tts_cache)}  # fmt: skip
    runtime = load_bot_runtime(settings, env)
    assert runtime.status["ready"] and runtime.status["speech_mode"] == "celery", runtime.status
    yield settings, runtime
    runtime.close()  # its reply reader stops before Redis does


@pytest.fixture(scope="module")
def celery_runtime(asterisk_server: AsteriskInstance, asr_redis: RedisServer, tts_cache: Path):
    yield from _celery_runtime(asterisk_server, asr_redis, tts_cache)


@pytest.fixture(scope="module")
def blind_runtime(asterisk_server: AsteriskInstance, workerless_redis: RedisServer, tts_cache: Path):
    yield from _celery_runtime(asterisk_server, workerless_redis, tts_cache)


class WorkerPair:
    """Two asr workers as a farm runs them; a killed one is replaced before the next test."""

    def __init__(self, broker: RedisServer, base: Path) -> None:
        self.broker, self.base = broker, base
        self.workers: list[CeleryWorker] = []

    def ensure_running(self) -> list[CeleryWorker]:
        self.workers = [w for w in self.workers if w.process.running()]
        while len(self.workers) < 2:
            # Each also consumes a queue of its own, where its readiness ping goes: on "asr"
            # the worker already running would answer the new one's ping before it is ready.
            ready_queue = f"ready-{uuid.uuid4().hex[:8]}"
            worker = CeleryWorker(self.broker.url, self.base / ready_queue, env={"CC_ASR_ENGINE": "moonshine"},
                                  queues=f"{ready_queue},asr")  # fmt: skip
            self.workers.append(worker.start(timeout=120))
        return list(self.workers)

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()


@pytest.fixture(scope="module")
def worker_pair(asr_redis: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerPair]:
    pair = WorkerPair(asr_redis, tmp_path_factory.mktemp("asr-workers"))
    yield pair
    pair.stop()


@pytest.fixture
def two_workers(worker_pair: WorkerPair) -> list[CeleryWorker]:
    return worker_pair.ensure_running()


# ------------------------------------------------------------------ what the workers said


def speech_replies(broker: RedisServer, call_id: str) -> list[SpeechReply]:
    """Every reply the workers sent about ``call_id``, from pbx's reply stream."""
    client = redis.Redis.from_url(broker.url)
    try:
        replies = [SpeechReply.model_validate_json(fields[REPLY_FIELD.encode()])
                   for stream in client.scan_iter(match=REPLY_STREAM_PREFIX + "*")
                   for _, fields in client.xrange(stream)]  # fmt: skip
    finally:
        client.close()
    return [r for r in replies if r.call_id == call_id]


def pool_pids(worker: CeleryWorker) -> set[int]:
    """The pids a worker's replies name: its pool processes (where the jobs run)."""
    assert worker.pid is not None
    return set(child_pids(worker.pid))


def worker_pid(reply: SpeechReply) -> int:
    host, pid = reply.worker.rsplit(":", 1)
    assert host == socket.gethostname(), reply.worker
    return int(pid)


def heard_customer(events: list[Event], call_id: str) -> list[UtteranceHeard]:
    return [e for e in events_of(events, call_id, UtteranceHeard) if e.speaker == "customer" and e.final]


def decoder_of(utterance: UtteranceHeard, replies: list[SpeechReply]) -> int:
    """The pool process whose reply gave ``utterance`` its words (a final's, or the guess taken as one)."""
    answers = [r for r in replies if r.utterance_id == utterance.utterance_id and r.kind != "partial"
               and r.assessment is not None and r.assessment.get("text", "").strip() == utterance.text]  # fmt: skip
    assert answers, (utterance, replies)
    return worker_pid(answers[-1])


_TASK_LOG = re.compile(rf"Task {re.escape(JOB_TASK)}\[(\w+)\] (received|succeeded|failed|raised)")


def log_size(worker: CeleryWorker) -> int:
    return worker.process.spec.log_file.stat().st_size


def held_jobs(worker: CeleryWorker, since: int) -> set[str]:
    """Speech jobs the worker's main process logged as received since ``since`` and not yet done."""
    with worker.process.spec.log_file.open("rb") as log:
        log.seek(since)
        lines = _TASK_LOG.findall(log.read().decode(errors="replace"))
    return {job for job, what in lines if what == "received"} - {job for job, what in lines if what != "received"}


def _gone(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat[stat.rindex(")") + 2] in "ZX"


def kill_whole_worker(worker: CeleryWorker) -> list[int]:
    """SIGKILL the worker's main process and its pool at once, as a host that dies would."""
    main = worker.pid
    assert main is not None
    pool = child_pids(main)
    # The stack starts each process in a session of its own: the pool is in the main's group.
    assert pool and all(os.getpgid(pid) == main for pid in pool), (main, pool)
    os.killpg(main, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while not all(_gone(pid) for pid in (main, *pool)):
        assert time.monotonic() < deadline, f"worker {main} (pool {pool}) still alive after SIGKILL"
        time.sleep(0.05)
    return [main, *pool]


def _story(events: list[Event], call_id: str) -> str:
    return "\n".join(f"  {e.type} {getattr(e, 'speaker', '')} {getattr(e, 'text', '')!r} "
                     f"{getattr(e, 'reason', '') or ''}" for e in events if e.call_id == call_id)  # fmt: skip


# ------------------------------------------------------------------ the calls


def test_workers_hear_a_calm_and_an_angry_caller(asterisk_server: AsteriskInstance, asr_redis: RedisServer,
                                                 celery_runtime, two_workers: list[CeleryWorker],
                                                 sim_agent_port: int, tmp_path: Path) -> None:  # fmt: skip
    agent = SippAgent("agent1", sim_agent_port, tmp_path / "agent")
    agent.start()

    async def caller_hangs_up_on_the_agent(calls: CallsInProgress) -> None:
        while not any(isinstance(e, AgentConnected) for e in calls.events):
            await asyncio.sleep(0.1)
        await calls.rest.delete(f"channels/{calls.engine.calls[calls.call_ids['angry']].channel_id}")

    def both_ended(events: list[Event], ids: dict[str, str]) -> bool:
        return all(events_of(events, ids[name], CallEnded) for name in ("calm", "angry"))

    try:
        events, ids = run_bot_calls(asterisk_server, celery_runtime, [CALM, ANGRY], agent, until=both_ended,
                                    timeout=75, meanwhile=caller_hangs_up_on_the_agent)  # fmt: skip
    finally:
        agent.stop()
    calm, angry = ids["calm"], ids["angry"]
    heard = [e.text.lower() for e in heard_customer(events, calm) if e.text]
    assert any("yes" in text or "deliver" in text for text in heard), _story(events, calm)
    [ended] = events_of(events, calm, CallEnded)
    assert ended.outcome == CallOutcome.CONFIRMED and not events_of(events, calm, CallEscalated), _story(events, calm)

    [escalated] = events_of(events, angry, CallEscalated)
    assert escalated.reason in {"anger", "human_request", "dispute_fraud"}, _story(events, angry)
    assert events_of(events, angry, CallQueued) and agent.answered() == [(escalated.reason, angry)]
    [ended] = events_of(events, angry, CallEnded)
    assert ended.outcome == CallOutcome.ESCALATED

    # Each caller's words came from a worker process, one of the two pools, named in its reply:
    # the calm caller's finals, and what the angry caller said before VoiceWatch escalated
    # (it may decide on a partial, before any final).
    pools = pool_pids(two_workers[0]) | pool_pids(two_workers[1])
    utterances = [u for u in heard_customer(events, calm) if u.text]
    assert {decoder_of(u, speech_replies(asr_redis, calm)) for u in utterances} <= pools
    worded = [r for r in speech_replies(asr_redis, angry) if r.assessment and r.assessment.get("text", "").strip()]
    assert [r for r in worded if r.done_at < escalated.at], (escalated, worded)
    assert {worker_pid(r) for r in worded} <= pools, (pools, worded)


def test_a_worker_killed_mid_call_leaves_the_call_to_the_other(asterisk_server: AsteriskInstance,
                                                                asr_redis: RedisServer, celery_runtime,
                                                                two_workers: list[CeleryWorker]) -> None:  # fmt: skip
    script = CustomerScript("changes", ("No, not yet.", "I would like to change the delivery address."), linger_s=15)
    killed: dict[str, Any] = {}

    def _bot_lines_after_the_kill(events: list[Event], call_id: str) -> list[UtteranceHeard]:
        """What the bot said after the caller's first utterance since the kill (the call went on)."""
        heard = [u for u in heard_customer(events, call_id) if "at" in killed and u.at > killed["at"]]
        return [e for e in events_of(events, call_id, UtteranceHeard) if e.speaker == "bot" and heard
                and e.at > heard[0].at]  # fmt: skip

    async def kill_a_worker_holding_a_job(calls: CallsInProgress) -> None:
        # Until the caller has said their second line (Asterisk's second PlaybackFinished)...
        while sum(event.type == "PlaybackFinished" for _, event in calls.customer_events) < 2:
            await asyncio.sleep(0.01)
        since = {id(w): log_size(w) for w in two_workers}
        # ...then the first job sent since (the guess at the pause that ends the utterance, or its
        # final: what the caller waits on) that a worker has taken and not finished: that worker
        # dies with it, main process and pool, as a host that fails would.
        deadline = time.monotonic() + 10
        while not (holding := [(w, jobs) for w in two_workers if (jobs := held_jobs(w, since[id(w)]))]):
            assert time.monotonic() < deadline, "no worker took a job after the second utterance"
            await asyncio.sleep(0.01)
        [(victim, jobs), *_] = holding
        [survivor] = [w for w in two_workers if w is not victim]
        killed.update(survivor_pool=pool_pids(survivor), jobs=jobs, victim_pool=pool_pids(victim))
        killed["pids"] = await asyncio.to_thread(kill_whole_worker, victim)
        killed["at"] = time.time()

    events, ids = run_bot_calls(asterisk_server, celery_runtime, [script], None, timeout=50,
                                until=lambda ev, ids: bool(_bot_lines_after_the_kill(ev, ids["changes"])
                                                           or events_of(ev, ids["changes"], CallEscalated)
                                                           or events_of(ev, ids["changes"], CallEnded)),
                                meanwhile=kill_a_worker_holding_a_job)  # fmt: skip
    call_id = ids["changes"]
    story = _story(events, call_id)
    assert "at" in killed, f"no worker was killed\n{story}"
    blind = [e for e in events_of(events, call_id, DecisionMade) if e.reason == MONITOR_BLIND]
    assert not blind, f"the caller went unheard after the kill\n{story}"
    after = [u for u in heard_customer(events, call_id) if u.at > killed["at"]]
    assert after and after[0].text.strip(), f"the utterance after the kill was not heard\n{story}"
    # The victim died with the jobs it held (none of them answered by it); the words came from
    # the worker still running, and the bot answered them.
    replies = speech_replies(asr_redis, call_id)
    assert not [r for r in replies if r.job_id in killed["jobs"] and worker_pid(r) in killed["victim_pool"]]
    assert decoder_of(after[0], replies) in killed["survivor_pool"]
    print(f"\nkilled {killed['pids']} holding job(s) {sorted(killed['jobs'])}: answered since by "
          f"{[(r.kind, r.worker) for r in replies if r.job_id in killed['jobs']]}; "
          f"next utterance {after[0].text!r} heard {after[0].at - killed['at']:.2f} s after the kill")  # fmt: skip
    reply = _bot_lines_after_the_kill(events, call_id)[0]
    assert "what you would like to change" in reply.text and not events_of(events, call_id, CallEscalated), story


def test_with_no_worker_the_caller_is_handed_to_a_person_as_monitor_blind(
    asterisk_server: AsteriskInstance, blind_runtime, sim_agent_port: int, tmp_path: Path
) -> None:
    spoke_until: list[float] = []

    async def note_when_the_caller_stops_speaking(calls: CallsInProgress) -> None:
        # Asterisk's PlaybackFinished on the (only) customer's channel: their line has ended.
        while not spoke_until:
            spoke_until.extend([event.at or arrived for arrived, event in calls.customer_events
                                if event.type == "PlaybackFinished"][:1])  # fmt: skip
            await asyncio.sleep(0.05)

    agent = SippAgent("agent1", sim_agent_port, tmp_path / "agent")
    agent.start()
    try:
        events, ids = run_bot_calls(asterisk_server, blind_runtime, [CALM], agent, timeout=60,
                                    until=lambda ev, ids: any(isinstance(e, AgentConnected) for e in ev),
                                    meanwhile=note_when_the_caller_stops_speaking)  # fmt: skip
    finally:
        agent.stop()
    call_id = ids["calm"]
    story = _story(events, call_id)
    assert not [u for u in heard_customer(events, call_id) if u.text], f"words heard with no worker\n{story}"
    decision = next((e for e in events_of(events, call_id, DecisionMade) if e.escalate), None)
    assert decision is not None and decision.reason == MONITOR_BLIND, story
    [escalated] = events_of(events, call_id, CallEscalated)
    assert escalated.reason == MONITOR_BLIND
    # From the end of the caller's speech to the moment pbx saw the caller join the queue.
    [queued] = events_of(events, call_id, CallQueued)
    decided_s, queued_s = decision.at - spoke_until[0], queued.at - spoke_until[0]
    print(f"\nmonitor_blind: decided {decided_s:.2f} s, queued {queued_s:.2f} s after the caller "
          f"stopped speaking (deadline {DEADLINE_S} s)")  # fmt: skip
    assert queued_s <= DEADLINE_S + 1.0, (
        f"joined the queue {queued_s:.2f} s after the caller stopped speaking (decided after {decided_s:.2f} s); "
        f"deadline {DEADLINE_S} s + 1 s\n{story}"
    )
    # Not left in silence: a person took the call.
    assert agent.answered() == [(MONITOR_BLIND, call_id)]
